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
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import delete, select

from crmbridge.models import Contact
from crmbridge.state.schema import contact_mirror, cursors
from crmbridge.state.store import chunks, upsert, utcnow

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from crmbridge.state.store import StateStore


class Filing(Protocol):
    """An index kept in step with the mirror (the identity index)."""

    def apply(self, contacts: list[Contact], conn: Connection | None = None) -> None:
        """File changed contacts."""

    def clear(self, conn: Connection) -> None:
        """Forget every filed contact."""

    def __len__(self) -> int: ...


# Saved every this many changed contacts: a crash loses at most one slice of reading.
SLICE = 2000


class ContactMirror:
    """The mirrored contacts of one CRM adapter in one state store."""

    def __init__(self, store: StateStore, crm: str, index: Filing | None = None) -> None:
        self.store = store
        self.crm = crm
        self.cursor_key = f"@contacts:{crm}"[:64]
        self.index = index

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

    def get(self, ids: Iterable[str]) -> dict[str, Contact]:
        """Mirrored contacts by id (those the mirror holds)."""
        wanted = list(dict.fromkeys(i for i in ids if i))
        out: dict[str, Contact] = {}
        with self.store.engine.connect() as conn:
            for part in chunks(wanted, 900):
                query = select(contact_mirror.c.data).where(
                    contact_mirror.c.crm == self.crm, contact_mirror.c.id.in_(part)
                )
                for (data,) in conn.execute(query):
                    contact = Contact.model_validate_json(data)
                    out[contact.id] = contact
        return out

    def index_if_missing(self) -> None:
        """File a mirror an older crmbridge kept without an identity index, once."""
        if self.index is None or len(self.index):
            return
        pending: list[Contact] = []
        for contact in self.load():
            pending.append(contact)
            if len(pending) >= SLICE:
                self.index.apply(pending)
                pending = []
        self.index.apply(pending)

    def save(self, contacts: list[Contact], cursor: str | None) -> None:
        """Store changed contacts, their index entries and the cursor, in one transaction."""
        if self.store.read_only:
            if self.index is not None:
                self.index.apply(contacts)  # a dry run keeps its refresh in memory only
            return
        now = utcnow()
        rows = [
            {"crm": self.crm, "id": c.id, "data": c.model_dump_json(), "updated_at": now}
            for c in contacts
        ]
        with self.store.engine.begin() as conn:
            upsert(conn, contact_mirror, rows, ["crm", "id"])
            if self.index is not None:
                self.index.apply(contacts, conn)
            if cursor is not None:
                value = json.dumps({"cursor": cursor})
                row = {"source": self.cursor_key, "cursor": value, "updated_at": now}
                upsert(conn, cursors, [row], ["source"])

    def clear(self) -> None:
        """Forget the mirror (the next refresh reads every contact again)."""
        with self.store.engine.begin() as conn:
            conn.execute(delete(contact_mirror).where(contact_mirror.c.crm == self.crm))
            conn.execute(delete(cursors).where(cursors.c.source == self.cursor_key))
            if self.index is not None:
                self.index.clear(conn)
