"""Decide one identity against a contact index: exact keys first, then the scored posterior.

Deterministic tier (score 1.0): the author's own email, phone (E.164, or the national number
when written without a country) or handle on that platform. Two contacts behind the keys,
the contact holding another handle on that platform, another email or phone, or (for a
phone or handle) a name that shares nothing with the contact's send it to review with the
conflict named. Scored tier: every candidate is compared field by field, weighed by the
model (``crmbridge.identity.model``) and given its share of the posterior; the best one
auto-links when its probability reaches ``auto``, it stands ``margin`` clear of the
runner-up, two independent pieces of evidence agree and no handle contradicts it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from crmbridge.identity.blocking import author_keys
from crmbridge.identity.compare import compare, looks_like_a_name
from crmbridge.identity.features import ContactRecord, Identity, TermFrequencies
from crmbridge.identity.model import Model, Scored
from crmbridge.identity.names import compare as compare_names

AGREE = {"full", "city", "agree"}
PARTIAL = {"fuzzy", "initial", "last", "first", "country"}
# Agreements that point at one person (beyond name and place).
IDENTIFYING = ("handle_elsewhere", "email_tag", "email_loose", "text_key", "domain")
# Fields shown in the evidence table even when one side has no value.
SHOWN = ("name", "email", "phone", "location", "handle")


@dataclass(frozen=True)
class Thresholds:
    """Band limits: auto-link at or above ``auto``, review at or above ``review``."""

    auto: float = 0.99
    review: float = 0.50
    # The runner-up's probability must be at most this (namesakes share the posterior).
    margin: float = 0.05


class Index(Protocol):
    """What the matcher needs of a contact index (in memory or in the state store)."""

    @property
    def tf(self) -> TermFrequencies:
        """How common each compared value is among the contacts."""

    def __len__(self) -> int: ...

    def ids(self, key: str) -> list[str]:
        """The contacts filed under one exact key."""

    def candidates(self, keys: set[str], limit: int = 300) -> list[ContactRecord]:
        """The contacts sharing a key with an author."""

    def record(self, contact_id: str) -> ContactRecord | None:
        """One contact's prepared record."""


@dataclass
class Decision:
    """The outcome for one identity: a band, a contact, a score and the evidence."""

    identity_key: str
    band: str
    contact_id: str | None
    score: float
    rule: str
    evidence: dict[str, Any] = field(default_factory=dict)
    candidates: list[tuple[str, float]] = field(default_factory=list)
    # Per candidate: its field levels and the evidence table (for review and learning).
    features: dict[str, dict[str, str]] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def review_candidates(self) -> list[dict[str, Any]]:
        """The candidates as the review queue stores them."""
        return [
            {
                "contact_id": cid,
                "score": score,
                "evidence": self.tables.get(cid, []),
                "levels": self.features.get(cid, {}),
            }
            for cid, score in self.candidates
        ]


def evidence_table(ident: Identity, rec: ContactRecord, s: Scored | None) -> list[dict[str, Any]]:
    """Field by field: both values, agree / partial / disagree / missing, and the weight."""
    rows: list[dict[str, Any]] = []
    if s is not None:
        for f, lv in s.levels.items():
            author, contact = s.comparison.values.get(f, (None, None))
            verdict = "agree" if lv in AGREE else "partial" if lv in PARTIAL else "disagree"
            weight = round(s.weights.get(f, 0.0), 2)
            rows.append({"field": f, "level": lv, "author": author, "contact": contact,
                         "verdict": verdict, "weight": weight})  # fmt: skip
    present = {r["field"] for r in rows}
    sides = {
        "name": (ident.raw_name, rec.name),
        "email": (ident.email, rec.email),
        "phone": (ident.phone or next(iter(ident.phone_nationals), None), rec.phone),
        "location": (ident.location or None, rec.city or rec.country),
        "handle": (
            "@" + ident.handle if ident.handle else None,
            rec.handles.get(ident.platform),
        ),
    }
    for f in SHOWN:
        author, contact = sides[f]
        if f not in present and not (author and contact):
            rows.append({"field": f, "level": "missing", "author": author, "contact": contact,
                         "verdict": "missing", "weight": 0.0})  # fmt: skip
    return rows


