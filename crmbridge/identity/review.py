"""The review queue and reversible links, as library functions over the state store.

``approve`` and ``link`` add a link row (``approved_by`` the reviewer), ``unlink`` stamps
``removed_at`` on the active one; all three re-point the persona's ledger rows and return the
CRM activities the adapter must re-point. Link rows are never deleted, so unlink followed by
link to the same contact restores the previous state (rule, score and evidence included).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from crmbridge.config import ConversationsConfig
from crmbridge.conversations import rethread_in
from crmbridge.errors import DataError
from crmbridge.identity.model import Model
from crmbridge.state.schema import ledger, links, review
from crmbridge.state.store import StateStore, utcnow


@dataclass
class Repoint:
    """What a link change did: the persona, old and new contact, activities to move."""

    persona_key: str
    old_contact_id: str | None
    new_contact_id: str | None
    activities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def activity_keys(self) -> list[str]:
        """The ledger (activity) keys whose CRM records must move to the new contact."""
        return [a["key"] for a in self.activities]


def list_reviews(store: StateStore, status: str = "open", limit: int = 100) -> list[dict[str, Any]]:
    """Queued decisions, oldest first, with candidates, score and the reason."""
    query = select(review).where(review.c.status == status).order_by(review.c.id).limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    out = []
    for row in rows:
        item = dict(row)
        item["candidates"] = _json(item["candidates"], [])
        out.append(item)
    return out


def approve(
    store: StateStore,
    review_id: int,
    reviewer: str,
    contact_id: str | None = None,
    conversations: ConversationsConfig | None = None,
) -> Repoint:
    """Accept a queued decision: link to ``contact_id`` or the top candidate."""
    item = _open_review(store, review_id)
    candidates = _json(item["candidates"], [])
    chosen = contact_id or (_candidate_id(candidates[0]) if candidates else None)
    if not chosen:
        raise DataError(f"review {review_id} has no candidate; use 'review link'")
    with store.engine.begin() as conn:
        result = _link(conn, item["persona_key"], chosen, reviewer, item)
        _close(conn, review_id, "approved", reviewer)
        rethread_in(conn, item["persona_key"], conversations)
    return result


def reject(store: StateStore, review_id: int, reviewer: str) -> None:
    """Refuse a queued decision: the persona stays unlinked."""
    _open_review(store, review_id)
    with store.engine.begin() as conn:
        _close(conn, review_id, "rejected", reviewer)


def link(
    store: StateStore,
    persona_key: str,
    contact_id: str,
    reviewer: str,
    reason: str = "manual",
    conversations: ConversationsConfig | None = None,
) -> Repoint:
    """Link a persona to a contact by hand, replacing any active link."""
    with store.engine.begin() as conn:
        result = _link(conn, persona_key, contact_id, reviewer, {"reason": reason})
        conn.execute(
            update(review)
            .where(review.c.persona_key == persona_key, review.c.status == "open")
            .values(status="linked", decided_at=utcnow(), decided_by=reviewer)
        )
        rethread_in(conn, persona_key, conversations)
    return result


def unlink(
    store: StateStore,
    persona_key: str,
    reviewer: str,
    conversations: ConversationsConfig | None = None,
) -> Repoint:
    """Remove a persona's active link; its activities lose their contact."""
    with store.engine.begin() as conn:
        active = _active(conn, persona_key)
        if active is None:
            raise DataError(f"persona {persona_key} has no active link")
        _remove(conn, active["id"], reviewer)
        moved = _repoint_ledger(conn, persona_key, None)
        rethread_in(conn, persona_key, conversations)
    return Repoint(persona_key, active["contact_id"], None, moved)


