"""The identity review queue as people work it: who wrote, who it may be, and why.

``review_queue`` is the one read behind ``crmbridge review list`` (text and ``--json``),
the console's review page and ``GET /api/review``. Items come most messages waiting first
(messages of the persona not on any contact yet), then oldest first, a page at a time with
the total, so "100 of 338" is always said.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, func, select

from crmbridge.state.schema import ledger, review
from crmbridge.state.store import iso_utc
from crmbridge.views.evidence import candidate, compare, plain_reason, with_derived
from crmbridge.views.people import Fetch, author_view, contact_card, contacts_by_id, latest_authors

PER_PAGE = 100


def review_queue(
    conn: Connection,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    status: str = "open",
    region: str = "US",
    fetch: Fetch | None = None,
) -> dict[str, Any]:
    """One page of the queue: ``{total, page, per_page, pages, items}``.

    Each item: ``id``, ``persona``, ``author`` (name, handle, platform, profile fields,
    latest message, ``messages_waiting``), ``candidates`` (each with the contact's name,
    email, phone, city, handles, the score and evidence per field), ``reason`` in words.
    """
    page, per_page = max(1, page), max(1, min(per_page, 1000))
    total = int(conn.scalar(select(func.count()).where(review.c.status == status)) or 0)
    waiting = (
        select(func.count())
        .where(ledger.c.persona_key == review.c.persona_key, ledger.c.contact_id.is_(None))
        .scalar_subquery()
        .label("waiting")
    )
    # Order the narrow (id, waiting) pairs first, then read only the page's rows.
    order = (
        select(review.c.id, waiting)
        .where(review.c.status == status)
        .order_by(waiting.desc(), review.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    counts = {i: n for i, n in conn.execute(order)}
    found = conn.execute(select(review).where(review.c.id.in_(list(counts)))).mappings()
    by_id = {r["id"]: dict(r) | {"waiting": counts[r["id"]]} for r in found}
    rows = [by_id[i] for i in counts if i in by_id]
    authors = latest_authors(conn, {r["persona_key"] for r in rows})
    stored = {r["id"]: [candidate(c) for c in _json(r["candidates"])] for r in rows}
    contacts = contacts_by_id(conn, (c["contact_id"] for cs in stored.values() for c in cs), fetch)
    items = []
    for row in rows:
        author = authors.get(row["persona_key"]) or author_view(row["persona_key"], "", None)
        author["messages_waiting"] = int(row["waiting"] or 0)
        cands = []
        for c in stored[row["id"]]:
            contact = contacts.get(c["contact_id"])
            evidence = with_derived(c["evidence"], compare(author, contact, region))
            cands.append(
                {
                    "contact": contact_card(contact, c["contact_id"]),
                    "score": c["score"],
                    "evidence": evidence,
                }
            )
        items.append(
            {
                "id": row["id"],
                "persona": row["persona_key"],
                "persona_key": row["persona_key"],
                "status": row["status"],
                "score": row["score"],
                "created_at": iso_utc(row["created_at"]),
                "decided_at": iso_utc(row["decided_at"]),
                "decided_by": row["decided_by"],
                "author": author,
                "candidates": cands,
                "stored_reason": row["reason"],
                "reason": plain_reason(row["reason"], cands),
            }
        )
    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "shown": len(items),
        "items": items,
    }


def queue_lines(view: dict[str, Any]) -> list[str]:
    """The page as text for a terminal: one block per item, the count first."""
    first = (view["page"] - 1) * view["per_page"]
    lines = [
        f"{view['shown']} of {view['total']} open review item(s)"
        + (f" (items {first + 1}-{first + view['shown']})" if view["shown"] else ""),
    ]
    for item in view["items"]:
        a = item["author"]
        who = (
            " ".join(p for p in (a["name"], f"@{a['handle']}" if a["handle"] else None) if p)
            or a["id"]
        )
        lines.append("")
        lines.append(
            f"#{item['id']}  {who} on {a['platform']}  ({item['persona']}), "
            f"{a['messages_waiting']} message(s) waiting"
        )
        profile = ", ".join(f"{k}: {v}" for k, v in a["profile"].items() if k not in ("name",))
        if profile:
            lines.append(f"    profile: {profile}")
        if a["latest"]:
            lines.append(f'    latest: "{a["latest"]["text"]}"')
        lines.append(f"    why: {item['reason']}")
        for c in item["candidates"]:
            lines.extend(_candidate_lines(c))
    if view["total"] > view["page"] * view["per_page"]:
        lines.append("")
        lines.append(f"more: --page {view['page'] + 1}")
    return lines


def _candidate_lines(c: dict[str, Any]) -> list[str]:
    k = c["contact"]
    score = f"{c['score']:.2f}" if c["score"] is not None else "-"
    details = ", ".join(
        str(v)
        for v in (
            k["email"],
            k["phone"],
            k["city"],
            *(f"{p}:@{h}" for p, h in k["handles"].items()),
        )
        if v
    )
    name = k["name"] or ("(not in the CRM)" if not k["known"] else "(no name)")
    out = [f"    candidate {k['id']}  {name}  score {score}  {details}"]
    for e in c["evidence"]:
        out.append(
            f"        {e['verdict']:<9} {e['field']:<7} author: {_show(e['author'])}"
            f"  contact: {_show(e['contact'])}"
        )
    return out


def _show(value: Any) -> str:
    return "-" if value in (None, "") else str(value)


def _json(text: str | None) -> list[Any]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []
