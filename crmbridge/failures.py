"""Work the quarantine and the failure ledger: list, show, retry (replay), drop.

Two kinds of failure wait for an admin. A *parked* record (the ``quarantine`` table) was
not a valid interaction, or its mapping refused it; its raw text is kept. A *failed* row
(the ``ledger`` with status ``failed``) is an interaction the CRM refused; its payload is
kept. A retry replays either through the pipeline's own batch steps (``Pipeline.replay``):
the current config, mapping and identity links decide, the ledger's key and CRM id keep
the write exactly once, and no source cursor moves. Every drop, edit and replay is
recorded in ``failure_actions`` with who and when.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.engine import Row

from crmbridge.config import AppConfig
from crmbridge.connector import Item
from crmbridge.errors import ConfigError, DataError
from crmbridge.models import parse_interaction
from crmbridge.state.schema import failure_actions, ledger, quarantine
from crmbridge.state.store import StateStore, chunks, iso_utc, utcnow

if TYPE_CHECKING:
    from crmbridge.pipeline import Pipeline

RETRYABLE = ("transient", "rate_limited", "data")
PARKED = "open"  # a quarantine row waiting for an admin
# What an explicit retry may replay: waiting rows, and dropped ones (an admin's second thought).
REPLAYABLE = {"quarantine": (PARKED, "dropped"), "ledger": ("failed", "dropped")}


def due_for_retry(store: StateStore, source: str, max_attempts: int, limit: int) -> list[Item]:
    """A source's failed rows a sync replays by itself: retryable kinds, attempts left.

    One query, at most ``limit`` rows (oldest failure first), so a broken CRM costs one
    bounded batch per run, and each replay that fails again counts an attempt.
    """
    query = (
        select(ledger)
        .where(
            ledger.c.source == source,
            ledger.c.status == "failed",
            ledger.c.error_kind.in_(RETRYABLE),
            ledger.c.attempts < max_attempts,
        )
        .order_by(ledger.c.updated_at, ledger.c.key)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        rows = list(conn.execute(query))
    return [_ledger_item(row) for row in rows]


def _ledger_item(row: Row[Any]) -> Item:
    location = f"ledger:{row.key}"
    return Item({}, location, interaction=parse_interaction(json.loads(row.payload), location))


# --- list and show ---------------------------------------------------------------------


def list_failures(
    config: AppConfig,
    store: StateStore,
    *,
    source: str | None = None,
    kind: str | None = None,
    include_all: bool = False,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Parked records and failed rows, oldest first; ``include_all`` adds worked ones."""
    rows: list[dict[str, Any]] = []
    with store.engine.connect() as conn:
        if kind in (None, "quarantine"):
            query = select(quarantine).order_by(quarantine.c.id).limit(limit)
            if not include_all:
                query = query.where(quarantine.c.status == PARKED)
            if source:
                query = query.where(quarantine.c.source == source)
            rows.extend(_quarantine_summary(config, r) for r in conn.execute(query))
        if kind in (None, "failed"):
            statuses = ["failed", "dropped"] if include_all else ["failed"]
            query = (
                select(ledger)
                .where(ledger.c.status.in_(statuses))
                .order_by(ledger.c.updated_at, ledger.c.key)
                .limit(limit)
            )
            if source:
                query = query.where(ledger.c.source == source)
            rows.extend(_ledger_summary(config, r) for r in conn.execute(query))
    return rows


def _quarantine_summary(config: AppConfig, row: Row[Any]) -> dict[str, Any]:
    return {
        "kind": "quarantine",
        "id": str(row.id),
        "source": row.source,
        "location": row.location,
        "reason": config.redact(row.reason),
        "attempts": None,
        "status": "parked" if row.status == PARKED else row.status,
        "at": iso_utc(row.created_at),
    }


