"""People's names: given and family parts, variants across languages, and how two compare.

A display name on social media is often partial, reordered, transliterated or a nickname;
a CRM holds one written form. ``compare`` grades how an author's name tokens meet a
contact's given and family names, in any order: ``full`` (both agree as written),
``fuzzy`` (both agree through a typo, a transliteration, a nickname or a dropped accent),
``initial`` (an initial and the family name), ``last`` or ``first`` (one part only),
``other`` (nothing agrees). Compound family names agree on any of their parts.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

import jellyfish
import yaml
from rapidfuzz.distance import JaroWinkler

from crmbridge.identity.normalize import latin, name_tokens, nickname_forms

# Particles of family names: "de la Cruz" agrees with "Cruz", "van der Berg" with "Berg".
PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "da", "das", "do", "dos", "di", "du", "van", "von",
     "der", "den", "ter", "ten", "le", "al", "el", "bin", "ibn", "bint", "y", "e", "mc"}
)  # fmt: skip
_TRANSCRIBE = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("ph", "f"), ("kh", "h"), ("ou", "u"))
_NOT_LETTERS = re.compile(r"[^a-z]")


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """A phonetic key of one folded name token (metaphone; the token when it has none)."""
    try:
        return jellyfish.metaphone(token) or token
    except Exception:
        return token


def split_name(first: str | None, last: str | None) -> tuple[list[str], list[str]]:
    """A contact's given tokens and family tokens (particles left out)."""
    given = name_tokens(first)
    if len(given) > 1 and all(len(g) <= 4 for g in given):
        given.append("".join(given))  # "Ji-min" is also written "Jimin"
    family = [t for t in name_tokens(last) if t not in PARTICLES] or name_tokens(last)
    return given, family


@cache
def _groups() -> dict[str, frozenset[str]]:
    raw = resources.files("crmbridge.identity").joinpath("given_names.yaml").read_text("utf-8")
    members: dict[str, set[str]] = {}
    for group in yaml.safe_load(raw):
        names = {latin(str(n)).replace(" ", "").replace("-", "") for n in group}
        for name in names:
            members.setdefault(name, set()).update(names)
    return {k: frozenset(v) for k, v in members.items()}


@cache
def given_forms(token: str) -> frozenset[str]:
    """The given names a token may stand for (itself, nicknames, other languages' forms)."""
    return frozenset({token, *nickname_forms(token), *_groups().get(token, ())})


@lru_cache(maxsize=200_000)
def transcribed(token: str) -> str:
    """A spelling with common transcription pairs folded (mueller → muller, youssef → yusef)."""
    for a, b in _TRANSCRIBE:
        token = token.replace(a, b)
    return re.sub(r"(.)\1", r"\1", token)


def same_spelling(a: str, b: str) -> bool:
    """Exactly the same token."""
    return a == b


@lru_cache(maxsize=500_000)
def close_spelling(a: str, b: str) -> bool:
    """One name written two ways: a typo, a transcription or a transliteration."""
    if a == b:
        return True
    if len(a) < 3 or len(b) < 3:
        return False
    if transcribed(a) == transcribed(b):
        return True
    if phonetic(a) == phonetic(b) and a[0] == b[0] and len(phonetic(a)) >= 2:
        return True
    return JaroWinkler.similarity(a, b) >= (0.93 if min(len(a), len(b)) <= 5 else 0.9)


@lru_cache(maxsize=500_000)
def given_agrees(author: str, contact: str) -> str | None:
    """'exact', 'fuzzy' (nickname, variant, typo) or None."""
    if author == contact:
        return "exact"
    if contact in given_forms(author) or author in given_forms(contact):
        return "fuzzy"
    return "fuzzy" if close_spelling(author, contact) else None


@lru_cache(maxsize=500_000)
def family_agrees(author: str, family: tuple[str, ...]) -> str | None:
    """'exact' or 'fuzzy' when the author's token is one of the family name's parts."""
    joined = "".join(family)
    if author in family or author == joined:
        return "exact"
    for particle in ("al", "el", "de", "da", "di", "van", "von", "mc", "ibn", "bin"):
        if author.startswith(particle) and author[len(particle) :] in family:
            return "exact"  # "alhassan", "vanderberg" written as one word
    if any(close_spelling(author, part) for part in family) or close_spelling(author, joined):
        return "fuzzy"
    return None


def compare(tokens: list[str], given: list[str], family: list[str]) -> str | None:
    """How an author's name tokens meet a contact's name (None when either is missing)."""
    return _compare(tuple(tokens), tuple(given), tuple(family))


@lru_cache(maxsize=500_000)
def _compare(
    tokens: tuple[str, ...], given: tuple[str, ...], family: tuple[str, ...]
) -> str | None:
    if not tokens or not (given or family):
        return None
    best_family: tuple[int, str] | None = None
    for i, token in enumerate(tokens):
        level = family_agrees(token, family) if family else None
        if level and (best_family is None or level == "exact"):
            best_family = (i, level)
    rest = [t for i, t in enumerate(tokens) if best_family is None or i != best_family[0]]
    best_given: str | None = None
    initial = False
    for token in rest:
        for g in given[:2]:
            if len(token) == 1:
                initial = initial or token == g[:1]
                continue
            level = given_agrees(token, g)
            if level == "exact" or (level and best_given is None):
                best_given = level
    if best_family and best_given:
        return "full" if best_family[1] == "exact" and best_given == "exact" else "fuzzy"
    if best_family and initial:
        return "initial"
    if best_family:
        return "last"
    if best_given and len(tokens) == 1:
        return "first"
    if best_given and family and any(len(t) == 1 and t == family[0][:1] for t in rest):
        return "first_initial"  # "Jane D."
    if best_given and family and len(tokens) >= 2:
        return "first_other"
    return "other"


def shapes(given: list[str], family: list[str]) -> dict[str, str]:
    """Handle and address shapes people build from their name, with the level each means."""
    first = _NOT_LETTERS.sub("", given[0]) if given else ""
    last = _NOT_LETTERS.sub("", "".join(family))
    if not first or not last:
        return {first or last: "last" if last else "first"} if (first or last) else {}
    out = {first + last: "full", last + first: "full"}
    out.update({first[0] + last: "initial", last + first[0]: "initial"})
    out.setdefault(first + last[0], "first")
    return {k: v for k, v in out.items() if len(k) >= 4}
