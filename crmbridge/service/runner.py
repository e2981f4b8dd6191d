"""One source, once: the same ``Pipeline(...).run(source)`` that ``crmbridge sync`` calls.

The spool drainer, the scheduler and the orchestrator integration all come through here,
so they write under the same leases, ledger and cursors as ``sync --source NAME``: a
message met twice (webhook, then poll) stays one activity, and a source that another worker
holds is skipped, not read twice.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from crmbridge.config import AppConfig
from crmbridge.errors import CrmbridgeError, ExitCode
from crmbridge.pipeline import Pipeline, SyncSummary
from crmbridge.service.metrics import ServiceMetrics, run_rows
from crmbridge.state.lease import DEFAULT_SECONDS
from crmbridge.state.store import StateStore, utcnow

log = logging.getLogger("crmbridge.service")
INTERNAL = "internal"  # a run that ended on an unexpected exception (a bug)


@dataclass
class SourceState:
    """What the service knows of one source between runs."""

    last_success: float | None = None  # monotonic seconds
    last_status: str = "never"
    last_exit: int = 0  # the exit code `crmbridge sync --source` would have given
    failures: int = 0  # consecutive
    running_since: float | None = None
    started: float = field(default_factory=time.monotonic)


class SourceRunner:
    """Runs sources one at a time through the pipeline, feeding metrics and health."""

    def __init__(
        self,
        config: AppConfig,
        *,
        store: StateStore,
        stop: threading.Event,
        metrics: ServiceMetrics | None = None,
        lease_seconds: float = DEFAULT_SECONDS,
    ) -> None:
        self.config = config
        self.store = store
        self.stop = stop
        self.metrics = metrics
        self.lease_seconds = lease_seconds
        self.states = {s.name: SourceState() for s in config.sources}
        self._lock = threading.Lock()  # one pipeline at a time in this process

    def run_once(self, source: str) -> SyncSummary:
        """Sync one source now; errors are recorded (and logged), not raised."""
        state = self.states[source]
        with self._lock:
            since = utcnow()
            state.running_since = time.monotonic()
            pipeline: Pipeline | None = None
            try:
                pipeline = Pipeline(
                    self.config,
                    store=self.store,
                    stop=self.stop,
                    lease_seconds=self.lease_seconds,
                )
                summary = pipeline.run(source)
            except CrmbridgeError as exc:
                summary = pipeline.summary if pipeline is not None else SyncSummary()
                summary.status, summary.error = exc.kind, self.config.redact(str(exc))
                log.warning("source %s: %s (%s)", source, summary.error, exc.kind)
            except Exception as exc:  # a bug must not end the service's worker thread
                summary = pipeline.summary if pipeline is not None else SyncSummary()
                summary.status, summary.error = INTERNAL, self.config.redact(repr(exc))
                log.exception("source %s: internal error (please report it)", source)
            finally:
                state.running_since = None
            self._record(source, summary, pipeline, since)
        return summary

    def _record(
        self, source: str, summary: SyncSummary, pipeline: Pipeline | None, since: datetime
    ) -> None:
        state = self.states[source]
        state.last_status = "busy" if source in summary.skipped else summary.status
        state.last_exit = int(
            ExitCode.INTERNAL if summary.status == INTERNAL else summary.exit_code
        )
        if state.last_status == "ok":
            state.last_success, state.failures = time.monotonic(), 0
        elif state.last_status != "busy":
            state.failures += 1
        if self.metrics is not None:
            touched = summary.written or summary.failed
            lags, limited = run_rows(self.store, source, since) if touched else ([], 0)
            adapter = pipeline.adapter if pipeline else None
            self.metrics.observe(source, summary, adapter, lags, limited)
        if summary.fetched or summary.replayed or summary.status != "ok":
            log.info(
                "source %s: %s, fetched %d, written %d, unchanged %d, failed %d",
                source,
                state.last_status,
                summary.fetched,
                summary.written,
                summary.unchanged,
                summary.failed,
            )