def _ledger_summary(config: AppConfig, row: Row[Any]) -> dict[str, Any]:
    return {
        "kind": "failed",
        "id": row.key,
        "source": row.source,
        "location": f"{row.crm_object or '?'} for contact {row.contact_id or '-'}",
        "reason": config.redact(f"{row.error_kind}: {row.error_message or ''}".strip()),
        "attempts": row.attempts,
        "status": row.status,
        "at": iso_utc(row.updated_at),
    }


def show(config: AppConfig, store: StateStore, ref: str) -> dict[str, Any]:
    """One parked record (by id) or ledger row (by key), whole, with what was done to it."""
    with store.engine.connect() as conn:
        target, row = _find(conn, ref)
        actions = conn.execute(
            select(failure_actions)
            .where(failure_actions.c.target == target, failure_actions.c.ref == ref)
            .order_by(failure_actions.c.id)
        )
        history = [
            {"action": a.action, "by": a.actor, "at": iso_utc(a.at), "detail": a.detail}
            for a in actions
        ]
    data = {k: _plain(v) for k, v in row._mapping.items()}
    for name in ("raw", "payload", "reason", "error_message"):
        if isinstance(data.get(name), str):
            data[name] = config.redact(data[name])
    summary = _quarantine_summary if target == "quarantine" else _ledger_summary
    return {**summary(config, row), "row": data, "actions": history}


def _find(conn: Connection, ref: str) -> tuple[str, Row[Any]]:
    """A bare number is a quarantine id; anything else (``platform:id``) a ledger key."""
    if ref.isdigit():
        row = conn.execute(select(quarantine).where(quarantine.c.id == int(ref))).first()
        target = "quarantine"
    else:
        row = conn.execute(select(ledger).where(ledger.c.key == ref)).first()
        target = "ledger"
    if row is None:
        raise ConfigError(
            f"no parked record or failed row {ref!r}",
            hint="`crmbridge failures list` shows the ids (parked records) and keys (failed rows)",
        )
    return target, row


# --- drop ------------------------------------------------------------------------------


def drop(
    store: StateStore, refs: Sequence[str], actor: str, *, all_parked: bool = False
) -> dict[str, Any]:
    """Mark parked records and failed rows as dropped (kept for audit, no longer listed)."""
    now = utcnow()
    dropped: list[str] = []
    with store.engine.begin() as conn:
        wanted = list(refs)
        if all_parked:
            parked = select(quarantine.c.id).where(quarantine.c.status == PARKED)
            wanted += [str(i) for i in conn.scalars(parked)]
        for ref in dict.fromkeys(wanted):
            target, row = _find(conn, ref)
            if target == "quarantine" and row.status == PARKED:
                conn.execute(
                    update(quarantine).where(quarantine.c.id == row.id).values(status="dropped")
                )
            elif target == "ledger" and row.status == "failed":
                conn.execute(
                    update(ledger)
                    .where(ledger.c.key == row.key)
                    .values(status="dropped", updated_at=now)
                )
            else:
                continue  # already worked (written, replayed, dropped): nothing to drop
            _record(conn, target, ref, "dropped", actor, None)
            dropped.append(ref)
    return {"dropped": dropped}


# --- retry -----------------------------------------------------------------------------


@dataclass
class _Batch:
    """The parked records and failed rows of one source to replay, by ref."""

    items: list[Item] = field(default_factory=list)
    refs: dict[str, tuple[str, Row[Any], Item]] = field(default_factory=dict)


def retry(
    config: AppConfig,
    refs: Sequence[str],
    actor: str,
    *,
    everything: bool = False,
    source: str | None = None,
    record_file: Path | None = None,
    pipeline: Pipeline | None = None,
) -> dict[str, Any]:
    """Replay parked records and failed rows through the pipeline; report each outcome.

    With ``record_file`` (one ref, a parked record) the file's fixed record replaces the
    stored raw text first. Rows that now succeed become ``replayed`` (quarantine) or
    ``written`` (ledger); the rest stay listed with their new reason.
    """
    from crmbridge.pipeline import Pipeline

    if record_file is not None and (len(refs) != 1 or not refs[0].isdigit()):
        raise ConfigError("--record needs exactly one parked record id (a number)")
    own = pipeline is None
    pipeline = pipeline or Pipeline(config)
    try:
        return _retry(config, pipeline, refs, actor, everything, source, record_file)
    finally:
        if own:
            pipeline.store.close()


