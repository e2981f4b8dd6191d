"""The ``crmbridge`` command line: thin click commands over library functions.

Every command that reads config takes ``--config`` (default ``crmbridge.yaml`` here, or
``$CRMBRIDGE_CONFIG``); every command that reports takes ``--json``. Errors are printed
once, redacted, with the fix, and mapped to the exit code of their kind in ``_fail``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from crmbridge import __version__
from crmbridge.config import AppConfig, load_config
from crmbridge.errors import ConfigError, CrmbridgeError, ExitCode

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("crmbridge")

EXIT_CODES = """Exit codes: 0 ok; 1 internal error; 2 usage error; 3 partial (some records
failed and were parked in the failure ledger); 4 config error; 5 auth error; 6 quota
exhausted (cursor safe, resume next run); 7 rate limited; 8 transient failure persisted;
9 another worker holds a source (it was skipped, the others ran)."""


def config_option(func: F) -> F:
    """The shared ``--config`` option."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        envvar="CRMBRIDGE_CONFIG",
        default=Path("crmbridge.yaml"),
        show_default=True,
        help="Config file (relative paths inside it start at its folder).",
    )(func)


def json_option(func: F) -> F:
    """The shared ``--json`` flag."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document for machines."
    )(func)


def _fail(error: CrmbridgeError, as_json: bool, config: AppConfig | None = None) -> None:
    message = config.redact(str(error)) if config else str(error)
    if as_json:
        click.echo(json.dumps({"error": {"kind": error.kind, "message": message}}))
    else:
        click.secho(f"error ({error.kind}): {message}", fg="red", err=True)
    sys.exit(int(error.exit_code))


def handles_errors(func: F) -> F:
    """Catch crmbridge errors once, print them well, exit with their kind's code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CrmbridgeError as exc:
            _fail(exc, bool(kwargs.get("as_json")))
        except (PermissionError, IsADirectoryError) as exc:  # a file the user pointed at
            from crmbridge.ops import describe_os_error

            _fail(ConfigError(describe_os_error(exc)), bool(kwargs.get("as_json")))

    return wrapper  # type: ignore[return-value]


@click.group(epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="crmbridge")
@click.option(
    "-v", "--verbose", count=True, help="More log lines: -v one per source and batch, -vv debug."
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="CRMBRIDGE_LOG_FORMAT",
    help="Log lines on stderr as text, or one JSON object per line (secrets masked in both).",
)
def main(verbose: int, log_format: str) -> None:
    """Put social-media conversations onto CRM contact records, exactly once.

    Start with `crmbridge check`, preview with `crmbridge sync --dry-run`, then schedule
    `crmbridge sync --json`. See the README for the config reference.
    """
    from crmbridge.logs import setup

    setup(logging.WARNING - 10 * min(verbose, 2), "json" if log_format == "json" else "text")


@main.command("sync", epilog=EXIT_CODES)
@config_option
@click.option("--source", help="Sync only this source (one partition of the work).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write nothing anywhere (CRM, cursors, ledger); count what would change and list "
    "the first 50 changes.",
)
@click.option(
    "--lease-seconds",
    type=float,
    default=300.0,
    show_default=True,
    help="How long a source stays claimed by this worker without progress.",
)
@json_option
@handles_errors
def sync_command(
    config_path: Path, source: str | None, dry_run: bool, lease_seconds: float, as_json: bool
) -> None:
    """Fetch new interactions and write them to the CRM.

    Incremental and idempotent: a rerun writes only what is new or changed, and a run
    killed at any point resumes without duplicates. Bad records are quarantined with their
    reason while the rest flow on.
    """
    from crmbridge.pipeline import Pipeline
    from crmbridge.progress import progress_reporter, render_summary

    config = load_config(config_path)
    with progress_reporter(enabled=not as_json) as progress:
        pipeline: Pipeline | None = None
        try:
            pipeline = Pipeline(
                config, dry_run=dry_run, progress=progress, lease_seconds=lease_seconds
            )
            summary = pipeline.run(source)
        except CrmbridgeError as exc:
            if as_json and pipeline is not None:
                # What got done before the stop, with the error's kind and message.
                click.echo(json.dumps(pipeline.summary.as_dict()))
            _fail(exc, as_json and pipeline is None, config)
        finally:
            if pipeline is not None:
                pipeline.store.close()
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
    else:
        render_summary(summary)
    sys.exit(int(summary.exit_code))


