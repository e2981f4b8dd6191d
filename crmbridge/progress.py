"""Progress and summaries for people: a rich live bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from crmbridge.pipeline import Progress as ProgressCallback
from crmbridge.pipeline import SyncSummary

log = logging.getLogger("crmbridge.sync")
PLAIN_EVERY_S = 10.0


@contextmanager
def progress_reporter(enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """A progress callback: a live bar on a terminal, a log line every 10 s otherwise."""
    if not enabled:
        yield None
        return
    if sys.stderr.isatty():
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:,} records"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            tasks: dict[str, TaskID] = {}

            def on_batch(source: str, count: int) -> None:
                if source not in tasks:
                    tasks[source] = bar.add_task(source, total=None)
                bar.advance(tasks[source], count)

            yield on_batch
        return
    totals: dict[str, int] = {}
    last = [time.monotonic()]

    def on_line(source: str, count: int) -> None:
        totals[source] = totals.get(source, 0) + count
        if time.monotonic() - last[0] >= PLAIN_EVERY_S:
            last[0] = time.monotonic()
            log.warning("source %s: %d records read", source, totals[source])

    yield on_line


def render_summary(summary: SyncSummary) -> None:
    """Print a sync summary as a small table (and a dry run's preview)."""
    console = Console()
    title = "dry run: nothing was written" if summary.dry_run else "sync"
    table = Table(title=title, show_header=False, box=None)
    for key, value in summary.as_dict().items():
        if key not in ("preview", "dry_run", "error"):
            table.add_row(key, str(value))
    console.print(table)
    for row in summary.preview:
        console.print(
            f"  would {row['action']:<6} {row['key']:<28} contact={row['contact_id']}"
            f"  {row['subject'] or ''}",
            markup=False,
            highlight=False,
        )
