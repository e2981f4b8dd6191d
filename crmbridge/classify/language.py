"""Cheap offline language guess: count common function words of a few languages."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The most frequent function words of each language; words two languages share are left out.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and is are was were you your my it this that have has not with for of to in on "
        "at be been but they them we our what when where why how can can't don't i'm"
    ),
    "es": _words(
        "el la los las es son y que de del en por para con mi mis su sus pero muy no hay "
        "esta está estoy tengo como cuando donde qué gracias hola ya"
    ),
    "fr": _words(
        "le la les est et que de du des en pour avec mon ma mes votre vous je pas une un "
        "sur dans mais très ce cette merci bonjour toujours"
    ),
    "de": _words(
        "der die das ist und nicht ich mit für auf ein eine mein meine ihr ihre sie wir "
        "aber sehr noch schon wie wann wo danke hallo bei"
    ),
    "pt": _words(
        "o a os as é e que de do da dos das em para com meu minha seu sua não um uma mas "
        "muito ainda obrigado obrigada olá está estou"
    ),
    "it": _words(
        "il lo la gli le è e che di del della in per con mio mia non un una ma molto "
        "ancora grazie ciao sono questo questa"
    ),
    "nl": _words(
        "de het een is en niet ik met voor op mijn jullie we maar heel nog al hoe wanneer "
        "waar bedankt hallo dat"
    ),
}

MIN_HITS = 2
"""A guess needs at least this many function words, else the text is too short to tell."""


def detect_language(text: str) -> str | None:
    """An ISO 639-1 code for the language with the most function words, or None."""
    words = _WORD.findall(text.lower())
    if not words:
        return None
    best, best_hits, runner_up = None, 0, 0
    for lang, stops in _STOPWORDS.items():
        hits = sum(1 for w in words if w in stops)
        if hits > best_hits:
            best, best_hits, runner_up = lang, hits, best_hits
        elif hits > runner_up:
            runner_up = hits
    if best_hits < MIN_HITS or best_hits == runner_up:
        return None
    return best
