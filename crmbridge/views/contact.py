"""One contact as an agent reads it: details, profile from every channel, threads, cases.

``contact_view`` is the one read behind ``crmbridge history`` (text and ``--json``), the
console's contact page, ``GET /api/contacts/<id>`` and the CRM card. Messages come from
the state store's ledger (every message synced for the contact, on whichever channel),
grouped by conversation, newest conversation first and newest message first inside, each
with channel, visibility, author, full text, link, mood and intents, and the identity link
that put it on the contact (rule, score, evidence, who approved it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, func, select

from crmbridge.classify import Analyzer, Classification, ServiceAnalyzer
from crmbridge.conversations.profile import contact_profile
from crmbridge.state.schema import conversations, ledger, links, rule_cases
from crmbridge.state.store import chunks, iso_utc
from crmbridge.views.people import Fetch, contact_card, contacts_by_id, latest_authors

MESSAGES = 200
MAX_MESSAGES = 5000  # the most one page may ask for


@lru_cache(maxsize=1)
def analyzer() -> Analyzer:
    """The shipped classifier, built once per process."""
    return ServiceAnalyzer()


@lru_cache(maxsize=65536)
def classify(text: str) -> Classification:
    """A message's mood and intents (the same text always reads the same: kept per process)."""
    return analyzer().analyze(text)


def contact_view(
    conn: Connection,
    contact_id: str,
    *,
    window: timedelta = timedelta(hours=72),
    limit: int = MESSAGES,
    fetch: Fetch | None = None,
) -> dict[str, Any]:
    """The contact's card, profile roll-up, cases, and its newest ``limit`` messages as threads."""
    contact = contacts_by_id(conn, [contact_id], fetch).get(contact_id)
    rollup = contact_profile(conn, contact_id, window)
    total = int(conn.scalar(select(func.count()).where(ledger.c.contact_id == contact_id)) or 0)
    rows = conn.execute(
        select(ledger)
        .where(ledger.c.contact_id == contact_id)
        .order_by(ledger.c.version_at.desc(), ledger.c.key.desc())
        .limit(max(1, limit))
    ).mappings()
    messages = [_message(r) for r in rows]
    persona_keys = {h["persona"] for h in rollup["handles"]}
    persona_keys |= {m["persona"] for m in messages if m["direction"] == "inbound"}
    active = _attach_links(conn, messages, persona_keys)
    threads = _threads(conn, messages)
    return {
        "contact_id": contact_id,
        "contact": contact_card(contact, contact_id),
        "profile": rollup,
        "channels_profile": _harvested(conn, persona_keys),
        "rule_cases": [c for t in threads if (c := t["case"]) is not None],
        "identities": [v for _, v in sorted(active.items()) if v["contact_id"] == contact_id],
        "messages_total": total,
        "messages_shown": len(messages),
        "conversations": threads,
    }


def _message(row: Any) -> dict[str, Any]:
    data = json.loads(row["payload"]) if row["payload"] else {}
    author = data.get("author") or {}
    outbound = data.get("direction") == "outbound"
    text = str(data.get("text") or "")
    mood = classify(text) if text.strip() else None
    return {
        "key": row["key"],
        "conversation": row["conversation_key"],
        "channel": row["platform"],
        "kind": row["kind"],
        "visibility": "dm" if data.get("is_private") or row["kind"] == "dm" else "public",
        "direction": "outbound" if outbound else "inbound",
        "author": {
            "role": "agent" if outbound else "customer",
            "name": data.get("agent") if outbound else author.get("name"),
            "handle": author.get("handle"),
        },
        "persona": row["persona_key"],
        "text": text,
        "deleted": bool(data.get("deleted")),
        "url": data.get("url"),
        "at": iso_utc(row["version_at"]),
        "status": row["status"],
        "mood": None
        if mood is None
        else {"score": round(mood.sentiment_score, 3), "label": mood.label},
        "intents": list(mood.intents) if mood else [],
        "link": None,
    }


def _attach_links(
    conn: Connection, messages: list[dict[str, Any]], keys: set[str]
) -> dict[str, dict[str, Any]]:
    active: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(keys)):
        query = select(links).where(links.c.persona_key.in_(part), links.c.removed_at.is_(None))
        for row in conn.execute(query).mappings():
            active[row["persona_key"]] = {
                "persona": row["persona_key"],
                "contact_id": row["contact_id"],
                "rule": row["rule"],
                "score": row["score"],
                "evidence": _evidence(row["evidence"]),
                "approved_by": row["approved_by"],
                "at": iso_utc(row["created_at"]),
            }
    for m in messages:
        m["link"] = active.get(m["persona"])
    return active


