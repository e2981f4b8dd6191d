"""Seeded social identity data: a CRM's contacts and the social authors to match to them.

``generate(n_contacts, n_authors, seed)`` returns ``(contacts, authors, truth, classes)``:

- ``contacts``: CSV-ready rows with ``id, first_name, last_name, email, phone, city,
  country, x_handle, instagram_handle`` (the ``crmbridge match`` contract);
- ``authors``: ``{"platform", "author": {id, handle, name, location, bio, website, email,
  phone, profile_url}, "text"}`` records, one per message (a quarter of the authors write
  two or three, a few records apart);
- ``truth``: identity key (``platform:author id``) -> contact id, or ``None`` for someone
  not in the CRM (about a third);
- ``classes``: identity key -> the evidence class that genuinely links the author
  (:data:`IN_CRM_CLASSES`) or what kind of stranger they are (:data:`STRANGER_CLASSES`).

People come from twenty culture groups with Zipf-skewed names; see
:mod:`crmbridge.testing.identity_people` for the CRM side and
:mod:`crmbridge.testing.identity_authors` for the social side. Strangers never own a CRM
contact's email, phone or handle, except when they quote one in a bio ("agent: ...");
three in ten share a contact's name, half of those also the city, drawn as such
coincidences happen (common names far more often than rare ones). Contacts include
namesakes and relatives (same surname and city, sometimes a shared home line).
:class:`IdentityData` streams contacts and then authors for sizes that should not be held
in memory (a million contacts).
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from crmbridge.testing import identity_authors as social
from crmbridge.testing.identity_people import WORDS, People, Person, ascii_slug

IN_CRM_CLASSES = (
    "email",
    "phone",
    "handle",
    "key_in_text",
    "email_loose",
    "handle_elsewhere",
    "name_domain",
    "name_city",
    "name_handle_tag",
    "name_only",
    "nothing",
)
STRANGER_CLASSES = (
    "stranger_decoy_same_name_city",
    "stranger_decoy_same_name",
    "stranger_others_key",
    "stranger",
)
CONTACT_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "city",
    "country",
    "x_handle",
    "instagram_handle",
)
PLATFORMS = (
    ("x", 28),
    ("instagram", 26),
    ("facebook", 20),
    ("whatsapp", 7),
    ("reddit", 7),
    ("youtube", 5),
    ("review", 7),
)
# Per platform: shows a real name, a location, a bio, an email field, a phone field.
SHOWS = {
    "x": (0.78, 0.6, 0.75, 0.0, 0.0),
    "instagram": (0.75, 0.4, 0.8, 0.05, 0.03),
    "facebook": (0.96, 0.55, 0.3, 0.06, 0.04),
    "whatsapp": (0.85, 0.0, 0.4, 0.0, 1.0),
    "reddit": (0.12, 0.05, 0.3, 0.0, 0.0),
    "youtube": (0.6, 0.3, 0.6, 0.04, 0.0),
    "review": (0.95, 0.85, 0.0, 0.03, 0.02),
}
_PLATFORM_CUM = [sum(w for _, w in PLATFORMS[: i + 1]) for i in range(len(PLATFORMS))]
_ID_DIGITS = {
    "x": 18,
    "instagram": 11,
    "facebook": 16,
    "whatsapp": 15,
    "reddit": 9,
    "youtube": 20,
    "review": 10,
}


@dataclass(slots=True)
class _Plan:
    """What one author will be: whose persona, or what kind of stranger."""

    contact: int  # index of the contact behind the author (drawn but unused for strangers)
    stranger: str  # "" for someone in the CRM; "same_name_city", "same_name" or "plain"
    others: int  # index of a contact whose key the bio quotes, or -1


@dataclass(slots=True)
class _Shown:
    """What an author's profile reveals that links them to their CRM row."""

    name: bool = False
    email: str = ""  # "exact", "loose" or "other"
    phone: str = ""  # "crm" or "other"
    handle_same: bool = False
    handle_elsewhere: bool = False
    handle_tag: bool = False
    key_in_text: bool = False
    loose_in_text: bool = False
    city: bool = False
    domain: bool = False
    others_key: bool = False

    def evidence_class(self) -> str:
        """The strongest honest link this profile gives (see :data:`IN_CRM_CLASSES`)."""
        rules = (
            (self.email == "exact", "email"),
            (self.phone == "crm", "phone"),
            (self.handle_same, "handle"),
            (self.key_in_text, "key_in_text"),
            (self.email == "loose" or self.loose_in_text, "email_loose"),
            (self.handle_elsewhere, "handle_elsewhere"),
            (self.name and self.domain, "name_domain"),
            (self.name and self.city, "name_city"),
            (self.name and self.handle_tag, "name_handle_tag"),
            (self.name, "name_only"),
        )
        return next((label for hit, label in rules if hit), "nothing")


