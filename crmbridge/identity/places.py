"""Where people are: country names in any common language, and city spellings.

A contact's ``country`` may be an ISO code (``IT``, ``ITA``) or a name in English or in the
country's own language (``Italy``, ``Italia``, ``Deutschland``, ``Brasil``); phones are read
in that country. Cities are compared in one spelling: the English exonym and the native name
of a large city fold to one key (``München`` and ``Munich`` → ``munich``), from a table that
ships with the package (``cities.yaml``), so nothing is looked up at run time.
"""

from __future__ import annotations

import gettext
import re
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import pycountry
import yaml

from crmbridge.identity.normalize import fold

# Languages whose country names are recognised besides English (pycountry's own catalogues).
LANGUAGES = (
    "de", "fr", "es", "it", "pt", "pt_BR", "nl", "pl", "sv", "da", "nb", "fi", "cs", "sk",
    "hu", "ro", "tr", "el", "ru", "uk", "ar", "zh_CN", "ja", "ko", "id", "vi", "ca", "hr",
)  # fmt: skip
# Everyday names no catalogue lists.
_EXTRA = {
    "usa": "US", "us": "US", "u s a": "US", "u s": "US", "america": "US", "united states": "US",
    "uk": "GB", "u k": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "great britain": "GB", "britain": "GB", "northern ireland": "GB",
    "holland": "NL", "russia": "RU", "south korea": "KR", "korea": "KR", "czechia": "CZ",
    "turkey": "TR", "turkiye": "TR", "vietnam": "VN", "iran": "IR", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "taiwan": "TW", "syria": "SY", "laos": "LA",
    "moldova": "MD", "uae": "AE", "emirates": "AE", "ivory coast": "CI",
}  # fmt: skip


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = dict(_EXTRA)
    locales = Path(pycountry.LOCALES_DIR)
    translations = []
    for lang in LANGUAGES:
        try:
            translations.append(gettext.translation("iso3166-1", locales, languages=[lang]))
        except OSError:
            continue
    for country in pycountry.countries:
        code = country.alpha_2
        english = [getattr(country, f, None) for f in ("name", "official_name", "common_name")]
        for name in filter(None, english):
            names.setdefault(fold(name), code)
            for tr in translations:
                names.setdefault(fold(tr.gettext(name)), code)
        names.setdefault(country.alpha_3.lower(), code)
    return names


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """The ISO 3166 alpha-2 code a country field means, or None.

    >>> country_code("Italia"), country_code("BRA"), country_code("Deutschland")
    ('IT', 'BR', 'DE')
    """
    if not value:
        return None
    text = value.strip()
    if len(text) == 2 and text.isalpha():
        code = text.upper()
        if code == "UK":
            return "GB"
        return code if pycountry.countries.get(alpha_2=code) else None
    return _country_names().get(fold(text))


@cache
def _city_aliases() -> dict[str, str]:
    raw = resources.files("crmbridge.identity").joinpath("cities.yaml").read_text("utf-8")
    table: dict[str, list[str]] = yaml.safe_load(raw)
    aliases: dict[str, str] = {}
    for canonical, others in table.items():
        key = fold(canonical)
        aliases[key] = key
        for other in others or []:
            aliases[fold(other)] = key
    return aliases


def city_key(value: str | None) -> str:
    """One spelling of a city (folded; native and English names agree); '' when none."""
    folded = fold(value)
    return _city_aliases().get(folded, folded)


_SPLIT = re.compile(r"[,/|•·;()\[\]]|\s-\s|\s+and\s+")


@lru_cache(maxsize=65536)
def places_in(location: str | None) -> frozenset[str]:
    """City keys a free-text location may name ("📍 Köln, DE" → {cologne, de, ...})."""
    if not location:
        return frozenset()
    folded_all = fold(location)
    out = {city_key(part) for part in _SPLIT.split(location)}
    out.add(city_key(location))
    words = folded_all.split()
    # Two- and one-word windows catch "I live in Sao Paulo now" and "NYC based".
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            out.add(city_key(" ".join(words[i : i + size])))
    return frozenset(p for p in out if p)


@lru_cache(maxsize=65536)
def countries_in(location: str | None) -> frozenset[str]:
    """ISO codes of the countries a free-text location names (flags included)."""
    if not location:
        return frozenset()
    found = set()
    flags = [ord(c) - 0x1F1E6 for c in location if 0x1F1E6 <= ord(c) <= 0x1F1FF]
    for a, b in zip(flags[::2], flags[1::2], strict=False):
        found.add(chr(65 + a) + chr(65 + b))
    words = fold(location).split()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            phrase = " ".join(words[i : i + size])
            code = _country_names().get(phrase)
            if code and not (size == 1 and len(phrase) == 2 and phrase not in ("uk", "us")):
                found.add(code)
    return frozenset(found)
