"""The contact mirror: a local copy of the CRM's match fields, kept between runs.

Identity resolution compares authors with contacts locally, so it needs the contacts'
names, emails, phones, cities and handles without an API call per interaction. The first
run reads every contact once (``adapter.contacts_since(None)``); later runs read only the
contacts changed since the saved cursor. Rows and cursor are saved together, in slices, so
a first load that is killed half-way resumes where it stopped instead of starting over.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from crmbridge.models import Contact
from crmbridge.state.schema import contact_mirror, cursors
from crmbridge.state.store import upsert, utcnow

if TYPE_CHECKING:
    from crmbridge.state.store import StateStore

# Saved every this many changed contacts: a crash loses at most one slice of reading.
SLICE = 2000


class ContactMirror:
    """The mirrored contacts of one CRM adapter in one state store."""

    def __init__(self, store: StateStore, crm: str) -> None:
        self.store = store
        self.crm = crm
        self.cursor_key = f"@contacts:{crm}"[:64]

    def cursor(self) -> str | None:
        """Where the last refresh stopped (None before the first one)."""
        saved = self.store.cursor(self.cursor_key)
        return str(saved["cursor"]) if saved and saved.get("cursor") is not None else None

    def load(self) -> Iterator[Contact]:
        """Every mirrored contact, streamed."""
        query = select(contact_mirror.c.data).where(contact_mirror.c.crm == self.crm)
        with self.store.engine.connect() as conn:
            for (data,) in conn.execution_options(yield_per=5000).execute(query):
                yield Contact.model_validate_json(data)

    def save(self, contacts: Iterable[Contact], cursor: str | None) -> None:
        """Store changed contacts and the cursor after them, in one transaction."""
        if self.store.read_only:
            return  # a dry run keeps its refresh in memory only
        now = utcnow()
        rows = [
            {"crm": self.crm, "id": c.id, "data": c.model_dump_json(), "updated_at": now}
            for c in contacts
        ]
        with self.store.engine.begin() as conn:
            upsert(conn, contact_mirror, rows, ["crm", "id"])
            if cursor is not None:
                value = json.dumps({"cursor": cursor})
                row = {"source": self.cursor_key, "cursor": value, "updated_at": now}
                upsert(conn, cursors, [row], ["source"])

    def clear(self) -> None:
        """Forget the mirror (the next refresh reads every contact again)."""
        with self.store.engine.begin() as conn:
            conn.execute(delete(contact_mirror).where(contact_mirror.c.crm == self.crm))
            conn.execute(delete(cursors).where(cursors.c.source == self.cursor_key))
