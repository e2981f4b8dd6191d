"""Bulk API 2.0 query jobs for the first full read of a large org's contacts.

A REST query pages 2,000 rows per call, so a first contact-mirror load of a million contacts
would cost 500 calls of the org's shared allocation; one Bulk API 2.0 query job costs a
handful (create, poll, one result page per ``max_records`` rows). Bulk 2.0 queries take no
``ORDER BY`` (it disables PK chunking and invites timeouts), so the rows arrive unordered
and the caller sets its resume cursor only once the whole job has been read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

RESULT_PAGE = 50_000  # rows per results call (the client's default page size)


def bulk_query(
    call: Callable[..., Any],
    sobject: str,
    query: str,
    *,
    poll_s: float,
    page: int = RESULT_PAGE,
) -> Iterator[dict[str, Any]]:
    """Rows of one Bulk API 2.0 query job, each a dict of field → value (None for empty).

    ``call`` is the adapter's budgeted, classified call wrapper. A page that fails ends
    the job's generator, so pages are not retried one by one: the error stops the read
    and the next run starts the job again (nothing was marked read).
    """
    pages: Iterator[str] = call(
        "bulk query",
        lambda sf: getattr(sf.bulk2, sobject).query(query, max_records=page, wait=poll_s),
        attempts=1,
    )
    while True:
        text = call("bulk query", lambda sf: next(pages, None), attempts=1)
        if text is None:
            return
        yield from _rows(text)


def _rows(text: str) -> Iterator[dict[str, Any]]:
    for row in csv.DictReader(io.StringIO(text)):
        yield {k: (v if v != "" else None) for k, v in row.items()}
