"""Find a contact by name, email, phone, handle or persona; resolve a lookup to one id.

``search_contacts`` backs the console's search box, ``GET /api/search`` and the "link to
another contact" picker; ``find_contact`` backs ``crmbridge history`` (which needs exactly
one). Both read the contact mirror and the personas synced, never the CRM per keystroke.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from crmbridge.errors import UsageError
from crmbridge.identity.normalize import fold, handle_key
from crmbridge.models import Contact
from crmbridge.state.schema import contact_mirror, ledger, links, personas
from crmbridge.views.people import Fetch, contact_card, contacts_by_id

LIMIT = 20


def search_contacts(conn: Connection, query: str, limit: int = LIMIT) -> list[dict[str, Any]]:
    """Contacts matching ``query``, each with ``matched_by``; exact keys first.

    ``matched_by`` is id, persona, handle, email, phone or name (every word of the query
    starts a word of the name).
    """
    text = query.strip()
    if not text:
        return []
    hits: dict[str, str] = {}
    for contact_id, how in _exact(conn, text):
        hits.setdefault(contact_id, how)
    for contact in _mirror_like(conn, text, limit * 5):
        found_by = _how(contact, text)
        if found_by:
            hits.setdefault(contact.id, found_by)
        if len(hits) >= limit:
            break
    found = contacts_by_id(conn, hits)
    return [
        {**contact_card(found.get(cid), cid), "matched_by": how}
        for cid, how in list(hits.items())[:limit]
    ]


def _exact(conn: Connection, text: str) -> list[tuple[str, str]]:
    """Contact id and persona hits: ``C000007``, ``x:12345``, ``@maya`` (a persona's handle)."""
    out: list[tuple[str, str]] = []
    if conn.scalar(select(contact_mirror.c.id).where(contact_mirror.c.id == text)) or conn.scalar(
        select(ledger.c.contact_id).where(ledger.c.contact_id == text).limit(1)
    ):
        out.append((text, "id"))
    handle = handle_key(text) or ""
    matched = select(personas.c.key).where(
        or_(personas.c.key == text, func.lower(personas.c.handle) == handle)
    )
    query = select(links.c.contact_id, links.c.persona_key).where(
        links.c.persona_key.in_(matched), links.c.removed_at.is_(None)
    )
    for contact_id, persona in conn.execute(query):
        out.append((contact_id, "persona" if persona == text else "handle"))
    return out


def _mirror_like(conn: Connection, text: str, limit: int) -> list[Contact]:
    """Mirror rows whose stored JSON holds every word (or the phone's last digits)."""
    digits = "".join(ch for ch in text if ch.isdigit())
    words = [digits[-4:]] if len(digits) >= 7 else text.lower().lstrip("@").split()
    query = select(contact_mirror.c.data)
    for word in words:
        query = query.where(func.lower(contact_mirror.c.data).contains(word, autoescape=True))
    rows = conn.execute(query.order_by(contact_mirror.c.id).limit(limit))
    return [Contact.model_validate_json(data) for (data,) in rows]


def _how(contact: Contact, text: str) -> str | None:
    """Which field the query names: exact email, phone digits, handle, words of the name."""
    low = text.lower()
    digits = "".join(ch for ch in text if ch.isdigit())
    if contact.email and contact.email.lower() == low:
        return "email"
    if any(e.lower() == low for e in contact.other_emails):
        return "email"
    phone_digits = "".join(ch for ch in contact.phone or "" if ch.isdigit())
    if len(digits) >= 7 and phone_digits.endswith(digits[-10:]):
        return "phone"
    if handle_key(text) in {handle_key(h) for h in contact.handles.values()}:
        return "handle"
    name = fold(contact.name)
    words = fold(text).split()
    if words and all(
        w in name.split() or any(n.startswith(w) for n in name.split()) for w in words
    ):
        return "name"
    if "@" in low and contact.email and low in contact.email.lower():
        return "email"
    return None


def find_contact(conn: Connection, lookup: str, fetch: Fetch | None = None) -> str:
    """The one contact id ``lookup`` names (id, email, phone, handle or persona).

    Raises ``UsageError`` (exit 2) when nothing matches, or when several contacts do
    (listing them, so the user can pick an id).
    """
    text = lookup.strip()
    hits = [h for h in search_contacts(conn, text, limit=10) if h["matched_by"] != "name"]
    if not hits and fetch is not None and _looks_like_id(text) and fetch([text]):
        return text  # a contact the mirror does not hold yet, found in the CRM itself
    if not hits:  # by name: a whole-name match wins over names that only start so
        hits = search_contacts(conn, text, limit=10)
        exact = [h for h in hits if fold(h["name"]) == fold(text)]
        hits = exact if len(exact) == 1 else hits
    ids = list(dict.fromkeys(h["id"] for h in hits))
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise UsageError(
            f"no contact matches {lookup!r}",
            hint="give a contact id, email, phone, handle (@name) or persona (platform:id)",
        )
    listed = ", ".join(f"{h['id']} ({h['name'] or '-'}, {h['matched_by']})" for h in hits[:10])
    raise UsageError(f"{len(ids)} contacts match {lookup!r}: {listed}", hint="give one id")


def _looks_like_id(text: str) -> bool:
    """A CRM record id: one word, no ``@`` or ``:`` (those are emails and personas)."""
    return bool(text) and not any(ch in text for ch in " @:+()")
