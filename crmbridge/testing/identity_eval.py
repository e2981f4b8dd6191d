"""Scoring a ``crmbridge match`` LINKS.csv against the identity benchmark's truth.

:class:`KeyOracle` decides, independently of the matcher, which contacts an author's
email, phone or handle names, in the profile fields or written in the bio or the message:
exact mailbox (case-insensitive), the same telephone number in any national or
international layout (the contact's number read in its own country, given as a code or a
name), or the contact's handle on the author's platform. An author whose keys name exactly
one contact, their true one, is a *strong-key* author: the matcher must auto-link them.
:func:`evaluate` turns LINKS.csv into the benchmark's figures.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import phonenumbers

from crmbridge.testing.identity_places import COUNTRIES
from crmbridge.testing.identity_script import fold

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")
_TRUNKS = ("", "0", "8", "06", "1")


def _country_key(name: str) -> str:
    return fold(name).lower().replace(".", "").strip()


_REGION = {_country_key(name): c.iso for c in COUNTRIES.values() for name in c.names()}


def region_of(country: str) -> str | None:
    """The ISO region of a CRM country cell: a code or a name in any listed language."""
    return _REGION.get(_country_key(country or ""))


def bare_handle(value: str) -> str:
    """A CRM handle cell without ``@``, URL or case: "https://x.com/Ana_B" -> "ana_b"."""
    value = value.strip().rstrip("/")
    if "/" in value:
        value = value.rsplit("/", 1)[1]
    return value.lstrip("@").lower()


class KeyOracle:
    """Which contacts an author's strong keys (email, phone, handle) name."""

    def __init__(self, contacts: Iterable[dict[str, str]] = ()) -> None:
        self.emails: dict[str, set[str]] = defaultdict(set)
        self.handles: dict[tuple[str, str], set[str]] = defaultdict(set)
        # phones by their last seven digits; parsed only when an author's number ends so
        self.phones: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
        self._parsed: dict[tuple[str, str | None], tuple[str, ...]] = {}
        for row in contacts:
            self.add(row)

    def add(self, row: dict[str, str]) -> None:
        """Index one contact row (so contacts can be streamed past the oracle)."""
        cid = row["id"]
        if row.get("email"):
            self.emails[row["email"].strip().lower()].add(cid)
        if row.get("phone"):
            digits = "".join(ch for ch in row["phone"] if ch.isdigit())
            self.phones[digits[-7:]].append((cid, row["phone"], region_of(row.get("country", ""))))
        for column, value in row.items():
            if column.endswith("_handle") and value:
                self.handles[(column[: -len("_handle")], bare_handle(value))].add(cid)

    def _forms(self, raw: str, region: str | None) -> tuple[str, ...]:
        """How a contact's number can be written, as digits: "+cc nsn", then national forms.

        A national number with no country can only agree by its digits (with or without
        a trunk prefix); its forms carry no "+" entry.
        """
        key = (raw, region)
        if key not in self._parsed:
            try:
                number = phonenumbers.parse(raw, region)
                nsn = phonenumbers.national_significant_number(number)
                forms = (f"+{number.country_code}{nsn}", *(t + nsn for t in _TRUNKS))
            except phonenumbers.NumberParseException:
                digits = "".join(ch for ch in raw if ch.isdigit())
                forms = (digits, *(digits[len(t) :] for t in _TRUNKS[1:] if digits.startswith(t)))
            self._parsed[key] = forms
        return self._parsed[key]

    def phone(self, text: str) -> set[str]:
        """Contacts whose number this written phone is (any layout)."""
        digits = "".join(ch for ch in text if ch.isdigit())
        candidates = self.phones.get(digits[-7:], []) if len(digits) >= 7 else []
        if not candidates:
            return set()
        if not (text.strip().startswith("+") or digits.startswith("00")):
            written = None  # a national layout: compare digits
        else:
            e164 = "+" + (digits[2:] if digits.startswith("00") else digits)
            written = {e164}
            with contextlib.suppress(phonenumbers.NumberParseException):
                written.add(phonenumbers.national_significant_number(phonenumbers.parse(e164)))
        return {
            c for c, raw, region in candidates if _agrees(self._forms(raw, region), digits, written)
        }

    def named(self, record: dict[str, Any]) -> set[str]:
        """Every contact that one of the author's keys names."""
        author = record.get("author") or {}
        platform = record.get("platform", "")
        found: set[str] = set()
        if author.get("email"):
            found |= self.emails.get(str(author["email"]).strip().lower(), set())
        if author.get("phone"):
            found |= self.phone(str(author["phone"]))
        if author.get("handle"):
            found |= self.handles.get((platform, bare_handle(str(author["handle"]))), set())
        text = " ".join(str(t) for t in (author.get("bio"), record.get("text")) if t)
        for email in EMAIL.findall(text):
            found |= self.emails.get(email.lower().rstrip("."), set())
        for candidate in PHONE.findall(text):
            found |= self.phone(candidate)
        for mention in re.findall(r"@(\w[\w.]*)", text):
            for p in ("x", "instagram"):
                found |= self.handles.get((p, mention.lower().rstrip(".")), set())
        return found


