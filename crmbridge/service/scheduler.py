"""The scheduler behind ``crmbridge run``: each source on its own interval, on one machine.

A source is due ``schedule.interval`` after its last run ended (plus up to
``schedule.jitter`` at random, so workers and sources spread out); after a failed run the
wait doubles per consecutive failure, up to ``schedule.max_backoff``. A source that another
worker holds (its lease) is skipped and tried again at its next turn. Sources run one at a
time through ``SourceRunner``, the same pipeline entry as ``crmbridge sync``.
"""

from __future__ import annotations

import logging
import random
import threading
import time

from crmbridge.config import ScheduleConfig
from crmbridge.service.runner import SourceRunner

log = logging.getLogger("crmbridge.service")


def next_wait(schedule: ScheduleConfig, failures: int, rng: random.Random) -> float:
    """Seconds until the next run of a source, after ``failures`` failed runs in a row."""
    base = schedule.interval.total_seconds()
    if failures:
        base = min(base * 2**failures, schedule.max_backoff.total_seconds())
    jitter = schedule.jitter.total_seconds() if schedule.jitter else 0.0
    return base + rng.uniform(0.0, jitter)


class Scheduler(threading.Thread):
    """Runs every scheduled source when it is due, until the stop event is set."""

    def __init__(
        self,
        runner: SourceRunner,
        schedules: dict[str, ScheduleConfig],
        *,
        stop: threading.Event,
        once: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(name="crmbridge-scheduler", daemon=True)
        self.runner = runner
        self.schedules = schedules
        self.stop = stop
        self.once = once
        self.rng = rng or random.Random()
        # Every source is due at start, in config order.
        self.due = {name: time.monotonic() for name in schedules}

    def run(self) -> None:
        """Run due sources; with ``once``, each source one time and return."""
        while not self.stop.is_set():
            name = min(self.due, key=self.due.__getitem__, default=None)
            if name is None:
                return
            wait = self.due[name] - time.monotonic()
            if wait > 0 and self.stop.wait(wait):
                return
            self.runner.run_once(name)
            if self.once:
                del self.due[name]
                continue
            failures = self.runner.states[name].failures
            self.due[name] = time.monotonic() + next_wait(self.schedules[name], failures, self.rng)
