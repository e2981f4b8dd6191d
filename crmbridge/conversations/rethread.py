"""Re-threading after an identity link is made or undone.

A link decides whose conversation a persona's messages belong to, so linking two personas
to one contact can merge their conversations and unlinking one splits them again. This
replays, with the same rules as the pipeline, every interaction in the conversations the
persona touches and the conversations of the people involved, then replaces those rows.
Keys come from each conversation's first message, so a conversation that keeps its first
message keeps its key; rule-owned fields (case, escalation, SLA) travel with the key, and
the rules' own row of a conversation merged away moves to the one that took its messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, delete, select, update

from crmbridge.classify import Analyzer, ServiceAnalyzer
from crmbridge.config import ConversationsConfig
from crmbridge.conversations.hook import classify, person_key_for
from crmbridge.conversations.storage import CONVERSATION_PREFIX, read_row
from crmbridge.conversations.threader import Threader
from crmbridge.models import Interaction
from crmbridge.state.schema import (
    conversation_threads,
    conversations,
    ledger,
    links,
    rule_cases,
)
from crmbridge.state.store import StateStore, chunks, upsert_conversations, utcnow

CARRIED = ("escalations", "escalated_tier", "case_key", "case_crm_id", "sla_due_at")


@dataclass
class Rethreaded:
    """What a re-thread changed: conversations before and after, interactions replayed."""

    before: list[str]
    after: list[str]
    interactions: int


def rethread(
    store: StateStore,
    persona_key: str,
    config: ConversationsConfig | None = None,
    analyzer: Analyzer | None = None,
) -> Rethreaded:
    """Re-thread what a link change of ``persona_key`` touches, in one transaction."""
    with store.engine.begin() as conn:
        return rethread_in(conn, persona_key, config, analyzer)


def rethread_in(
    conn: Connection,
    persona_key: str,
    config: ConversationsConfig | None = None,
    analyzer: Analyzer | None = None,
) -> Rethreaded:
    """``rethread`` inside a caller's transaction (the link change's own)."""
    config = config or ConversationsConfig()
    old = _affected_conversations(conn, persona_key)
    rows = _interactions(conn, [r["key"] for r in old], persona_key)
    if not rows:
        return Rethreaded([r["key"] for r in old], [], 0)
    threader = Threader(config.window, config.reopen_window, utcnow())
    reader = analyzer or ServiceAnalyzer()
    placed: dict[str, str] = {}
    for row, interaction in rows:
        person = person_key_for(row.persona_key, row.contact_id)
        classification = classify(reader, interaction.text)
        placed[row.key] = threader.assign(interaction, person, classification)["key"]
    new = [threader.conversations[k] for k in sorted(threader.conversations)]
    _carry_rule_fields(old, new, threader.messages)
    _replace(conn, old, new, threader.thread_rows(), placed)
    _move_rule_cases(conn, old, new, threader.messages)
    return Rethreaded(sorted(r["key"] for r in old), [r["key"] for r in new], len(rows))


def _affected_conversations(conn: Connection, persona_key: str) -> list[dict[str, Any]]:
    own = set(
        conn.scalars(
            select(ledger.c.conversation_key).where(
                ledger.c.persona_key == persona_key,
                ledger.c.conversation_key.like(f"{CONVERSATION_PREFIX}%"),
            )
        )
    )
    contact = conn.scalar(
        select(links.c.contact_id).where(
            links.c.persona_key == persona_key, links.c.removed_at.is_(None)
        )
    )
    persons = {persona_key} | ({f"contact:{contact}"} if contact else set())
    for part in chunks(sorted(own)):
        query = select(conversations.c.person_key).where(conversations.c.key.in_(part))
        persons.update(conn.scalars(query))
    query = select(conversations).where(
        (conversations.c.person_key.in_(sorted(persons))) | conversations.c.key.in_(sorted(own))
    )
    return [read_row(r) for r in conn.execute(query)]


def _interactions(
    conn: Connection, keys: list[str], persona_key: str
) -> list[tuple[Any, Interaction]]:
    columns = (ledger.c.key, ledger.c.persona_key, ledger.c.contact_id, ledger.c.payload)
    found: dict[str, Any] = {}
    for row in conn.execute(select(*columns).where(ledger.c.persona_key == persona_key)):
        found[row.key] = row
    for part in chunks(keys):
        for row in conn.execute(select(*columns).where(ledger.c.conversation_key.in_(part))):
            found[row.key] = row
    parsed = []
    for row in found.values():
        try:
            parsed.append((row, Interaction.model_validate_json(row.payload)))
        except ValidationError:
            continue  # no interaction stored with this row: nothing to thread
    parsed.sort(key=lambda pair: (pair[1].created_at, pair[1].key))
    return parsed


def _carry_rule_fields(
    old: list[dict[str, Any]], new: list[dict[str, Any]], messages: dict[str, str]
) -> None:
    """Keep case, escalation and SLA with the conversation holding the old first message."""
    by_key = {r["key"]: r for r in new}
    for before in old:
        if not any(before.get(c) for c in CARRIED):
            continue
        first_message = before["key"].removeprefix(CONVERSATION_PREFIX)
        target = by_key.get(before["key"]) or by_key.get(messages.get(first_message, ""))
        if target is not None and not target.get("case_key"):
            for column in CARRIED:
                target[column] = before.get(column) or target.get(column)


def _move_rule_cases(
    conn: Connection, old: list[dict[str, Any]], new: list[dict[str, Any]], messages: dict[str, str]
) -> None:
    """A conversation merged away hands its rules row (case, SLA clock) to its successor.

    The successor is the conversation now holding the old first message. When that one
    has a rules row of its own, the merged-away row keeps its case (already in the CRM)
    but its SLA clock stops, so no run escalates a conversation that no longer exists.
    """
    remaining = {r["key"] for r in new}
    for key in sorted(r["key"] for r in old if r["key"] not in remaining):
        target = messages.get(key.removeprefix(CONVERSATION_PREFIX))
        taken = target is None or conn.scalar(
            select(rule_cases.c.key).where(rule_cases.c.key == target)
        )
        values: dict[str, Any] = {"updated_at": utcnow()}
        if taken:
            values.update(sla_due_at=None)
        else:
            values.update(key=target)
        conn.execute(update(rule_cases).where(rule_cases.c.key == key).values(**values))


def _replace(
    conn: Connection,
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    threads: list[dict[str, Any]],
    placed: dict[str, str],
) -> None:
    old_keys = sorted(r["key"] for r in old)
    for part in chunks(old_keys):
        conn.execute(delete(conversations).where(conversations.c.key.in_(part)))
        conn.execute(
            delete(conversation_threads).where(conversation_threads.c.conversation_key.in_(part))
        )
    upsert_conversations(conn, new, threads)
    if placed:
        conn.execute(
            update(ledger)
            .where(ledger.c.key == bindparam("k"))
            .values(conversation_key=bindparam("conv")),
            [{"k": k, "conv": c} for k, c in placed.items()],
        )
