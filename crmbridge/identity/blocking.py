"""Candidate generation: an in-memory contact index with exact keys and blocking keys.

A pair is only compared when the author and the contact share a blocking key (a phonetic
full name, an initial plus phonetic surname, a handle-shaped name, an email local part, a
surname plus city), so cost grows with candidates, not with contacts x authors. Keys shared
by more than ``max_block`` contacts are too common to say anything and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import jellyfish

from crmbridge.identity.normalize import (
    email_candidate_key,
    email_key,
    fold,
    handle_key,
    name_tokens,
    nickname_forms,
    personal_domain,
    phone_e164,
)
from crmbridge.models import Contact

_NOT_LETTERS = re.compile(r"[^a-z]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def phonetic(token: str) -> str:
    """A phonetic key of one folded name token (metaphone; the token when it has none)."""
    try:
        return jellyfish.metaphone(token) or token
    except Exception:
        return token


def letters(value: str | None) -> str:
    """Only the ASCII letters of a folded value (``jane.doe_88`` → ``janedoe``)."""
    return _NOT_LETTERS.sub("", fold(value))


def alnum(value: str | None) -> str:
    """Only the ASCII letters and digits of a folded value (``jane.doe_88`` → ``janedoe88``)."""
    return _NOT_ALNUM.sub("", fold(value))


def name_shapes(first: str, last: str) -> set[str]:
    """Handle and email-local shapes people derive from a name (janedoe, jdoe, doejane ...)."""
    if not first or not last:
        return {first or last} - {""}
    return {first + last, first[0] + last, last + first, first + last[0], last + first[0]}


@dataclass
class ContactRecord:
    """A contact's match fields, normalised once."""

    contact: Contact
    first: str
    last: str
    tokens: list[str]
    email: str | None
    email_loose: str | None
    email_local: str
    email_tag: str
    domain: str | None
    phone: str | None
    city: str
    handles: dict[str, str]
    shapes: set[str] = field(default_factory=set)
    # Every exact email key: the main address and the further ones (normalised once).
    emails: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        """The CRM contact id."""
        return self.contact.id


def prepare_contact(contact: Contact, default_region: str = "US") -> ContactRecord:
    """Normalise one contact's match fields."""
    first_tokens = name_tokens(contact.first_name)
    last_tokens = name_tokens(contact.last_name)
    first = first_tokens[0] if first_tokens else ""
    last = "".join(last_tokens)
    email = email_key(contact.email)
    return ContactRecord(
        contact=contact,
        first=first,
        last=last,
        tokens=[*first_tokens, *last_tokens],
        email=email,
        email_loose=email_candidate_key(email),
        email_local=letters(email.rpartition("@")[0]) if email else "",
        email_tag=_tag(email, letters(first), letters(last)),
        domain=personal_domain(email.rpartition("@")[2]) if email else None,
        phone=phone_e164(contact.phone, contact.country or default_region),
        city=fold(contact.city),
        handles={p: h for p, h in ((p, handle_key(v)) for p, v in contact.handles.items()) if h},
        shapes=name_shapes(letters(first), letters(last)),
        emails=frozenset(k for k in (email, *(email_key(e) for e in contact.other_emails)) if k),
    )


def _tag(email: str | None, first: str, last: str) -> str:
    """An email local part that says more than the name (digits, a nickname); else ''."""
    if not email:
        return ""
    local = alnum(email.rpartition("@")[0])
    return "" if len(local) < 4 or local in name_shapes(first, last) else local


def contact_block_keys(rec: ContactRecord) -> set[str]:
    """The blocking keys a contact is filed under."""
    keys: set[str] = set()
    if rec.first and rec.last:
        pf, pl = phonetic(rec.first), phonetic(rec.last)
        keys.add("nn:" + "|".join(sorted((pf, pl))))
        keys.add(f"fi:{rec.first[0]}|{pl}")
    if rec.last and rec.city:
        keys.add(f"lc:{rec.last}|{rec.city}")
    keys.update("hs:" + s for s in rec.shapes if len(s) >= 4)
    keys.update("hs:" + letters(h) for h in rec.handles.values() if len(letters(h)) >= 4)
    if len(rec.email_local) >= 4:
        keys.add("hs:" + rec.email_local)
    if rec.email_tag:
        keys.add("tg:" + rec.email_tag)
    # A handle with its digits is as telling as an address tag: an author whose handle is
    # a contact's handle elsewhere must meet that contact too, not only an address twin.
    keys.update("tg:" + alnum(h) for h in rec.handles.values() if len(alnum(h)) >= 4)
    if rec.domain:
        keys.add("dm:" + rec.domain)
    return keys


