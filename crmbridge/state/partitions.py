"""Source partitions for admins: each source's cursor, lease, last run; unlock and reset.

The library behind ``crmbridge sources``. Reading needs nothing but the state store;
``reset`` moves a cursor under the source's own lease, so it never races a running sync,
and ``unlock`` removes a lease whoever holds it (for a worker that is gone for good).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, desc, select

from crmbridge.config import AppConfig
from crmbridge.errors import ConfigError
from crmbridge.state.lease import Lease, holder_is_dead, new_holder
from crmbridge.state.schema import cursors, leases, runs
from crmbridge.state.store import StateStore, as_utc, iso_utc, utcnow

RECENT_RUNS = 500


def list_sources(config: AppConfig, store: StateStore) -> list[dict[str, Any]]:
    """One row per configured source: cursor, lease holder, last run and last error."""
    with store.engine.connect() as conn:
        positions = {r.source: r for r in conn.execute(select(cursors))}
        held = {r.source: r for r in conn.execute(select(leases))}
        recent = conn.execute(
            select(runs).where(runs.c.dry_run == 0).order_by(desc(runs.c.id)).limit(RECENT_RUNS)
        ).all()
    rows = []
    for spec in config.sources:
        cursor, lease = positions.get(spec.name), held.get(spec.name)
        last_run, last_error = _last_run(spec.name, recent)
        rows.append(
            {
                "name": spec.name,
                "connector": spec.connector,
                "cursor": json.loads(cursor.cursor) if cursor else None,
                "cursor_updated_at": iso_utc(cursor.updated_at) if cursor else None,
                "lease": _lease(lease) if lease else None,
                "last_run": last_run,
                "last_error": last_error,
            }
        )
    return rows


def _lease(row: Any) -> dict[str, Any]:
    expires = as_utc(row.expires_at)
    return {
        "holder": row.holder,
        "expires_at": iso_utc(expires),
        "expired": expires is not None and expires < utcnow(),
        "holder_dead": holder_is_dead(row.holder),
    }


def _last_run(name: str, recent: Sequence[Any]) -> tuple[dict[str, Any] | None, Any]:
    """The newest run that included ``name``, and the newest error this source had."""
    last_run, last_error = None, None
    for run in recent:
        if name not in json.loads(run.sources or "[]"):
            continue
        summary = json.loads(run.summary) if run.summary else {}
        skipped = name in (summary.get("skipped") or [])
        mine = (summary.get("source_errors") or {}).get(name)
        stopped = run.error if run.status not in ("ok", "busy") else None  # whole run
        if last_run is None:
            status = _status(run, skipped, mine, stopped)
            last_run = {"id": run.id, "started_at": iso_utc(run.started_at), "status": status}
        if last_error is None and (mine or stopped):
            last_error = {"run": run.id, "at": iso_utc(run.started_at)}
            last_error |= mine or {"kind": run.status, "message": stopped}
        if last_run is not None and last_error is not None:
            break
    return last_run, last_error


def _status(run: Any, skipped: bool, mine: Any, stopped: str | None) -> str:
    """What the run did for one source: ok, skipped, error, its stop kind, or unfinished."""
    if run.finished_at is None:
        return "unfinished"  # still running, or killed
    if stopped:
        return str(run.status)
    return "skipped" if skipped else ("error" if mine else "ok")


def unlock(store: StateStore, name: str) -> str | None:
    """Remove the lease on ``name``; the holder it had, or None when it was free."""
    with store.engine.begin() as conn:
        holder = conn.scalar(select(leases.c.holder).where(leases.c.source == name))
        conn.execute(delete(leases).where(leases.c.source == name))
    return holder


def reset(store: StateStore, name: str, to: str | None) -> Any:
    """Set ``name``'s cursor to ``to`` (as the connector stores it), or forget it (None).

    Taken under the source's lease (SourceBusy when a sync holds it). Without a cursor the
    next sync reads the source from its start; the ledger skips what was written already.
    """
    value = _parse(to)
    with Lease(store, name, new_holder(), seconds=60), store.engine.begin() as conn:
        conn.execute(delete(cursors).where(cursors.c.source == name))
        if value is not None:
            conn.execute(
                cursors.insert().values(source=name, cursor=json.dumps(value), updated_at=utcnow())
            )
    return value


def _parse(to: str | None) -> dict[str, Any] | None:
    """``--to`` as the JSON object a connector keeps as its cursor."""
    if to is None:
        return None
    try:
        value = json.loads(to)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ConfigError(
            "--to takes a cursor as a JSON object",
            hint="copy one from `crmbridge sources --json` and edit it",
        )
    return value