def _evidence(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {"text": text}
    return value if isinstance(value, dict) else {"evidence": value}


def _threads(conn: Connection, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order: dict[str, list[dict[str, Any]]] = {}
    for m in messages:  # newest first already: a thread's first message sets its place
        order.setdefault(m["conversation"] or m["key"], []).append(m)
    rows = _rows_by_key(conn, conversations, list(order))
    cases = _rows_by_key(conn, rule_cases, list(order))
    threads = []
    for key, msgs in order.items():
        conv = rows.get(key) or {}
        threads.append(
            {
                "key": key,
                "channels": json.loads(conv["channels"])
                if conv.get("channels")
                else sorted({m["channel"] for m in msgs}),
                "status": conv.get("status"),
                "opened_at": iso_utc(conv.get("opened_at")),
                "last_at": iso_utc(conv.get("last_at")) or msgs[0]["at"],
                "last_label": conv.get("last_label"),
                "escalated_tier": conv.get("escalated_tier"),
                "sla_due_at": iso_utc(conv.get("sla_due_at")),
                "case": _case(key, conv, cases.get(key)),
                "messages": msgs,
            }
        )
    return threads


def _rows_by_key(conn: Connection, table: Any, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(keys)):
        for row in conn.execute(select(table).where(table.c.key.in_(part))).mappings():
            found[row["key"]] = dict(row)
    return found


def _case(key: str, conv: dict[str, Any], case: dict[str, Any] | None) -> dict[str, Any] | None:
    if case is None and not conv.get("case_key"):
        return None
    case = case or {}
    return {
        "conversation": key,
        "crm_id": case.get("crm_id") or conv.get("case_crm_id"),
        "status": case.get("status"),
        "priority": case.get("priority"),
        "sla_due_at": iso_utc(case.get("sla_due_at") or conv.get("sla_due_at")),
        "responded_at": iso_utc(case.get("responded_at")),
        "escalated_tier": case.get("escalated_tier") or conv.get("escalated_tier"),
    }


def _harvested(conn: Connection, persona_keys: set[str]) -> list[dict[str, Any]]:
    """What each channel's newest message said of the person (bio, location, website, …)."""
    authors = latest_authors(conn, persona_keys)
    return [
        {
            "persona": k,
            "platform": a["platform"],
            "name": a["name"],
            "handle": a["handle"],
            "profile": a["profile"],
        }
        for k, a in sorted(authors.items())
    ]


def contacts_exist(conn: Connection, ids: Sequence[str], fetch: Fetch | None = None) -> set[str]:
    """The ids among ``ids`` that are contacts: in the mirror, the CRM, or the ledger."""
    found = set(contacts_by_id(conn, ids, fetch))
    rest = [i for i in ids if i not in found]
    for part in chunks(sorted(rest)):
        query = select(ledger.c.contact_id).where(ledger.c.contact_id.in_(part)).distinct()
        found.update(conn.scalars(query))
    return found


def card_summary(view: dict[str, Any], console_url: str) -> dict[str, Any]:
    """A contact's social summary for a card inside the CRM (HubSpot, Salesforce).

    ``results`` follows HubSpot's CRM card data format (one object with properties);
    ``summary`` is the same as plain JSON for a Lightning component or an app card.
    """
    profile = view["profile"]
    mood = profile["last_sentiment"]
    open_ = profile["open_conversation"]
    recent = [m for t in view["conversations"] for m in t["messages"]][:5]
    summary = {
        "contact_id": view["contact_id"],
        "name": view["contact"]["name"],
        "channels": profile["channels"],
        "handles": [h["handle"] or h["persona"] for h in profile["handles"]],
        "last_sentiment": mood,
        "open_conversation": open_,
        "messages": view["messages_total"],
        "cases": view["rule_cases"],
        "recent": [
            {
                "at": m["at"],
                "channel": m["channel"],
                "visibility": m["visibility"],
                "author": m["author"],
                "text": m["text"][:280],
                "url": m["url"],
                "mood": m["mood"],
            }
            for m in recent
        ],
        "console_url": console_url,
    }
    properties = [
        {
            "label": "Channels",
            "dataType": "STRING",
            "value": ", ".join(f"{c} ({v['messages']})" for c, v in profile["channels"].items()),
        },
        {
            "label": "Last sentiment",
            "dataType": "STRING",
            "value": f"{mood['label']} ({mood['score']:+.2f})" if mood else "-",
        },
        {
            "label": "Open conversation",
            "dataType": "STRING",
            "value": f"{open_['messages']} messages on {', '.join(open_['channels'])}"
            if open_
            else "none",
        },
    ]
    results = [
        {
            "objectId": 1,
            "title": f"Social history: {view['contact']['name'] or view['contact_id']}",
            "link": console_url,
            "properties": properties,
        }
    ]
    return {"results": results, "summary": summary}
