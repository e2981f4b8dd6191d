"""Spelling machinery of the identity benchmark: diacritics, transcription, romanisation.

People and CRMs write one name many ways: with its diacritics or without ("José"/"Jose"),
transcribed the German way ("Müller"/"Mueller"), or romanised from Cyrillic or Greek by
one of several schemes (passport, BGN, German, French, phonetic). These functions give
each of those spellings; results are cached because names repeat.
"""

# ruff: noqa: RUF001  (names and cities in Cyrillic, Greek, Arabic and CJK script)

from __future__ import annotations

import random
import unicodedata
from functools import lru_cache

_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "ı": "i",
        "þ": "th",
        "ð": "d",
        "’": "'",
    }
)
_GERMAN = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ß": "ss",
        "ø": "oe",
        "Ø": "Oe",
        "å": "aa",
        "Å": "Aa",
        "æ": "ae",
    }
)


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Drop diacritics: "Łukasz Müller-Šťastný" -> "Lukasz Muller-Stastny"."""
    text = text.translate(_SPECIAL)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def transcribe(text: str) -> str:
    """German/Nordic transcription of umlauts, then fold: "Müller" -> "Mueller"."""
    return fold(text.translate(_GERMAN))


def typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard: a letter dropped, two swapped or one replaced."""
    if len(word) < 4:
        return word
    i = 1 + int(rng.random() * (len(word) - 2))
    r = rng.random()
    if r < 0.4:
        return word[:i] + word[i + 1 :]
    if r < 0.7:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + "aeiourstnl"[int(rng.random() * 10)] + word[i + 1 :]


def has_marks(text: str) -> bool:
    """Whether folding changes the text."""
    return fold(text) != text


_CYR_BASE = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
    "'": "",
}
CYRILLIC_SCHEMES: dict[str, dict[str, str]] = {
    "bgn": {},
    "icao": {"й": "i", "ю": "iu", "я": "ia", "ё": "e", "ъ": "ie", "ї": "i", "є": "ie"},
    "simple": {"х": "h", "ё": "e", "щ": "sch", "ц": "c"},
    "german": {
        "й": "j",
        "х": "ch",
        "ц": "z",
        "ч": "tsch",
        "ш": "sch",
        "щ": "schtsch",
        "ж": "sch",
        "ю": "ju",
        "я": "ja",
        "в": "w",
        "ё": "jo",
        "з": "s",
        "є": "je",
        "ї": "ji",
    },
    "french": {
        "й": "i",
        "ч": "tch",
        "ш": "ch",
        "щ": "chtch",
        "ж": "j",
        "ю": "iou",
        "я": "ia",
        "у": "ou",
        "ё": "io",
        "х": "kh",
    },
    "ukrainian": {"г": "h", "и": "y", "й": "i", "ю": "iu", "я": "ia", "є": "ie", "ї": "i"},
}
_ENDINGS = {  # word-final adjectival endings, per scheme
    "bgn": (("ий", "iy"), ("ый", "yy"), ("ей", "ey"), ("ой", "oy")),
    "icao": (("ий", "ii"), ("ый", "yi"), ("ей", "ei"), ("ой", "oi")),
    "simple": (("ий", "y"), ("ый", "y"), ("ей", "ey"), ("ой", "oy")),
    "german": (("ий", "ij"), ("ый", "yj"), ("ей", "ej"), ("ой", "oj")),
    "french": (("ий", "i"), ("ый", "y"), ("ей", "ei"), ("ой", "oi")),
    "ukrainian": (("ій", "ii"), ("ий", "yi"), ("ей", "ei")),
}
_INITIAL = {"ukrainian": {"й": "y", "ю": "yu", "я": "ya", "є": "ye", "ї": "yi"}}


