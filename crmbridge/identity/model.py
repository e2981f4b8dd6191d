"""The evidence model: Fellegi-Sunter weights with term frequencies, and a one-of-N posterior.

Each field level has an m probability (how often a true match shows it) and a u probability
(how often a random person would). For value-dependent levels, u is the value's frequency
among the contacts (``TermFrequencies``): agreeing on a rare family name or a small city
weighs much more than on "Smith" or "London". An author is one of the N contacts, or nobody
in the CRM; with ``in_crm`` the share of authors who are contacts, each contact starts at
odds ``in_crm / ((1 - in_crm) · N)`` and the pair's likelihood ratio moves it. Namesakes
share the posterior between them, so a name that several contacts hold never reaches the
auto band on its own. m is refined by EM on unlabelled candidate pairs and by reviewers'
decisions; u comes from the contact base.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from crmbridge.identity.compare import Comparison

# (m, u) per field level; a u of None is taken from the value's frequency per pair.
PRIORS: dict[str, dict[str, tuple[float, float | None]]] = {
    "name": {
        "full": (0.40, None),
        "fuzzy": (0.22, None),
        "initial": (0.07, None),
        "last": (0.08, None),
        "first": (0.08, None),
        "first_initial": (0.05, None),
        "first_other": (0.05, None),
        "other": (0.10, 0.98),
    },
    "location": {"city": (0.75, None), "country": (0.10, None), "disagree": (0.15, 0.95)},
    "handle_elsewhere": {"agree": (0.12, 2e-5)},
    "handle_stale": {"stale": (0.15, 0.9)},
    "email_tag": {"agree": (0.10, None)},
    "email_loose": {"agree": (0.50, 1e-7)},
    "email": {"disagree": (0.30, 0.98)},
    "text_key": {"agree": (0.20, 1e-7)},
    "phone": {"disagree": (0.30, 0.98)},
    "domain": {"agree": (0.06, None)},
}
# How much independent evidence each agreeing level is: an auto-link needs two.
STRENGTH = {
    ("name", "full"): 1,
    ("name", "fuzzy"): 1,
    ("name", "initial"): 1,
    ("location", "city"): 1,
    ("handle_elsewhere", "agree"): 1,
    ("email_tag", "agree"): 1,
    ("domain", "agree"): 1,
    ("email_loose", "agree"): 2,
    ("text_key", "agree"): 2,
}
WEAK_NAMES = ("other", "first_other")
NAMED = ("full", "fuzzy")
# Below this many contacts the same-name, same-place strangers are rarer than ``decoy``
# says (it is measured on large CRMs): the per-contact chance uses this many.
DECOY_FLOOR_CONTACTS = 1000


@dataclass
class Scored:
    """One candidate's comparison, likelihood ratio (log2) and posterior."""

    contact_id: str
    comparison: Comparison
    log2_lr: float
    probability: float = 0.0
    weights: dict[str, float] = field(default_factory=dict)

    @property
    def levels(self) -> dict[str, str]:
        """The field levels of the pair."""
        return self.comparison.levels

    def strength(self) -> int:
        """Independent agreeing evidence: one per field, two for a key in the author's text."""
        levels = self.comparison.levels
        total = 0
        for f, lv in levels.items():
            add = STRENGTH.get((f, lv), 0)
            if f == "text_key" and levels.get("name") in WEAK_NAMES:
                add = 1  # someone else's address in a bio: not enough alone
            total += add
        return total


