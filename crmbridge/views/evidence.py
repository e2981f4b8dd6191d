"""Review candidates in one shape, with evidence per field and a reason in plain words.

The ``review.candidates`` column holds, depending on which resolver queued the item, a
contact id, ``[contact_id, score]``, ``[contact_id, score, features]`` or an object
``{"contact_id", "score", "evidence": [{"field", "author", "contact", "verdict", "weight"}]}``.
``candidate`` reads every shape. For the fields a row's evidence does not cover (all of
them in older rows), ``compare`` derives it from the author's profile and the contact's
fields: agree, partial, disagree or missing.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz.fuzz import token_sort_ratio

from crmbridge.identity.normalize import email_key, fold, handle_key, phone_e164
from crmbridge.models import Contact

VERDICTS = ("agree", "partial", "disagree", "missing")
FIELDS = ("name", "email", "phone", "handle", "city")


def candidate(raw: Any) -> dict[str, Any]:
    """One stored candidate as ``{contact_id, score, evidence}`` (evidence may be empty)."""
    if isinstance(raw, dict):
        evidence = [e for e in raw.get("evidence") or [] if isinstance(e, dict)]
        score = raw.get("score")
        return {
            "contact_id": str(raw.get("contact_id") or raw.get("id") or ""),
            "score": float(score) if score is not None else None,
            "evidence": [_evidence_row(e) for e in evidence],
        }
    if isinstance(raw, list | tuple) and raw:
        score = raw[1] if len(raw) > 1 and isinstance(raw[1], int | float) else None
        return {"contact_id": str(raw[0]), "score": score, "evidence": []}
    return {"contact_id": str(raw), "score": None, "evidence": []}


def _evidence_row(e: dict[str, Any]) -> dict[str, Any]:
    verdict = str(e.get("verdict") or "missing")
    return {
        "field": str(e.get("field") or "?"),
        "author": e.get("author"),
        "contact": e.get("contact"),
        "verdict": verdict if verdict in VERDICTS else "missing",
        "weight": e.get("weight"),
    }


def compare(author: dict[str, Any], contact: Contact | None, region: str) -> list[dict[str, Any]]:
    """Evidence per field, derived: the author's value beside the contact's, and a verdict."""
    profile = author.get("profile") or {}
    platform = author.get("platform") or ""
    theirs = contact or Contact(id="")
    rows = [
        _row("name", author.get("name"), theirs.name or None, _names),
        _row("email", profile.get("email"), theirs.email, _emails),
        _row(
            "phone",
            profile.get("phone"),
            theirs.phone,
            lambda a, c: _phones(a, c, region, theirs.country),
        ),
        _row("handle", author.get("handle"), theirs.handles.get(platform), _handles),
        _row("city", profile.get("location"), theirs.city, _cities),
    ]
    return rows


def with_derived(
    stored: list[dict[str, Any]], derived: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The model's evidence, then derived rows for the fields it did not compare."""
    seen = {e["field"] for e in stored}
    if "location" in seen:
        seen.add("city")
    return stored + [e for e in derived if e["field"] not in seen]


def _row(field: str, mine: Any, theirs: Any, judge: Any) -> dict[str, Any]:
    if mine in (None, "") or theirs in (None, ""):
        verdict = "missing"
    else:
        verdict = judge(str(mine), str(theirs))
    return {"field": field, "author": mine, "contact": theirs, "verdict": verdict, "weight": None}


def _names(a: str, c: str) -> str:
    ratio = token_sort_ratio(fold(a), fold(c))
    if ratio >= 95:
        return "agree"
    return "partial" if ratio >= 70 or set(fold(a).split()) & set(fold(c).split()) else "disagree"


def _emails(a: str, c: str) -> str:
    return "agree" if (email_key(a) or a.lower()) == (email_key(c) or c.lower()) else "disagree"


def _phones(a: str, c: str, region: str, country: str | None) -> str:
    # The same digits are the same phone, whichever region each side was read in.
    digits = ["".join(ch for ch in v if ch.isdigit())[-10:] for v in (a, c)]
    if len(digits[0]) >= 7 and digits[0] == digits[1]:
        return "agree"
    where = country if country and len(country) == 2 else region
    theirs = phone_e164(c, where)
    mine = {phone_e164(a, region), phone_e164(a, where)} - {None}
    return "agree" if theirs and theirs in mine else "disagree"


def _handles(a: str, c: str) -> str:
    return "agree" if handle_key(a) == handle_key(c) else "disagree"


def _cities(a: str, c: str) -> str:
    mine, theirs = fold(a), fold(c)
    return "agree" if theirs and (theirs in mine or mine in theirs) else "disagree"


def plain_reason(stored: str, candidates: list[dict[str, Any]]) -> str:
    """Why a person must decide, in words: the stored reason, then the best candidate."""
    if not candidates:
        return f"No candidate contact ({stored}): link by hand or reject."
    top = candidates[0]
    who = top["contact"]["name"] or top["contact"]["id"]
    by_verdict: dict[str, list[str]] = {v: [] for v in VERDICTS}
    for e in top["evidence"]:
        by_verdict[e["verdict"]].append(e["field"])
    parts = []
    for verdict, one, many in (
        ("agree", "agrees", "agree"),
        ("partial", "partly agrees", "partly agree"),
        ("disagree", "differs", "differ"),
    ):
        fields = by_verdict[verdict]
        if fields:
            parts.append(f"{_join(fields)} {one if len(fields) == 1 else many}")
    if by_verdict["missing"]:
        parts.append(f"nothing to compare on {_join(by_verdict['missing'])}")
    score = f" (score {top['score']:.2f})" if top["score"] is not None else ""
    lead = f"Best match {who}{score}: " + ("; ".join(parts) or "no evidence recorded") + "."
    if len(candidates) > 1:
        lead += f" {len(candidates)} contacts are candidates."
    if stored and not stored.startswith("score "):
        lead = f"{stored[:1].upper()}{stored[1:]}. {lead}"
    return lead


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