def author_block_keys(
    tokens: list[str], handle: str | None, location: str, domains: Iterable[str]
) -> set[str]:
    """The blocking keys to look an author up under."""
    keys: set[str] = set()
    if len(tokens) >= 2:
        firsts = nickname_forms(tokens[0]) | {tokens[0]}
        for a, b in ((tokens[0], tokens[-1]), (tokens[-1], tokens[0])):
            keys.add("nn:" + "|".join(sorted((phonetic(a), phonetic(b)))))
        for form in firsts:
            keys.add(f"fi:{form[:1]}|{phonetic(tokens[-1])}")
        keys.add(f"fi:{tokens[-1][:1]}|{phonetic(tokens[0])}")
        if location:
            for word in (tokens[-1], tokens[0]):
                keys.update(f"lc:{word}|{part}" for part in _places(location))
    compact = letters(handle)
    if len(compact) >= 4:
        keys.add("hs:" + compact)
    if len(alnum(handle)) >= 4:
        keys.add("tg:" + alnum(handle))
    keys.update("dm:" + d for d in domains)
    return keys


def _places(location: str) -> set[str]:
    """The city candidates in a free-text location ("Leeds, UK" → leeds, uk, leeds uk)."""
    parts = {fold(p) for p in re.split(r"[,/|•·-]", location)}
    return {p for p in parts if p} | {fold(location)}


class ContactIndex:
    """Contacts held in memory, with exact-key maps and blocking-key postings."""

    def __init__(self, default_region: str = "US", max_block: int = 50) -> None:
        self.default_region = default_region
        self.max_block = max_block
        self.records: dict[str, ContactRecord] = {}
        self.by_email: dict[str, set[str]] = {}
        self.by_phone: dict[str, set[str]] = {}
        self.by_handle: dict[tuple[str, str], set[str]] = {}
        self.blocks: dict[str, list[str]] = {}

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

    def add(self, contact: Contact) -> None:
        """File one contact (a contact seen again replaces its earlier version)."""
        if contact.id in self.records:
            self.remove(contact.id)
        rec = prepare_contact(contact, self.default_region)
        self.records[rec.id] = rec
        for email in rec.emails:
            self.by_email.setdefault(email, set()).add(rec.id)
        if rec.phone:
            self.by_phone.setdefault(rec.phone, set()).add(rec.id)
        for platform, handle in rec.handles.items():
            self.by_handle.setdefault((platform, handle), set()).add(rec.id)
        for key in contact_block_keys(rec):
            self.blocks.setdefault(key, []).append(rec.id)

    def remove(self, contact_id: str) -> None:
        """Forget one contact."""
        rec = self.records.pop(contact_id, None)
        if rec is None:
            return
        for email in rec.emails:
            self.by_email.get(email, set()).discard(contact_id)
        if rec.phone:
            self.by_phone.get(rec.phone, set()).discard(contact_id)
        for platform, handle in rec.handles.items():
            self.by_handle.get((platform, handle), set()).discard(contact_id)
        for key in contact_block_keys(rec):
            posting = self.blocks.get(key, [])
            if contact_id in posting:
                posting.remove(contact_id)

    def namesakes(self, contact_id: str) -> int:
        """How many contacts share this contact's (phonetic) full name, itself included."""
        rec = self.records.get(contact_id)
        if rec is None or not (rec.first and rec.last):
            return 1
        key = "nn:" + "|".join(sorted((phonetic(rec.first), phonetic(rec.last))))
        return len(self.blocks.get(key, ())) or 1

    def candidates(self, keys: Iterable[str], limit: int = 200) -> list[ContactRecord]:
        """Contacts sharing a blocking key, skipping keys too common to tell anyone apart."""
        seen: dict[str, None] = {}
        for key in sorted(keys):
            posting = self.blocks.get(key)
            if not posting or len(posting) > self.max_block:
                continue
            seen.update(dict.fromkeys(posting))
            if len(seen) >= limit:
                break
        return [self.records[i] for i in seen if i in self.records]