class Model:
    """m and u per level, the share of authors in the CRM, and the posterior they give."""

    def __init__(
        self,
        params: dict[str, dict[str, tuple[float, float | None]]] | None = None,
        in_crm: float = 0.5,
        decoy: float = 0.02,
    ) -> None:
        self.params = {f: dict(levels) for f, levels in (params or PRIORS).items()}
        self.in_crm = in_crm
        self.decoy = decoy

    def weight(self, feature: str, level: str, u_value: float | None = None) -> float:
        """log2(m/u) of one level (0 for an unknown level)."""
        m, u = self.params.get(feature, {}).get(level, (1.0, 1.0))
        u = u_value if u is None else u
        if u is None:
            return 0.0
        return math.log2(max(m, 1e-12) / max(u, 1e-12))

    def score(self, contact_id: str, comparison: Comparison, contacts: int = 0) -> Scored:
        """The pair's weights and total log2 likelihood ratio."""
        levels = comparison.levels
        weights = {f: self.weight(f, lv, comparison.u.get(f)) for f, lv in levels.items()}
        return Scored(contact_id, comparison, sum(weights.values()), weights=weights)

    def posterior(
        self, scored: Sequence[Scored], contacts: int, unseen_log2: float | None = None
    ) -> None:
        """Share the author between its candidates and 'not in the CRM'.

        Not in the CRM is either a random person, or a stranger who shares a candidate's
        name and place (``decoy`` of the strangers do: namesakes cluster where their name is
        common, so name and place are not independent). Such a stranger looks like the
        candidate on name and location, but not on keys, handles or domains. ``unseen_log2``
        is the log2 likelihood mass of contacts not compared that would have agreed on the
        name (namesakes behind a key too common to look under).
        """
        if not scored:
            return
        n = max(contacts, 1)
        prior = math.log2(self.in_crm / ((1 - self.in_crm) * n))
        logs = [min(max(prior + s.log2_lr, -200.0), 200.0) for s in scored]
        decoy = math.log2(self.decoy / max(n, DECOY_FLOOR_CONTACTS))
        lookalikes = [
            min(decoy + s.weights.get("name", 0.0) + max(s.weights.get("location", 0.0), 0.0), 200)
            for s in scored
            if s.levels.get("name") in NAMED
        ]
        logs_unseen = [min(prior + unseen_log2, 200.0)] if unseen_log2 is not None else []
        top = max([0.0, *logs, *lookalikes, *logs_unseen])
        stranger = 2.0 ** (-top) + sum(2.0 ** (lg - top) for lg in lookalikes)
        total = stranger + sum(2.0 ** (lg - top) for lg in [*logs, *logs_unseen])
        for s, lg in zip(scored, logs, strict=True):
            s.probability = 2.0 ** (lg - top) / total

    def fit_em(self, authors: Iterable[Sequence[Scored]], contacts: int, rounds: int = 8) -> None:
        """Re-estimate m and the in-CRM share from unlabelled candidates (u stays).

        Dirichlet pseudo-counts from the priors keep a rare level from running to 0 or 1.
        """
        batches = [list(a) for a in authors if a]
        if len(batches) < 200:
            return
        # Candidates are found through names, so the name's own m is biased by blocking
        # (splink's caveat): strong pseudo-counts and bounds keep EM a refinement.
        prior_weight = 1500.0
        for _ in range(rounds):
            acc: dict[str, dict[str, float]] = {}
            matched = 0.0
            for cands in batches:
                for s in cands:
                    s.log2_lr = sum(
                        self.weight(f, lv, s.comparison.u.get(f)) for f, lv in s.levels.items()
                    )
                self.posterior(cands, contacts)
                for s in cands:
                    matched += s.probability
                    for f, lv in s.levels.items():
                        acc.setdefault(f, {}).setdefault(lv, 0.0)
                        acc[f][lv] += s.probability
            self.in_crm = min(max(matched / len(batches), 0.05), 0.95)
            for f, levels in self.params.items():
                if len(levels) < 2:
                    continue  # one level: its m is relative to authors who show the field
                seen = acc.get(f, {})
                total = sum(seen.values())
                for lv, (m, u) in levels.items():
                    # m is P(level | match, field shown): renormalise among this field's levels.
                    share = (seen.get(lv, 0.0) + prior_weight * m) / (total + prior_weight)
                    levels[lv] = (min(max(share, 0.03), 0.97), u)

    def estimate_decoy(self, authors: Iterable[Sequence[Scored]]) -> None:
        """Estimate how many strangers share a name and a place with a contact, from the data.

        Authors whose name matches a contact's but whose location names a real place
        elsewhere are mostly namesakes who are not in the CRM. Taking the worst case that a
        namesake lives in the same place as often as not, the same-place namesakes are about
        as many as those, less the contacts who live elsewhere now (the ``disagree`` m).
        """
        agree = disagree = shown = 0
        for cands in authors:
            best = max(cands, key=lambda s: s.log2_lr, default=None)
            if best is None or best.levels.get("name") not in NAMED:
                continue
            place = best.levels.get("location")
            shown += place is not None
            agree += place == "city"
            disagree += place == "disagree"
        if shown < 100:
            return
        m_city = self.params["location"]["city"][0]
        m_moved = self.params["location"]["disagree"][0]
        moved = agree * m_moved / max(m_city, 0.3)
        strangers = shown * (1 - self.in_crm)
        # Shrunk toward the default: few strangers say little about how many are decoys.
        excess = max(disagree - moved, 0.0)
        self.decoy = min(max((excess + 50 * self.decoy) / (strangers + 50), 0.002), 0.2)

    def learn(self, levels: dict[str, str], is_match: bool, strength: float = 50.0) -> None:
        """Move m with one reviewer decision (u is the contacts' own, so it stays).

        An approved pair's levels become likelier among matches; a rejected pair's less so.
        """
        for f, lv in levels.items():
            params = self.params.get(f)
            if not params or lv not in params:
                continue
            if is_match:
                for level, (m, u) in list(params.items()):
                    share = (m * strength + (1.0 if level == lv else 0.0)) / (strength + 1)
                    params[level] = (share, u)
            else:
                m, u = params[lv]
                params[lv] = (m * strength / (strength + 1), u)
