"""One author against one contact: the level of each field, how common its value is, and why.

The levels feed the model (``crmbridge.identity.model``); the values behind them feed the
review queue's evidence table ("author: Köln · contact: Cologne · agree").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import partial_ratio

from crmbridge.identity.features import ContactRecord, Identity, TermFrequencies, alnum, letters
from crmbridge.identity.names import compare as compare_names
from crmbridge.identity.names import given_forms, phonetic

# How strong each name level is, to keep the better of the display name and the handle.
_NAME_RANK = {
    "full": 7,
    "fuzzy": 6,
    "initial": 5,
    "last": 4,
    "first_initial": 3,
    "first": 2,
    "first_other": 1,
}


@dataclass
class Comparison:
    """A pair's levels per field, the u of the value-dependent ones, and the values seen."""

    levels: dict[str, str] = field(default_factory=dict)
    u: dict[str, float] = field(default_factory=dict)
    values: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def set(
        self, name: str, level: str, author: str | None, contact: str | None, u: float | None = None
    ) -> None:
        """Record one field's level, the two values and (for frequency-weighted levels) u."""
        self.levels[name] = level
        self.values[name] = (author, contact)
        if u is not None:
            self.u[name] = u


def name_u(level: str, rec: ContactRecord, tf: TermFrequencies) -> float:
    """How likely a random person's name meets this contact's at this level."""
    first = tf.u("first", rec.first) if rec.first else 1.0
    last = min((tf.u("last", t) for t in rec.family), default=1.0)
    last_p = min((tf.u("lastp", phonetic(t)) for t in rec.family), default=1.0)
    pairing = tf.name_pairing()
    if level == "full":
        return min(1.0, pairing * first * last)
    if level == "fuzzy":
        return min(1.0, 4 * pairing * first * last_p)
    if level == "initial":
        return min(1.0, (tf.u("initial", rec.first[:1]) if rec.first else 1.0) * last * pairing)
    if level == "last":
        return last_p
    if level == "first_initial":
        return first / 12
    if level in ("first", "first_other"):
        return first
    return 1.0


def looks_like_a_name(tokens: list[str], tf: TermFrequencies) -> bool:
    """Whether a display name reads as a person's ("Karl Other"), not a motto ("Night Owl").

    A token is a given name the variant tables know, or one that three contacts hold.
    """
    return any(
        len(given_forms(t)) > 1 or tf.count("first", t) >= 3 or tf.count("last", t) >= 3
        for t in tokens
        if len(t) > 1
    )


def _name(ident: Identity, rec: ContactRecord, out: Comparison, tf: TermFrequencies) -> None:
    display = compare_names(ident.tokens, rec.given, rec.family)
    if display in ("other", "first_other") and not looks_like_a_name(ident.tokens, tf):
        display = None  # a nickname of the account, not a name that disagrees
    handle = rec.shapes.get(letters(ident.handle)) if ident.handle else None
    if handle is None and ident.handle and rec.shapes:
        stripped = letters(ident.handle)
        handle = next((lv for s, lv in rec.shapes.items() if stripped.startswith(s)), None)
    best, source = display, ident.raw_name
    if handle and _NAME_RANK.get(handle, 0) > _NAME_RANK.get(display or "", 0):
        best, source = handle, "@" + (ident.handle or "")
    if best is None:
        return
    out.set("name", best, source, rec.name, name_u(best, rec, tf))


def _location(ident: Identity, rec: ContactRecord, out: Comparison, tf: TermFrequencies) -> None:
    if not ident.location or not (rec.city or rec.country):
        return
    if rec.city and (
        rec.city in ident.places or any(_same_place(rec.city, p) for p in ident.places)
    ):
        out.set("location", "city", ident.location, rec.city, tf.city_given_family(rec))
    elif rec.country and rec.country in ident.countries:
        out.set("location", "country", ident.location, rec.country, tf.u("country", rec.country))
    elif rec.city and (ident.countries or any(tf.count("city", p) for p in ident.places)):
        out.set("location", "disagree", ident.location, rec.city)  # a real place, elsewhere


