"""``crmbridge run``: keep every source on its own schedule, as one long-running process."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crmbridge.cli import EXIT_CODES, config_option, handles_errors
from crmbridge.config import load_config
from crmbridge.errors import ConfigError


@click.option(
    "--source",
    "sources",
    multiple=True,
    help="Run only this source (repeat for several); default: every source.",
)
@click.option("--once", is_flag=True, help="Run each source one time, then exit.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address of the probes.")
@click.option(
    "--port",
    type=int,
    default=8081,
    show_default=True,
    help="Port of /healthz, /readyz and /metrics (0 picks a free one).",
)
@click.option("--no-http", is_flag=True, help="Serve no probes and no metrics.")
@click.option(
    "--lease-seconds",
    type=float,
    default=300.0,
    show_default=True,
    help="How long a source stays claimed by this worker without progress.",
)
@config_option
@handles_errors
def _run(
    sources: tuple[str, ...],
    once: bool,
    host: str,
    port: int,
    no_http: bool,
    lease_seconds: float,
    config_path: Path,
) -> None:
    """Sync each source on its `schedule:` (interval, jitter, backoff) until stopped.

    The same pipeline, ledger and leases as `crmbridge sync`: two `run` processes (or a
    `run` and a cron `sync`) never read one source at once; the one that finds the source
    leased skips it until its next turn. After a failed run a source waits twice as long
    each time, up to `schedule.max_backoff`. SIGTERM or Ctrl-C lets the batch in flight
    commit, releases the leases and exits 0 (within `service.grace_period`). /healthz,
    /readyz and /metrics (Prometheus) are served on --port. See docs/deploy.md.
    """
    config = load_config(config_path)
    for name in sources:
        config.source(name)  # an unknown name stops here, listing the known ones
    try:
        import werkzeug  # noqa: F401
    except ImportError:
        if not no_http:
            raise ConfigError(
                "crmbridge run serves its probes with Werkzeug",
                hint="pip install -e '.[serve]', or pass --no-http",
            ) from None
    from crmbridge.service.entry import run

    code = run(
        config,
        sources=list(sources) or None,
        host=host,
        port=None if no_http else port,
        once=once,
        lease_seconds=lease_seconds,
    )
    sys.exit(code)


# Declared, not inferred: cli.py imports this module back, and mypy needs the type here.
run_command: click.Command = click.command("run", epilog=EXIT_CODES)(_run)
