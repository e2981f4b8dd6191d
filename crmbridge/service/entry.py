"""The two long-running modes: ``serve`` (webhooks drained in seconds) and ``run`` (a scheduler).

Both are thin: they pick the workers (a spool drainer, a scheduler) and hand them to
``Service.run`` with the HTTP app, which owns start, signals and the clean stop.
"""

from __future__ import annotations

import logging
from typing import Any

from crmbridge.config import AppConfig
from crmbridge.service.app import WSGIApp
from crmbridge.service.drainer import SpoolDrainer, WakingIntake, spool_sources
from crmbridge.service.process import Service
from crmbridge.service.scheduler import Scheduler
from crmbridge.state.lease import DEFAULT_SECONDS

log = logging.getLogger("crmbridge.service")


def serve(config: AppConfig, host: str = "127.0.0.1", port: int = 8080) -> int:
    """Webhook intake plus a spool drainer, ``/readyz`` and ``/metrics``; the exit code.

    With a ``console:`` block the console is mounted beside the webhooks (or alone, when
    no webhook is configured).
    """
    from crmbridge.webhooks import SpoolIntake, make_app, quiet_request_handler, state_dir

    service = Service(config)
    spool = state_dir(config) / "spool"
    sources = spool_sources(config, spool) if config.webhooks else {}
    drainer = SpoolDrainer(
        service.runner,
        sources,
        interval=config.service.drain_interval.total_seconds(),
        stop=service.stop,
    )
    inner: WSGIApp | None = None
    if config.webhooks or config.console is None:
        webhooks = make_app(config, intake=WakingIntake(SpoolIntake(spool), drainer.wake))
        inner = webhooks
        log.warning(
            "serving webhooks %s; draining %s into the CRM",
            webhooks._endpoints(),
            ", ".join(sources) or "no source (events wait for `crmbridge sync`)",
        )
    if config.console is not None:  # the console and its API beside the webhooks
        from crmbridge.console import mount

        inner = mount(config, inner)
        log.warning("serving the console on http://%s:%d/console/", host, port)
    workers = [drainer] if sources else []
    app = service.app(list(sources), inner)
    handler = quiet_request_handler(config.redact)
    return service.run(workers, app, host, port, request_handler=handler)


def run(
    config: AppConfig,
    *,
    sources: list[str] | None = None,
    host: str = "127.0.0.1",
    port: int | None = 8081,
    once: bool = False,
    lease_seconds: float = DEFAULT_SECONDS,
) -> int:
    """Keep each source (or the ones named) on its schedule until stopped; the exit code."""
    names = sources or [s.name for s in config.sources]
    schedules = {name: config.source(name).schedule for name in names}
    service = Service(config, lease_seconds=lease_seconds)
    scheduler = Scheduler(service.runner, schedules, stop=service.stop, once=once)
    app = service.app(names) if port is not None else None
    handler = _quiet_handler(config) if app is not None else None
    code = service.run([scheduler], app, host, port or 0, until_done=once, request_handler=handler)
    if code == 0 and once:  # like `sync`: the first source's trouble decides
        return next((s.last_exit for s in service.runner.states.values() if s.last_exit), 0)
    return code


def _quiet_handler(config: AppConfig) -> type[Any]:
    from crmbridge.webhooks import quiet_request_handler

    return quiet_request_handler(config.redact)