def _link(
    conn: Connection, persona_key: str, contact_id: str, reviewer: str, why: dict[str, Any]
) -> Repoint:
    active = _active(conn, persona_key)
    old = active["contact_id"] if active else None
    if active is not None:
        if old == contact_id:
            return Repoint(persona_key, old, contact_id, [])
        _remove(conn, active["id"], reviewer)
    earlier = (
        conn.execute(
            select(links)
            .where(links.c.persona_key == persona_key, links.c.contact_id == contact_id)
            .order_by(links.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    rule, score, evidence = "manual", 1.0, json.dumps({"reason": why.get("reason")})
    if earlier is not None:  # relinking restores what the earlier link recorded
        rule, score, evidence = earlier["rule"], earlier["score"], earlier["evidence"]
    elif why.get("id") is not None:
        rule, score = "review", float(why.get("score") or 0.0)
        evidence = json.dumps({"review": why["id"], "reason": why.get("reason")})
    conn.execute(
        links.insert().values(
            persona_key=persona_key,
            contact_id=contact_id,
            rule=rule,
            score=score,
            evidence=evidence,
            approved_by=reviewer,
            created_at=utcnow(),
        )
    )
    return Repoint(persona_key, old, contact_id, _repoint_ledger(conn, persona_key, contact_id))


def _repoint_ledger(
    conn: Connection, persona_key: str, contact_id: str | None
) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(ledger.c.key, ledger.c.crm_object, ledger.c.crm_id, ledger.c.contact_id).where(
            ledger.c.persona_key == persona_key
        )
    ).mappings()
    moved = [dict(r) for r in rows if r["contact_id"] != contact_id]
    if moved:
        conn.execute(
            update(ledger)
            .where(ledger.c.persona_key == persona_key)
            .values(contact_id=contact_id, updated_at=utcnow())
        )
    # ``contact_id`` is where the activity was: HubSpot removes that association.
    return [
        {
            "key": r["key"],
            "crm_object": r["crm_object"],
            "crm_id": r["crm_id"],
            "contact_id": r["contact_id"],
        }
        for r in moved
        if r["crm_id"]
    ]


def _active(conn: Connection, persona_key: str) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(links).where(links.c.persona_key == persona_key, links.c.removed_at.is_(None))
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _remove(conn: Connection, link_id: int, reviewer: str) -> None:
    conn.execute(
        update(links).where(links.c.id == link_id).values(removed_at=utcnow(), removed_by=reviewer)
    )


def _close(conn: Connection, review_id: int, status: str, reviewer: str) -> None:
    conn.execute(
        update(review)
        .where(review.c.id == review_id)
        .values(status=status, decided_at=utcnow(), decided_by=reviewer)
    )


def _open_review(store: StateStore, review_id: int) -> dict[str, Any]:
    with store.engine.connect() as conn:
        row = conn.execute(select(review).where(review.c.id == review_id)).mappings().first()
    if row is None:
        raise DataError(f"no review item {review_id}")
    if row["status"] != "open":
        raise DataError(f"review {review_id} is already {row['status']}")
    return dict(row)


def learn_from_reviews(store: StateStore, model: Model, limit: int = 10000) -> int:
    """Move the model's m and u with past decisions; return how many were used.

    An approved item teaches that the linked candidate's feature levels mark a match and the
    other candidates' a non-match; a rejected item that none of its candidates matched.
    """
    query = (
        select(review.c.persona_key, review.c.candidates, review.c.status)
        .where(review.c.status.in_(("approved", "rejected", "linked")))
        .order_by(review.c.id.desc())
        .limit(limit)
    )
    with store.engine.connect() as conn:
        decided = conn.execute(query).all()
        chosen = (
            dict(
                conn.execute(
                    select(links.c.persona_key, links.c.contact_id).where(
                        links.c.persona_key.in_([d.persona_key for d in decided]),
                        links.c.removed_at.is_(None),
                    )
                ).all()
            )
            if decided
            else {}
        )
    used = 0
    for persona_key, candidates, status in decided:
        winner = chosen.get(persona_key) if status != "rejected" else None
        for item in _json(candidates, []):
            if isinstance(item, dict) and isinstance(item.get("levels"), dict):
                model.learn(item["levels"], is_match=item.get("contact_id") == winner)
                used += 1
            elif isinstance(item, list) and len(item) == 3 and isinstance(item[2], dict):
                model.learn(item[2], is_match=item[0] == winner)  # rows of crmbridge < 0.2
                used += 1
    return used


def _candidate_id(value: Any) -> str | None:
    """A candidate is a contact id, or ``[id, score]`` / ``{"id": ...}`` in scored reviews."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and value:
        return str(value[0])
    if isinstance(value, dict):
        return str(value.get("id") or value.get("contact_id") or "") or None
    return None


def _json(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default
