"""Decide one identity against a contact index: deterministic tier, then scored bands."""

from __future__ import annotations

from dataclasses import dataclass

from crmbridge.identity.blocking import ContactIndex
from crmbridge.identity.scoring import Decision, FellegiSunter, Identity, features, name_level


@dataclass(frozen=True)
class Thresholds:
    """Band limits: auto-link at or above ``auto``, review at or above ``review``."""

    auto: float = 0.99
    review: float = 0.30
    # The runner-up must be this far below the best for an auto-link (namesakes).
    margin: float = 0.50


# Signals that single a person out among namesakes (besides the exact keys).
IDENTIFYING = ("location", "domain", "text_key", "email_loose", "handle_elsewhere")


class Matcher:
    """Matches identities against an in-memory contact index."""

    def __init__(
        self,
        index: ContactIndex,
        model: FellegiSunter | None = None,
        thresholds: Thresholds | None = None,
        *,
        match_email: bool = True,
        match_phone: bool = True,
        match_handles: bool = True,
    ) -> None:
        self.index = index
        self.model = model or FellegiSunter()
        self.thresholds = thresholds or Thresholds()
        self.match_email = match_email
        self.match_phone = match_phone
        self.match_handles = match_handles

    def decide(self, ident: Identity) -> Decision:
        """The band, contact, score, rule and evidence for one identity."""
        exact = self.exact(ident)
        if exact is not None:
            return exact
        return self.scored(ident)

    def exact(self, ident: Identity) -> Decision | None:
        """Deterministic tier: exact keys, or None when no key hits a contact."""
        by_rule: dict[str, set[str]] = {}
        idx = self.index
        if self.match_email and ident.email and idx.by_email.get(ident.email):
            by_rule["email"] = set(idx.by_email[ident.email])
        if self.match_phone and ident.phone and idx.by_phone.get(ident.phone):
            by_rule["phone"] = set(idx.by_phone[ident.phone])
        handle_ids = idx.by_handle.get((ident.platform, ident.handle or ""))
        if self.match_handles and ident.handle and handle_ids:
            by_rule["handle"] = set(handle_ids)
        if not by_rule:
            return None
        ids = set().union(*by_rule.values())
        rule = "+".join(sorted(by_rule))
        evidence = {
            r: (
                ident.email
                if r == "email"
                else ident.phone
                if r == "phone"
                else "@" + (ident.handle or "")
            )
            for r in by_rule
        }
        conflict = self.conflict(ident, ids)
        if not conflict and "email" not in by_rule:
            conflict = self.name_conflict(ident, next(iter(ids)))
        if conflict:
            evidence["conflict"] = conflict
            top = sorted(ids)[0]
            return Decision(
                ident.key, "review", top, 1.0, rule, evidence, [(i, 1.0) for i in sorted(ids)]
            )
        (contact_id,) = ids
        return Decision(ident.key, "auto", contact_id, 1.0, rule, evidence, [(contact_id, 1.0)])

    def conflict(self, ident: Identity, ids: set[str]) -> str | None:
        """Why the strong keys cannot be trusted for an auto-link, or None."""
        if len(ids) > 1:
            return f"{len(ids)} contacts share this identity's keys: {', '.join(sorted(ids))}"
        rec = self.index.records[next(iter(ids))]
        stored = rec.handles.get(ident.platform)
        if ident.handle and stored and stored != ident.handle:
            return (
                f"contact {rec.id} has {ident.platform} handle @{stored}, "
                f"the author is @{ident.handle}"
            )
        if ident.email and rec.email and ident.email not in rec.emails:
            return f"contact {rec.id} has a different email than the author"
        if ident.phone and rec.phone and rec.phone != ident.phone:
            return f"contact {rec.id} has a different phone than the author"
        return None

    def name_conflict(self, ident: Identity, contact_id: str) -> str | None:
        """A phone or handle (shared in households, recycled) under an unrelated name."""
        rec = self.index.records[contact_id]
        if name_level(ident.tokens, rec) != "other" or len(ident.tokens) < 2:
            return None
        return f"the author's name shares nothing with contact {rec.id}'s"

    def crowded_name(self, contact_id: str, feats: dict[str, str]) -> str | None:
        """Why a name plus a name-shaped handle cannot pick one of many namesakes, or None.

        When more contacts share the candidate's name than blocking will compare (the name
        is too common to block on), a handle shaped from that name matching this one's
        address tag is what many of them could show: without another identifying signal
        (location, a domain, a key in the text, a handle on another platform) it goes to
        review instead of auto-linking.
        """
        if feats.get("email_shape") != "agree":
            return None
        if any(feats.get(f) == "agree" for f in IDENTIFYING):
            return None
        namesakes = self.index.namesakes(contact_id)
        if namesakes <= self.index.max_block:
            return None
        return (
            f"{namesakes} contacts share contact {contact_id}'s name; a handle shaped like "
            "its address alone cannot tell them apart"
        )

    def scored(self, ident: Identity) -> Decision:
        """Scored tier: the best blocked candidate, banded by probability and margin."""
        ranked: list[tuple[float, str, dict[str, str]]] = []
        for rec in self.index.candidates(ident.block_keys()):
            feats = features(ident, rec)
            ranked.append((self.model.probability(feats), rec.id, feats))
        if not ranked:
            return Decision(ident.key, "unmatched", None, 0.0, "none")
        ranked.sort(key=lambda r: (-r[0], r[1]))
        best, contact_id, feats = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        top = [(cid, round(p, 4)) for p, cid, _ in ranked[:5]]
        levels = {cid: f for _, cid, f in ranked[:5]}
        evidence: dict[str, object] = {k: v for k, v in feats.items() if v != "none"}
        t = self.thresholds
        crowd = self.crowded_name(contact_id, feats)
        if (
            best >= t.auto
            and runner_up <= best - t.margin
            and feats.get("handle_stale") != "stale"
            and crowd is None
        ):
            return Decision(
                ident.key, "auto", contact_id, round(best, 4), "score", evidence, top, levels
            )
        if best >= t.review:
            if crowd is not None and best >= t.auto:
                evidence["conflict"] = crowd
            if runner_up > best - t.margin and best >= t.auto:
                evidence["conflict"] = f"runner-up {ranked[1][1]} scores {runner_up:.3f}"
            if feats.get("handle_stale") == "stale":
                evidence["conflict"] = f"contact {contact_id} has another {ident.platform} handle"
            return Decision(
                ident.key, "review", contact_id, round(best, 4), "score", evidence, top, levels
            )
        return Decision(ident.key, "unmatched", None, round(best, 4), "score", evidence, top)