@main.command("check")
@config_option
@json_option
@handles_errors
def check_command(config_path: Path, as_json: bool) -> None:
    """Validate config, sources, mapping, CRM and state store without writing anything."""
    from crmbridge.ops import check

    config = load_config(config_path)
    results = [{**r, "detail": config.redact(str(r["detail"]))} for r in check(config)]
    ok = all(r["ok"] for r in results)
    if as_json:
        click.echo(json.dumps({"ok": ok, "checks": results}))
    else:
        for r in results:
            mark = click.style("ok  ", fg="green") if r["ok"] else click.style("FAIL", fg="red")
            click.echo(f"{mark} {r['check']}: {config.redact(r['detail'])}")
    # A rejected credential exits as it does from sync (5); any other failure is config.
    auth = any(r.get("kind") == "auth" for r in results if not r["ok"])
    sys.exit(0 if ok else int(ExitCode.AUTH if auth else ExitCode.CONFIG))


@main.command("report")
@config_option
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML page with the KPIs and charts to this file.",
)
@json_option
@handles_errors
def report_command(config_path: Path, html_path: Path | None, as_json: bool) -> None:
    """Totals, and conversation KPIs overall and by channel; --html adds charts.

    The conversation figures: first response and resolution times (median, p90), messages
    per channel, channel shifts, reopens, escalations and last sentiment.
    """
    from crmbridge.kpis import describe
    from crmbridge.ops import report

    config = load_config(config_path)
    data = report(config)
    if html_path is not None:
        from crmbridge.report_html import write

        write(data, html_path)
        # Say where it went (on stderr under --json, so stdout stays one JSON document).
        click.echo(f"wrote {html_path.resolve()}", err=as_json)
    if as_json:
        click.echo(json.dumps(data, default=str))
        return
    for key, value in data.items():
        if key == "last_run" and value:
            totals = value.get("summary") or {}
            value = (
                f"#{value['id']} {value['status']} at {value['started_at'][:19]} "
                f"(fetched {totals.get('fetched')}, written {totals.get('written')})"
            )
        elif key == "conversations":
            value = describe(value)
        elif key == "top_unmatched_personas":
            value = ", ".join(f"{p['persona']} ({p['interactions']})" for p in value) or "-"
        elif isinstance(value, dict) and key != "last_run":
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
        click.echo(f"{key:>22}: {value}")


@main.command("serve")
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@handles_errors
def serve_command(config_path: Path, host: str, port: int) -> None:
    """Receive X and Meta webhooks at /webhooks/x and /webhooks/meta; write them in seconds.

    Signatures are checked on the raw body; accepted events are spooled as interaction
    records (see docs/connectors.md) and a drainer writes every jsonl source over a spool
    to the CRM within seconds, through the same pipeline and leases as `crmbridge sync`.
    Also /healthz, /readyz and /metrics; SIGTERM commits the batch in flight and exits 0.
    Needs the `serve` extra. See docs/deploy.md.
    """
    config = load_config(config_path, webhooks=True)
    try:
        from crmbridge.webhooks import serve
    except ImportError:
        raise ConfigError(
            "crmbridge serve needs Werkzeug", hint="pip install -e '.[serve]'"
        ) from None
    serve(config, host, port)


@main.command("setup")
@config_option
@json_option
@handles_errors
def setup_command(config_path: Path, as_json: bool) -> None:
    """Create what the CRM needs before the first sync (e.g. HubSpot's crmbridge_key).

    Adapters without a setup step say so; nothing is changed twice.
    """
    from crmbridge.ops import open_adapter

    config = load_config(config_path)
    with open_adapter(config) as adapter:
        lines = adapter.setup()
    click.echo(json.dumps({"done": lines}) if as_json else "\n".join(lines))


@main.group("connectors")
def connectors_group() -> None:
    """Inspect the installed source connectors."""


@connectors_group.command("list")
@json_option
def connectors_list_command(as_json: bool) -> None:
    """List every registered connector with the options it takes."""
    from crmbridge.catalog import connector_catalog, render_catalog

    rows = connector_catalog()
    click.echo(json.dumps(rows, default=str) if as_json else render_catalog(rows))


@main.command("classify")
@click.option(
    "--text",
    "text_mode",
    is_flag=True,
    help="Each input line is a plain text, not an interaction record.",
)
@click.option(
    "--intents",
    "intents_file",
    type=click.Path(path_type=Path, exists=True),
    help="Your intents YAML (added to, or replacing, the shipped lists).",
)
def classify_command(text_mode: bool, intents_file: Path | None) -> None:
    """Sentiment and intents of each line on stdin, one JSON object per line on stdout.

    Reads interaction records, or plain texts (a line that is not a JSON object is read as
    text; --text reads every line as text). A bad record gives {"error": ...}, the rest go
    on, and the exit code is 3. Offline: VADER plus a customer-service layer.
    """
    from crmbridge.classify import classify_stream

    analyzer = None
    if intents_file is not None:
        from crmbridge.classify import ServiceAnalyzer
        from crmbridge.classify import load_config as load_intents

        analyzer = ServiceAnalyzer(load_intents(intents_file))
    errors = 0
    for row in classify_stream(sys.stdin, text_mode=text_mode, analyzer=analyzer):
        errors += "error" in row
        click.echo(json.dumps(row, ensure_ascii=False))
    sys.exit(int(ExitCode.PARTIAL) if errors else 0)


