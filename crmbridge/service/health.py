"""Readiness of a running crmbridge: the state store and the CRM answer, no source is stuck.

``/healthz`` says the process is alive; ``/readyz`` says it can do its work. The CRM check
opens the adapter (a login on a remote CRM), so its answer is kept for ``crm_ttl`` seconds:
a probe every few seconds must not spend the CRM's API allocation.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from crmbridge.config import AppConfig
from crmbridge.errors import CrmbridgeError
from crmbridge.ops import open_adapter
from crmbridge.service.runner import SourceRunner
from crmbridge.state.store import StateStore

CRM_TTL_S = 60.0


@dataclass
class Check:
    """One readiness check's outcome."""

    ok: bool
    detail: str


class Readiness:
    """Answers ``/readyz``."""

    def __init__(
        self,
        config: AppConfig,
        store: StateStore,
        runner: SourceRunner,
        *,
        watched: list[str],
        crm_ttl: float = CRM_TTL_S,
    ) -> None:
        self.config = config
        self.store = store
        self.runner = runner
        self.watched = watched
        self.crm_ttl = crm_ttl
        self._crm: tuple[float, Check] | None = None
        self._lock = threading.Lock()

    def report(self) -> tuple[bool, dict[str, Any]]:
        """Whether the service is ready, and each check's detail."""
        checks = {"state": self.state(), "crm": self.crm(), **self.sources()}
        ready = all(c.ok for c in checks.values())
        return ready, {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()}

    def state(self) -> Check:
        """The state store answers a query."""
        try:
            with self.store.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            return Check(False, f"state store unreachable: {type(exc).__name__}")
        return Check(True, "state store answers")

    def crm(self) -> Check:
        """The CRM adapter opens (cached for ``crm_ttl`` seconds)."""
        with self._lock:
            now = time.monotonic()
            if self._crm is not None and now - self._crm[0] < self.crm_ttl:
                return self._crm[1]
            try:
                with open_adapter(self.config, dry_run=True):
                    pass
                check = Check(True, f"{self.config.crm.kind} reachable")
            except CrmbridgeError as exc:
                check = Check(False, self.config.redact(f"{exc.kind}: {exc}"))
            except Exception as exc:  # e.g. the local CRM file cannot be opened
                check = Check(False, f"{self.config.crm.kind}: {type(exc).__name__}")
            self._crm = (now, check)
            return check

    def sources(self) -> dict[str, Check]:
        """A source is stuck when its runs keep failing, or one run hangs, for a while.

        "A while" is ``service.stuck_after_intervals`` times its schedule's interval; a
        source with nothing to do (an idle webhook spool) is not stuck.
        """
        found: dict[str, Check] = {}
        factor = self.config.service.stuck_after_intervals
        now = time.monotonic()
        for name in self.watched:
            state = self.runner.states[name]
            limit = factor * self.config.source(name).schedule.interval.total_seconds()
            failing = now - (state.last_success or state.started) if state.failures else 0.0
            running = now - state.running_since if state.running_since is not None else 0.0
            stuck = max(failing, running) > limit
            detail = f"last run {state.last_status}, {state.failures} failure(s) in a row"
            if running:
                detail += f", running for {running:.0f}s"
            found[f"source {name}"] = Check(not stuck, detail)
        return found