class IdentityData:
    """Streams the benchmark: iterate :meth:`contacts` fully, then :meth:`authors`."""

    def __init__(self, n_contacts: int, n_authors: int, seed: int) -> None:
        self.n_contacts, self.n_authors = n_contacts, n_authors
        self.rng = random.Random(seed)
        self.people = People(self.rng, n_companies=max(1, n_contacts // 12))
        self.truth: dict[str, str | None] = {}
        self.classes: dict[str, str] = {}
        self.plans = [self._plan() for _ in range(n_authors)]
        wanted = {p.contact for p in self.plans} | {p.others for p in self.plans}
        self._wanted = wanted - {-1}
        self.kept: dict[int, tuple[Person, dict[str, str]]] = {}
        self.names: set[int] = set()  # hashes of every contact's (given, family) name
        self.name_cities: set[int] = set()  # ... and of (given, family, city)
        self._author_handles: set[str] = set()
        self.cultures: Counter[str] = Counter()  # contacts per culture group

    def _plan(self) -> _Plan:
        rng = self.rng
        n = max(1, self.n_contacts)
        others = rng.randrange(n) if rng.random() < 0.015 else -1
        if rng.random() < 2 / 3:
            return _Plan(rng.randrange(n), "", others)
        r = rng.random()
        kind = "same_name" if r < 0.3 else "plain"
        return _Plan(rng.randrange(n), kind, others)

    # -- contacts ------------------------------------------------------------------------

    def contacts(self) -> Iterator[dict[str, str]]:
        """Contact rows, one at a time."""
        rng, people = self.rng, self.people
        recent: list[Person] = []
        for i in range(self.n_contacts):
            if recent and rng.random() < 0.05:
                person = self._relative(recent[rng.randrange(len(recent))])
            else:
                person = people.person()
                if rng.random() < 0.85:
                    people.give_email(person, work=rng.random() < 0.4)
                if rng.random() < 0.58:
                    people.give_phone(person)
            if rng.random() < 0.22:
                people.give_handle(person, "x")
            if rng.random() < 0.18:
                people.give_handle(person, "instagram")
            row = people.contact_row(f"C{i:07d}", person)
            if len(recent) < 512:
                recent.append(person)
            else:
                recent[rng.randrange(512)] = person
            if i in self._wanted:
                self.kept[i] = (person, row)
            self.cultures[person.culture.key] += 1
            self.names.add(hash((person.given, person.family)))
            if row["city"]:
                self.name_cities.add(hash((person.given, person.family, person.city.native)))
            yield row

    def _relative(self, other: Person) -> Person:
        """A namesake or a family member of an earlier contact (same surname and city)."""
        rng, people = self.rng, self.people
        family = rng.random() < 0.5
        if not family:
            person = people.namesake(other, same_city=rng.random() < 0.4)
        else:
            person = people.person(other.culture)
            person.family, person.scheme = other.family, other.scheme
            person.country, person.city = other.country, other.city
            person.renamed()
        if rng.random() < 0.85:
            people.give_email(person, work=rng.random() < 0.4)
        if family and other.phone and rng.random() < 0.3:  # a shared home line
            person.phone, person.phone_intl = other.phone, other.phone_intl
            person.phone_national, person.mobile = other.phone_national, other.mobile
        elif rng.random() < 0.58:
            people.give_phone(person)
        return person

    # -- authors -------------------------------------------------------------------------

    def authors(self) -> Iterator[dict[str, Any]]:
        """Author records; fills :attr:`truth` and :attr:`classes` as it goes.

        A quarter of the authors write more than once: their later messages follow within
        the next few dozen records, and a key written in a message may be in any of them.
        """
        if self.n_contacts and not self.kept and self._wanted:
            raise RuntimeError("iterate contacts() before authors()")
        pending: list[tuple[int, int, dict[str, Any]]] = []
        order = itertools.count()
        for j, plan in enumerate(self.plans):
            platform = self._platform()
            aid = self._author_id(platform, j)
            key = f"{platform}:{aid}"
            if plan.stranger:
                record, label, person = self._stranger(platform, aid, plan)
                self.truth[key] = None
            else:
                person, row = self.kept[plan.contact]
                record, label, person = self._member(platform, aid, person, row, plan)
                self.truth[key] = row["id"]
            self.classes[key] = label
            for message in self._messages(record, person):
                due = j + int(self.rng.random() ** 3 * 60)
                heapq.heappush(pending, (due, next(order), message))
            while pending and pending[0][0] <= j:
                yield heapq.heappop(pending)[2]
        while pending:
            yield heapq.heappop(pending)[2]

    def _messages(self, record: dict[str, Any], person: Person) -> list[dict[str, Any]]:
        """The author's messages: the first one, and sometimes one or two follow-ups."""
        rng = self.rng
        r = rng.random()
        count = 1 if r < 0.75 else 2 if r < 0.92 else 3
        texts = [record["text"], *(social.message(rng, person) for _ in range(count - 1))]
        if count > 1 and rng.random() < 0.6:  # the key, if any, came in a later message
            texts.append(texts.pop(0))
        return [{**record, "author": dict(record["author"]), "text": t} for t in texts]

    def _platform(self) -> str:
        x = self.rng.random() * _PLATFORM_CUM[-1]
        return next(p for (p, _), c in zip(PLATFORMS, _PLATFORM_CUM, strict=True) if x < c)

    def _author_id(self, platform: str, j: int) -> str:
        digits = _ID_DIGITS[platform]
        return str(10 ** (digits - 1) + j * 7919 + self.rng.randrange(7919))

    def _member(
        self, platform: str, aid: str, person: Person, row: dict[str, str], plan: _Plan
    ) -> tuple[dict[str, Any], str, Person]:
        rng = self.rng
        shown = _Shown()
        persona = replace(person, handles=dict(person.handles))
        author: dict[str, Any] = {"id": aid}
        handle = self._member_handle(platform, persona, row, shown)
        self._profile(platform, persona, author, shown, handle)
        if shown.city and not row["city"]:
            shown.city = False  # the CRM holds no city to agree with
        if (
            persona.company
            and row["email"]
            and author.get("website", "").find(persona.company) >= 0
        ):
            shown.domain = True
        text = social.message(rng, persona)
        text = self._keys_in_text(platform, persona, row, author, text, shown)
        self._quote_other(author, plan, shown)
        record = {"platform": platform, "author": author, "text": text}
        return record, shown.evidence_class(), persona

    def _member_handle(
        self, platform: str, persona: Person, row: dict[str, str], shown: _Shown
    ) -> str:
        rng = self.rng
        own = persona.handles.get(platform, "")
        other = next((h for p, h in persona.handles.items() if p != platform), "")
        if own and rng.random() < 0.65:
            shown.handle_same = True
            return own if rng.random() < 0.9 else own.lower()
        if other and platform in ("x", "instagram", "youtube") and rng.random() < 0.35:
            shown.handle_elsewhere = True
            return other
        return self._fresh_handle(platform, persona, shown)

    def _fresh_handle(self, platform: str, persona: Person | None, shown: _Shown) -> str:
        rng = self.rng
        if platform in ("whatsapp", "review"):
            return ""
        if platform == "facebook" and rng.random() < 0.5:
            return ""
        named = persona is not None and rng.random() < (0.15 if platform == "reddit" else 0.5)
        if named and persona is not None:
            handle = self.people.name_handle(persona, platform)
            if platform == "facebook":
                handle = handle.replace("_", ".") + f".{rng.randrange(1, 9999)}"
            shown.handle_tag = True
        else:
            a, b = WORDS[rng.randrange(len(WORDS))], WORDS[rng.randrange(len(WORDS))]
            handle = f"{a}{'_' if rng.random() < 0.3 else ''}{b}{rng.randrange(1, 9999)}"
        while handle.lower() in self.people.handles or handle.lower() in self._author_handles:
            handle = f"{handle}{rng.randrange(1, 10)}"
        self._author_handles.add(handle.lower())
        return handle

    def _profile(
        self,
        platform: str,
        persona: Person,
        author: dict[str, Any],
        shown: _Shown,
        handle: str,
    ) -> None:
        """Fill the profile fields the platform shows: name, location, bio, keys."""
        rng = self.rng
        p_name, p_loc, p_bio, p_email, p_phone = SHOWS[platform]
        if handle:
            author["handle"] = handle
            author["profile_url"] = profile_url(platform, handle)
        if rng.random() < p_name:
            author["name"] = social.display_name(rng, persona)
            shown.name = True
        elif platform != "whatsapp" or rng.random() < 0.5:
            author["name"] = social.pseudonym(rng) if platform != "reddit" else handle or None
        if rng.random() < p_loc:
            moved = ""
            if rng.random() < 0.07:
                moved = self.people.cities[persona.country.iso].draw(rng).native  # type: ignore[attr-defined]
                moved = "" if moved == persona.city.native else moved
            author["location"], shown.city = social.location(rng, persona, moved)
        if rng.random() < p_email:
            author["email"] = self._shown_email(persona, shown)
        if rng.random() < p_phone:
            author["phone"] = self._shown_phone(platform, persona, shown)
        if rng.random() < p_bio:
            author["bio"] = self._bio(platform, persona, shown)
        if persona.company and rng.random() < 0.12:
            author["website"] = f"https://www.{persona.company}/"
        elif rng.random() < 0.04:
            author["website"] = f"https://{ascii_slug(persona.given_latin)}.blog"

    def _shown_email(self, persona: Person, shown: _Shown) -> str:
        rng = self.rng
        if persona.email and rng.random() < 0.85:
            if persona.email.endswith("@gmail.com") and rng.random() < 0.25:
                shown.email = "loose"
                return social.loose_email(rng, persona.email)
            shown.email = "exact"
            return persona.email if rng.random() < 0.9 else persona.email.capitalize()
        shown.email = "other"
        return self.people.new_email(replace(persona), work=False)

    def _shown_phone(self, platform: str, persona: Person, shown: _Shown) -> str:
        rng = self.rng
        if persona.phone and (persona.mobile or platform != "whatsapp") and rng.random() < 0.8:
            shown.phone = "crm"
            return (
                persona.phone_intl if platform == "whatsapp" else social.written_phone(rng, persona)
            )
        other = replace(persona)
        self.people.give_phone(other, mobile_only=True)
        shown.phone = "other"
        return other.phone_intl if platform == "whatsapp" else social.written_phone(rng, other)

    def _bio(self, platform: str, persona: Person, shown: _Shown) -> str:
        rng = self.rng
        parts = [social.TITLES[rng.randrange(len(social.TITLES))]]
        if rng.random() < 0.4:
            parts.append(social.EMOJI[rng.randrange(len(social.EMOJI))])
        r = rng.random()
        if r < 0.04 and persona.email:
            parts.append(f"📧 {persona.email}")
            shown.key_in_text = True
        elif r < 0.065 and persona.phone:
            parts.append(f"☎ {social.written_phone(rng, persona)}")
            shown.key_in_text = True
        elif r < 0.095:
            other = next((h for p, h in persona.handles.items() if p != platform), "")
            if other:
                parts.append(f"also @{other}")
                shown.handle_elsewhere = True
        elif r < 0.11 and persona.company:
            parts.append(f"working at {persona.company.split('.')[0]}")
        return " · ".join(parts)

    def _keys_in_text(
        self,
        platform: str,
        persona: Person,
        row: dict[str, str],
        author: dict[str, Any],
        text: str,
        shown: _Shown,
    ) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.04 and persona.email:
            shown.key_in_text = True
            return f"{text} — {social.key_phrase(rng, persona, persona.email)}"
        if r < 0.07 and persona.phone:
            shown.key_in_text = True
            phone = social.written_phone(rng, persona)
            return f"{text} — {social.key_phrase(rng, persona, phone)}"
        if r < 0.075 and persona.email.endswith("@gmail.com"):
            shown.loose_in_text = True
            loose = social.loose_email(rng, persona.email)
            return f"{text} — {social.key_phrase(rng, persona, loose)}"
        return text

    def _quote_other(self, author: dict[str, Any], plan: _Plan, shown: _Shown) -> None:
        """Noise: a bio that quotes somebody else's (a CRM contact's) email or phone."""
        if plan.others < 0:
            return
        other, _row = self.kept[plan.others]
        key = other.email or other.phone_intl
        if not key:
            return
        label = social.OTHERS_KEY[self.rng.randrange(len(social.OTHERS_KEY))].format(key)
        author["bio"] = f"{author['bio']} · {label}" if author.get("bio") else label
        shown.others_key = True

    def _namesake(self, same_city: bool) -> Person:
        """A stranger who shares a contact's name (and city), as such coincidences happen.

        People are drawn from the population until one's name (and city) is a contact's:
        common names ("Maria García" in Madrid) come up far more often than rare ones,
        so a rare name shared stays the strong evidence it is in real life. When no
        coincidence turns up (a small CRM), the stranger stays an ordinary one.
        """
        people = self.people
        for _ in range(300 if same_city else 100):
            person = people.person()
            name = (person.given, person.family)
            if same_city and hash((*name, person.city.native)) in self.name_cities:
                return person
            if not same_city and hash(name) in self.names:
                return person
        return person

    def _stranger(self, platform: str, aid: str, plan: _Plan) -> tuple[dict[str, Any], str, Person]:
        rng, people = self.rng, self.people
        if plan.stranger == "plain":
            person = people.person()
        else:
            person = self._namesake(same_city=plan.stranger == "same_name_city")
        if rng.random() < 0.85:
            person.email = people.new_email(person, work=rng.random() < 0.3)
        if rng.random() < 0.6:
            people.give_phone(person, mobile_only=True)
        shown = _Shown()
        author: dict[str, Any] = {"id": aid}
        handle = self._fresh_handle(platform, person, shown)
        self._profile(platform, person, author, shown, handle)
        text = social.message(rng, person)
        if rng.random() < 0.05 and person.email:
            text = f"{text} — {social.key_phrase(rng, person, person.email)}"
        self._quote_other(author, plan, shown)
        name = (person.given, person.family)
        named = shown.name or shown.handle_tag  # the name on the profile or in the handle
        if named and shown.city and hash((*name, person.city.native)) in self.name_cities:
            label = "stranger_decoy_same_name_city"
        elif named and hash(name) in self.names:
            label = "stranger_decoy_same_name"
        elif shown.others_key:
            label = "stranger_others_key"
        else:
            label = "stranger"
        return {"platform": platform, "author": author, "text": text}, label, person


def profile_url(platform: str, handle: str) -> str:
    """The public profile address of a handle."""
    hosts = {
        "x": "https://x.com/",
        "instagram": "https://www.instagram.com/",
        "facebook": "https://www.facebook.com/",
        "reddit": "https://www.reddit.com/user/",
        "youtube": "https://www.youtube.com/@",
    }
    return hosts.get(platform, "https://example.invalid/") + handle


def generate(
    n_contacts: int, n_authors: int, seed: int
) -> tuple[list[dict[str, str]], list[dict[str, Any]], dict[str, str | None], dict[str, str]]:
    """Contacts, authors, truth (identity key -> contact id or None) and evidence classes."""
    data = IdentityData(n_contacts, n_authors, seed)
    contacts = list(data.contacts())
    authors = list(data.authors())
    return contacts, authors, data.truth, data.classes
