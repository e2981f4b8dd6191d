"""Seeded, dependency-free generator of realistic fake contacts and social interactions."""

from __future__ import annotations

import base64
import csv
import json
import os
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from random import Random
from typing import Any, Generic, NamedTuple, TypeVar

__all__ = [
    "CONTACT_COLUMNS",
    "PLATFORMS",
    "SCHEMA",
    "contacts",
    "interactions",
    "write_contacts_csv",
    "write_jsonl",
]

SCHEMA = "crmbridge.interaction/1"
CONTACT_COLUMNS: tuple[str, ...] = (
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
PLATFORMS: tuple[str, ...] = ("x", "facebook", "instagram", "youtube", "reddit")
DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)

# --------------------------------------------------------------------------------------
# Hashing and permutations: every contact and persona is a pure function of (seed, index),
# so nothing has to be remembered to look one up again.
# --------------------------------------------------------------------------------------

_M64 = (1 << 64) - 1


def _mix64(x: int) -> int:
    """SplitMix64 finaliser: a bijection on 64-bit integers with good avalanche."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


class _Perm:
    """A keyed bijection on ``range(size)`` (xor-shift-multiply rounds plus cycle walking)."""

    __slots__ = ("add", "mask", "mul1", "mul2", "shift", "size")

    def __init__(self, size: int, key: int) -> None:
        bits = max(size - 1, 15).bit_length()
        self.size = size
        self.mask = (1 << bits) - 1
        self.shift = bits // 2 + 1
        self.add = _mix64(key) & self.mask
        self.mul1 = (_mix64(key ^ 0x5851F42D4C957F2D) | 1) & self.mask
        self.mul2 = (_mix64(key ^ 0x14057B7EF767814F) | 1) & self.mask

    def __call__(self, value: int) -> int:
        x = value
        mask, shift, size = self.mask, self.shift, self.size
        while True:
            x = (x + self.add) & mask
            x ^= x >> shift
            x = (x * self.mul1) & mask
            x ^= x >> shift
            x = (x * self.mul2) & mask
            x ^= x >> shift
            if x < size:
                return x


def _b64(value: int, length: int = 8) -> str:
    """URL-safe base64 of an integer's bytes, without padding."""
    return base64.urlsafe_b64encode(value.to_bytes(length, "big")).rstrip(b"=").decode()


def _b36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rem = divmod(value, 36)
        out = digits[rem] + out
        if not value:
            return out