def _retry(
    config: AppConfig,
    pipeline: Pipeline,
    refs: Sequence[str],
    actor: str,
    everything: bool,
    source: str | None,
    record_file: Path | None,
) -> dict[str, Any]:
    store = pipeline.store
    outcomes: dict[str, dict[str, Any]] = {}
    batches: dict[str, _Batch] = {}
    with store.engine.begin() as conn:
        for target, row in _selected(conn, refs, everything, source):
            ref = str(row.id) if target == "quarantine" else row.key
            if row.status not in REPLAYABLE[target]:  # written, replayed, erased: done
                kind = "quarantine" if target == "quarantine" else "failed"
                status = f"already {row.status}"
                outcomes[ref] = {"kind": kind, "id": ref, "ok": True, "status": status}
                continue
            if record_file is not None:
                row = _replace_raw(conn, row, record_file, actor)
            try:
                item = _quarantine_item(row) if target == "quarantine" else _ledger_item(row)
            except DataError as exc:
                outcomes[ref] = _still(target, ref, config.redact(exc.message))
                if target == "quarantine":
                    conn.execute(
                        update(quarantine)
                        .where(quarantine.c.id == row.id)
                        .values(reason=exc.message)
                    )
                continue
            batch = batches.setdefault(row.source, _Batch())
            batch.items.append(item)
            batch.refs[ref] = (target, row, item)
    if batches:  # opening the adapter may cost a login call: only when there is work
        _replay_all(config, pipeline, batches, actor, outcomes)
    ok = [o for o in outcomes.values() if o["ok"]]
    return {
        "retried": len(outcomes),
        "resolved": len(ok),
        "still_failing": len(outcomes) - len(ok),
        "outcomes": list(outcomes.values()),
        "api_calls": pipeline.adapter.api_calls,
    }


def _replay_all(
    config: AppConfig,
    pipeline: Pipeline,
    batches: dict[str, _Batch],
    actor: str,
    outcomes: dict[str, dict[str, Any]],
) -> None:
    store = pipeline.store
    with pipeline.adapter:
        for name, batch in batches.items():
            with _leased(pipeline, name):
                commits = pipeline.replay(name, batch.items)
            outcomes.update(_settle(store, config, batch, commits, actor))


def _selected(
    conn: Connection, refs: Sequence[str], everything: bool, source: str | None
) -> Iterator[tuple[str, Row[Any]]]:
    for ref in refs:
        yield _find(conn, ref)
    if not everything:
        return
    parked = select(quarantine).where(quarantine.c.status == PARKED)
    failed = select(ledger).where(ledger.c.status == "failed")
    if source:
        parked = parked.where(quarantine.c.source == source)
        failed = failed.where(ledger.c.source == source)
    chosen = set(refs)
    for row in conn.execute(parked.order_by(quarantine.c.id)):
        if str(row.id) not in chosen:
            yield "quarantine", row
    for row in conn.execute(failed.order_by(ledger.c.updated_at, ledger.c.key)):
        if row.key not in chosen:
            yield "ledger", row


def _quarantine_item(row: Row[Any]) -> Item:
    """A parked record, validated again from its raw text as an interchange record."""
    try:
        data = json.loads(row.raw)
    except (ValueError, RecursionError):
        raise DataError(
            f"record {row.id}: its raw text is not an interchange JSON record",
            hint=f"fix it and give it with `crmbridge failures retry {row.id} --record FILE`",
        ) from None
    interaction = parse_interaction(data, row.location)
    return Item({}, row.location, interaction=interaction, raw=row.raw)