class Matcher:
    """Matches identities against a contact index."""

    def __init__(
        self,
        index: Index,
        model: Model | None = None,
        thresholds: Thresholds | None = None,
        *,
        match_email: bool = True,
        match_phone: bool = True,
        match_handles: bool = True,
    ) -> None:
        self.index = index
        self.model = model or Model()
        self.thresholds = thresholds or Thresholds()
        self.match_email = match_email
        self.match_phone = match_phone
        self.match_handles = match_handles

    def decide(self, ident: Identity) -> Decision:
        """The band, contact, score, rule and evidence for one identity."""
        exact = self.exact(ident)
        if exact is not None:
            return exact
        return self.scored(ident, self.rank(ident))

    # --- deterministic tier -------------------------------------------------------------

    def exact(self, ident: Identity) -> Decision | None:
        """Exact keys, or None when no key of the author's own fields hits a contact."""
        by_rule: dict[str, set[str]] = {}
        evidence: dict[str, Any] = {}
        idx = self.index
        if self.match_email and ident.email and idx.ids("em:" + ident.email):
            by_rule["email"] = set(idx.ids("em:" + ident.email))
            evidence["email"] = ident.email
        if self.match_phone:
            ids = set(idx.ids("ph:" + ident.phone)) if ident.phone else set()
            for national in ident.phone_nationals:
                ids.update(idx.ids("nt:" + national))
            if ids:
                by_rule["phone"] = ids
                evidence["phone"] = ident.phone or ident.phone_nationals[0]
        if self.match_handles and ident.handle:
            ids = set(idx.ids(f"hd:{ident.platform}:{ident.handle}"))
            if ids:
                by_rule["handle"] = ids
                evidence["handle"] = "@" + ident.handle
        if not by_rule:
            self._text_keys(ident, by_rule, evidence)
        if not by_rule:
            return None
        ids = set().union(*by_rule.values())
        rule = "+".join(sorted(by_rule))
        conflict = self.conflict(ident, ids, by_rule)
        if conflict:
            evidence["conflict"] = conflict
            ranked = sorted(ids)
            decision = Decision(
                ident.key, "review", ranked[0], 1.0, rule, evidence, [(i, 1.0) for i in ranked]
            )
            for cid in ranked:
                rec = idx.record(cid)
                if rec is not None:
                    decision.tables[cid] = evidence_table(ident, rec, None)
            return decision
        (contact_id,) = ids
        evidence.update(self.also_shows(ident, contact_id))
        rec = idx.record(contact_id)
        stored = rec.handles.get(ident.platform) if rec else None
        if stored and ident.handle and stored != ident.handle:
            evidence["handle_changed"] = f"@{stored} → @{ident.handle}"
        return Decision(ident.key, "auto", contact_id, 1.0, rule, evidence, [(contact_id, 1.0)])

    def _text_keys(
        self, ident: Identity, by_rule: dict[str, set[str]], evidence: dict[str, Any]
    ) -> None:
        """Keys the author writes as their own: addresses, numbers, other accounts.

        An email or phone in the bio or messages, or another account the profile names
        ("also @…"), decides like a profile field. Keys introduced as someone else's
        ("bookings: ...", "agent: ...", "photos by @…") never reach ``text_emails``,
        ``text_phones`` or ``bio_handles``.
        """
        own_handle = ident.handle
        written = (
            (self.match_email, "text_email", "em:", "", ident.text_emails),
            # "also @…", "IG: @…" in the profile; not the author's handle on this platform
            (self.match_handles, "bio_handle", "ha:", "@",
             [h for h in ident.bio_handles if h != own_handle]),
            (self.match_phone, "text_phone", "nt:", "", ident.text_phones),
        )  # fmt: skip
        for enabled, rule, prefix, mark, values in written:
            for value in values if enabled else ():
                ids = self.index.ids(prefix + value)
                if ids:
                    by_rule.setdefault(rule, set()).update(ids)
                    evidence.setdefault(rule, mark + value)

    def conflict(self, ident: Identity, ids: set[str], by_rule: dict[str, set[str]]) -> str | None:
        """Why the strong keys cannot be trusted for an auto-link, or None."""
        if len(ids) > 1:
            return f"{len(ids)} contacts share this identity's keys: {', '.join(sorted(ids))}"
        contact_id = next(iter(ids))
        rec = self.index.record(contact_id)
        if rec is None:
            return None
        stored = rec.handles.get(ident.platform)
        if ident.handle and stored and stored != ident.handle and "handle" in by_rule:
            return (
                f"contact {rec.id} has {ident.platform} handle @{stored}, "
                f"the author is @{ident.handle}"
            )
        unrelated = compare_names(ident.tokens, rec.given, rec.family) == "other"
        if (
            not {"email", "handle"} & set(by_rule)
            and unrelated
            and _a_persons_name(ident.tokens, self.index.tf)
        ):
            return f"the author's name shares nothing with contact {rec.id}'s ({rec.name})"
        return None

    def also_shows(self, ident: Identity, contact_id: str) -> dict[str, str]:
        """The author's other keys that no contact holds (a second address is no conflict)."""
        rec = self.index.record(contact_id)
        notes: dict[str, str] = {}
        if rec is None:
            return notes
        if ident.email and rec.emails and ident.email not in rec.emails:
            notes["other_email"] = f"{ident.email} (the contact has {rec.email})"
        nationals = set(ident.phone_nationals)
        shown_phone = ident.phone or next(iter(ident.phone_nationals), "")
        differs = ident.phone != rec.phone and not rec.phone_keys & nationals
        if shown_phone and rec.phone and differs:
            notes["other_phone"] = f"{shown_phone} (the contact has {rec.phone})"
        return notes

    # --- scored tier --------------------------------------------------------------------

    def rank(self, ident: Identity) -> list[Scored]:
        """Every candidate compared, weighed and given its share of the posterior."""
        return self.pool(ident)[0]

    def pool(self, ident: Identity, keep: int | None = None) -> tuple[list[Scored], float | None]:
        """The ranked candidates (the best ``keep``), and the log2 mass of all the others.

        The mass left out (candidates past ``keep``, namesakes blocking did not fetch) keeps
        its place in the posterior when only the best are kept (EM on many authors).
        """
        records = self.index.candidates(author_keys(ident))
        size = len(self.index)
        scored = [
            self.model.score(rec.id, compare(ident, rec, self.index.tf), size) for rec in records
        ]
        unseen = self.unseen(records, scored)
        self.model.posterior(scored, size, unseen)
        scored.sort(key=lambda s: (-s.probability, s.contact_id))
        if keep is None or len(scored) <= keep:
            return scored, unseen
        rest = [s.log2_lr for s in scored[keep:]] + ([unseen] if unseen is not None else [])
        top = max(rest)
        return scored[:keep], top + math.log2(sum(2.0 ** (r - top) for r in rest))

    def unseen(self, records: list[ContactRecord], scored: list[Scored]) -> float | None:
        """log2 mass of the namesakes of the best name match that blocking left out."""
        named = [
            (s, r) for s, r in zip(scored, records, strict=True) if s.levels.get("name") == "full"
        ]
        if not named:
            return None
        best, rec = max(named, key=lambda p: p[0].log2_lr)
        holders = self.index.tf.count("name", f"{rec.first}|{rec.last}")
        seen = sum(1 for _, r in named if (r.first, r.last) == (rec.first, rec.last))
        if holders <= seen:
            return None
        return math.log2(holders - seen) + best.weights.get("name", 0.0)

    def scored(self, ident: Identity, ranked: list[Scored]) -> Decision:
        """The best candidate, banded by probability, margin, evidence and guards."""
        if not ranked:
            return Decision(ident.key, "unmatched", None, 0.0, "none")
        best = ranked[0]
        runner_up = ranked[1].probability if len(ranked) > 1 else 0.0
        top = ranked[:5]
        decision = Decision(
            ident.key,
            "unmatched",
            None,
            round(best.probability, 4),
            "score",
            {k: v for k, v in best.levels.items()},
            [(s.contact_id, round(s.probability, 4)) for s in top],
            {s.contact_id: dict(s.levels) for s in top},
        )
        t = self.thresholds
        why_not = self.guard(best, runner_up) or self.rival(ranked[1:5])
        if best.probability >= t.auto and why_not is None:
            decision.band, decision.contact_id = "auto", best.contact_id
            return decision
        if best.probability >= t.review:
            decision.band, decision.contact_id = "review", best.contact_id
            if why_not and best.probability >= t.auto:
                decision.evidence["conflict"] = why_not
            for s in top:
                rec = self.index.record(s.contact_id)
                if rec is not None:
                    decision.tables[s.contact_id] = evidence_table(ident, rec, s)
        return decision

    def rival(self, others: list[Scored]) -> str | None:
        """Another candidate with a key-like agreement of its own: the keys conflict."""
        for s in others:
            shared = [f for f in IDENTIFYING if s.levels.get(f) == "agree" and f != "domain"]
            if shared:
                return f"contact {s.contact_id} also agrees on {', '.join(shared)}"
        return None

    def guard(self, best: Scored, runner_up: float) -> str | None:
        """Why a probable candidate still may not auto-link, or None."""
        levels = best.levels
        keyed = "text_key" in levels or "email_loose" in levels
        if levels.get("handle_stale") and not keyed:
            a, c = best.comparison.values["handle_stale"]
            return f"contact {best.contact_id} has {c} on this platform, the author is {a}"
        if runner_up > self.thresholds.margin:
            return f"another candidate keeps {runner_up:.1%} of the probability"
        if best.strength() < 2:
            return "only one piece of evidence agrees"
        return None


def _a_persons_name(tokens: list[str], tf: TermFrequencies) -> bool:
    """A given name and more ("Karl Other"), not a motto or a handle ("Vinyl Cherry")."""
    words = [t for t in tokens if len(t) > 1]
    return len(words) >= 2 and looks_like_a_name(words[:1], tf)
