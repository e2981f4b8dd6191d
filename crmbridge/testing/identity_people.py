"""People of the identity benchmark: drawing a person, and writing them as a CRM row does.

A :class:`Person` is what is true (culture, gender, names in their own script, city,
country, mailbox, number, handles). :class:`People` draws persons with skewed name
frequencies and renders each as a contact row the way CRMs hold them: names with or without
diacritics, compound surnames whole or cut, East Asian names sometimes in swapped fields,
countries as codes or names in several languages, phones in national or international form.
"""

from __future__ import annotations

import bisect
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from crmbridge.testing.identity_places import COUNTRIES, City, Country, PhonePlan
from crmbridge.testing.identity_pools import (
    ARABIC,
    DUTCH_NORDIC,
    ENGLISH,
    FRENCH,
    GERMAN,
    HUNGARIAN,
    ITALIAN,
    POLISH,
    PORTUGUESE,
    SPANISH,
    TURKISH,
    Culture,
    _w,
)
from crmbridge.testing.identity_pools_world import ENGLISH_GIVEN, WORLD
from crmbridge.testing.identity_script import (
    GREEK_SCHEMES,
    feminine,
    fold,
    romanize,
    transcribe,
    typo,
)

CULTURES: tuple[Culture, ...] = (
    ENGLISH,
    GERMAN,
    FRENCH,
    SPANISH,
    PORTUGUESE,
    ITALIAN,
    DUTCH_NORDIC,
    POLISH,
    HUNGARIAN,
    TURKISH,
    ARABIC,
    *WORLD,
)
INFLECTED = {"polish", "russian", "ukrainian", "greek"}
WORDS = _w(
    "pixel coffee lunar river maple tiger nova echo sunny blue storm vinyl retro cosmic "
    "velvet mango wild urban happy lazy golden silent mellow ocean forest neon cherry tiny "
    "little crazy sleepy salty spicy jolly misty rusty frosty"
)
COMPANY_WORDS = _w(
    "acme nordic blue summit bright apex delta vertex orbit harbor alpine coastal metro prime "
    "civic crown lumen atlas union pioneer evergreen north west star green rock field bridge "
    "stone lake river"
)
COMPANY_KINDS = _w(
    "logistics consulting labs systems media foods design studio partners group health legal "
    "energy travel retail capital tech works"
)


_WORK_SHAPES = ("{f}.{l}", "{f0}{l}", "{f}", "{f}{l0}", "{f}_{l}", "{l}")
_HANDLE_SHAPES = (
    "{f}{l}",
    "{f}{s}{l}",
    "{f0}{l}",
    "{l}{f0}",
    "the{f}{l}",
    "{f}{s}{l0}",
    "{f}{l}{n}",
    "{f}{yy}",
)


class Zipf:
    """Draws from a list with Zipf-Mandelbrot weights 1 / (rank + q) ** s."""

    def __init__(self, items: tuple[str, ...], q: float = 3.0, s: float = 1.0) -> None:
        self.items = items
        self.cum = list(accumulate(1.0 / (r + 1 + q) ** s for r in range(len(items))))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> str:
        return self.items[bisect.bisect(self.cum, rng.random() * self.total)]


class Weighted:
    """Draws from (item, weight) pairs."""

    def __init__(self, pairs: list[tuple[object, float]]) -> None:
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))

    def draw(self, rng: random.Random) -> object:
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


@dataclass(slots=True)
class Person:
    """What is true about one person; contacts and authors are renderings of it."""

    culture: Culture
    female: bool
    given: str  # in the culture's own script and spelling
    family: str  # may be compound: "García Márquez", "Silva Santos"
    scheme: str  # romanisation used on this person's papers and CRM row
    country: Country
    city: City
    english_given: str = ""
    email: str = ""
    phone: str = ""  # E.164
    phone_national: str = ""
    phone_intl: str = ""
    mobile: bool = False
    company: str = ""  # mail domain of the employer, when the email is a work address
    handles: dict[str, str] = field(default_factory=dict)

    given_latin: str = ""
    family_latin: str = ""

    def __post_init__(self) -> None:
        self.renamed()

    def renamed(self) -> None:
        """Recompute the Latin forms after the names or the scheme changed."""
        self.given_latin = self.latin(self.given)
        self.family_latin = self.latin(self.family)

    def latin(self, name: str) -> str:
        """A name in Latin letters, by this person's romanisation scheme."""
        if self.culture.script in ("cyrillic", "greek"):
            return romanize(name, self.culture.script, self.scheme)
        return name


