"""``crmbridge failures list|show|retry|drop``: work the quarantine and the failure ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from crmbridge.cli import config_option, handles_errors, json_option, reviewer_option
from crmbridge.config import load_config
from crmbridge.errors import ExitCode
from crmbridge.state.store import StateStore


def _failures() -> None:
    """Work parked records (quarantine) and records the CRM refused (failure ledger).

    A parked record is an input line that is not a valid interaction, shown by its id (a
    number); a failed row is an interaction the CRM refused, shown by its key
    (platform:message_id). Fix the cause (the mapping, the CRM, the config, or the record
    itself with `retry ID --record FILE`), then `retry`: it replays through the normal
    pipeline, exactly once. `drop` gives up on a record, keeping it for audit.
    """


# Declared, not inferred: cli.py imports this module back, and mypy needs the type here.
failures_group: click.Group = click.group("failures")(_failures)


def _store(config_path: Path) -> tuple[Any, StateStore]:
    config = load_config(config_path)
    return config, StateStore(config.state_url)


@failures_group.command("list")
@config_option
@click.option("--source", help="Only this source's records.")
@click.option(
    "--kind",
    type=click.Choice(["quarantine", "failed"]),
    help="Only parked records (quarantine) or only CRM refusals (failed).",
)
@click.option("--all", "include_all", is_flag=True, help="Also dropped and replayed ones.")
@click.option("--limit", default=500, show_default=True, help="At most this many of each kind.")
@json_option
@handles_errors
def failures_list(
    config_path: Path,
    source: str | None,
    kind: str | None,
    include_all: bool,
    limit: int,
    as_json: bool,
) -> None:
    """List parked records and failed rows: id or key, source, where, reason, attempts, time."""
    from crmbridge.failures import list_failures

    config, store = _store(config_path)
    try:
        rows = list_failures(
            config, store, source=source, kind=kind, include_all=include_all, limit=limit
        )
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({"failures": rows}))
        return
    if not rows:
        click.echo("nothing parked or failed")
    for r in rows:
        tries = f" attempts={r['attempts']}" if r["attempts"] is not None else ""
        click.echo(
            f"{r['kind']:<10} {r['id']:<24} {r['source']:<12} {r['status']:<8} "
            f"{(r['at'] or '')[:19]}  {r['location']}{tries}\n{'':>11}{r['reason'][:200]}"
        )


@failures_group.command("show")
@click.argument("ref")
@config_option
@json_option
@handles_errors
def failures_show(ref: str, config_path: Path, as_json: bool) -> None:
    """Show one parked record (by id) or failed row (by key) whole, with its raw text."""
    from crmbridge.failures import show

    config, store = _store(config_path)
    try:
        data = show(config, store, ref)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(data, default=str))
        return
    for key, value in data["row"].items():
        click.echo(f"{key:>16}: {value}")
    for action in data["actions"]:
        click.echo(f"{'':>16}  {action['at'][:19]} {action['action']} by {action['by']}")


@failures_group.command("retry")
@click.argument("refs", nargs=-1)
@config_option
@click.option("--all", "everything", is_flag=True, help="Every parked record and failed row.")
@click.option("--source", help="With --all: only this source's.")
@click.option(
    "--record",
    "record_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A file holding the fixed record (interchange JSON) for ONE parked record id.",
)
@reviewer_option
@json_option
@handles_errors
def failures_retry(
    refs: tuple[str, ...],
    config_path: Path,
    everything: bool,
    source: str | None,
    record_file: Path | None,
    reviewer: str,
    as_json: bool,
) -> None:
    """Replay records through the pipeline with the current config, mapping and links.

    Parked records are validated again (from their stored raw text, or from --record);
    failed rows are rendered again from their stored interaction and written once (the
    ledger's key and CRM id make the replay an update, never a second activity). What
    succeeds leaves the lists; the rest stay with their new reason. Exit code 3 if any
    still fails.
    """
    from crmbridge.failures import retry

    if not refs and not everything:
        raise click.UsageError("name records (ids or keys) or pass --all")
    config = load_config(config_path)
    result = retry(
        config, list(refs), reviewer, everything=everything, source=source, record_file=record_file
    )
    if as_json:
        click.echo(json.dumps(result, default=str))
    else:
        for o in result["outcomes"]:
            state = f"ok ({o.get('status')})" if o["ok"] else f"still failing: {o['reason']}"
            click.echo(f"{o['kind']:<10} {o['id']:<24} {state}")
        click.echo(
            f"retried {result['retried']}: {result['resolved']} resolved, "
            f"{result['still_failing']} still failing"
        )
    raise SystemExit(int(ExitCode.PARTIAL) if result["still_failing"] else 0)


@failures_group.command("drop")
@click.argument("refs", nargs=-1)
@config_option
@click.option("--all-parked", is_flag=True, help="Drop every parked record (quarantine).")
@reviewer_option
@json_option
@handles_errors
def failures_drop(
    refs: tuple[str, ...], config_path: Path, all_parked: bool, reviewer: str, as_json: bool
) -> None:
    """Give up on records: marked dropped with who and when, kept for audit, no longer listed."""
    from crmbridge.failures import drop

    if not refs and not all_parked:
        raise click.UsageError("name records (ids or keys) or pass --all-parked")
    _config, store = _store(config_path)
    try:
        result = drop(store, list(refs), reviewer, all_parked=all_parked)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(f"dropped {len(result['dropped'])}: {', '.join(result['dropped']) or '-'}")
