"""Reads of the conversation tables: a batch's candidates in a few set-based queries."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from crmbridge.state.schema import conversation_threads, conversations, ledger
from crmbridge.state.store import as_utc, chunks

TIME_COLUMNS = tuple(
    c.name
    for c in conversations.columns
    if c.type.python_type is datetime  # type: ignore[attr-defined]
)
CONVERSATION_PREFIX = "conv:"


def read_row(row: Any) -> dict[str, Any]:
    """A stored conversation as a plain dict with aware UTC times."""
    data = dict(row._mapping)
    for name in TIME_COLUMNS:
        data[name] = as_utc(data[name])
    return data


def message_conversations(conn: Connection, keys: Collection[str]) -> dict[str, str]:
    """The conversation each of these interaction keys was threaded into (ledger)."""
    found: dict[str, str] = {}
    for part in chunks(sorted(keys)):
        query = select(ledger.c.key, ledger.c.conversation_key).where(
            ledger.c.key.in_(part), ledger.c.conversation_key.like(f"{CONVERSATION_PREFIX}%")
        )
        found.update({k: c for k, c in conn.execute(query)})
    return found


def thread_conversations(conn: Connection, thread_keys: Collection[str]) -> dict[str, str]:
    """The conversation each platform thread feeds now."""
    found: dict[str, str] = {}
    for part in chunks(sorted(thread_keys)):
        query = select(conversation_threads).where(conversation_threads.c.thread_key.in_(part))
        found.update({t: c for t, c in conn.execute(query)})
    return found


def candidate_conversations(
    conn: Connection, keys: Collection[str], persons: Collection[str], since: datetime
) -> list[dict[str, Any]]:
    """Conversations named by key, plus the persons' conversations active since ``since``.

    A person's conversation still marked open is read however old it is, so the message
    that starts the next one closes it whatever the batch boundaries were. One query for a
    normal batch (parameters are chunked only past the database's limit).
    """
    rows: dict[str, dict[str, Any]] = {}
    key_list, person_list = sorted(keys), sorted(persons)
    size = max(len(key_list), len(person_list), 1)
    for start in range(0, size, 400):
        part_keys = key_list[start : start + 400]
        part_persons = person_list[start : start + 400]
        query = select(conversations).where(
            or_(
                conversations.c.key.in_(part_keys),
                and_(
                    conversations.c.person_key.in_(part_persons),
                    or_(conversations.c.last_at >= since, conversations.c.status == "open"),
                ),
            )
        )
        for row in conn.execute(query):
            rows[row.key] = read_row(row)
    return list(rows.values())