def _slug(name: str) -> str:
    """ASCII letters only, lower case: ``"Müller"`` -> ``"mueller"``."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_TRANSLIT))
    return "".join(ch for ch in text if "a" <= ch <= "z")


_TRANSLIT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "o", "æ": "ae", "ł": "l", "œ": "oe"}
)

# --------------------------------------------------------------------------------------
# Reference data. First names, last names and the words of anonymous handles are
# pairwise disjoint (as slugs), which keeps every generated email and handle unique.
# --------------------------------------------------------------------------------------

# fmt: off
_FIRST_NAMES: tuple[str, ...] = (
    "James", "Maya", "Olivia", "Liam", "Noah", "Emma", "Amelia", "Oliver", "Sophia", "Isla",
    "Ava", "Mia", "Harry", "George", "Jack", "Charlie", "Freya", "Poppy", "Ethan", "Lucas",
    "Mason", "Logan", "Ella", "Chloe", "Zoë", "Ruby", "Aisha", "Fatima", "Omar", "Yusuf",
    "Priya", "Arjun", "Rohan", "Ananya", "Wei", "Mei", "Hiroshi", "Yuki", "Min-jun", "Ji-woo",
    "Lina", "Nadia", "Mateo", "Sofía", "Valentina", "Diego", "Camila", "Lucía", "Javier",
    "Carmen", "Pablo", "Elena", "Marco", "Giulia", "Luca", "Francesca", "Alessandro", "Lukas",
    "Lena", "Jonas", "Leonie", "Felix", "Hannah", "Maximilian", "Anna", "Paul", "Marie", "Jan",
    "Sophie", "Björn", "Søren", "Ingrid", "Astrid", "Erik", "Léa", "Louis", "Manon", "Hugo",
    "Camille", "Théo", "Inès", "Gabriel", "Jules", "Siobhán", "Niamh", "Aoife", "Cian",
    "Oisín", "Conor", "Seán", "Ciara", "Declan", "Róisín", "Daan", "Sanne", "Bram", "Femke",
    "Thijs", "Lotte", "Kwame", "Amara", "Chidi", "Ngozi", "Tunde", "Zainab", "Kofi", "Ama",
    "Tyler", "Madison", "Brandon", "Ashley", "Kayla", "Jordan", "Dylan", "Hailey", "Emily",
    "Michael", "Sarah", "David", "Laura", "Daniel", "Rachel", "Ben", "Claire", "Sam", "Katie",
    "Tom", "Jess", "Kate", "Matt", "Rebecca", "Ryan", "Nicole", "Kevin", "Megan", "Chris",
    "Andrea", "Alex", "Jamie", "Robyn", "Sanjay", "Deepa", "Vikram", "Tomás", "Ahmed", "Leila",
    "Hamza", "Sara", "Mohammed", "Layla", "Zara", "Aleksandra", "Piotr", "Magdalena", "Nikos",
    "Isabella", "Charlotte", "Evelyn", "Abigail", "Harper", "Scarlett", "Victoria", "Natalie",
    "Joshua", "Nathan", "Samuel", "Benjamin", "Christopher", "Andrew", "Joseph", "Anthony",
    "Jacob", "William", "Henry", "Edward", "Alfie", "Archie", "Reggie", "Imogen",
    "Phoebe", "Matilda", "Eleanor", "Beatrice", "Florence", "Rosie", "Holly", "Naomi", "Esther",
    "Tobias", "Moritz", "Jannik", "Katharina", "Johanna", "Greta", "Mathilde", "Margaux",
    "Baptiste", "Antoine", "Clément", "Éloïse", "Patrick", "Fiona", "Eoin", "Padraig", "Ronan",
    "Aarav", "Ishaan", "Kavya", "Meera", "Neha", "Tariq", "Yasmin", "Samira", "Karim", "Rania",
    "Adaeze", "Emeka", "Folake", "Kenji", "Haruto", "Aiko", "Xin", "Jia", "Hyun-woo", "Soo-ah",
)
_LAST_NAMES: tuple[str, ...] = (
    "Smith", "Jones", "Williams", "Brown", "Wilson", "Evans", "Davies", "Johnson", "Roberts",
    "Walker", "Wright", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood",
    "Harris", "Clarke", "Jackson", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris",
    "King", "Watson", "Okafor", "Adeyemi", "Mensah", "Boateng", "Nwosu", "Diallo", "Okonkwo",
    "Patel", "Shah", "Kumar", "Singh", "Sharma", "Raman", "Iyer", "Khan", "Hussain", "Ali",
    "Rahman", "Chowdhury", "Chen", "Wang", "Zhang", "Liu", "Nguyen", "Tran", "Kim", "Park",
    "Tanaka", "Sato", "Suzuki", "Müller", "Schmidt", "Schneider", "Fischer", "Weber",
    "Meyer", "Wagner", "Becker", "Hoffmann", "Schäfer", "Koch", "Richter", "Bauer", "Klein",
    "Schröder", "Neumann", "Zimmermann", "Krüger", "Dubois", "Martin", "Bernard", "Durand",
    "Lefèvre", "Moreau", "Laurent", "Michel", "Garcia", "Leroy", "Roux", "Fournier",
    "Girard", "Bonnet", "Mercier", "Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien",
    "Byrne", "McCarthy", "O'Connor", "Doyle", "Gallagher", "Lynch", "Quinn", "Kennedy",
    "de Vries", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "van den Berg", "Hernández", "López", "Martínez", "González", "Rodríguez",
    "Fernández", "Pérez", "Sánchez", "Romero", "Navarro", "Torres", "Ruiz", "Díaz", "Moreno",
    "Álvarez", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Ricci",
    "Kowalski", "Nowak", "Wiśniewski", "Lewandowski", "Andersson", "Johansson", "Nilsson",
    "Larsen", "Hansen", "Jensen", "Lindqvist", "Silva", "Santos", "Costa", "Oliveira",
    "Pereira", "Ferreira", "Cohen", "Haddad", "Nasser", "Yilmaz", "Demir", "Kaya",
    "Popescu", "Ionescu", "Papadopoulos", "Anderson", "Miller", "Davis", "Lewis",
    "Robinson", "Young", "Allen", "Scott", "Adams", "Nelson", "Carter", "Mitchell",
    "Campbell", "Stewart", "Murray", "Reid", "Fraser", "Hamilton", "Sutherland", "Gordon",
    "Bennett", "Palmer", "Foster", "Barnes", "Holmes", "Lloyd", "Marshall", "Owen", "Powell",
    "Russell", "Saunders", "Webb", "Ellis", "Fletcher", "Chapman", "Pearson", "Mason-Jones",
    "Gupta", "Mehta", "Reddy", "Nair", "Joshi", "Bose", "Malik", "Siddiqui", "Qureshi",
    "Okeke", "Eze", "Obi", "Asante", "Owusu", "Abubakar", "Yamamoto", "Watanabe", "Takahashi",
    "Huang", "Zhao", "Wu", "Choi", "Jung", "Kang", "Pham", "Le", "Vogel", "Braun",
    "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Roussel", "Fontaine", "Chevalier",
    "Gauthier", "Perrin", "Ó Briain", "Brennan", "Nolan", "Farrell", "Maguire", "Dunne",
    "Hendriks", "Dekker", "Brouwer", "Vos", "Castillo", "Ortega", "Delgado", "Vargas",
    "Medina", "Greco", "Marino", "Conti", "Gallo", "Zieliński", "Wójcik", "Kozłowski",
    "Eriksson", "Karlsson", "Petersen", "Nielsen", "Rocha", "Almeida", "Friedman", "Abadi",
)
_ADJECTIVES: tuple[str, ...] = (
    "sleepy", "lazy", "brave", "quiet", "lucky", "happy", "salty", "sunny", "misty", "rusty",
    "fuzzy", "cosmic", "silent", "wild", "tiny", "mighty", "crispy", "spicy", "frosty",
    "golden", "velvet", "electric", "urban", "retro", "chill", "grumpy", "witty", "curious",
    "nimble", "stormy", "dusty", "hollow", "neon", "lunar", "solar", "polar", "bold",
    "mellow", "noisy", "swift", "rapid", "cloudy", "hazy", "zesty", "jolly", "cheeky",
)
_NOUNS: tuple[str, ...] = (
    "otter", "panda", "falcon", "badger", "walrus", "pickle", "waffle", "noodle", "pretzel",
    "comet", "pixel", "cactus", "maple", "pebble", "lantern", "harbor", "canyon", "meadow",
    "raven", "koala", "narwhal", "puffin", "biscuit", "muffin", "taco", "mango", "kiwi",
    "tiger", "dragon", "wombat", "llama", "bison", "moose", "gecko", "hedgehog", "squirrel",
    "sparrow", "penguin", "dolphin", "turtle", "nomad", "rover", "pilot", "wizard", "ninja",
    "hiker", "camper", "paddler",
)

# Email domains: slots 0, 1 and 3 are the same everywhere, the others are per country and
# never repeat, so a domain names its slot.
_GLOBAL_DOMAINS = {0: "gmail.com", 1: "outlook.com", 3: "icloud.com"}


class _Country(NamedTuple):
    code: str
    weight: float
    label: str
    domains: tuple[str, str, str]  # slots 2, 4, 5
    cities: tuple[tuple[str, str], ...]  # (city, area code or region)


_COUNTRIES: tuple[_Country, ...] = (
    _Country(
        "US", 34, "USA", ("yahoo.com", "comcast.net", "aol.com"),
        (("New York", "212:NY"), ("Brooklyn", "718:NY"), ("San Francisco", "415:CA"),
         ("Los Angeles", "213:CA"), ("Chicago", "312:IL"), ("Austin", "512:TX"),
         ("Seattle", "206:WA"), ("Boston", "617:MA"), ("Denver", "303:CO"),
         ("Atlanta", "404:GA"), ("Portland", "503:OR"), ("Miami", "305:FL"),
         ("Minneapolis", "612:MN"), ("Philadelphia", "215:PA")),
    ),
    _Country(
        "GB", 25, "UK", ("yahoo.co.uk", "btinternet.com", "hotmail.co.uk"),
        (("London", ""), ("Leeds", ""), ("Manchester", ""), ("Bristol", ""), ("Glasgow", ""),
         ("Birmingham", ""), ("Edinburgh", ""), ("Cardiff", ""), ("Liverpool", ""),
         ("Sheffield", ""), ("Brighton", ""), ("Nottingham", "")),
    ),
    _Country(
        "DE", 10, "Germany", ("yahoo.de", "gmx.de", "web.de"),
        (("Berlin", ""), ("Hamburg", ""), ("München", ""), ("Köln", ""),
         ("Frankfurt am Main", ""), ("Stuttgart", ""), ("Leipzig", ""), ("Düsseldorf", "")),
    ),
    _Country(
        "FR", 8, "France", ("yahoo.fr", "orange.fr", "free.fr"),
        (("Paris", ""), ("Lyon", ""), ("Marseille", ""), ("Toulouse", ""), ("Bordeaux", ""),
         ("Lille", ""), ("Nantes", "")),
    ),
    _Country(
        "IE", 7, "Ireland", ("yahoo.ie", "eircom.net", "live.ie"),
        (("Dublin", ""), ("Cork", ""), ("Galway", ""), ("Limerick", ""), ("Waterford", "")),
    ),
    _Country(
        "CA", 7, "Canada", ("yahoo.ca", "rogers.com", "shaw.ca"),
        (("Toronto", "416:ON"), ("Vancouver", "604:BC"), ("Montréal", "514:QC"),
         ("Calgary", "403:AB"), ("Ottawa", "613:ON")),
    ),
    _Country(
        "NL", 5, "Netherlands", ("hotmail.nl", "ziggo.nl", "kpnmail.nl"),
        (("Amsterdam", ""), ("Rotterdam", ""), ("Utrecht", ""), ("Den Haag", ""),
         ("Eindhoven", "")),
    ),
    _Country(
        "ES", 4, "Spain", ("yahoo.es", "hotmail.es", "telefonica.net"),
        (("Madrid", ""), ("Barcelona", ""), ("Valencia", ""), ("Sevilla", ""), ("Bilbao", "")),
    ),
)
_COUNTRY_CUM = tuple(accumulate(c.weight for c in _COUNTRIES))

_GB_MOBILE = ("700", "400", "411", "450", "479", "507", "528", "544", "711", "723", "747",
              "766", "788", "800", "810", "852", "875", "900", "903", "939", "956", "971")
_DE_MOBILE = ("151", "152", "157", "159", "160", "162", "163", "170", "171", "172", "173",
              "174", "175", "176", "177", "178", "179")
_IE_MOBILE = ("83", "85", "86", "87", "89")

# Local parts of contact emails: each is injective in (first, last) and none ends in ".<digits>"
_EMAIL_PATTERNS = ("{f}.{l}", "{f}{l}", "{f}_{l}", "{l}.{f}", "{f}.{l}{yy}", "{f}{l}{yy}")
_DOMAIN_SLOTS = 6
# X handle bases (letters, digits, underscore; no base ends in a digit).
_X_STYLES = ("{f}{l}", "{f}_{l}", "{l}{f}", "{f}{l}_", "the{f}{l}", "{f}_{l}_", "{l}_{f}",
             "its{f}{l}")
# Instagram-only styles always hold a dot, X styles never do: the two families never meet.
_IG_STYLES = ("{f}.{l}", "{l}.{f}", "{f}.{l}_", "{f}.{l}.photo", "{f}.{l}.studio",
              "_{f}.{l}", "{f}.{l}.runs")
# Anonymous (not in the CRM) handles, bases from (adjective, noun).
_ANON_STYLES = ("{a}{n}", "{a}_{n}", "{n}_{a}")
# fmt: on
_ANON_SPACE = len(_ADJECTIVES) * len(_NOUNS) * len(_ANON_STYLES) * 1000

_FIRST_SLUGS = tuple(_slug(n) for n in _FIRST_NAMES)
_LAST_SLUGS = tuple(_slug(n) for n in _LAST_NAMES)
_NAME_SPACE = len(_FIRST_NAMES) * len(_LAST_NAMES) * len(_EMAIL_PATTERNS) * _DOMAIN_SLOTS


# How people type their numbers, per country: {a} area or mobile prefix, {d} the digits.
# fmt: off
_PHONE_STYLES: dict[str, tuple[str, ...]] = {
    "US": ("({a}) 555-{d}", "{a}-555-{d}", "+1 {a} 555 {d}", "{a}.555.{d}", "+1{a}555{d}"),
    "GB": ("07{a} {d}", "+44 7{a} {d}", "+447{a}{d}", "07{a}{d}", "07{a} {d3} {d4}"),
    "DE": ("0{a} {d}", "+49 {a} {d}", "+49{a}{d}", "0{a}/{d}", "0{a}-{d}"),
    "FR": ("0{a} {p}", "+33 {a} {p}", "0{a}{d}", "0{a}.{pd}", "+33{a}{d}"),
    "IE": ("0{a} {d3} {d4}", "+353 {a} {d3} {d4}", "0{a}{d}", "+353{a}{d}", "0{a}-{d}"),
    "NL": ("06 {d}", "+31 6 {d}", "06-{d}", "06{d}", "+316{d}"),
    "ES": ("6{d2} {p}", "+34 6{d2} {p}", "6{d}", "+34 6{d2} {d3} {d4}", "+346{d}"),
}
_E164: dict[str, str] = {
    "US": "+1{a}555{d}", "GB": "+447{a}{d}", "DE": "+49{a}{d}", "FR": "+33{a}{d}",
    "IE": "+353{a}{d}", "NL": "+316{d}", "ES": "+346{d}",
}
# fmt: on


def _phone(country: str, area: str, h: int) -> tuple[str, str]:
    """A phone number as a person would type it, and its E.164 form."""
    code = "US" if country == "CA" else country
    a, d = "", ""
    if code == "US":
        a, d = area.split(":")[0], f"{h % 10000:04d}"  # 555 numbers are for fiction
    elif code == "GB":
        a, d = _GB_MOBILE[(h >> 20) % len(_GB_MOBILE)], f"{h % 1_000_000:06d}"
    elif code == "DE":
        a, d = _DE_MOBILE[(h >> 30) % len(_DE_MOBILE)], str(10_000_000 + h % 90_000_000)
    elif code == "FR":
        a, d = "67"[(h >> 30) & 1], f"{h % 100_000_000:08d}"
    elif code == "IE":
        a, d = _IE_MOBILE[(h >> 30) % len(_IE_MOBILE)], f"{h % 10_000_000:07d}"
    else:  # NL, ES: eight digits after the 6
        d = f"{h % 100_000_000:08d}"
    es = code == "ES"  # 6xx xx xx xx: the first two digits after the 6 stand apart
    parts = {
        "a": a,
        "d": d,
        "d2": d[:2],
        "d3": d[2:5] if es else d[:3],
        "d4": d[5:] if es else d[3:],
        "p": " ".join(d[i : i + 2] for i in range(2 if es else 0, len(d), 2)),
        "pd": ".".join(d[i : i + 2] for i in range(0, len(d), 2)),
    }
    style = _PHONE_STYLES[code][(h >> 40) % 5]
    return style.format_map(parts), _E164[code].format_map(parts)


class _Keys(NamedTuple):
    names: _Perm
    anon: _Perm
    attrs: int
    phone: int
    persona: int
    text: int


@lru_cache(maxsize=64)
def _keys(seed: int) -> _Keys:
    base = _mix64((seed & _M64) ^ 0xC0FFEE1234567)
    return _Keys(
        names=_Perm(_NAME_SPACE, base),
        anon=_Perm(_ANON_SPACE, _mix64(base ^ 1)),
        attrs=_mix64(base ^ 2),
        phone=_mix64(base ^ 3),
        persona=_mix64(base ^ 4),
        text=_mix64(base ^ 5),
    )


class _Contact(NamedTuple):
    number: int
    id: str
    first: str
    last: str
    fslug: str
    lslug: str
    email: str
    phone: str
    e164: str
    city: str
    country: _Country
    region: str
    x_handle: str
    ig_handle: str


def _make_contact(seed: int, index: int) -> _Contact:
    keys = _keys(seed)
    block, j = divmod(index, _NAME_SPACE)
    p = keys.names(j)
    p, fi = divmod(p, len(_FIRST_NAMES))
    p, li = divmod(p, len(_LAST_NAMES))
    d, pat = divmod(p, len(_EMAIL_PATTERNS))
    f, last_slug = _FIRST_SLUGS[fi], _LAST_SLUGS[li]
    yy = f"{((fi * 31 + li * 17 + d * 7) % 40 + 70) % 100:02d}"
    h = _mix64(keys.attrs ^ index)
    country = _COUNTRIES[bisect_right(_COUNTRY_CUM, (h & 0xFFFF) / 65536 * _COUNTRY_CUM[-1])]
    city, region = country.cities[(h >> 16) % len(country.cities)]
    local = _EMAIL_PATTERNS[pat].format(f=f, l=last_slug, yy=yy)
    if block:
        local += f".{block}"
    domain = _GLOBAL_DOMAINS.get(d) or country.domains[(2, 4, 5).index(d)]
    phone, e164 = _phone(country.code, region, _mix64(keys.phone ^ index))
    u = (block * len(_EMAIL_PATTERNS) + pat) * _DOMAIN_SLOTS + d  # unique within (first, last)
    x_handle = ig_handle = ""
    if (h >> 32) & 0xFF < 102:  # ~40 % have an X handle in the CRM
        x_handle = _styled(_X_STYLES, u, f, last_slug)
    if (h >> 40) & 0xFF < 102:  # ~40 % have an Instagram handle
        styles = _IG_STYLES if (h >> 48) & 1 else _X_STYLES
        ig_handle = _styled(styles, u, f, last_slug)
    return _Contact(
        number=index,
        id=f"C{index + 1:06d}",
        first=_FIRST_NAMES[fi],
        last=_LAST_NAMES[li],
        fslug=f,
        lslug=last_slug,
        email=f"{local}@{domain}",
        phone=phone,
        e164=e164,
        city=city,
        country=country,
        region=region.split(":")[-1],
        x_handle=x_handle,
        ig_handle=ig_handle,
    )


def _styled(styles: tuple[str, ...], u: int, f: str, last: str) -> str:
    number, which = divmod(u, len(styles))
    return styles[which].format(f=f, l=last) + (str(number) if number else "")


_cached_contact = lru_cache(maxsize=8192)(_make_contact)


def _anon_handle(seed: int, q: int, platform: str) -> str:
    """A handle that is in no CRM: unique per person ``q``, the same on every platform."""
    block, j = divmod(q, _ANON_SPACE)
    p = _keys(seed).anon(j)
    p, num = divmod(p, 1000)
    p, style = divmod(p, len(_ANON_STYLES))
    ni, ai = divmod(p, len(_ADJECTIVES))
    a, n = _ADJECTIVES[ai], _NOUNS[ni]
    number = str(num + 1000 * block)
    if platform == "reddit":  # Reddit's generated usernames look like Sleepy_Otter_4821
        return f"{a.capitalize()}_{n.capitalize()}_{number}"
    return _ANON_STYLES[style].format(a=a, n=n) + number


def contacts(n: int, seed: int = 0) -> Iterator[dict[str, str]]:
    """Yield ``n`` fake CRM contacts in the contacts CSV shape.

    Each row has exactly the keys of ``CONTACT_COLUMNS``. Contact ``i`` depends only on
    ``(seed, i)``, so ``contacts(100)`` is a prefix of ``contacts(1000)``. Emails and handles
    are unique; names repeat as they do in real CRMs; about 60 % of the handles are empty.

    Args:
        n: How many contacts to yield.
        seed: Selects the data set; the same seed always gives the same rows.

    Yields:
        One dict per contact, ids ``C000001``, ``C000002``, …

    Raises:
        ValueError: If ``n`` is negative.

    """
    if n < 0:
        raise ValueError("n must not be negative")
    return _contact_rows(n, seed)


def _contact_rows(n: int, seed: int) -> Iterator[dict[str, str]]:
    for index in range(n):
        c = _make_contact(seed, index)
        yield {
            "id": c.id,
            "first_name": c.first,
            "last_name": c.last,
            "email": c.email,
            "phone": c.phone,
            "city": c.city,
            "country": c.country.code,
            "x_handle": c.x_handle,
            "instagram_handle": c.ig_handle,
        }


# --------------------------------------------------------------------------------------
# Interactions
# --------------------------------------------------------------------------------------

_BRAND = "Northwind Outfitters"
_BRAND_MENTION = {
    "x": "@NorthwindHelp",
    "instagram": "@northwindoutfitters",
    "facebook": "Northwind Outfitters",
    "reddit": "Northwind",
    "youtube": "Northwind",
}
_ACCOUNTS = {
    "x": "1328742108723417088",
    "facebook": "104857361234567",
    "instagram": "17841405822304914",
    "youtube": "UCn0rthw1ndOutf1tters0Q",
    "reddit": "t2_8nwo7k2f",
}
# fmt: off
_BRAND_AUTHORS: dict[str, dict[str, Any]] = {
    "x": {"id": _ACCOUNTS["x"], "handle": "NorthwindHelp", "name": "Northwind Support",
          "profile_url": "https://x.com/NorthwindHelp"},
    "facebook": {"id": _ACCOUNTS["facebook"], "handle": None, "name": _BRAND,
                 "profile_url": "https://www.facebook.com/northwindoutfitters"},
    "instagram": {"id": _ACCOUNTS["instagram"], "handle": "northwindoutfitters",
                  "name": _BRAND, "profile_url": "https://www.instagram.com/northwindoutfitters/"},
    "youtube": {"id": _ACCOUNTS["youtube"], "handle": "northwindoutfitters", "name": _BRAND,
                "profile_url": "https://www.youtube.com/@northwindoutfitters"},
    "reddit": {"id": _ACCOUNTS["reddit"], "handle": "Northwind_Support",
               "name": "Northwind_Support",
               "profile_url": "https://www.reddit.com/user/Northwind_Support/"},
}
for _author in _BRAND_AUTHORS.values():
    _author.update(website="https://northwind.example", location=None,
                   bio="Official Northwind Outfitters support. Here 8am-8pm GMT, every day.",
                   verified=True, followers=184_300, email=None, phone=None)
_AGENTS = ("Dana Whitfield", "Ravi Menon", "Elise Laurent", "Tom Okoro", "Grace Liang",
           "Marta Nowicka", "Sean Brennan")
_SUBREDDITS = ("NorthwindOutfitters", "CampingGear", "Ultralight", "BuyItForLife",
               "CustomerService", "hiking")

# fmt: on
_PLATFORM_CUM = tuple(accumulate((35, 25, 20, 10, 10)))
_KINDS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "x": (("mention", "dm"), tuple(accumulate((72, 28)))),
    "facebook": (("comment", "dm", "mention"), tuple(accumulate((58, 32, 10)))),
    "instagram": (("comment", "dm", "mention"), tuple(accumulate((55, 30, 15)))),
    "youtube": (("comment",), (1.0,)),
    "reddit": (("comment", "mention", "dm"), tuple(accumulate((60, 28, 12)))),
}

# fmt: off
_PRODUCTS = ("rain jacket", "hiking boots", "2-person tent", "backpack", "sleeping bag",
             "headlamp", "trail shoes", "fleece", "water filter", "camp stove", "down jacket",
             "trekking poles", "gift card", "power bank")
# (weight, intent, templates, emoji) per intent; templates use {order} {product} {days}
_TEXTS: tuple[tuple[float, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (22, "delivery", (
        "my order {order} was supposed to arrive {days} days ago and tracking hasn't moved",
        "where is my order?? {order}, paid for express delivery, still nothing",
        "Ordered a {product} over a week ago and it still says 'processing'. What's going on?",
        "Order {order} never arrived. Courier says delivered, it definitely wasn't",
        "Hi, my parcel ({order}) has been stuck at the depot for {days} days. Any update?",
        "Is anyone actually shipping orders this week? Still waiting on my {product}",
        "tracking for {order} just says 'label created' since last Monday",
        "second time my delivery has been 'rescheduled'. I took the day off for this",
    ), ("😤", "🙄", "📦", "😡", "⏳")),
    (12, "refund", (
        "I returned my {product} {days} days ago and still haven't seen the refund",
        "How long do refunds take? Sent back order {order} at the start of the month",
        "Still waiting on a refund for {order}. Three emails, zero replies.",
        "can I get a refund instead of store credit for the {product}?",
        "You confirmed my refund on the phone but the money isn't back on my card",
    ), ("😕", "💸", "🙄")),
    (12, "outage", (
        "is the app down? can't log in or check out",
        "Website keeps giving me an error at checkout, tried 3 cards",
        "App crashes every time I open my basket. iPhone, latest update",
        "getting 'something went wrong' on every page right now",
        "Your site has been down for an hour, anyone else?",
    ), ("😩", "🤦", "🔥")),
    (8, "damaged", (
        "My {product} arrived with a broken zip. Not great for the price",
        "Received the wrong size {product}, order {order}. How do I swap it?",
        "Box was soaked and the {product} inside is damaged 😞",
        "Got someone else's order instead of mine ({order})",
    ), ("😞", "😕", "📦")),
    (7, "billing", (
        "I've been charged twice for order {order}",
        "Why is there a second payment on my card from you? Only placed one order",
        "Promo code didn't apply at checkout but I was still charged full price",
    ), ("😠", "💳")),
    (5, "cancel", (
        "How do I cancel my Northwind+ membership? Can't find it anywhere in the app",
        "please cancel my subscription, I've asked twice already",
        "Cancel my account. Done with the delays.",
    ), ("🙄",)),
    (6, "account", (
        "Password reset email never arrives, checked spam",
        "Locked out of my account after the update, help?",
        "Can't change my delivery address for {order} in the app",
    ), ("🔒", "😕")),
    (14, "question", (
        "Do you ship to Ireland? Checkout won't let me pick it",
        "Will the {product} be back in stock in medium?",
        "What are your opening hours on bank holidays?",
        "Does the {product} come with a warranty?",
        "Is there a student discount?",
        "Can I collect {order} from the store instead of delivery?",
        "Which size {product} would you recommend for someone 180cm?",
    ), ("🤔", "🙏")),
    (12, "praise", (
        "Shoutout to the team, my {product} arrived a day early and it's perfect",
        "Just used my {product} on a 3 day trek, absolutely brilliant",
        "Customer service sorted my issue in 5 minutes. Thank you!",
        "Love the new {product}, worth every penny",
        "Best outdoor shop around, staff in store were so helpful",
    ), ("😍", "🙌", "💚", "⭐", "🏕️")),
    (1.5, "complaint", (
        "This is the worst service I've ever had. Never ordering again",
        "Honestly embarrassing how you treat loyal customers",
    ), ("🤬", "👎")),
    (0.5, "legal", (
        "If I don't get my money back for {order} this week I'm filing a chargeback",
        "I've contacted Trading Standards about order {order}",
        "My solicitor will be in touch about this",
    ), ()),
    (0.5, "safety", (
        "My {product} got really hot while charging and started to smell. Is that normal?",
        "The power bank swelled up overnight, that can't be safe",
    ), ("😳", "⚠️")),
)
# fmt: on
_TEXT_CUM = tuple(accumulate(w for w, _, _, _ in _TEXTS))
# fmt: off
_FOLLOWUPS = (
    "Thanks, just sent you a DM",
    "Order number is {order}",
    "Still no update on this…",
    "It's been {days} days now, any news?",
    "Thank you, that's sorted now! 🙌",
    "That's not good enough tbh",
    "Done, sent the details over",
    "ok thanks, will wait to hear back",
    "Same here! Exactly the same problem",
    "still waiting 🙄",
)
_AGENT_TEXTS: dict[str, tuple[str, ...]] = {
    "delivery": (
        "Hi {first}, sorry your parcel is late! Could you DM us your order number so we can "
        "chase the courier?",
        "Hi {first}, thanks for your patience. I've checked with the courier and your parcel "
        "is out for delivery today.",
    ),
    "refund": (
        "Hi {first}, I've issued the refund today. It can take 3-5 working days to show on "
        "your card.",
        "Sorry for the wait, {first}. Please DM us your order number and we'll check where "
        "your refund is.",
    ),
    "outage": (
        "Hi {first}, we're aware of an issue with the app and website right now and are "
        "working on a fix. Sorry for the hassle!",
        "Thanks {first}, the checkout issue should be fixed now. Could you try again?",
    ),
    "praise": (
        "So glad to hear it, {first}! Enjoy your next adventure 💚",
        "Thanks so much {first}, we've passed this on to the team 🙌",
    ),
    "question": (
        "Hi {first}, good question! I've sent you a DM with the details.",
        "Hi {first}, yes we do. You'll find everything at northwind.example/help 😊",
    ),
    "": (
        "Hi {first}, sorry to hear this! Could you send us a DM with your order number so we "
        "can take a look?",
        "Thanks for letting us know, {first}. We've passed this to the right team and will "
        "update you within 24 hours.",
        "Hi {first}, I'm sorry about this. I've escalated it and a colleague will email you "
        "today.",
    ),
}
_REDDIT_LEADS = {
    "praise": "Shoutout to Northwind: ",
    "question": "Question for Northwind: ",
    "": "Anyone else had this with Northwind? ",
}
_EDIT_NOTES = (" (order {order})", " - update: still nothing", " Edit: sorted now, thanks",
               " - on iOS btw", " #customerservice")
_BIOS = ("Runner. Coffee. Dog person 🐕", "Weekend hiker, weekday spreadsheets",
         "Photographer 📷 | mountains", "Mum of two, tea addict", "Views my own",
         "Trail running & bad puns", "UX designer. Climber.", "Nurse 👩‍⚕️ | outdoors",
         "Dad, cyclist, amateur baker", "Student @ uni, broke but happy")
_NICKNAMES = ("Coffee Lover ☕", "Trail Mix", "the real deal", "Wanderlust ✈️", "not a bot",
              "outdoorsy", "ManOnAMountain", "Happy Camper")

# fmt: on


class _Persona(NamedTuple):
    author: dict[str, Any]
    first: str
    thread: str  # DM thread id with the brand


@lru_cache(maxsize=16384)
def _persona(seed: int, platform: str, q: int, contact_count: int) -> _Persona:
    """The stable author of person ``q`` (even: contact q//2, odd: stranger) on a platform."""
    pid = _mix64(_keys(seed).persona ^ ((q << 3) | PLATFORMS.index(platform)))
    h = _mix64(pid ^ 0xA5A5A5A5)
    contact = _cached_contact(seed, q >> 1) if not q & 1 and q >> 1 < contact_count else None
    handle: str | None = None
    email: str | None = None
    phone: str | None = None
    if contact is not None:
        f, last = contact.fslug, contact.lslug
        first, full = contact.first, f"{contact.first} {contact.last}"
        style = h % 20
        if platform == "facebook" or style < 14:
            name = full
        elif style < 16:
            name = f"{first} {contact.last[0]}."
        elif style < 18:
            name = first
        elif style < 19:
            name = full.lower()
        else:
            name = f"{full} 🏔️"
        location = f"{contact.city}, {contact.region or contact.country.label}"
        if platform == "x" and contact.x_handle:
            handle = contact.x_handle
        elif platform == "instagram" and contact.ig_handle:
            handle = contact.ig_handle
        elif platform == "youtube" and contact.x_handle:
            handle = contact.x_handle  # the same handle everywhere, as many people do
        revealed = handle is not None and platform in ("x", "instagram")
        if not revealed or (h >> 12) % 10 == 0:
            email = contact.email
            casing = (h >> 16) % 10
            if casing == 0:
                email = email.upper()
            elif casing == 1:
                local, _, domain = email.partition("@")
                email = ".".join(p.capitalize() for p in local.split(".")) + "@" + domain
        if platform == "facebook" and (h >> 24) % 7 == 0:
            phone = contact.e164 if (h >> 28) & 1 else contact.phone
    else:
        rough = _mix64(_keys(seed).persona ^ ((q << 3) | 7))  # the person, on any platform
        fi, li = rough % len(_FIRST_NAMES), (rough >> 16) % len(_LAST_NAMES)
        f, last = _FIRST_SLUGS[fi], _LAST_SLUGS[li]
        first = _FIRST_NAMES[fi]
        if platform == "facebook" or h % 10 < 7:
            name = f"{first} {_LAST_NAMES[li]}"
        else:
            name = _NICKNAMES[(h >> 8) % len(_NICKNAMES)]
            first = "there"
        country = _COUNTRIES[(rough >> 32) % len(_COUNTRIES)]
        location = f"{country.cities[(rough >> 40) % len(country.cities)][0]}, {country.label}"
    if handle is None and platform != "facebook":
        handle = _anon_handle(seed, q, platform)
    if contact is None and (h >> 12) % 25 == 0:
        box = handle or _anon_handle(seed, q, "x")
        email = f"{box.lower()}@{('gmail.com', 'outlook.com', 'yahoo.com')[(h >> 20) % 3]}"
    thread = ""
    if platform == "x":
        ident, profile = str(pid >> 1), f"https://x.com/{handle}"
        thread = f"{_ACCOUNTS['x']}-{ident}"
    elif platform == "facebook":  # page-scoped ids: no handle, no public profile
        ident, profile = str(10**15 + pid % (9 * 10**15)), None
        thread = f"t_{10**15 + h % (9 * 10**15)}"
    elif platform == "instagram":
        ident, profile = str(10**16 + pid % (9 * 10**16)), f"https://www.instagram.com/{handle}/"
        thread = str(340282366841710300949128000000000000000 + pid)
    elif platform == "youtube":
        ident = "UC" + _b64(pid, 8) + _b64(h, 8)[:11]
        profile = f"https://www.youtube.com/@{handle}"
    else:
        ident, profile = "t2_" + _b36(pid % 36**8), f"https://www.reddit.com/user/{handle}/"
        thread = "t4_" + _b36(pid)
    author = {
        "id": ident,
        "handle": handle,
        "name": name,
        "profile_url": profile,
        "website": f"https://{f}{last}.example" if (h >> 32) % 12 == 0 else None,
        "location": location if (h >> 36) % 10 < 4 else None,
        "bio": _BIOS[(h >> 40) % len(_BIOS)]
        if (h >> 44) % 4 == 0 and platform != "facebook"
        else None,
        "verified": (h >> 48) % 150 == 0,
        "followers": None if platform == "facebook" else int(2 ** ((h >> 52) / 4096 * 13)),
        "email": email,
        "phone": phone,
    }
    return _Persona(author, first, thread)


_NOBODY = _Persona({}, "", "")
_T = TypeVar("_T")


class _Entry(NamedTuple):
    platform: str
    message_id: str
    conversation_id: str
    q: int
    kind: str
    private: bool
    post: str  # where it sits: a post, video, subreddit/post, shortcode; "" for DMs
    first: str
    handle: str | None
    text: str
    root: str  # first id of its edit chain
    in_reply_to: str | None
    intent: str


class _Ring(Generic[_T]):
    """A fixed-size buffer of recent items, sampled at random (bounded memory)."""

    __slots__ = ("items", "pos", "size")

    def __init__(self, size: int) -> None:
        self.items: list[_T] = []
        self.size = size
        self.pos = 0

    def add(self, entry: _T) -> None:
        if len(self.items) < self.size:
            self.items.append(entry)
        else:
            self.items[self.pos] = entry
            self.pos = (self.pos + 1) % self.size

    def pick(self, rng: Random) -> _T:
        return self.items[int(rng.random() * len(self.items))]


class _Ids:
    """Per-platform message ids: unique per platform, shaped like each platform's own."""

    __slots__ = ("counter", "key")

    def __init__(self, key: int) -> None:
        self.counter = 0
        self.key = key

    def new(self, platform: str, kind: str, t: int, post: str, parent: str | None) -> str:
        self.counter += 1
        c = self.counter
        if platform == "x":  # a snowflake: time in ms << 22 | sequence
            return str((max(t * 1000 - 1288834974657, 0) << 22) | (c & 0x3FFFFF))
        if kind == "dm":
            if platform == "facebook":
                return "m_" + _b64(_mix64(self.key ^ c)) + _b64(c, 6)
            if platform == "instagram":
                return "aWdfZAG" + _b64(_mix64(self.key ^ c)) + _b64(c, 6)
            return "t4_" + _b36(1_500_000_000 + c)  # reddit
        if platform == "facebook":  # {post or user id}_{comment or post number}
            return f"{post}_{10**15 + c * 7919}"
        if platform == "instagram":
            return str(17_850_000_000_000_000 + c * 7919)
        if platform == "youtube":
            suffix = "Ugz" + _b64(_mix64(self.key ^ c))[:8] + _b64(c, 6) + "4AaABAg"
            return f"{parent.split('.')[0]}.{suffix[3:19]}" if parent else suffix
        if kind == "mention":
            return "t3_" + _b36(1_200_000_000 + c)  # a reddit post
        return "t1_" + _b36(60_000_000_000 + c)


def _url(
    platform: str, kind: str, mid: str, post: str, handle: str | None, author_id: str
) -> str | None:
    if kind == "dm":
        return None
    if platform == "x":
        return f"https://x.com/{handle}/status/{mid}"
    if platform == "facebook":
        obj, _, cid = mid.partition("_")
        if kind == "mention":
            return f"https://www.facebook.com/{author_id}/posts/{cid}"
        return f"https://www.facebook.com/northwindoutfitters/posts/{obj}?comment_id={cid}"
    if platform == "instagram":
        if kind == "mention":
            return f"https://www.instagram.com/p/{_b64(int(mid), 8)[:11]}/"
        return f"https://www.instagram.com/p/{post}/c/{mid}/"
    if platform == "youtube":
        return f"https://www.youtube.com/watch?v={post}&lc={mid}"
    sub, _, link = post.partition("/")
    if kind == "mention":
        return f"https://www.reddit.com/r/{sub}/comments/{mid[3:]}/"
    return f"https://www.reddit.com/r/{sub}/comments/{link}/comment/{mid[3:]}/"


def _post(platform: str, t: int, rng: Random, key: int) -> str:
    """The brand post, video or thread a public message sits under."""
    bucket = t // 21600 - (1 if rng.random() < 0.3 else 0)  # new content every 6 hours
    return _post_of(platform, bucket, key)


@lru_cache(maxsize=256)
def _post_of(platform: str, bucket: int, key: int) -> str:
    h = _mix64(key ^ (bucket << 3) ^ PLATFORMS.index(platform))
    if platform == "facebook":
        return str(122_100_000_000_000_000 + bucket * 1009)
    if platform == "instagram":
        return _b64(h, 8)[:11]
    if platform == "youtube":
        return _b64(_mix64(key ^ (bucket // 12)), 8)[:11]  # a video every 3 days
    if platform == "reddit":
        return f"{_SUBREDDITS[h % len(_SUBREDDITS)]}/{_b36(1_100_000_000 + (h >> 32) % 10**8)}"
    return ""


_CLOCK = tuple(f"T{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
_SECONDS = tuple(f"{sec:02d}Z" for sec in range(60))


def _format_time(t: int, cache: dict[int, str]) -> str:
    """RFC 3339 UTC text of a Unix time (the date text is cached per day)."""
    day, sec = divmod(t, 86400)
    date = cache.get(day)
    if date is None:
        cache.clear()
        date = cache[day] = (datetime(1970, 1, 1) + timedelta(days=day)).strftime("%Y-%m-%d")
    minute, sec = divmod(sec, 60)
    return date + _CLOCK[minute] + _SECONDS[sec]


def interactions(
    n: int, contacts: int, seed: int = 0, start: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` fake interchange records (``crmbridge.interaction/1``), lazily.

    Records span x, facebook, instagram, youtube and reddit, as mentions, comments, replies
    and DMs, in non-decreasing ``created_at`` order from ``start`` (about one every 30 s).
    About 70 % of inbound records are written by a contact of ``contacts(contacts, seed)``
    and reveal it: ``author.email`` equals the contact's email (in any case), or the
    author's handle equals the contact's ``x_handle`` / ``instagram_handle`` on that
    platform. The rest come from strangers, whose emails and handles match no contact
    (some share a contact's name). About 5 % carry ``in_reply_to`` (with the parent's
    ``conversation_id``): customers following up and outbound agent replies
    (``direction: outbound`` with ``agent``). A few X posts are edits (``edit_of``).
    Message ids are unique per platform. Memory stays bounded whatever ``n`` is.

    Args:
        n: How many records to yield.
        contacts: How many contacts the authors are drawn from (``0``: strangers only).
        seed: Selects the data set; the same arguments always give the same records.
        start: Time of the first record (naive means UTC); default 2024-01-01T00:00:00Z.

    Yields:
        One dict per record with every key of the interchange format.

    Raises:
        ValueError: If ``n`` or ``contacts`` is negative.

    """
    if n < 0 or contacts < 0:
        raise ValueError("n and contacts must not be negative")
    if start is None:
        start = DEFAULT_START
    elif start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return _generate(n, contacts, seed, int(start.timestamp()))


def _generate(n: int, contact_count: int, seed: int, t: int) -> Iterator[dict[str, Any]]:
    rng = Random(f"crmbridge.synthetic/{seed}")
    keys = _keys(seed)
    ids = _Ids(keys.text)
    people = _People(contact_count, keys.persona)
    recent_in: _Ring[_Entry] = _Ring(2048)
    recent_out: _Ring[_Entry] = _Ring(512)
    recent_x: _Ring[_Entry] = _Ring(256)
    days: dict[int, str] = {}
    random = rng.random
    for i in range(n):
        if i:
            t += int(rng.expovariate(1 / 30))  # about two messages a minute
        now = _format_time(t, days)
        r = random()
        parent: _Entry | None = None
        agent: str | None = None
        edit_of: str | None = None
        persona = _NOBODY
        intent = "followup"
        if r < 0.021 and recent_in.items:  # an agent answers
            parent = recent_in.pick(rng)
            platform, q = parent.platform, parent.q
            kind = "dm" if parent.private else "reply"
            agent = _AGENTS[int(random() * len(_AGENTS))]
            author = dict(_BRAND_AUTHORS[platform])
            greeting = parent.first if parent.first != "there" else "there"
            answers = _AGENT_TEXTS.get(parent.intent) or _AGENT_TEXTS[""]
            text = answers[int(random() * len(answers))].format(first=greeting)
            text += f" ^{''.join(w[0] for w in agent.split())}"
            if platform == "x" and not parent.private:
                text = f"@{parent.handle} {text}"
        elif r < 0.05 and (recent_out.items or recent_in.items):  # a customer follows up
            if recent_out.items and (random() < 0.7 or not recent_in.items):
                parent = recent_out.pick(rng)
                q = parent.q
            else:
                parent = recent_in.pick(rng)
                q = parent.q
                if not parent.private and random() < 0.3:  # someone else chimes in
                    q = people.pick(rng)
            platform = parent.platform
            kind = "dm" if parent.private else "reply"
            persona = _persona(seed, platform, q, contact_count)
            author = dict(persona.author)
            text = _FOLLOWUPS[int(random() * len(_FOLLOWUPS))].format(
                order=_order(rng), days=2 + int(random() * 12)
            )
            if platform == "x" and not parent.private:
                text = f"@NorthwindHelp {text}"
        elif r < 0.053 and recent_x.items:  # an X post is edited: a new id per version
            parent = recent_x.pick(rng)
            platform, q, kind = "x", parent.q, parent.kind
            persona = _persona(seed, platform, q, contact_count)
            author = dict(persona.author)
            text = parent.text + _EDIT_NOTES[int(random() * len(_EDIT_NOTES))].format(
                order=_order(rng)
            )
            edit_of, intent = parent.root, parent.intent
        else:
            q = people.pick(rng)
            platform = PLATFORMS[bisect_right(_PLATFORM_CUM, random() * _PLATFORM_CUM[-1])]
            kinds, cum = _KINDS[platform]
            kind = kinds[bisect_right(cum, random() * cum[-1])] if len(kinds) > 1 else kinds[0]
            persona = _persona(seed, platform, q, contact_count)
            author = dict(persona.author)
            text, intent = _text(rng, platform, kind)
        private = kind == "dm"
        if edit_of is not None and parent is not None:
            mid = ids.new(platform, kind, t, parent.post, None)
            conversation, in_reply_to, post = (
                parent.conversation_id,
                parent.in_reply_to,
                parent.post,
            )
        elif parent is not None:
            post = parent.post
            mid = ids.new(platform, kind, t, post, parent.message_id)
            conversation, in_reply_to = parent.conversation_id, parent.message_id
        else:
            if private:
                post = ""
            elif platform == "facebook" and kind == "mention":
                post = author["id"]  # a post on the person's own timeline
            else:
                post = _post(platform, t, rng, keys.text)
            mid = ids.new(platform, kind, t, post, None)
            if platform == "reddit" and kind == "mention":
                post = f"{post.partition('/')[0]}/{mid[3:]}"  # the post is the thread
            in_reply_to = None
            conversation = (persona.thread or mid) if private else mid  # DMs: one thread
        record: dict[str, Any] = {
            "schema": SCHEMA,
            "platform": platform,
            "kind": kind,
            "message_id": mid,
            "conversation_id": conversation,
            "in_reply_to": in_reply_to,
            "edit_of": edit_of,
            "account_id": _ACCOUNTS[platform],
            "direction": "outbound" if agent else "inbound",
            "is_private": private,
            "author": author,
            "text": text,
            "created_at": now,
            "edited_at": now if edit_of else None,
            "deleted": False,
            "url": _url(platform, kind, mid, post, author["handle"], author["id"]),
        }
        if agent:
            record["agent"] = agent
            recent_out.add(
                _Entry(
                    platform,
                    mid,
                    conversation,
                    q,
                    kind,
                    private,
                    post,
                    parent.first if parent else "",
                    None,
                    text,
                    mid,
                    None,
                    "agent",
                )
            )
        else:
            entry = _Entry(
                platform,
                mid,
                conversation,
                q,
                kind,
                private,
                post,
                persona.first,
                author["handle"],
                text,
                edit_of or mid,
                in_reply_to,
                intent,
            )
            if edit_of is None:
                recent_in.add(entry)
            if platform == "x" and not private:
                recent_x.add(entry)
        yield record


class _People:
    """Picks who writes next: person ``q`` is contact ``q // 2`` if even, else a stranger."""

    __slots__ = ("contact_share", "contacts", "recent", "strangers")

    def __init__(self, contact_count: int, key: int) -> None:
        self.contacts = _Perm(contact_count, key) if contact_count else None
        self.strangers = _Perm(max(50, contact_count // 2), _mix64(key))
        self.contact_share = 0.7 if contact_count else 0.0
        self.recent: _Ring[int] = _Ring(256)

    def pick(self, rng: Random) -> int:
        random = rng.random
        if self.recent.items and random() < 0.25:  # people come back, often on another channel
            return self.recent.pick(rng)
        # Activity is heavy-tailed: a few regulars write much of the traffic.
        if self.contacts is not None and random() < self.contact_share:
            q = 2 * self.contacts(int(self.contacts.size * random() ** 3))
        else:
            q = 2 * self.strangers(int(self.strangers.size * random() ** 3)) + 1
        self.recent.add(q)
        return q


def _order(rng: Random) -> str:
    return f"NW-{int(rng.random() * 90000) + 10000}"


def _text(rng: Random, platform: str, kind: str) -> tuple[str, str]:
    """A message and its intent."""
    random = rng.random
    _, intent, templates, emoji = _TEXTS[bisect_right(_TEXT_CUM, random() * _TEXT_CUM[-1])]
    text = templates[int(random() * len(templates))]
    if "{" in text:
        text = text.format(
            order=_order(rng),
            product=_PRODUCTS[int(random() * len(_PRODUCTS))],
            days=2 + int(random() * 12),
        )
    if emoji and random() < 0.25:
        text += " " + emoji[int(random() * len(emoji))]
    if kind == "mention":
        tag = _BRAND_MENTION[platform]
        if platform == "reddit":
            return (_REDDIT_LEADS.get(intent) or _REDDIT_LEADS[""]) + text, intent
        return (f"{tag} {text}" if random() < 0.8 else f"{text} {tag}"), intent
    return text, intent


# --------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------


def write_jsonl(path: str | os.PathLike[str], records: Iterable[Mapping[str, Any]]) -> int:
    """Write records as JSON Lines (UTF-8, one object a line), streaming.

    Args:
        path: The file to create or overwrite.
        records: Any iterable of JSON-serialisable mappings, e.g. ``interactions(...)``.

    Returns:
        The number of records written.

    """
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
        write = out.write
        for record in records:
            write(encode(record) + "\n")
            count += 1
    return count


def write_contacts_csv(path: str | os.PathLike[str], rows: Iterable[Mapping[str, str]]) -> int:
    """Write contact rows as CSV with the header of ``CONTACT_COLUMNS``, streaming.

    Extra keys of the first row (other ``<platform>_handle`` columns, say) are appended
    as columns; a key missing from a row is written empty.

    Args:
        path: The file to create or overwrite.
        rows: Any iterable of contact mappings, e.g. ``contacts(...)``.

    Returns:
        The number of rows written (the header not counted).

    """
    iterator = iter(rows)
    first = next(iterator, None)
    columns = list(CONTACT_COLUMNS)
    if first is not None:
        columns += [key for key in first if key not in CONTACT_COLUMNS]
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        if first is None:
            return 0
        writer.writerow(first)
        count = 1
        for row in iterator:
            writer.writerow(row)
            count += 1
    return count