@lru_cache(maxsize=100_000)
def romanize_cyrillic(text: str, scheme: str) -> str:
    """Cyrillic in Latin letters by one scheme: Сергей -> Sergey/Sergei/Sergej/Serguei."""
    table = {**_CYR_BASE, **CYRILLIC_SCHEMES[scheme]}
    words = []
    for word in text.split(" "):
        low = word.lower()
        tail = ""
        for ending, latin in _ENDINGS[scheme]:
            if low.endswith(ending) and len(low) > 3:
                low, tail = low[: -len(ending)], latin
                break
        out = []
        for i, ch in enumerate(low):
            if i == 0 and ch in _INITIAL.get(scheme, {}):
                out.append(_INITIAL[scheme][ch])
            elif scheme == "french" and ch == "г" and low[i + 1 : i + 2] in ("е", "и"):
                out.append("gu")
            elif scheme == "bgn" and ch == "е" and (i == 0 or low[i - 1] in "аеёиоуыэюяьъ"):
                out.append("ye")
            else:
                out.append(table.get(ch, ch))
        latin_word = "".join(out) + tail
        words.append("-".join(p[:1].upper() + p[1:] for p in latin_word.split("-")))
    return " ".join(words)


_GREEK_PAIRS = {
    "elot": (
        ("ου", "ou"),
        ("αυ", "av"),
        ("ευ", "ev"),
        ("γγ", "ng"),
        ("γκ", "gk"),
        ("μπ", "mp"),
        ("ντ", "nt"),
        ("αι", "ai"),
        ("ει", "ei"),
        ("οι", "oi"),
    ),
    "phonetic": (
        ("ου", "ou"),
        ("αυ", "av"),
        ("ευ", "ev"),
        ("γγ", "ng"),
        ("γκ", "g"),
        ("μπ", "b"),
        ("ντ", "d"),
        ("αι", "e"),
        ("ει", "i"),
        ("οι", "i"),
        ("γε", "ye"),
        ("γι", "yi"),
        ("γη", "yi"),
    ),
    "classical": (
        ("ου", "ou"),
        ("αυ", "au"),
        ("ευ", "eu"),
        ("γγ", "ng"),
        ("γκ", "nk"),
        ("μπ", "mp"),
        ("ντ", "nt"),
        ("αι", "ai"),
        ("ει", "ei"),
        ("οι", "oi"),
    ),
}
_GREEK_BASE = {
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "y",
    "φ": "f",
    "χ": "ch",
    "ψ": "ps",
    "ω": "o",
}
_GREEK_SINGLE = {
    "elot": {},
    "phonetic": {"υ": "i", "χ": "h", "δ": "d"},
    "classical": {"β": "b", "φ": "ph", "η": "e", "υ": "y", "κ": "k"},
}
GREEK_SCHEMES = tuple(_GREEK_PAIRS)


@lru_cache(maxsize=50_000)
def romanize_greek(text: str, scheme: str) -> str:
    """Greek in Latin letters: Γεώργιος -> Georgios (ELOT), Yeoryios (phonetic)."""
    low = fold(text).lower()
    for greek, latin in _GREEK_PAIRS[scheme]:
        low = low.replace(greek, latin)
    table = {**_GREEK_BASE, **_GREEK_SINGLE[scheme]}
    latin_text = "".join(table.get(ch, ch) for ch in low)
    return " ".join(w[:1].upper() + w[1:] for w in latin_text.split(" "))


def romanize(text: str, script: str, scheme: str) -> str:
    """Romanise a native-script name (Cyrillic or Greek); other text comes back as it is."""
    if script == "cyrillic":
        return romanize_cyrillic(text, scheme)
    if script == "greek":
        return romanize_greek(text, scheme)
    return text


def feminine(surname: str, script: str) -> str:
    """A woman's form of a surname where the language inflects it."""
    if script == "cyrillic":
        for male, female in (("ский", "ская"), ("цкий", "цкая"), ("ський", "ська"), ("ой", "ая")):
            if surname.endswith(male):
                return surname[: -len(male)] + female
        if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
            return surname + "а"
        return surname
    if script == "greek":
        for male, female in (
            ("ος", "ου"),
            ("ός", "ού"),
            ("ης", "η"),
            ("ής", "ή"),
            ("άς", "ά"),
            ("ας", "α"),
        ):
            if surname.endswith(male):
                return surname[: -len(male)] + female
        return surname
    for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return surname
