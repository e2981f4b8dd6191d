"""The persisted identity index: prepared contacts, their keys and term counts in the state store.

``crmbridge sync`` matches against a CRM that may hold millions of contacts. Instead of
loading them all into memory at every run, each contact's prepared match values
(``identity_records``), the keys it is filed under (``identity_keys``, stored as 64-bit
hashes) and the counts of its name, city and domain values (``identity_terms``) live in
the state store next to the contact mirror, and change with it, contact by contact. A batch
fetches its candidates with indexed queries, so a run's cost follows the authors it sees,
not the size of the CRM.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Connection, and_, delete, func, select, tuple_

from crmbridge.identity.blocking import EXACT_PREFIXES, ContactIndex, contact_keys
from crmbridge.identity.features import ContactRecord, TermFrequencies, prepare_contact
from crmbridge.models import Contact
from crmbridge.state.schema import identity_keys, identity_records, identity_terms
from crmbridge.state.store import chunks, upsert

if TYPE_CHECKING:
    from crmbridge.state.store import StateStore

TOTAL = "_total"
# The name-pairing factor (x 1000) and the contact count it was measured at.
PAIRING, PAIRING_AT = "_pairing", "_pairing_at"
PAIRING_TERMS = (PAIRING, PAIRING_AT)


def key_hash(key: str) -> int:
    """A signed 64-bit hash of a key (stable across processes and platforms)."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def terms_of(rec: ContactRecord) -> list[str]:
    """The term-count entries one contact adds."""
    return [f"{kind}:{value}" for kind, value in TermFrequencies.values(rec)]


class StoredTerms(TermFrequencies):
    """Term frequencies read from the state store on demand (``prefetch`` per batch)."""

    def __init__(self, index: StoredIndex) -> None:
        super().__init__()
        self.index = index
        self.loaded: set[str] = set()

    def count(self, kind: str, value: str) -> int:
        """How many contacts hold this value (fetched once per run and value)."""
        term = f"{kind}:{value}"
        if term not in self.loaded:
            self.prefetch([term])
        return self.counts[kind].get(value, 0)

    def _measure_pairing(self) -> float:
        """The name-pairing factor, kept in the store and measured again as it grows 2%.

        Measuring reads every stored given, family and full name count (three aggregate
        queries), so a steady sync takes the kept value.
        """
        n = float(self.total)
        if n < 100:
            return 1.0
        c = identity_terms.c
        crm = self.index.crm
        with self.index.store.engine.connect() as conn:
            kept = dict(
                conn.execute(
                    select(c.term, c.count).where(c.crm == crm, c.term.in_(PAIRING_TERMS))
                ).all()
            )
        if kept.get(PAIRING_AT) and abs(kept[PAIRING_AT] - n) <= 0.02 * n:
            return kept.get(PAIRING, 1000) / 1000
        pairs = n * (n - 1)
        same: dict[str, float] = {}
        with self.index.store.engine.begin() as conn:
            for kind in ("first", "last", "name"):
                query = select(func.sum(c.count * (c.count - 1))).where(
                    c.crm == crm, c.term.like(f"{kind}:%"), c.count > 1
                )
                same[kind] = float(conn.scalar(query) or 0) / pairs
            factor = 1.0
            if all(same.values()):
                factor = min(max(same["name"] / (same["first"] * same["last"]), 1.0), 1000.0)
            rows = [
                {"crm": crm, "term": PAIRING, "count": round(factor * 1000)},
                {"crm": crm, "term": PAIRING_AT, "count": int(n)},
            ]
            if not self.index.store.read_only:
                upsert(conn, identity_terms, rows, ["crm", "term"])
        return factor

    def prefetch(self, terms: Iterable[str]) -> None:
        """Read the counts of these terms in one query per thousand."""
        wanted = [t for t in dict.fromkeys(terms) if t not in self.loaded]
        if not wanted:
            return
        with self.index.store.engine.connect() as conn:
            for part in chunks(wanted, 900):
                query = select(identity_terms.c.term, identity_terms.c.count).where(
                    identity_terms.c.crm == self.index.crm, identity_terms.c.term.in_(part)
                )
                for term, n in conn.execute(query):
                    kind, _, value = term.partition(":")
                    if kind in self.counts:
                        self.counts[kind][value] = n
        self.loaded.update(wanted)