def _same_place(city: str, place: str) -> bool:
    """One place written with a typo or inside a longer name ("Londn", "Greater London")."""
    if len(place) <= 4 or len(city) <= 4:
        return False
    return partial_ratio(city, place) >= 92 or JaroWinkler.similarity(city, place) >= 0.93


def _handles(ident: Identity, rec: ContactRecord, out: Comparison) -> None:
    if not ident.handle and not ident.other_handles:
        return
    mine = {ident.handle, *ident.other_handles}
    elsewhere = [(p, h) for p, h in rec.handles.items() if h in mine and p != ident.platform]
    if elsewhere:
        platform, handle = elsewhere[0]
        # A long handle is all but unique across platforms; a short one ("jack", "mp")
        # is often somebody else's elsewhere.
        rarity = 2e-6 if len(handle) >= 6 else 5e-5
        out.set("handle_elsewhere", "agree", "@" + handle, f"{platform} @{handle}", rarity)
    stored = rec.handles.get(ident.platform)
    if not ident.handle:
        return
    if stored and stored != ident.handle:
        out.set("handle_stale", "stale", "@" + ident.handle, "@" + stored)
    if rec.email_tag and alnum(ident.handle) == rec.email_tag:
        u = tag_u(rec)
        if u is not None:
            out.set("email_tag", "agree", "@" + ident.handle, rec.email, u)


def name_shaped(stem: str, rec: ContactRecord) -> bool:
    """Whether letters are built from the contact's name (any given form, any family part)."""
    if stem in rec.shapes or any(stem == letters(h) for h in rec.handles.values()):
        return True
    givens = {g for first in rec.given[:1] for g in given_forms(first)} | set(rec.given)
    families = {*rec.family, "".join(rec.family)}
    for g in givens:
        for f in families:
            for shape in (g + f, f + g, g[:1] + f, f + g[:1], g + f[:1]):
                if stem == shape or (
                    len(stem) >= 8 and JaroWinkler.similarity(stem, shape) >= 0.93
                ):
                    return True
    return False


def tag_u(rec: ContactRecord) -> float | None:
    """How likely someone else uses this address tag as a handle (None: it says nothing).

    A tag built from the contact's name ("juangarcia", "patricialewis" for Trish) is what a
    namesake picks too: with digits ("leonkim94") only the digits single the person out;
    without, it is no evidence beyond the name (weighed on its own).
    """
    tag = rec.email_tag
    stem = tag.rstrip("0123456789")
    digits = len(tag) - len(stem)
    if name_shaped(letters(stem), rec):
        return max(0.5 * 10.0**-digits, 1e-4) if digits else None
    return 2e-5


def _keys(ident: Identity, rec: ContactRecord, out: Comparison, tf: TermFrequencies) -> None:
    if rec.email_loose and rec.email_loose in ident.loose_emails:
        out.set("email_loose", "agree", ident.email, rec.email)
    elif ident.email and rec.emails and ident.email not in rec.emails:
        out.set("email", "disagree", ident.email, rec.email)
    text_email = next((e for e in ident.text_emails if e in rec.emails), None)
    if text_email is None and rec.email_loose in ident.text_loose:
        text_email = rec.email
    text_phone = next((k for k in rec.phone_keys if k in ident.text_phones), None)
    if text_email or text_phone:
        out.set("text_key", "agree", text_email or text_phone, text_email or rec.phone)
    nationals = ident.phone_nationals
    if rec.phone and nationals and not rec.phone_keys & set(nationals) and ident.phone != rec.phone:
        out.set("phone", "disagree", nationals[0], rec.phone)
    if rec.domain and rec.domain in ident.domains:
        # u: a random person shows some site of their own (1 in 20) and it is this domain.
        out.set("domain", "agree", rec.domain, rec.domain, 0.05 * tf.u("domain", rec.domain))


def compare(ident: Identity, rec: ContactRecord, tf: TermFrequencies) -> Comparison:
    """Every field's level for one blocked pair (a field missing on either side is left out)."""
    out = Comparison()
    _name(ident, rec, out, tf)
    _location(ident, rec, out, tf)
    _handles(ident, rec, out)
    _keys(ident, rec, out, tf)
    return out
