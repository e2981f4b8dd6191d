"""``crmbridge sources``: see each source's cursor, lease and last run; unlock or reset it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from crmbridge.cli import config_option, handles_errors, json_option
from crmbridge.config import load_config
from crmbridge.state.store import StateStore


def _store(config_path: Path) -> tuple[Any, StateStore]:
    config = load_config(config_path)
    return config, StateStore(config.state_url)


def _render(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        lease = row["lease"]
        held = "free"
        if lease:
            state = "dead, taken over by the next sync" if lease["holder_dead"] else (
                "expired" if lease["expired"] else f"until {lease['expires_at'][:19]}"
            )
            held = f"{lease['holder']} ({state})"
        run = row["last_run"]
        error = row["last_error"]
        click.echo(f"{row['name']} ({row['connector']})")
        click.echo(f"  cursor:     {json.dumps(row['cursor']) if row['cursor'] else '-'}")
        click.echo(f"  lease:      {held}")
        click.echo(
            "  last run:   "
            + (f"#{run['id']} {run['status']} at {run['started_at'][:19]}" if run else "-")
        )
        click.echo(
            "  last error: "
            + (f"{error['kind']} in run #{error['run']}: {error['message']}" if error else "-")
        )


@config_option
@json_option
@click.pass_context
@handles_errors
def _sources(ctx: click.Context, config_path: Path, as_json: bool) -> None:
    """List each source with its cursor, lease holder, last run and last error.

    `crmbridge sources unlock NAME` releases a lease a gone worker left; `crmbridge sources
    reset NAME` moves a cursor back (the ledger keeps rereading from writing twice).
    """
    if ctx.invoked_subcommand is None:
        _list(config_path, as_json)


# Declared, not inferred: cli.py imports this module back, and mypy needs the type here.
sources_group: click.Group = click.group("sources", invoke_without_command=True)(_sources)


def _list(config_path: Path, as_json: bool) -> None:
    from crmbridge.state.partitions import list_sources

    config, store = _store(config_path)
    try:
        rows = list_sources(config, store)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(rows, default=str))
        return
    _render([{**r, "last_error": _redacted(config, r["last_error"])} for r in rows])


def _redacted(config: Any, error: dict[str, Any] | None) -> dict[str, Any] | None:
    return {**error, "message": config.redact(str(error["message"]))} if error else None


@sources_group.command("list")
@config_option
@json_option
@handles_errors
def sources_list(config_path: Path, as_json: bool) -> None:
    """The same list as `crmbridge sources`."""
    _list(config_path, as_json)


@sources_group.command("unlock")
@click.argument("name")
@config_option
@json_option
@handles_errors
def sources_unlock(name: str, config_path: Path, as_json: bool) -> None:
    """Release NAME's lease, whoever holds it (for a worker that is gone for good).

    A worker killed on this host needs no unlock (the next sync sees its process is gone);
    use this for one that died on another machine, before its lease expires. A worker
    that is still running loses its lease: its next commit fails and it stops.
    """
    from crmbridge.state.partitions import unlock

    config, store = _store(config_path)
    try:
        config.source(name)
        holder = unlock(store, name)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({"source": name, "released": holder}))
    else:
        click.echo(f"{name}: released the lease of {holder}" if holder else f"{name}: not held")


@sources_group.command("reset")
@click.argument("name")
@click.option(
    "--to",
    "to",
    metavar="CURSOR",
    help="The cursor to set, as JSON (see `crmbridge sources --json`); "
    "without it the source is read again from its start.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@config_option
@json_option
@handles_errors
def sources_reset(
    name: str, to: str | None, yes: bool, config_path: Path, as_json: bool
) -> None:
    """Move NAME's cursor to CURSOR, or back to the start; asks first unless --yes.

    The next sync reads from there; records already written are recognised by the ledger
    and not written again. Refused (exit 9) while a sync holds the source.
    """
    from crmbridge.state.partitions import reset

    config, store = _store(config_path)
    try:
        config.source(name)
        target = to if to is not None else "its start"
        if not yes and not click.confirm(f"Reset the cursor of {name} to {target}?"):
            raise click.Abort
        value = reset(store, name, to)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({"source": name, "cursor": value}))
    else:
        click.echo(f"{name}: cursor " + (json.dumps(value) if value else "cleared"))
