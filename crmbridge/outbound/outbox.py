"""The outbox in the state store: every reply and where it stands.

States: ``pending`` (to send), ``held`` (waits for approval, or its conversation needs no
reply), ``sending`` (marked, and committed, just before the platform is called), ``sent``
(with the platform's id), ``failed`` (refused, with the reason) and ``unknown`` (the
platform may have posted it: looked up before any resend; with ``hold_reason`` set it
waits for a person, ``crmbridge reply resolve``). Every change is a conditional update
from the state the caller saw, so two workers never both send one reply.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from crmbridge.errors import ConfigError
from crmbridge.outbound.reply import Reply
from crmbridge.state import schema
from crmbridge.state.store import StateStore, upsert, utcnow

STATES = ("pending", "held", "sending", "sent", "failed", "unknown")
table = schema.outbox


class Outbox:
    """Reads and moves outbox rows."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    def add(self, row: dict[str, Any]) -> bool:
        """Insert a reply unless its id is there already; True when it was new."""
        now = utcnow()
        row = {"created_at": now, "updated_at": now, "attempts": 0, "lookups": 0, **row}
        with self.store.engine.begin() as conn:
            before = conn.execute(select(func.count()).where(table.c.id == row["id"])).scalar()
            upsert(conn, table, [row], ["id"], update_columns=[])
        return not before

    def get(self, reply_id: str) -> Reply:
        """One reply, or a ConfigError naming the id."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.id == reply_id)).first()
        if row is None:
            raise ConfigError(
                f"outbox: no reply with id {reply_id!r}", hint="crmbridge reply list shows them"
            )
        return Reply.from_row(row)

    def find(self, statuses: Iterable[str] | None = None, limit: int = 1000) -> list[Reply]:
        """Replies, oldest first, optionally of some states."""
        query = select(table).order_by(table.c.created_at, table.c.id).limit(limit)
        if statuses:
            query = query.where(table.c.status.in_(list(statuses)))
        with self.store.engine.connect() as conn:
            return [Reply.from_row(r) for r in conn.execute(query)]

    def due(self, limit: int = 1000) -> list[Reply]:
        """What a send run works on: pending, interrupted and undecided replies."""
        query = (
            select(table)
            .where(
                table.c.status.in_(["pending", "sending", "unknown"]),
                table.c.hold_reason.is_(None),
            )
            .order_by(table.c.created_at, table.c.id)
            .limit(limit)
        )
        with self.store.engine.connect() as conn:
            return [Reply.from_row(r) for r in conn.execute(query)]

    def counts(self) -> dict[str, int]:
        """Replies per state (unknown ones waiting for a person as ``unknown_held``)."""
        query = select(table.c.status, table.c.hold_reason.is_not(None), func.count()).group_by(
            table.c.status, table.c.hold_reason.is_not(None)
        )
        found = dict.fromkeys(STATES, 0)
        found["unknown_held"] = 0
        with self.store.engine.connect() as conn:
            for status, holding, count in conn.execute(query):
                name = "unknown_held" if status == "unknown" and holding else status
                found[name] = found.get(name, 0) + count
        return found

    def move(self, reply_id: str, expect: str | Iterable[str], **values: Any) -> bool:
        """Change a reply only if it is still in the state expected; True when it moved."""
        states = [expect] if isinstance(expect, str) else list(expect)
        values["updated_at"] = utcnow()
        stmt = (
            update(table).where(table.c.id == reply_id, table.c.status.in_(states)).values(**values)
        )
        with self.store.engine.begin() as conn:
            return bool(conn.execute(stmt).rowcount)

    def claim(self, reply: Reply, mode: str) -> datetime | None:
        """Mark a pending reply ``sending`` before calling the platform (committed)."""
        now = utcnow()
        moved = self.move(
            reply.id,
            "pending",
            status="sending",
            attempt_at=now,
            attempts=table.c.attempts + 1,
            send_mode=mode,
            error=None,
        )
        return now if moved else None

    def taken(self, target_key: str, but: str) -> set[str]:
        """Platform ids already recorded for other replies to the same message."""
        query = select(table.c.platform_id).where(
            table.c.target_key == target_key, table.c.id != but, table.c.platform_id.is_not(None)
        )
        with self.store.engine.connect() as conn:
            return {r.platform_id for r in conn.execute(query)}

    def unsynced(self, origin: str) -> list[Reply]:
        """Finished replies from a CRM record that the CRM has not been told about."""
        query = select(table).where(
            table.c.origin == origin,
            table.c.origin_synced == 0,
            table.c.status.in_(["sent", "failed"]),
        )
        with self.store.engine.connect() as conn:
            return [Reply.from_row(r) for r in conn.execute(query)]

    def unspooled(self) -> list[Reply]:
        """Sent replies whose outbound interaction is not in the spool yet."""
        query = select(table).where(table.c.status == "sent", table.c.spooled == 0)
        with self.store.engine.connect() as conn:
            return [Reply.from_row(r) for r in conn.execute(query)]