def _replace_raw(conn: Connection, row: Row[Any], path: Path, actor: str) -> Row[Any]:
    """Store a fixed record (validated first) as a parked record's raw text."""
    from crmbridge.pipeline import quarantine_fingerprint

    try:
        text = path.read_text(encoding="utf-8").strip()
        parse_interaction(json.loads(text), path.name)
    except (OSError, ValueError, RecursionError) as exc:
        raise ConfigError(f"{path}: cannot read a JSON record ({type(exc).__name__})") from None
    except DataError as exc:
        raise ConfigError(f"{path}: {exc.message}", hint="fix the record and retry") from None
    values = {"raw": text, "fingerprint": quarantine_fingerprint(row.source, row.location, text)}
    conn.execute(update(quarantine).where(quarantine.c.id == row.id).values(**values))
    _record(conn, "quarantine", str(row.id), "edited", actor, f"raw replaced from {path.name}")
    found = conn.execute(select(quarantine).where(quarantine.c.id == row.id)).first()
    assert found is not None
    return found


@contextmanager
def _leased(pipeline: Pipeline, source: str) -> Iterator[None]:
    """Hold the source's lease while replaying, so no sync writes the same keys meanwhile."""
    from crmbridge.state.lease import Lease

    with Lease(pipeline.store, source, pipeline.holder, pipeline.lease_seconds) as lease:
        pipeline.lease = lease
        try:
            yield
        finally:
            pipeline.lease = None


def _settle(
    store: StateStore, config: AppConfig, batch: _Batch, commits: list[Any], actor: str
) -> dict[str, dict[str, Any]]:
    """Read each ref's outcome from the replay's commits and mark what succeeded."""
    parked = {q["fingerprint"]: q["reason"] for c in commits for q in c.quarantine}
    written = {r["key"]: r for c in commits for r in c.ledger}
    outcomes: dict[str, dict[str, Any]] = {}
    with store.engine.begin() as conn:
        for ref, (target, row, item) in batch.refs.items():
            assert item.interaction is not None
            key = item.interaction.activity_key
            result = written.get(key)
            fingerprint = getattr(row, "fingerprint", None)
            if target == "quarantine" and fingerprint in parked:
                reason = parked[fingerprint]
                conn.execute(
                    update(quarantine).where(quarantine.c.id == row.id).values(reason=reason)
                )
                outcomes[ref] = _still(target, ref, config.redact(reason))
                continue
            if result is not None and result["status"] == "failed":
                message = f"{result['error_kind']}: {result['error_message']}"
                outcomes[ref] = _still(target, ref, message, key)
                if target == "ledger":
                    continue
            status = result["status"] if result else "unchanged"
            if target == "quarantine":
                conn.execute(
                    update(quarantine).where(quarantine.c.id == row.id).values(status="replayed")
                )
            _record(conn, target, ref, "replayed", actor, f"{key}: {status}")
            outcomes.setdefault(ref, {"kind": target, "id": ref, "ok": True, "key": key})
            outcomes[ref]["status"] = status
    return outcomes


def _still(target: str, ref: str, reason: str, key: str | None = None) -> dict[str, Any]:
    kind = "quarantine" if target == "quarantine" else "failed"
    return {"kind": kind, "id": ref, "ok": False, "key": key, "reason": reason}


def _record(
    conn: Connection, target: str, ref: str, action: str, actor: str, detail: str | None
) -> None:
    conn.execute(
        failure_actions.insert().values(
            target=target, ref=ref, action=action, actor=actor, at=utcnow(), detail=detail
        )
    )


def erase_actions(conn: Connection, target: str, refs: Sequence[str]) -> int:
    """Delete the audit rows of erased records (``crmbridge forget``); return how many."""
    removed = 0
    for part in chunks(list(refs)):
        query = delete(failure_actions).where(
            failure_actions.c.target == target, failure_actions.c.ref.in_(part)
        )
        removed += conn.execute(query).rowcount
    return removed


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return iso_utc(value)
    return value
