"""The spool drainer inside ``crmbridge serve``: accepted webhook events reach the CRM in seconds.

The webhook app appends each accepted event to ``<state dir>/spool/<source>.jsonl`` (fsynced
before it answers 200); that file stays the durable queue. A ``jsonl`` source configured
over it is synced by this thread, through the same pipeline, ledger, cursor and lease as
``crmbridge sync``, whenever the file grew: at once when a delivery wakes it, else every
``service.drain_interval``. A crash between accepting and writing loses nothing: the
cursor has not moved past what was not written, and the next drain (or sync) picks it up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crmbridge.config import AppConfig
from crmbridge.service.runner import SourceRunner

log = logging.getLogger("crmbridge.service")
Intake = Callable[[str, list[dict[str, Any]]], None]


def spool_sources(config: AppConfig, spool: Path) -> dict[str, Path]:
    """The configured ``jsonl`` sources that read a webhook spool, with the file each reads."""
    spooled = {
        (spool / f"{block['source']}.jsonl").resolve()
        for block in config.webhooks.values()
        if isinstance(block, dict) and isinstance(block.get("source"), str)
    }
    found: dict[str, Path] = {}
    for spec in config.sources:
        path = spec.options.get("path")
        if spec.connector != "jsonl" or not isinstance(path, str):
            continue
        resolved = (config.base_dir / path).resolve()
        if resolved in spooled:
            found[spec.name] = resolved
    for missing in spooled - set(found.values()):
        log.warning(
            "webhook events go to %s but no jsonl source reads that file; add one "
            "(docs/connectors.md, Webhooks) so they reach the CRM",
            missing,
        )
    return found


class WakingIntake:
    """An intake that wakes the drainer after the events are durably spooled."""

    def __init__(self, inner: Intake, wake: Callable[[], None]) -> None:
        self.inner = inner
        self.wake = wake

    def __call__(self, source: str, records: list[dict[str, Any]]) -> None:
        """Spool first (the delivery's 200 depends on it), then wake the drainer."""
        self.inner(source, records)
        self.wake()


class SpoolDrainer(threading.Thread):
    """Syncs spool-fed sources whenever their file grew, until the stop event is set."""

    def __init__(
        self,
        runner: SourceRunner,
        sources: dict[str, Path],
        *,
        interval: float,
        stop: threading.Event,
    ) -> None:
        super().__init__(name="crmbridge-spool-drainer", daemon=True)
        self.runner = runner
        self.sources = sources
        self.interval = interval
        self.stop = stop
        self.woken = threading.Event()
        self._drained: dict[str, int] = {}  # spool size at the start of the last good drain
        # After a failed drain a source rests (doubling, up to its schedule's max_backoff),
        # deliveries or not: an expired token must not mean a login attempt per event.
        self._resting_until: dict[str, float] = {}

    def wake(self) -> None:
        """Ask for a drain now (called by the intake after each accepted delivery)."""
        self.woken.set()

    def run(self) -> None:
        """Drain until stopped; the batch in flight at the stop commits before the exit."""
        while not self.stop.is_set():
            self.drain()
            self.woken.wait(self.interval)
            self.woken.clear()

    def drain(self) -> None:
        """One pass: sync each spool-fed source whose file grew since its last drain."""
        for name, path in self.sources.items():
            if self.stop.is_set():
                return
            if not path.exists():
                continue  # no delivery yet
            size = path.stat().st_size
            if size == self._drained.get(name) or time.monotonic() < self._resting_until.get(
                name, 0.0
            ):
                continue
            summary = self.runner.run_once(name)
            if summary.status == "ok" and name not in summary.skipped:
                self._drained[name] = size
            self._rest(name)

    def _rest(self, name: str) -> None:
        failures = self.runner.states[name].failures
        if not failures:
            self._resting_until.pop(name, None)
            return
        cap = self.runner.config.source(name).schedule.max_backoff.total_seconds()
        wait = min(self.interval * 2 ** min(failures, 20), cap)
        self._resting_until[name] = time.monotonic() + wait
        log.warning(
            "source %s: drain failed %d time(s) in a row; next try in %.0fs", name, failures, wait
        )
