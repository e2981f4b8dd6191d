"""Who is who: contacts from the contact mirror, authors from the messages they wrote.

A contact's details come from the contact mirror (the local copy of the CRM's match fields)
and, for ids the mirror lacks, from ``fetch`` (the CRM adapter's ``get_contacts``) when the
caller gives it. An author's profile is what their newest synced message said of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from typing import Any

from sqlalchemy import Connection, func, select

from crmbridge.models import Contact
from crmbridge.state.schema import contact_mirror, ledger, personas
from crmbridge.state.store import chunks, iso_utc

Fetch = Callable[[Collection[str]], list[Contact]]
"""Contacts by id from the CRM itself (for ids the mirror does not hold)."""

PROFILE_FIELDS = (
    "name",
    "handle",
    "profile_url",
    "website",
    "location",
    "bio",
    "verified",
    "followers",
    "email",
    "phone",
)
SNIPPET = 160


def contacts_by_id(
    conn: Connection, ids: Iterable[str], fetch: Fetch | None = None
) -> dict[str, Contact]:
    """The contacts among ``ids``: mirror rows first, then the CRM for the rest."""
    wanted = sorted({i for i in ids if i})
    found: dict[str, Contact] = {}
    for part in chunks(wanted):
        query = select(contact_mirror.c.data).where(contact_mirror.c.id.in_(part))
        for (data,) in conn.execute(query):
            contact = Contact.model_validate_json(data)
            found[contact.id] = contact
    missing = [i for i in wanted if i not in found]
    if missing and fetch is not None:
        found.update({c.id: c for c in fetch(missing)})
    return found


def contact_card(contact: Contact | None, contact_id: str) -> dict[str, Any]:
    """A contact as the views show it (``known`` false when neither mirror nor CRM has it)."""
    if contact is None:
        return {
            "id": contact_id,
            "known": False,
            "name": None,
            "email": None,
            "phone": None,
            "city": None,
            "country": None,
            "handles": {},
        }
    return {
        "id": contact.id,
        "known": True,
        "name": contact.name or None,
        "email": contact.email,
        "phone": contact.phone,
        "city": contact.city,
        "country": contact.country,
        "handles": dict(contact.handles),
    }


def latest_authors(conn: Connection, persona_keys: Collection[str]) -> dict[str, dict[str, Any]]:
    """Each persona's newest message: its author profile, text snippet and when.

    One query per chunk of personas: the newest ledger row of each (max ``version_at``).
    """
    found: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(persona_keys)):
        newest = (
            select(ledger.c.persona_key, func.max(ledger.c.version_at).label("at"))
            .where(ledger.c.persona_key.in_(part))
            .group_by(ledger.c.persona_key)
            .subquery()
        )
        query = select(ledger.c.persona_key, ledger.c.payload, ledger.c.version_at).join(
            newest,
            (ledger.c.persona_key == newest.c.persona_key) & (ledger.c.version_at == newest.c.at),
        )
        for key, payload, at in conn.execute(query):
            found[key] = author_view(key, payload, at)
    missing = [k for k in persona_keys if k not in found]
    for part in chunks(sorted(missing)):
        for row in conn.execute(select(personas).where(personas.c.key.in_(part))):
            found[row.key] = {
                "persona": row.key,
                "platform": row.platform,
                "id": row.author_id,
                "name": row.name,
                "handle": row.handle,
                "profile": {},
                "latest": None,
            }
    return found


def author_view(persona_key: str, payload: str, at: Any) -> dict[str, Any]:
    """The author block of one stored interaction, with its text as the latest message."""
    try:
        data = json.loads(payload) if payload else {}
    except ValueError:
        data = {}
    author = data.get("author") or {}
    platform, _, author_id = persona_key.partition(":")
    text = str(data.get("text") or "")
    return {
        "persona": persona_key,
        "platform": platform,
        "id": author_id,
        "name": author.get("name"),
        "handle": author.get("handle"),
        "profile": {k: author.get(k) for k in PROFILE_FIELDS if author.get(k) not in (None, "")},
        "latest": {
            "text": text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…",
            "at": iso_utc(at),
            "url": data.get("url"),
        }
        if data
        else None,
    }
