"""What is compared: a contact's prepared match values, an author's evidence, and a pair's levels.

Each side is normalised once: ``prepare_contact`` (the CRM's row) and ``Identity.of`` (a
social author, with the texts they wrote). ``compare`` grades one pair field by field into
discrete levels and names the values behind each, for the model, the review queue and the
audit trail. Frequencies of the values compared (how common a given name, a family name, a
city or a company domain is among the contacts) come from ``TermFrequencies``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crmbridge.identity.names import phonetic, shapes, split_name
from crmbridge.identity.normalize import (
    domains_in,
    email_candidate_key,
    email_key,
    emails_in,
    handle_key,
    name_tokens,
    national_forms,
    personal_domain,
    phone_e164,
    phone_national,
    phone_tail,
    someone_elses,
)
from crmbridge.identity.places import city_key, countries_in, country_code, places_in
from crmbridge.models import Author, Contact

_NOT_LETTERS = re.compile(r"[^a-z]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
# A run of digits, spaces and phone punctuation long enough to be a number in free text.
_PHONE_IN_TEXT = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{5,20}\d(?!\w)")


def letters(value: str | None) -> str:
    """Only the ASCII letters of a handle or address part (``jane.doe_88`` → ``janedoe``)."""
    return _NOT_LETTERS.sub("", (value or "").lower())


def alnum(value: str | None) -> str:
    """Only the ASCII letters and digits (``jane.doe_88`` → ``janedoe88``)."""
    return _NOT_ALNUM.sub("", (value or "").lower())


@dataclass
class ContactRecord:
    """A contact's match values, normalised once (and stored so in the persisted index)."""

    id: str
    name: str
    given: list[str]
    family: list[str]
    email: str | None = None
    emails: list[str] = field(default_factory=list)
    email_loose: str | None = None
    email_tag: str = ""
    email_local: str = ""
    domain: str | None = None
    phone: str | None = None
    phone_national: str | None = None
    phone_digits: str | None = None
    city: str = ""
    country: str | None = None
    handles: dict[str, str] = field(default_factory=dict)
    shapes: dict[str, str] = field(default_factory=dict)

    @property
    def first(self) -> str:
        """The first given name token ('' when none)."""
        return self.given[0] if self.given else ""

    @property
    def phone_keys(self) -> set[str]:
        """The national number and the digits as written (for numbers no parser reads)."""
        keys = {k for k in (self.phone_national, self.phone_digits) if k}
        return keys | {t for t in (phone_tail(k) for k in keys) if t}

    @property
    def last(self) -> str:
        """The family name as one token ('' when none)."""
        return "".join(self.family)

    def to_json(self) -> dict[str, Any]:
        """The stored form (plain JSON)."""
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", [], {})}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContactRecord:
        """A record read back from its stored form."""
        return cls(**{"name": "", "given": [], "family": [], **data})


def prepare_contact(contact: Contact, default_region: str = "US") -> ContactRecord:
    """Normalise one contact's match fields."""
    given, family = split_name(contact.first_name, contact.last_name)
    email = email_key(contact.email)
    emails = [k for k in (email, *(email_key(e) for e in contact.other_emails)) if k]
    country = country_code(contact.country) or country_code(default_region)
    local = email.rpartition("@")[0] if email else ""
    name_shapes = shapes(given, family)
    tag = alnum(local)
    return ContactRecord(
        id=contact.id,
        name=" ".join(p for p in (contact.first_name, contact.last_name) if p),
        given=given,
        family=family,
        email=email,
        emails=list(dict.fromkeys(emails)),
        email_loose=email_candidate_key(email),
        email_tag="" if len(tag) < 4 or tag in name_shapes else tag,
        email_local=letters(local),
        domain=personal_domain(email.rpartition("@")[2]) if email else None,
        phone=phone_e164(contact.phone, country),
        phone_national=phone_national(contact.phone, country) if contact.phone else None,
        phone_digits=_digits(contact.phone),
        city=city_key(contact.city),
        country=country,
        handles={p: h for p, h in ((p, handle_key(v)) for p, v in contact.handles.items()) if h},
        shapes=name_shapes,
    )


