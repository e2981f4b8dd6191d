"""A long-running crmbridge process: its workers, its HTTP server and its clean stop.

SIGTERM (or Ctrl-C) sets one stop event. The pipeline sees it between batches: the batch in
flight is written and committed, the lease is released, and the worker threads end; the
process then exits 0. Should a batch outlast ``service.grace_period``, the process exits 1
without waiting: that is no worse than SIGKILL, which loses nothing (the cursor has not
passed what was not committed, and the lease expires).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

from crmbridge.config import AppConfig
from crmbridge.errors import ConfigError
from crmbridge.service.app import ServiceApp, WSGIApp
from crmbridge.service.health import Readiness
from crmbridge.service.metrics import ServiceMetrics
from crmbridge.service.runner import SourceRunner
from crmbridge.state.lease import DEFAULT_SECONDS
from crmbridge.state.store import StateStore

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

log = logging.getLogger("crmbridge.service")


class Service:
    """What ``serve`` and ``run`` share: the store, the runner, metrics, health, the stop."""

    def __init__(self, config: AppConfig, *, lease_seconds: float = DEFAULT_SECONDS) -> None:
        self.config = config
        self.stop = threading.Event()
        self.store = StateStore(config.state_url)
        self.metrics = ServiceMetrics(self.store, config.crm.kind)
        self.runner = SourceRunner(
            config,
            store=self.store,
            stop=self.stop,
            metrics=self.metrics,
            lease_seconds=lease_seconds,
        )

    def app(self, watched: list[str], inner: WSGIApp | None = None) -> ServiceApp:
        """The HTTP app: probes and metrics around ``inner``."""
        readiness = Readiness(self.config, self.store, self.runner, watched=watched)
        return ServiceApp(readiness, self.metrics, inner)

    def run(
        self,
        workers: Sequence[threading.Thread],
        app: ServiceApp | None,
        host: str,
        port: int,
        *,
        until_done: bool = False,
        request_handler: type[Any] | None = None,
    ) -> int:
        """Start the server and workers; return the exit code once stopped (or done).

        ``request_handler``: Werkzeug's handler class to use (a quiet one keeps query
        strings, such as Meta's verify token, out of the access log).
        """
        try:
            server = _server(app, host, port, request_handler) if app is not None else None
        except ConfigError:
            self.store.close()
            raise
        with _stop_on_signals(self.stop):
            if server is not None:
                threading.Thread(target=server.serve_forever, name="crmbridge-http").start()
                log.warning("crmbridge listening on http://%s:%d", host, server.server_port)
            for worker in workers:
                worker.start()
            while not self.stop.wait(0.2):
                if until_done and not any(w.is_alive() for w in workers):
                    break
            self.stop.set()
            code = self._finish(workers)
            if server is not None:
                server.shutdown()
                server.server_close()
        self.store.close()
        return code

    def _finish(self, workers: Sequence[threading.Thread]) -> int:
        grace = self.config.service.grace_period.total_seconds()
        deadline = time.monotonic() + grace
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        late = [w.name for w in workers if w.is_alive()]
        if late:
            log.error(
                "stop: %s still busy after the %.0fs grace period; exiting without it "
                "(nothing is lost: the uncommitted batch is read again next time)",
                ", ".join(late),
                grace,
            )
            return 1
        log.warning("stopped cleanly: batches in flight committed, leases released")
        return 0


def _server(app: ServiceApp, host: str, port: int, handler: type[Any] | None) -> BaseWSGIServer:
    from werkzeug.serving import make_server

    try:
        return make_server(host, port, app, threaded=True, request_handler=handler)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="choose another --port (0 picks a free one) or stop what holds this one",
        ) from None


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set the stop event (in the main thread only; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        log.warning("%s received: finishing the batch in flight", signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