@main.command("match")
@click.option(
    "--contacts",
    "contacts_csv",
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Contacts CSV (id, first_name, last_name, email, phone, city, country, …).",
)
@click.option(
    "--identities",
    "identities_jsonl",
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="JSON Lines of interaction records or author objects.",
)
@click.option(
    "--out",
    "out_csv",
    required=True,
    type=click.Path(path_type=Path),
    help="LINKS.csv to write: identity_key, contact_id, score, band, rule, evidence.",
)
@click.option("--region", default="US", show_default=True, help="Region for local phones.")
@click.option(
    "--auto-threshold",
    default=None,
    type=float,
    help="Link at or above this probability (default: the model's, as in sync).",
)
@click.option(
    "--review-threshold",
    default=None,
    type=float,
    help="Queue for review at or above this probability (default: the model's).",
)
@json_option
@handles_errors
def match_command(
    contacts_csv: Path,
    identities_jsonl: Path,
    out_csv: Path,
    region: str,
    auto_threshold: float | None,
    review_threshold: float | None,
    as_json: bool,
) -> None:
    """Match social identities to contacts in batch, without config or state store.

    For admins preparing a first sync, and for measurement: one output row per identity,
    band auto, review or unmatched, with the score and the evidence that decided it.
    """
    from crmbridge.identity.match import MatchConfig, match_files

    summary = match_files(
        contacts_csv,
        identities_jsonl,
        out_csv,
        MatchConfig(
            default_region=region,
            auto_threshold=auto_threshold or MatchConfig.auto_threshold,
            review_threshold=review_threshold or MatchConfig.review_threshold,
        ),
    )
    if as_json:
        click.echo(json.dumps(summary, default=str))
    else:
        click.echo(
            f"{summary['identities']} identities against {summary['contacts']} contacts: "
            f"{summary['auto']} auto, {summary['review']} review, "
            f"{summary['unmatched']} unmatched -> {out_csv}"
        )
        if summary.get("bad_line_count"):
            shown = ", ".join(str(n) for n in summary["bad_lines"])
            more = summary["bad_line_count"] - len(summary["bad_lines"])
            click.echo(
                f"{summary['bad_line_count']} line(s) of {identities_jsonl.name} skipped as not "
                f"valid: line {shown}" + (f" and {more} more" if more > 0 else "")
            )


def reviewer_option(func: F) -> F:
    """Who decides: recorded on the link."""
    return click.option(
        "--by",
        "reviewer",
        default=lambda: os.environ.get("USER", "admin"),
        show_default="$USER",
        help="Reviewer name recorded on the link.",
    )(func)


@main.command("plugins")
@json_option
def plugins_command(as_json: bool) -> None:
    """List the connectors and CRM adapters installed, and whether each is usable here.

    A plugin that cannot load (a missing extra) is shown with the pip command that fixes it.
    """
    from crmbridge.ops import plugin_rows

    rows = plugin_rows()
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        click.echo(f"{row['group']:<24} {row['name']:<12} {row['target']}  ({row['distribution']})")
        if row["usable"] != "yes":
            click.echo(f"{'':<37} not usable here: {row['usable'][4:]}")


from crmbridge.commands import failures as _failures  # noqa: E402
from crmbridge.commands import forget as _forget  # noqa: E402
from crmbridge.commands import run as _run  # noqa: E402
from crmbridge.commands.history import history_command  # noqa: E402
from crmbridge.commands.init import init_command  # noqa: E402
from crmbridge.commands.reply import reply_group  # noqa: E402
from crmbridge.commands.review import review_group  # noqa: E402
from crmbridge.commands.rules import rules_group  # noqa: E402
from crmbridge.commands.sources import sources_group  # noqa: E402

main.add_command(_failures.failures_group)
main.add_command(_forget.forget_command)
main.add_command(_run.run_command)
main.add_command(rules_group)
main.add_command(sources_group)
main.add_command(history_command)
main.add_command(review_group)
main.add_command(init_command)
main.add_command(reply_group)

if __name__ == "__main__":  # pragma: no cover
    main()