@dataclass
class Identity:
    """One social identity's evidence, normalised once."""

    key: str
    platform: str
    handle: str | None = None
    tokens: list[str] = field(default_factory=list)
    raw_name: str | None = None
    location: str = ""
    places: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    email: str | None = None
    phone: str | None = None
    phone_nationals: list[str] = field(default_factory=list)
    text_emails: list[str] = field(default_factory=list)
    text_phones: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    # Handles the author names as their own elsewhere ("also @jane.doe on insta").
    other_handles: list[str] = field(default_factory=list)
    bio_handles: list[str] = field(default_factory=list)  # the author's other accounts
    loose_emails: set[str] = field(default_factory=set)
    text_loose: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute the derived keys after the evidence changed."""
        self.loose_emails = {k for k in (email_candidate_key(self.email),) if k}
        self.text_loose = {k for k in (email_candidate_key(e) for e in self.text_emails) if k}
        self.places = places_in(self.location)
        self.countries = countries_in(self.location)

    @classmethod
    def of(
        cls, platform: str, author: Author, texts: Sequence[str] = (), region: str = "US"
    ) -> Identity:
        """Collect the evidence an author object (and the texts they wrote) show."""
        free = [author.bio or "", *texts]
        domains = [personal_domain(author.website), personal_domain(author.profile_url)]
        for text in free:
            domains.extend(domains_in(text))
        phone = author.phone if author.phone and len(author.phone) <= 64 else None
        written = phone and phone.strip().startswith(("+", "00"))
        return cls(
            key=f"{platform}:{author.id}",
            platform=platform,
            handle=handle_key(author.handle),
            tokens=name_tokens(author.name),
            raw_name=author.name,
            location=(author.location or "")[:300],
            email=email_key(author.email),
            phone=phone_e164(phone, region) if written else None,
            phone_nationals=national_forms(phone),
            text_emails=[e for t in free for e in emails_in(t)],
            text_phones=list(dict.fromkeys(n for t in free for n in phones_written(t))),
            domains=list(dict.fromkeys(d for d in domains if d)),
            other_handles=[h for t in free for h in handles_in(t)],
            bio_handles=handles_in(author.bio),
        )

    def merge(self, other: Identity) -> Identity:
        """Pool the evidence two sightings of one identity show."""
        self.text_emails = list(dict.fromkeys([*self.text_emails, *other.text_emails]))
        self.text_phones = list(dict.fromkeys([*self.text_phones, *other.text_phones]))
        self.domains = list(dict.fromkeys([*self.domains, *other.domains]))
        self.other_handles = list(dict.fromkeys([*self.other_handles, *other.other_handles]))
        self.bio_handles = list(dict.fromkeys([*self.bio_handles, *other.bio_handles]))
        self.email, self.phone = self.email or other.email, self.phone or other.phone
        self.phone_nationals = self.phone_nationals or other.phone_nationals
        self.tokens = self.tokens or other.tokens
        self.raw_name = self.raw_name or other.raw_name
        self.location = self.location or other.location
        self.handle = self.handle or other.handle
        self.refresh()
        return self


_HANDLE_IN_TEXT = re.compile(r"(?<![\w@.])@([a-z0-9_.]{3,30})(?![\w@])", re.IGNORECASE)


def handles_in(text: str | None) -> list[str]:
    """@handles a person writes as their own in free text (not someone else's, not a brand)."""
    if not text:
        return []
    text = text[:5000]
    found = (
        m.group(1).lower().rstrip(".")
        for m in _HANDLE_IN_TEXT.finditer(text)
        if not someone_elses(text, m.start())
    )
    return list(dict.fromkeys(found))


def _digits(phone: str | None) -> str | None:
    """A phone's digits as written, trunk zeros off (None when too short to tell anyone)."""
    digits = re.sub(r"\D", "", phone or "").lstrip("0")
    return digits if 7 <= len(digits) <= 15 else None


def phones_written(text: str | None) -> list[str]:
    """National numbers of the phone-shaped runs in free text (any country's format)."""
    if not text:
        return []
    out: list[str] = []
    text = text[:20000]
    for match in _PHONE_IN_TEXT.finditer(text):
        if not someone_elses(text, match.start()):
            out.extend(national_forms(match.group(0)))
    return out


class TermFrequencies:
    """How common each compared value is among the contacts (the u side of the model).

    Counts are smoothed toward population-wide rates, so a small CRM does not take the one
    "Jane" it holds for a rare name: ``(count + K·p0) / (N + K)``.
    """

    K = 2000.0
    P0 = {"first": 1 / 400, "last": 1 / 2500, "lastp": 1 / 1500, "city": 1 / 150,
          "country": 1 / 10, "domain": 1 / 50000, "initial": 1 / 18, "name": 1 / 10**6,
          "lastcity": 1 / 10**6, "firstcity": 1 / 10**6}  # fmt: skip
    # Pseudo-contacts behind a family name's own places (see :meth:`city_given_family`).
    PLACE_PRIOR = 4.0

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {k: Counter() for k in self.P0}
        self.total = 0
        self._pairing: tuple[int, float] | None = None

    @staticmethod
    def values(rec: ContactRecord) -> list[tuple[str, str]]:
        """The (kind, value) pairs one contact adds to the counts."""
        out = [("first", rec.first), ("initial", rec.first[:1])] if rec.first else []
        out += [("last", t) for t in rec.family] + [("lastp", phonetic(t)) for t in rec.family]
        if rec.first and rec.last:
            out.append(("name", f"{rec.first}|{rec.last}"))
        if rec.city:
            out.append(("city", rec.city))
            out += [("lastcity", f"{t}|{rec.city}") for t in rec.family]
            if rec.first:
                out.append(("firstcity", f"{rec.first}|{rec.city}"))
        if rec.country:
            out.append(("country", rec.country))
        if rec.domain:
            out.append(("domain", rec.domain))
        return out

    def add(self, rec: ContactRecord, sign: int = 1) -> None:
        """Count (or, with ``sign=-1``, uncount) one contact."""
        self.total += sign
        for kind, value in self.values(rec):
            self.counts[kind][value] += sign

    def count(self, kind: str, value: str) -> int:
        """How many contacts hold this value."""
        return self.counts[kind].get(value, 0)

    def u(self, kind: str, value: str) -> float:
        """The chance a random person shows this value."""
        return (self.count(kind, value) + self.K * self.P0[kind]) / (self.total + self.K)

    def name_pairing(self) -> float:
        """How much likelier a full name is than its given and family names' rates multiply to.

        Given and family names are not independent (a Nguyen is far likelier to be a Minh
        than a Hans is), so ``u(first) · u(last)`` makes every name look rarer than it is.
        The factor is measured on the contacts: the chance that two of them share the full
        name, over the chance they share the given name times the family name.
        """
        if self._pairing is None or self._pairing[0] != self.total:
            self._pairing = (self.total, self._measure_pairing())
        return self._pairing[1]

    def _measure_pairing(self) -> float:
        def same(kind: str) -> float:
            return float(sum(c * (c - 1) for c in self.counts[kind].values() if c > 1))

        n = float(self.total)
        if n < 100:
            return 1.0
        pairs = n * (n - 1)
        first, last, full = same("first") / pairs, same("last") / pairs, same("name") / pairs
        if not first or not last or not full:
            return 1.0
        return min(max(full / (first * last), 1.0), 1000.0)

    def city_given_family(self, rec: ContactRecord) -> float:
        """The chance that someone else of this contact's name lives in its city.

        Names and places are not independent (a García is likelier in Madrid than in Oslo,
        a Jan in Eindhoven than a John), so a namesake agreeing on the city is less
        surprising than the city's own share says. From the other contacts of the family
        name (the one with the most holders) and of the given name, each smoothed toward
        the city's share, ``(n_name_city - 1 + K·u_city) / (n_name - 1 + K)``; the larger.
        """
        city = self.u("city", rec.city)
        best = city
        k = self.PLACE_PRIOR
        names = [("first", "firstcity", rec.first)] if rec.first else []
        if rec.family:
            family = max(rec.family, key=lambda t: self.count("last", t))
            names.append(("last", "lastcity", family))
        for kind, joint, name in names:
            others = max(self.count(kind, name) - 1, 0)
            here = max(self.count(joint, f"{name}|{rec.city}") - 1, 0)
            best = max(best, (here + k * city) / (others + k))
        return best

    def update(self, counts: Iterable[tuple[str, str, int]], total: int) -> None:
        """Load counts kept elsewhere (the persisted index)."""
        for kind, value, n in counts:
            self.counts[kind][value] = n
        self.total = total
