"""The sync's log lines: one INFO line per batch and one per source, for schedulers.

Each says what the batch (or the source's whole run) did: records read, written,
unchanged and parked, CRM API calls and time; ``--log-format json`` carries the same
figures as fields.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from crmbridge.crm.base import CrmAdapter

log = logging.getLogger("crmbridge.sync")


class BatchLog:
    """One INFO line per batch and one per source: read, written, unchanged, parked, calls."""

    FIELDS = ("fetched", "written", "unchanged", "quarantined", "failed")

    def __init__(self, source: str, summary: Any, adapter: CrmAdapter) -> None:
        self.source, self.summary, self.adapter = source, summary, adapter
        self.batches = 0
        self.first = self.last = self._counts()
        self.began = self.started = time.monotonic()

    def _counts(self) -> dict[str, int]:
        counts = {name: int(getattr(self.summary, name)) for name in self.FIELDS}
        counts["api_calls"] = self.adapter.api_calls
        return counts

    def start(self) -> None:
        """A batch begins."""
        self.last, self.started = self._counts(), time.monotonic()

    def batch(self) -> None:
        """A batch was committed: log what it did."""
        self.batches += 1
        self._line(f"batch {self.batches}", self.last, self.started)

    def done(self) -> None:
        """The source is done: log its totals for this run."""
        self._line(f"done in {self.batches} batch(es)", self.first, self.began)

    def _line(self, what: str, since: dict[str, int], began: float) -> None:
        now = self._counts()
        d = {k: now[k] - since[k] for k in now}
        seconds = time.monotonic() - began
        log.info(
            "source %s %s: read %d, written %d, unchanged %d, parked %d, api calls %d, %.2fs",
            self.source,
            what,
            d["fetched"],
            d["written"],
            d["unchanged"],
            d["quarantined"] + d["failed"],
            d["api_calls"],
            seconds,
            extra={"source": self.source, "step": what, **d, "seconds": round(seconds, 3)},
        )
