"""The review queue and reversible links, as library functions over the state store.

``approve`` and ``link`` add a link row (``approved_by`` the reviewer), ``unlink`` stamps
``removed_at`` on the active one; all three re-point the persona's ledger rows and return the
CRM activities the adapter must re-point. Link rows are never deleted, so unlink followed by
link to the same contact restores the previous state (rule, score and evidence included).

Every decision also lands in the ``audit`` table with who and when, in the same
transaction. An unknown review id, persona or contact, or a decision already taken, is a
``UsageError`` (exit 2) and changes nothing. ``known_contacts`` (given by the caller, who
can reach the contact mirror or the CRM) says which contact ids exist.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.engine import Connection

from crmbridge.config import ConversationsConfig
from crmbridge.conversations import rethread_in
from crmbridge.errors import UsageError
from crmbridge.identity.model import Model
from crmbridge.state.schema import audit, ledger, links, personas, review
from crmbridge.state.store import StateStore, utcnow

KnownContacts = Callable[[Collection[str]], set[str]]
"""Given contact ids, the ones that exist (in the contact mirror or the CRM)."""


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
    known_contacts: KnownContacts | None = None,
) -> Repoint:
    """Accept a queued decision: link to ``contact_id`` or the top candidate."""
    item = _open_review(store, review_id)
    candidates = _json(item["candidates"], [])
    chosen = contact_id or (_candidate_id(candidates[0]) if candidates else None)
    if not chosen:
        raise UsageError(
            f"review {review_id} has no candidate",
            hint=f"link by hand: crmbridge review link {item['persona_key']} CONTACT_ID",
        )
    _check_contact(chosen, known_contacts)
    with store.engine.begin() as conn:
        result = _link(conn, item["persona_key"], chosen, reviewer, item)
        _close(conn, review_id, "approved", reviewer)
        record(conn, reviewer, "approve", f"review:{review_id}", _moved(result))
        rethread_in(conn, item["persona_key"], conversations)
    return result


def reject(store: StateStore, review_id: int, reviewer: str) -> None:
    """Refuse a queued decision: the persona stays unlinked."""
    item = _open_review(store, review_id)
    with store.engine.begin() as conn:
        _close(conn, review_id, "rejected", reviewer)
        record(conn, reviewer, "reject", f"review:{review_id}", {"persona": item["persona_key"]})


def link(
    store: StateStore,
    persona_key: str,
    contact_id: str,
    reviewer: str,
    reason: str = "manual",
    conversations: ConversationsConfig | None = None,
    known_contacts: KnownContacts | None = None,
    *,
    known_persona: bool = False,
) -> Repoint:
    """Link a persona to a contact by hand, replacing any active link.

    With ``known_persona`` (the commands and the console) a persona that never wrote
    anything synced here is refused; without it a reviewer may link ahead of the first
    message. ``known_contacts`` refuses a contact that does not exist.
    """
    _check_contact(contact_id, known_contacts)
    with store.engine.begin() as conn:
        if known_persona:
            _check_persona(conn, persona_key)
        result = _link(conn, persona_key, contact_id, reviewer, {"reason": reason})
        record(conn, reviewer, "link", persona_key, _moved(result))
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
        _check_persona(conn, persona_key)
        active = _active(conn, persona_key)
        if active is None:
            raise UsageError(
                f"persona {persona_key} has no active link",
                hint="crmbridge history PERSONA shows where its messages are",
            )
        _remove(conn, active["id"], reviewer)
        moved = _repoint_ledger(conn, persona_key, None)
        done = Repoint(persona_key, active["contact_id"], None, moved)
        record(conn, reviewer, "unlink", persona_key, _moved(done))
        rethread_in(conn, persona_key, conversations)
    return done


def record(
    conn: Connection, actor: str, action: str, target: str, detail: dict[str, Any] | None
) -> None:
    """One audit row: who took which decision on what, and when."""
    conn.execute(
        audit.insert().values(
            at=utcnow(),
            actor=actor,
            action=action,
            target=target,
            detail=json.dumps(detail, default=str) if detail is not None else None,
        )
    )


def audit_trail(store: StateStore, target: str | None = None, limit: int = 100) -> list[Any]:
    """The newest audit rows (of one target), newest first."""
    query = select(audit).order_by(audit.c.id.desc()).limit(limit)
    if target is not None:
        query = query.where(audit.c.target == target)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def _moved(result: Repoint) -> dict[str, Any]:
    return {
        "persona": result.persona_key,
        "from": result.old_contact_id,
        "to": result.new_contact_id,
        "activities": len(result.activities),
    }


def _check_contact(contact_id: str, known_contacts: KnownContacts | None) -> None:
    if known_contacts is not None and contact_id not in known_contacts([contact_id]):
        raise UsageError(
            f"no contact {contact_id!r} in the CRM",
            hint="find the contact's id with `crmbridge history EMAIL|PHONE|HANDLE`"
            " or the console's search",
        )


def _check_persona(conn: Connection, persona_key: str) -> None:
    known = conn.execute(
        select(
            exists().where(personas.c.key == persona_key)
            | exists().where(ledger.c.persona_key == persona_key)
            | exists().where(links.c.persona_key == persona_key)
        )
    ).scalar()
    if not known:
        raise UsageError(
            f"no persona {persona_key!r} has written anything synced here",
            hint="a persona is PLATFORM:AUTHOR_ID as in `crmbridge review list`",
        )


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
        raise UsageError(
            f"no review item {review_id}", hint="crmbridge review list shows the open items"
        )
    if row["status"] != "open":
        raise UsageError(
            f"review {review_id} is already {row['status']} by {row['decided_by']}",
            hint="crmbridge review link/unlink PERSONA changes a decided link",
        )
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
