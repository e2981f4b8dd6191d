"""Concurrent write calls for remote CRMs: keep the CRM's allowance busy, not our latency.

A remote write batch is cut into parts (one CRM call each: a Salesforce collection of 200,
a HubSpot batch of 100). ``fan_out`` sends up to ``concurrency`` parts at a time, each in
a worker thread (the calls wait on the network, which releases the GIL), and returns
every part's results in the order of the parts. The adapter's own limiter still decides
when each call may go: it is shared by the threads and locked.

The invariants hold as in the sequential loop: the pipeline commits ledger and cursor only
after ``write`` returns. When a part raises a stop (quota, auth, a call that kept
failing), parts not yet started are not sent, parts in flight finish, and the first
stop (in part order) is raised carrying every result the CRM acknowledged in any part
(``keep_progress``): those are recorded as written, the cursor stays where it was, and
the resume sends only the rest. Nothing is sent twice by this module: a part goes out
once; its own retries are the adapter's (by key, so a repeat is an update).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from crmbridge.crm.base import acknowledged, keep_progress
from crmbridge.errors import CrmbridgeError
from crmbridge.models import WriteResult

P = TypeVar("P")


class _NotSent(Exception):
    """A part skipped because an earlier part stopped the write."""


def fan_out(
    parts: Sequence[P], send: Callable[[P], list[WriteResult]], concurrency: int
) -> list[list[WriteResult]]:
    """``send`` each part, up to ``concurrency`` at once; results in part order.

    Raises the first part's stop (in part order) once every started part has finished,
    with the results acknowledged by the other parts attached.
    """
    if concurrency <= 1 or len(parts) <= 1:
        return _in_turn(parts, send)
    stopped = threading.Event()

    def guarded(part: P) -> list[WriteResult]:
        if stopped.is_set():
            raise _NotSent
        try:
            return send(part)
        except BaseException:
            stopped.set()
            raise

    with ThreadPoolExecutor(max_workers=min(concurrency, len(parts))) as pool:
        futures = [pool.submit(guarded, part) for part in parts]
        outcomes = [f.exception() or f.result() for f in futures]
    done: list[WriteResult] = []
    first: BaseException | None = None
    for outcome in outcomes:
        if isinstance(outcome, _NotSent):
            continue
        if isinstance(outcome, BaseException):
            if first is None:
                first = outcome  # what it acknowledged is attached to it already
            elif isinstance(outcome, CrmbridgeError):
                done += acknowledged(outcome)
            continue
        done += outcome
    if first is not None:
        if isinstance(first, CrmbridgeError):
            raise keep_progress(first, [r for r in done if r.ok])
        raise first
    return [o for o in outcomes if not isinstance(o, BaseException)]


def _in_turn(parts: Sequence[P], send: Callable[[P], list[WriteResult]]) -> list[list[WriteResult]]:
    """One part after another (concurrency 1): a stop keeps what came before it."""
    out: list[list[WriteResult]] = []
    for part in parts:
        try:
            out.append(send(part))
        except CrmbridgeError as exc:
            done = [r for o in out for r in o]
            raise keep_progress(exc, [r for r in done if r.ok]) from exc.__cause__
    return out
