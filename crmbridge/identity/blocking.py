"""Candidate generation: which contacts an author is compared with, and the in-memory index.

A pair is compared only when the author and the contact share a key: an exact key (an
email, a phone in E.164 or as a national number, a handle on the platform, a loose email
form) or a blocking key (a phonetic full name, an initial with the family name, a family
name with a city, a full name with a city, a handle-shaped name, an address tag, a company
domain). Blocking keys held by more than ``max_block`` contacts say too little to look
under; exact keys are always looked up. Every index — this in-memory one for ``crmbridge
match`` and the persisted one in the state store — files the same keys (``contact_keys``).
"""

from __future__ import annotations

from collections.abc import Iterable

from crmbridge.identity.features import (
    ContactRecord,
    Identity,
    TermFrequencies,
    alnum,
    letters,
    prepare_contact,
)
from crmbridge.identity.names import given_forms, phonetic
from crmbridge.models import Contact

EXACT_PREFIXES = ("em:", "lo:", "ph:", "nt:", "hd:", "ha:")


def contact_keys(rec: ContactRecord) -> set[str]:
    """Every key a contact is filed under: exact ones first, then blocking keys."""
    keys = {"em:" + e for e in rec.emails}
    if rec.email_loose:
        keys.add("lo:" + rec.email_loose)
    if rec.phone:
        keys.add("ph:" + rec.phone)
    keys.update("nt:" + k for k in rec.phone_keys)
    keys.update(f"hd:{p}:{h}" for p, h in rec.handles.items())
    keys.update(f"ha:{h}" for h in rec.handles.values())
    first = rec.first
    for last in rec.family:
        pl = phonetic(last)
        if first:
            keys.add("nn:" + "|".join(sorted((phonetic(first), pl))))
            keys.add(f"fi:{first[0]}|{pl}")
            if rec.city:
                keys.add(f"nc:{phonetic(first)}|{pl}|{rec.city}")
        if rec.city:
            keys.add(f"lc:{pl}|{rec.city}")
    if first and rec.city:
        keys.add(f"gc:{phonetic(first)}|{rec.city}")  # a family name misspelt, in one city
    keys.update("hs:" + s for s in rec.shapes)
    keys.update("hs:" + letters(h) for h in rec.handles.values() if len(letters(h)) >= 4)
    if len(rec.email_local) >= 4:
        keys.add("hs:" + rec.email_local)
    if rec.email_tag:
        keys.add("tg:" + rec.email_tag)
    keys.update("tg:" + alnum(h) for h in rec.handles.values() if len(alnum(h)) >= 4)
    if rec.domain:
        keys.add("dm:" + rec.domain)
    return keys


def author_keys(ident: Identity) -> set[str]:
    """The keys to look an author up under (exact keys included)."""
    keys: set[str] = set()
    for email in {ident.email, *ident.text_emails} - {None}:
        keys.add(f"em:{email}")
    keys.update("lo:" + e for e in ident.loose_emails | ident.text_loose)
    if ident.phone:
        keys.add("ph:" + ident.phone)
    keys.update("nt:" + n for n in {*ident.phone_nationals, *ident.text_phones})
    if ident.handle:
        keys.add(f"hd:{ident.platform}:{ident.handle}")
    keys.update(f"ha:{h}" for h in {ident.handle, *ident.other_handles} - {None})
    keys.update(_name_keys(ident))
    compact = letters(ident.handle)
    if len(compact) >= 4:
        keys.add("hs:" + compact)
    if len(alnum(ident.handle)) >= 4:
        keys.add("tg:" + alnum(ident.handle))
    keys.update("dm:" + d for d in ident.domains)
    return keys


def _name_keys(ident: Identity) -> set[str]:
    tokens = [t for t in ident.tokens if len(t) > 1][:4]
    keys: set[str] = set()
    cities = [p for p in ident.places if len(p) >= 3][:12]
    for i, a in enumerate(tokens):
        for b in tokens[i + 1 :]:
            for given, family in ((a, b), (b, a)):
                pf = phonetic(family)
                forms = {given, *list(given_forms(given))[:12]}
                for form in forms:
                    keys.add("nn:" + "|".join(sorted((phonetic(form), pf))))
                    keys.update(f"nc:{phonetic(form)}|{pf}|{c}" for c in cities)
                keys.add(f"fi:{given[0]}|{pf}")
    for given in tokens:
        keys.update(f"gc:{phonetic(given)}|{c}" for c in cities)
    initials = [t for t in ident.tokens if len(t) == 1]
    for family in tokens:
        pf = phonetic(family)
        keys.update(f"fi:{i}|{pf}" for i in initials)
        keys.update(f"lc:{pf}|{c}" for c in cities)
    return keys


class ContactIndex:
    """Contacts held in memory: records, key postings and term frequencies."""

    def __init__(self, default_region: str = "US", max_block: int = 50) -> None:
        self.default_region = default_region
        self.max_block = max_block
        self.records: dict[str, ContactRecord] = {}
        self.postings: dict[str, list[str]] = {}
        self.tf = TermFrequencies()

    @classmethod
    def build(
        cls, contacts: Iterable[Contact], default_region: str = "US", max_block: int = 50
    ) -> ContactIndex:
        """An index over every contact the iterator yields."""
        index = cls(default_region, max_block)
        for contact in contacts:
            index.add(contact)
        return index

    def __len__(self) -> int:
        return len(self.records)

    def add(self, contact: Contact | ContactRecord) -> None:
        """File one contact (a contact seen again replaces its earlier version)."""
        rec = (
            contact
            if isinstance(contact, ContactRecord)
            else prepare_contact(contact, self.default_region)
        )
        if rec.id in self.records:
            self.remove(rec.id)
        self.records[rec.id] = rec
        self.tf.add(rec)
        for key in contact_keys(rec):
            self.postings.setdefault(key, []).append(rec.id)

    def remove(self, contact_id: str) -> None:
        """Forget one contact."""
        rec = self.records.pop(contact_id, None)
        if rec is None:
            return
        self.tf.add(rec, -1)
        for key in contact_keys(rec):
            posting = self.postings.get(key, [])
            if contact_id in posting:
                posting.remove(contact_id)

    def record(self, contact_id: str) -> ContactRecord | None:
        """One contact's record (None when not indexed)."""
        return self.records.get(contact_id)

    def ids(self, key: str) -> list[str]:
        """The contacts filed under one key."""
        return self.postings.get(key, [])

    def candidates(self, keys: Iterable[str], limit: int = 300) -> list[ContactRecord]:
        """Contacts sharing a key: every exact hit, then blocks not too common to tell."""
        seen: dict[str, None] = {}
        ordered = sorted(keys, key=lambda k: (not k.startswith(EXACT_PREFIXES), k))
        for key in ordered:
            posting = self.postings.get(key)
            if not posting:
                continue
            if not key.startswith(EXACT_PREFIXES) and len(posting) > self.max_block:
                continue
            seen.update(dict.fromkeys(posting))
            if len(seen) >= limit:
                break
        return [self.records[i] for i in seen if i in self.records]