def _agrees(forms: tuple[str, ...], digits: str, written: set[str] | None) -> bool:
    """Whether a written number (international: ``written``; national: ``digits``) is it."""
    placed = forms[0].startswith("+")
    if written is None:
        return digits in (forms[1:] if placed else forms)
    return forms[0] in written if placed else bool(written & set(forms))


def _rows(links: Path) -> dict[str, dict[str, str]]:
    with links.open(encoding="utf-8") as f:
        return {r["identity_key"]: r for r in csv.DictReader(f)}


def evaluate(
    links: Path,
    truth: dict[str, str | None],
    classes: dict[str, str],
    authors: list[dict[str, Any]],
    oracle: KeyOracle,
) -> dict[str, Any]:
    """The benchmark figures of one LINKS.csv (see benchmarks/identity.py)."""
    rows = _rows(links)
    missing = {"band": "unmatched", "contact_id": "", "evidence": "{}"}
    get = lambda k: rows.get(k, missing)  # noqa: E731
    in_crm = [k for k, v in truth.items() if v]
    strangers = [k for k, v in truth.items() if v is None]
    auto = [k for k in truth if get(k)["band"] == "auto"]
    auto_set = set(auto)
    review = [k for k in truth if get(k)["band"] == "review"]
    right = sum(1 for k in auto if get(k)["contact_id"] == truth[k])
    predicted = auto + review
    right_r = sum(1 for k in predicted if get(k)["contact_id"] == truth[k])
    precision = right / len(auto) if auto else 1.0
    recall = right / len(in_crm) if in_crm else 0.0
    precision_r = right_r / len(predicted) if predicted else 1.0
    recall_r = right_r / len(in_crm) if in_crm else 0.0
    strong = _strong(authors, truth, oracle)
    strong_auto = [
        k for k in strong if get(k)["band"] == "auto" and get(k)["contact_id"] == truth[k]
    ]
    strong_review = [
        k
        for k in strong
        if get(k)["contact_id"] == truth[k] and get(k)["band"] in ("auto", "review")
    ]
    linked = set(strong_auto)
    missed = [
        k
        for k in strong
        if k not in linked and "conflict" not in json.loads(get(k)["evidence"] or "{}")
    ]
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": _f1(precision, recall),
        "f1_with_review": _f1(precision_r, recall_r),
        "recall_with_review": round(recall_r, 4),
        "false_link_rate": round(sum(1 for k in strangers if k in auto_set) / len(strangers), 4)
        if strangers
        else 0.0,
        "strangers_offered_in_review": round(
            sum(1 for k in strangers if get(k)["band"] == "review") / len(strangers), 4
        )
        if strangers
        else 0.0,
        "review_share": round(len(review) / len(truth), 4) if truth else 0.0,
        "strong_key_authors": len(strong),
        "strong_key_linked": round(len(strong_auto) / len(strong), 4) if strong else 1.0,
        "strong_key_linked_with_review": round(len(strong_review) / len(strong), 4)
        if strong
        else 1.0,
        "strong_key_missed_without_conflict": len(missed),
        "auto_links": len(auto),
        "wrong_auto_links": len(auto) - right,
        "recall_by_class": _by_class(in_crm, classes, get, truth),
        "strangers_by_class": _strangers(strangers, classes, get),
    }


def _f1(p: float, r: float) -> float:
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def _strong(
    authors: list[dict[str, Any]], truth: dict[str, str | None], oracle: KeyOracle
) -> list[str]:
    """Keys of in-CRM authors whose strong keys (over all their messages) name only theirs."""
    named: dict[str, set[str]] = defaultdict(set)
    for record in authors:
        named[f"{record['platform']}:{record['author']['id']}"] |= oracle.named(record)
    return [k for k, ids in named.items() if truth.get(k) and ids == {truth[k]}]


def _by_class(
    keys: list[str], classes: dict[str, str], get: Any, truth: dict[str, str | None]
) -> dict[str, dict[str, float]]:
    n: Counter[str] = Counter()
    auto: Counter[str] = Counter()
    top: Counter[str] = Counter()
    for k in keys:
        label, row = classes.get(k, "?"), get(k)
        n[label] += 1
        if row["contact_id"] == truth[k]:
            auto[label] += row["band"] == "auto"
            top[label] += row["band"] in ("auto", "review")
    return {
        label: {
            "n": n[label],
            "auto": round(auto[label] / n[label], 3),
            "with_review": round(top[label] / n[label], 3),
        }
        for label in sorted(n, key=lambda x: -n[x])
    }


def _strangers(keys: list[str], classes: dict[str, str], get: Any) -> dict[str, dict[str, float]]:
    n: Counter[str] = Counter()
    linked: Counter[str] = Counter()
    offered: Counter[str] = Counter()
    for k in keys:
        label, band = classes.get(k, "?"), get(k)["band"]
        n[label] += 1
        linked[label] += band == "auto"
        offered[label] += band == "review"
    return {
        label: {
            "n": n[label],
            "auto_linked": round(linked[label] / n[label], 4),
            "offered_in_review": round(offered[label] / n[label], 4),
        }
        for label in sorted(n, key=lambda x: -n[x])
    }