class StoredIndex:
    """The matcher's contact index, kept in the state store for one CRM."""

    def __init__(
        self, store: StateStore, crm: str, default_region: str = "US", max_block: int = 50
    ) -> None:
        self.store = store
        self.crm = crm[:32]
        self.default_region = default_region
        self.max_block = max_block
        self.tf = StoredTerms(self)
        # A dry run (read-only store) keeps its changes here, over the stored index.
        self.overlay = ContactIndex(default_region, max_block)
        self._records: dict[str, ContactRecord] = {}
        self._size: int | None = None
        self._found: dict[str, list[str]] = {}  # a batch's key lookups (``prefetch``)

    # --- reads ----------------------------------------------------------------------------

    def __len__(self) -> int:
        if self._size is None:
            with self.store.engine.connect() as conn:
                self._size = int(conn.scalar(self._term_query(TOTAL)) or 0)
            self.tf.total = self._size + len(self.overlay)
        return self._size + len(self.overlay)

    def _term_query(self, term: str):  # type: ignore[no-untyped-def]
        return select(identity_terms.c.count).where(
            identity_terms.c.crm == self.crm, identity_terms.c.term == term
        )

    def record(self, contact_id: str) -> ContactRecord | None:
        """One contact's prepared record."""
        if contact_id in self.overlay.records:
            return self.overlay.records[contact_id]
        if contact_id not in self._records:
            self.records_of([contact_id])
        return self._records.get(contact_id)

    def records_of(self, ids: Sequence[str]) -> list[ContactRecord]:
        """Prepared records of these contacts (cached for the run)."""
        missing = [i for i in dict.fromkeys(ids) if i not in self._records]
        if missing:
            with self.store.engine.connect() as conn:
                for part in chunks(missing, 900):
                    query = select(identity_records.c.contact_id, identity_records.c.data).where(
                        identity_records.c.crm == self.crm,
                        identity_records.c.contact_id.in_(part),
                    )
                    for cid, data in conn.execute(query):
                        self._records[cid] = ContactRecord.from_json(json.loads(data))
        if len(self._records) > 50000:  # bounded: keep the cache to what batches touch
            self._records = {i: self._records[i] for i in ids if i in self._records}
        return [self._records[i] for i in ids if i in self._records]

    def ids(self, key: str) -> list[str]:
        """The contacts filed under one key."""
        if key in self._found and key.startswith(EXACT_PREFIXES):
            return self._found[key]
        return self.lookup([key], exact_only=True).get(key, [])

    def prefetch(self, keys: set[str]) -> None:
        """Look up a whole batch's keys, records and term counts in a few queries."""
        found = self.lookup(sorted(keys))
        self._found = {k: found.get(k, []) for k in keys}
        records = self.records_of(sorted({i for ids in found.values() for i in ids}))
        self.tf.prefetch(t for rec in records for t in terms_of(rec))
        len(self)

    def lookup(self, keys: Sequence[str], exact_only: bool = False) -> dict[str, list[str]]:
        """Contact ids per key; blocking keys held by more than ``max_block`` are skipped."""
        hashes = {key_hash(k): k for k in keys}
        found: dict[str, list[str]] = {}
        with self.store.engine.connect() as conn:
            for part in chunks(list(hashes), 900):
                counts = conn.execute(
                    select(identity_keys.c.key, func.count())
                    .where(identity_keys.c.crm == self.crm, identity_keys.c.key.in_(part))
                    .group_by(identity_keys.c.key)
                ).all()
                usable = [
                    h
                    for h, n in counts
                    if hashes[h].startswith(EXACT_PREFIXES)
                    or (not exact_only and n <= self.max_block)
                ]
                for sub in chunks(usable, 900):
                    query = select(identity_keys.c.key, identity_keys.c.contact_id).where(
                        identity_keys.c.crm == self.crm, identity_keys.c.key.in_(sub)
                    )
                    for h, cid in conn.execute(query):
                        if cid not in self.overlay.records:
                            found.setdefault(hashes[h], []).append(cid)
        for key in keys:
            if self.overlay.ids(key):
                found.setdefault(key, []).extend(self.overlay.ids(key))
        return found

    def candidates(self, keys: set[str], limit: int = 300) -> list[ContactRecord]:
        """Contacts sharing a key with the author (exact keys first)."""
        if keys <= self._found.keys():
            found = {k: self._found[k] for k in keys if self._found[k]}
        else:
            found = self.lookup(sorted(keys))
        ordered = sorted(found, key=lambda k: (not k.startswith(EXACT_PREFIXES), k))
        seen: dict[str, None] = {}
        for key in ordered:
            seen.update(dict.fromkeys(found[key]))
            if len(seen) >= limit:
                break
        records = self.records_of(list(seen))
        self.tf.prefetch(t for rec in records for t in terms_of(rec))
        len(self)
        return records

    # --- writes ---------------------------------------------------------------------------

    def apply(self, contacts: Sequence[Contact], conn: Connection | None = None) -> None:
        """File changed contacts (replacing their earlier versions) in one transaction."""
        if not contacts:
            return
        if self.store.read_only:
            for contact in contacts:
                self.overlay.add(contact)
            self.overlay.tf = self.tf
            return
        if conn is None:
            with self.store.engine.begin() as own:
                self._apply(own, contacts)
        else:
            self._apply(conn, contacts)
        self._size = None
        self._found = {}
        self.tf.loaded.clear()
        for contact in contacts:
            self._records.pop(contact.id, None)

    def _apply(self, conn: Connection, contacts: Sequence[Contact]) -> None:
        latest = {c.id: c for c in contacts}
        old = self._stored(conn, list(latest))
        terms: Counter[str] = Counter()
        gone: list[dict[str, object]] = []
        for rec in old.values():
            terms.subtract(terms_of(rec))
            terms[TOTAL] -= 1
            gone += [{"k": key_hash(k), "c": rec.id} for k in contact_keys(rec)]
        records, keys = [], []
        for contact in latest.values():
            rec = prepare_contact(contact, self.default_region)
            records.append({"crm": self.crm, "contact_id": rec.id, "data": _dump(rec)})
            keys += [
                {"crm": self.crm, "key": h, "contact_id": rec.id}
                for h in {key_hash(k) for k in contact_keys(rec)}
            ]
            terms.update(terms_of(rec))
            terms[TOTAL] += 1
        for part in chunks(gone, 400):
            pairs = [(g["k"], g["c"]) for g in part]
            conn.execute(
                delete(identity_keys).where(
                    and_(
                        identity_keys.c.crm == self.crm,
                        tuple_(identity_keys.c.key, identity_keys.c.contact_id).in_(pairs),
                    )
                )
            )
        upsert(conn, identity_records, records, ["crm", "contact_id"])
        upsert(conn, identity_keys, keys, ["crm", "key", "contact_id"], update_columns=[])
        changes = [{"crm": self.crm, "term": t, "count": n} for t, n in sorted(terms.items()) if n]
        upsert(conn, identity_terms, changes, ["crm", "term"], increments=["count"])

    def _stored(self, conn: Connection, ids: list[str]) -> dict[str, ContactRecord]:
        out: dict[str, ContactRecord] = {}
        for part in chunks(ids, 900):
            query = select(identity_records.c.contact_id, identity_records.c.data).where(
                identity_records.c.crm == self.crm, identity_records.c.contact_id.in_(part)
            )
            for cid, data in conn.execute(query):
                out[cid] = ContactRecord.from_json(json.loads(data))
        return out

    def clear(self, conn: Connection) -> None:
        """Forget the whole index of this CRM (the mirror is being rebuilt)."""
        for table in (identity_keys, identity_records, identity_terms):
            conn.execute(delete(table).where(table.c.crm == self.crm))
        self._size = None


def _dump(rec: ContactRecord) -> str:
    return json.dumps(rec.to_json(), ensure_ascii=False, separators=(",", ":"))


def erase_contact(conn: Connection, contact_id: str) -> int:
    """Remove one contact from every CRM's identity index (``forget``); rows removed."""
    query = select(identity_records.c.crm, identity_records.c.data).where(
        identity_records.c.contact_id == contact_id
    )
    removed = 0
    for crm, data in conn.execute(query).all():
        rec = ContactRecord.from_json(json.loads(data))
        pairs = [(key_hash(k), contact_id) for k in contact_keys(rec)]
        conn.execute(
            delete(identity_keys).where(
                identity_keys.c.crm == crm,
                tuple_(identity_keys.c.key, identity_keys.c.contact_id).in_(pairs),
            )
        )
        terms = Counter({t: -1 for t in terms_of(rec)})
        terms[TOTAL] = -1
        rows = [{"crm": crm, "term": t, "count": n} for t, n in sorted(terms.items())]
        upsert(conn, identity_terms, rows, ["crm", "term"], increments=["count"])
        removed += conn.execute(
            delete(identity_records).where(
                identity_records.c.crm == crm, identity_records.c.contact_id == contact_id
            )
        ).rowcount
    return removed
