"""A contact's social profile roll-up for agents, read from the state store.

Channels and handles seen, the last interaction, the last sentiment and the open
conversation: what an agent wants before replying, without reading the whole history.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from crmbridge.conversations.storage import read_row
from crmbridge.kpis import closed_at
from crmbridge.state.schema import conversations, ledger, links, personas
from crmbridge.state.store import iso_utc, utcnow


def contact_profile(
    conn: Connection, contact_id: str, window: timedelta, now: datetime | None = None
) -> dict[str, Any]:
    """The roll-up of one contact: channels, handles, last interaction, mood, open thread."""
    now = now or utcnow()
    return {
        "contact_id": contact_id,
        "channels": _channels(conn, contact_id),
        "handles": _handles(conn, contact_id),
        "last_interaction": _last_interaction(conn, contact_id),
        **_conversation_view(conn, contact_id, window, now),
    }


def _channels(conn: Connection, contact_id: str) -> dict[str, dict[str, Any]]:
    query = (
        select(ledger.c.platform, func.count(), func.max(ledger.c.version_at))
        .where(ledger.c.contact_id == contact_id)
        .group_by(ledger.c.platform)
        .order_by(ledger.c.platform)
    )
    return {
        platform: {"messages": int(count), "last_at": iso_utc(last)}
        for platform, count, last in conn.execute(query)
    }


def _handles(conn: Connection, contact_id: str) -> list[dict[str, Any]]:
    linked = select(links.c.persona_key).where(
        links.c.contact_id == contact_id, links.c.removed_at.is_(None)
    )
    query = select(personas).where(personas.c.key.in_(linked)).order_by(personas.c.key)
    return [
        {
            "persona": row.key,
            "platform": row.platform,
            "handle": row.handle,
            "name": row.name,
            "last_seen": iso_utc(row.last_seen),
        }
        for row in conn.execute(query)
    ]


def _last_interaction(conn: Connection, contact_id: str) -> dict[str, Any] | None:
    query = (
        select(ledger.c.key, ledger.c.platform, ledger.c.kind, ledger.c.version_at)
        .where(ledger.c.contact_id == contact_id)
        .order_by(ledger.c.version_at.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    if row is None:
        return None
    return {
        "key": row.key,
        "platform": row.platform,
        "kind": row.kind,
        "at": iso_utc(row.version_at),
    }


def _conversation_view(
    conn: Connection, contact_id: str, window: timedelta, now: datetime
) -> dict[str, Any]:
    query = (
        select(conversations)
        .where(conversations.c.person_key == f"contact:{contact_id}")
        .order_by(conversations.c.last_at.desc())
    )
    rows = [read_row(r) for r in conn.execute(query)]
    mood = next((r for r in rows if r["last_label"] is not None), None)
    latest = rows[0] if rows else None
    is_open = latest is not None and closed_at(latest, now, window) is None
    return {
        "conversations": len(rows),
        "last_sentiment": None
        if mood is None
        else {"score": mood["last_sentiment"], "label": mood["last_label"]},
        "open_conversation": _summary(latest) if is_open and latest else None,
    }


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": row["key"],
        "channels": json.loads(row["channels"]),
        "opened_at": iso_utc(row["opened_at"]),
        "last_at": iso_utc(row["last_at"]),
        "messages": row["messages"],
        "first_response_at": iso_utc(row["first_response_at"]),
        "last_agent": row["last_agent"],
        "escalations": row["escalations"],
        "case_key": row["case_key"],
    }