@lru_cache(maxsize=300_000)
def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (what a mailbox or handle keeps)."""
    return "".join(ch for ch in fold(text).lower() if ch.isalnum() and ch.isascii())


class People:
    """Draws persons and renders them as CRM rows; every key it hands out is unique."""

    def __init__(self, rng: random.Random, n_companies: int) -> None:
        self.rng = rng
        self.cultures = Weighted([(c, c.weight) for c in CULTURES])
        self.given = {
            (c.key, f): Zipf(c.female if f else c.male, 3.0, 1.0)
            for c in CULTURES
            for f in (False, True)
        }
        self.family = {c.key: Zipf(c.surnames, c.surname_q, c.surname_s) for c in CULTURES}
        self.homes = {c.key: Weighted([(COUNTRIES[k], w) for k, w in c.homes]) for c in CULTURES}
        self.cities = {
            k: Weighted([(ci, ci.weight) for ci in c.cities]) for k, c in COUNTRIES.items()
        }
        self.plans = {k: Weighted([(p, p.weight) for p in c.phones]) for k, c in COUNTRIES.items()}
        self.company_rank = Zipf(tuple(str(i) for i in range(max(1, n_companies))), 2.0, 1.1)
        self.companies: dict[str, str] = {}
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.handles: set[str] = set()  # every handle in use, any platform, lower case

    # -- drawing a person ----------------------------------------------------------------

    def person(self, culture: Culture | None = None, female: bool | None = None) -> Person:
        rng = self.rng
        c: Culture = culture or self.cultures.draw(rng)  # type: ignore[assignment]
        fem = rng.random() < 0.5 if female is None else female
        given = self.given[(c.key, fem)].draw(rng)
        family = self.family[c.key].draw(rng)
        if c.key in INFLECTED and fem:
            family = feminine(family, c.script)
        if c.compound and rng.random() < c.compound:
            second = self.family[c.key].draw(rng)
            if second != family and " " not in second and " " not in family:
                family = f"{family} {second}"
        if c.script == "cyrillic":
            scheme = (
                ("ukrainian", "ukrainian", "icao", "bgn", "german")[int(rng.random() * 5)]
                if c.key == "ukrainian"
                else ("bgn", "icao", "icao", "simple", "german", "french")[int(rng.random() * 6)]
            )
        elif c.script == "greek":
            scheme = GREEK_SCHEMES[int(rng.random() * len(GREEK_SCHEMES))]
        else:
            scheme = ""
        country: Country = self.homes[c.key].draw(rng)  # type: ignore[assignment]
        city: City = self.cities[country.iso].draw(rng)  # type: ignore[assignment]
        person = Person(c, fem, given, family, scheme, country, city)
        if c.english_names and rng.random() < c.english_names:
            names = ENGLISH_GIVEN[fem]
            person.english_given = names[int(rng.random() * len(names))]
        return person

    def namesake(self, other: Person, same_city: bool) -> Person:
        """Someone else with the same name (and maybe the same city)."""
        person = self.person(other.culture, other.female)
        person.given, person.family, person.scheme = other.given, other.family, other.scheme
        person.renamed()
        if same_city:
            person.country, person.city = other.country, other.city
        return person

    # -- keys ----------------------------------------------------------------------------

    def give_email(self, person: Person, work: bool) -> None:
        person.email = self.new_email(person, work)

    def new_email(self, person: Person, work: bool) -> str:
        """A mailbox nobody else has, shaped the way this person would pick it."""
        rng = self.rng
        first = ascii_slug(person.english_given or person.given_latin) or "me"
        last = ascii_slug(person.family_latin.split(" ")[0]) or "x"
        if work:
            domain = self.company(person.country)
            person.company = domain
            shape = _WORK_SHAPES[min(int(rng.random() ** 2 * 6), 5)]
            local = shape.format(f=first, l=last, f0=first[0], l0=last[0])
        else:
            mail = person.country.freemail
            domain = mail[int(rng.random() ** 1.5 * len(mail))]
            if domain in ("qq.com", "163.com", "126.com") and rng.random() < 0.7:
                local = str(10_000_000 + int(rng.random() * 9_000_000_000))
            else:
                local = self._personal_local(person, first, last)
        email = f"{local}@{domain}"
        while email in self.emails:
            email = f"{local}{1 + int(rng.random() * 998)}@{domain}"
        self.emails.add(email)
        return email

    def _personal_local(self, person: Person, first: str, last: str) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.22:
            return f"{first}.{last}"
        if r < 0.36:
            return f"{first}{last}"
        if r < 0.46:
            return f"{first}.{last}{self._yy()}"
        if r < 0.56:
            return f"{first[0]}{last}"
        if r < 0.63:
            return f"{first}_{last}"
        if r < 0.69:
            return f"{last}.{first}"
        if r < 0.76:
            return f"{first}{self._yy()}"
        if r < 0.84:
            nicks = person.culture.nicknames.get(person.given)
            nick = ascii_slug(person.latin(nicks[int(rng.random() * len(nicks))])) if nicks else ""
            return f"{nick or first}{last[:1] if rng.random() < 0.5 else '.' + last}"
        if r < 0.9:
            return f"{last}{first[0]}{self._yy()}"
        a, b = WORDS[int(rng.random() * len(WORDS))], WORDS[int(rng.random() * len(WORDS))]
        return f"{a}{b}{self._yy()}"

    def _yy(self) -> str:
        """Two digits people add to a name: a birth year, mostly."""
        r = self.rng.random()
        return str(60 + int(r / 0.6 * 40)) if r < 0.6 else f"0{int((r - 0.6) / 0.4 * 10)}"

    def company(self, country: Country) -> str:
        rank = self.company_rank.draw(self.rng)
        domain = self.companies.get(country.iso + rank)  # a country's own firms
        if domain is None:
            i = int(rank)
            a = COMPANY_WORDS[i % len(COMPANY_WORDS)]
            b = COMPANY_KINDS[(i // len(COMPANY_WORDS)) % len(COMPANY_KINDS)]
            sep = "-" if i % 3 == 0 else ""
            n = i // (len(COMPANY_WORDS) * len(COMPANY_KINDS))
            domain = f"{a}{sep}{b}{n or ''}.{country.tld}"
            self.companies[country.iso + rank] = domain
        return domain

    def give_phone(self, person: Person, mobile_only: bool = False) -> None:
        rng = self.rng
        plans = self.plans[person.country.iso]
        plan: PhonePlan = plans.draw(rng)  # type: ignore[assignment]
        if mobile_only and not plan.mobile:
            plan = next((p for p in person.country.phones if p.mobile), plan)
        while True:
            prefix = plan.prefixes[int(rng.random() * len(plan.prefixes))]
            count = plan.international.count("N")
            digits = str(int((2 + rng.random() * 8) * 10 ** (count - 1)))
            intl = fill(plan.international, prefix, digits)
            e164 = fill(_packed(plan.international), prefix, digits)
            if e164 not in self.phones:
                break
        self.phones.add(e164)
        person.phone, person.phone_intl = e164, intl
        person.phone_national = fill(plan.national, prefix, digits)
        person.mobile = plan.mobile

    def give_handle(self, person: Person, platform: str) -> str:
        """A CRM handle on a platform; one person may use the same on two platforms."""
        reuse = next(iter(person.handles.values()), "")
        if reuse and self.rng.random() < 0.4:
            person.handles[platform] = reuse
            return reuse
        handle = self.free_handle(self.name_handle(person, platform))
        person.handles[platform] = handle
        return handle

    def free_handle(self, handle: str) -> str:
        """The handle, or a numbered form of it, that no one holds yet; now taken."""
        while handle.lower() in self.handles:
            handle = f"{handle}{1 + int(self.rng.random() * 99)}"
        self.handles.add(handle.lower())
        return handle

    def name_handle(self, person: Person, platform: str) -> str:
        """A handle made from the person's name, the way people pick them."""
        rng = self.rng
        first = ascii_slug(person.english_given or person.given_latin) or "me"
        last = ascii_slug(person.family_latin.replace(" ", "")) or "x"
        sep = "." if platform == "instagram" and rng.random() < 0.5 else "_"
        style = _HANDLE_SHAPES[min(int(rng.random() ** 1.3 * 8), 7)]
        n = 1 + int(rng.random() * 99) if "{n}" in style or "{yy}" in style else 0
        handle = style.format(f=first, l=last, f0=first[0], l0=last[:1], s=sep, n=n, yy=n % 30 + 70)
        return handle[:15] if platform == "x" else handle[:30]

    # -- the CRM row ---------------------------------------------------------------------

    def contact_row(self, cid: str, person: Person) -> dict[str, str]:
        rng = self.rng
        given, family = self.crm_names(person)
        row = {
            "id": cid,
            "first_name": given,
            "last_name": family,
            "email": person.email if rng.random() < 0.97 else person.email.upper(),
            "phone": self.crm_phone(person) if person.phone else "",
            "city": self.crm_city(person.city) if rng.random() < 0.8 else "",
            "country": self.crm_country(person.country) if rng.random() < 0.9 else "",
            "x_handle": crm_handle(rng, "x", person.handles.get("x", "")),
            "instagram_handle": crm_handle(rng, "instagram", person.handles.get("instagram", "")),
        }
        return row

    def crm_names(self, person: Person) -> tuple[str, str]:
        rng = self.rng
        c = person.culture
        given, family = person.given_latin, person.family_latin
        if person.english_given and rng.random() < 0.5:
            given = person.english_given
        elif c.nicknames.get(person.given) and rng.random() < 0.06:
            nicks = c.nicknames[person.given]
            nick = person.latin(nicks[int(rng.random() * len(nicks))])
            given = nick if nick.isascii() or c.script == "latin" else given
        if c.key == "korean" and "-" in given and rng.random() < 0.3:
            given = given.replace("-", "")  # "Minjun"
        if " " in family and c.compound and rng.random() < 0.35:
            parts = family.split(" ")
            family = parts[-1] if c.key == "portuguese" else parts[0]
        r = rng.random()
        if r < 0.28:
            given, family = fold(given), fold(family)
        elif r < 0.31:
            given, family = transcribe(given), transcribe(family)
        if c.family_first and rng.random() < 0.25:
            given, family = family, given  # the native order typed into first/last
        r = rng.random()
        if r < 0.03:
            family = family.upper()
        elif r < 0.06 and c.key == "english":
            given = f"{given} {'ABCDEFGHJKLMNPRSTW'[int(rng.random() * 18)]}."  # middle initial
        elif r < 0.075 and c.key == "english" and not person.female:
            family = f"{family} Jr."
        elif r < 0.095:
            family = typo(rng, family)  # typed in by hand
        return given, family

    def crm_phone(self, person: Person) -> str:
        r = self.rng.random()
        if r < 0.62:
            return person.phone_national
        if r < 0.86:
            return person.phone_intl
        if r < 0.95:
            return person.phone
        return "".join(ch for ch in person.phone_national if ch.isdigit())

    def crm_city(self, city: City) -> str:
        r = self.rng.random()
        if city.english and (not fold(city.native).isascii() or r < 0.4):
            return city.english if r < 0.9 else city.native
        return city.native if r < 0.85 else fold(city.native)

    def crm_country(self, country: Country) -> str:
        r = self.rng.random()
        if r < 0.5:
            return country.iso
        if r < 0.78:
            return country.english
        return country.local[int(self.rng.random() * len(country.local))]


def fill(template: str, prefix: str, digits: str) -> str:
    """Put prefix digits at the ``P`` marks and subscriber digits at the ``N`` marks."""
    return _format(template).format(*prefix, *digits)


@lru_cache(maxsize=1024)
def _packed(template: str) -> str:
    return "+" + "".join(ch for ch in template if ch.isdigit() or ch in "PN")


@lru_cache(maxsize=1024)
def _format(template: str) -> str:
    pattern = template.replace("{", "{{").replace("}", "}}")
    return re.sub("[PN]", "{}", pattern)


def crm_handle(rng: random.Random, platform: str, handle: str) -> str:
    """A handle as someone typed it into the CRM: bare, with @, as a URL, cased."""
    if not handle:
        return ""
    r = rng.random()
    if r < 0.72:
        return handle
    if r < 0.9:
        return "@" + handle
    if r < 0.95:
        host = "x.com" if platform == "x" else "instagram.com"
        return f"https://{host}/{handle}"
    return handle.capitalize()
