"""Progress and summaries for people: a rich live bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from crmbridge.pipeline import Progress as ProgressCallback
from crmbridge.pipeline import SyncSummary

log = logging.getLogger("crmbridge.sync")
PLAIN_EVERY_S = 10.0


class _Rate:
    """Records, rate and ETA of one source (ETA only where its extent is known).

    Measured from the end of the first batch: before it the reporter has no start time
    of the source's own, and timing from the reporter's start would count other sources.
    """

    def __init__(self) -> None:
        self.records = 0
        self.extent: tuple[int, int] | None = None
        self._base: tuple[float, int, int] | None = None  # time, records, done at batch 1

    def add(self, count: int, extent: tuple[int, int] | None) -> None:
        self.records += count
        self.extent = extent or self.extent
        if self._base is None:
            self._base = (time.monotonic(), self.records, self.extent[0] if self.extent else 0)

    def _since(self) -> tuple[float, int, int]:
        base = self._base or (time.monotonic(), self.records, 0)
        done = self.extent[0] if self.extent else 0
        return max(time.monotonic() - base[0], 1e-6), self.records - base[1], done - base[2]

    @property
    def per_second(self) -> float:
        elapsed, records, _done = self._since()
        return records / elapsed

    @property
    def eta_s(self) -> float | None:
        if not self.extent:
            return None
        elapsed, _records, done = self._since()
        left = self.extent[1] - self.extent[0]
        if left <= 0:
            return 0.0
        return elapsed * left / done if done > 0 else None

    @property
    def unit(self) -> str:
        """What the extent counts: ``bytes`` (files) or ``records`` (API deltas)."""
        return getattr(self.extent, "unit", "bytes")

    def describe(self, source: str) -> str:
        text = f"source {source}: {self.records:,} records read, {self.per_second:,.0f}/s"
        if self.extent:
            done, total = self.extent
            text += f", {done / max(total, 1):.0%} of {total:,} {self.unit}"
        eta = self.eta_s
        return text + (f", about {eta:,.0f}s to go" if eta is not None else "")


@contextmanager
def progress_reporter(enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """A progress callback: a live bar on a terminal, a log line every 10 s otherwise.

    Where the source knows its extent (files: bytes; API sources: the records of the delta
    read so far), the bar has a total and an ETA; elsewhere it shows the count and the rate.
    Log lines (``-v``) print above the live bar: the bar redirects stderr, and the log
    handler writes to whatever ``sys.stderr`` is at each line (see ``crmbridge.logs``).
    """
    if not enabled:
        yield None
        return
    rates: dict[str, _Rate] = {}
    if sys.stderr.isatty():
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[records]:,} records, {task.fields[rate]:,.0f}/s"),
            TextColumn("{task.fields[of]}"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            tasks: dict[str, TaskID] = {}

            def on_batch(source: str, count: int, extent: tuple[int, int] | None = None) -> None:
                rate = rates.setdefault(source, _Rate())
                rate.add(count, extent)
                if source not in tasks:
                    tasks[source] = bar.add_task(source, total=None, records=0, rate=0.0, of="")
                done, total = rate.extent or (rate.records, None)
                bar.update(
                    tasks[source],
                    completed=done,
                    total=total,
                    records=rate.records,
                    rate=rate.per_second,
                    of=f"{done:,} of {total:,} {rate.unit}" if total is not None else "",
                )

            yield on_batch
        return
    last = [time.monotonic()]

    def on_line(source: str, count: int, extent: tuple[int, int] | None = None) -> None:
        rate = rates.setdefault(source, _Rate())
        rate.add(count, extent)
        if time.monotonic() - last[0] >= PLAIN_EVERY_S:
            last[0] = time.monotonic()
            log.warning("%s", rate.describe(source))

    yield on_line


def render_summary(summary: SyncSummary) -> None:
    """Print a sync summary as a small table (and a dry run's preview)."""
    console = Console(emoji=False)  # keys like conv:x:1 are not emoji codes
    title = "dry run: nothing was written" if summary.dry_run else "sync"
    table = Table(title=title, show_header=False, box=None)
    for key, value in summary.as_dict().items():
        if key not in ("preview", "dry_run", "error"):
            table.add_row(key, str(value))
    console.print(table)
    from crmbridge.pipeline import PREVIEW_LIMIT

    changes = summary.created + summary.updated + summary.cases + summary.escalated
    if summary.dry_run and changes > len(summary.preview):
        console.print(
            f"  the preview lists the first {len(summary.preview)} of {changes} changes "
            f"(at most {PREVIEW_LIMIT}); the counts above are whole",
            markup=False,
            highlight=False,
        )
    for row in summary.preview:
        console.print(
            f"  would {row['action']:<6} {row['key']:<28} contact={row['contact_id']}"
            f"  {row['subject'] or ''}",
            markup=False,
            highlight=False,
        )
