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
    "handle_elsewhere": {"agree": (0.12, None)},
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
    ("handle_elsewhere", "agree"): 2,
    ("email_tag", "agree"): 1,
    ("domain", "agree"): 1,
    ("email_loose", "agree"): 2,
    ("text_key", "agree"): 2,
}
WEAK_NAMES = ("other", "first_other")
NAMED = ("full", "fuzzy")
# One author's best candidates and the log2 likelihood mass of all the others (or None).
Pool = tuple[Sequence["Scored"], float | None]
# How much likelier than the contacts' name frequencies a stranger is to share a contact's
# name, until the data says (:meth:`Model.estimate_namesakes`).
NAMESAKES = 2.0


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
        """Independent agreeing evidence: one per field, two for a key.

        A key is an address in the author's text or the contact's handle elsewhere; keys
        quoted as someone else's never get this far.
        """
        levels = self.comparison.levels
        total = 0
        for f, lv in levels.items():
            total += STRENGTH.get((f, lv), 0)
        return total


class Model:
    """m and u per level, the share of authors in the CRM, and the posterior they give."""

    def __init__(
        self,
        params: dict[str, dict[str, tuple[float, float | None]]] | None = None,
        in_crm: float = 0.5,
        namesakes: float = NAMESAKES,
    ) -> None:
        self.params = {f: dict(levels) for f, levels in (params or PRIORS).items()}
        self.in_crm = in_crm
        self.namesakes = namesakes

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

        A contact's odds start at ``in_crm / ((1 - in_crm) · N)`` and move by the pair's
        likelihood ratio; u already says how often a random stranger shows a name and a
        place (term frequencies, and the city given the family name). Strangers who share
        a contact's name are ``namesakes`` times likelier than those frequencies say (an
        excess measured on the data by :meth:`estimate_namesakes`): it weighs on "not in
        the CRM" for an author whose name agrees with a candidate's, without erasing how
        rare the name is. ``unseen_log2`` is the log2 likelihood mass of contacts not
        compared that would have agreed on the name (namesakes behind a key too common to
        look under).
        """
        if not scored:
            return
        n = max(contacts, 1)
        prior = math.log2(self.in_crm / ((1 - self.in_crm) * n))
        logs = [min(max(prior + s.log2_lr, -200.0), 200.0) for s in scored]
        named = any(s.levels.get("name") in NAMED for s in scored)
        stranger_log = math.log2(max(self.namesakes, 1.0)) if named else 0.0
        logs_unseen = [min(prior + unseen_log2, 200.0)] if unseen_log2 is not None else []
        top = max([stranger_log, *logs, *logs_unseen])
        stranger = 2.0 ** (stranger_log - top)
        total = stranger + sum(2.0 ** (lg - top) for lg in [*logs, *logs_unseen])
        for s, lg in zip(scored, logs, strict=True):
            s.probability = 2.0 ** (lg - top) / total

    def fit_em(self, authors: Iterable[Pool], contacts: int, rounds: int = 8) -> None:
        """Re-estimate m from unlabelled candidates (u and the in-CRM share stay).

        Each author is its best candidates and the log2 mass of the rest (see
        ``Matcher.pool``). Dirichlet pseudo-counts from the priors keep a rare level from
        running to 0 or 1.
        """
        batches = [(list(a), rest) for a, rest in authors if a]
        if len(batches) < 200:
            return
        # Candidates are found through names, so the name's own m is biased by blocking
        # (splink's caveat): strong pseudo-counts and bounds keep EM a refinement.
        prior_weight = 1500.0
        for _ in range(rounds):
            acc: dict[str, dict[str, float]] = {}
            for cands, rest in batches:
                for s in cands:
                    s.log2_lr = sum(
                        self.weight(f, lv, s.comparison.u.get(f)) for f, lv in s.levels.items()
                    )
                self.posterior(cands, contacts, rest)
                for s in cands:
                    for f, lv in s.levels.items():
                        acc.setdefault(f, {}).setdefault(lv, 0.0)
                        acc[f][lv] += s.probability
            for f, levels in self.params.items():
                if len(levels) < 2:
                    continue  # one level: its m is relative to authors who show the field
                seen = acc.get(f, {})
                total = sum(seen.values())
                for lv, (m, u) in levels.items():
                    # m is P(level | match, field shown): renormalise among this field's levels.
                    share = (seen.get(lv, 0.0) + prior_weight * m) / (total + prior_weight)
                    levels[lv] = (min(max(share, 0.03), 0.97), u)

    def estimate_namesakes(self, authors: Iterable[Pool], contacts: int) -> None:
        """Measure how many strangers share a contact's name, from the unlabelled authors.

        Among authors whose best candidate agrees on the full name and who show a real
        place, a true match names another place (same country or not) as often as the
        ``country`` and ``disagree`` m say; a namesake who is not in the CRM does unless
        the family's own places put them in the same city. The share of such strangers
        follows from how many name another place; ``namesakes`` is then set (by bisection)
        so that the posterior expects that many strangers among these authors.

        The share of authors in the CRM is not refitted: authors in the CRM who show
        nothing of theirs never meet their contact among the candidates, so EM would take
        them for strangers and drive it down.
        """
        located: list[Pool] = []
        elsewhere = 0
        same_place = 0.0
        for cands, rest in authors:
            best = max(cands, key=lambda s: s.log2_lr, default=None)
            if best is None or best.levels.get("name") != "full":
                continue
            place = best.levels.get("location")
            if place is None:
                continue
            located.append((cands, rest))
            elsewhere += place != "city"
            same_place += best.comparison.u.get("location", 0.0) if place == "city" else 0.0
        if len(located) < 100:
            return
        levels = self.params["location"]
        m_elsewhere = levels["country"][0] + levels["disagree"][0]
        # A namesake not in the CRM lives elsewhere unless the family's own places say so.
        q = min(same_place / max(len(located) - elsewhere, 1), 0.5)
        rate = elsewhere / len(located)
        share = min(max((rate - m_elsewhere) / max(1 - q - m_elsewhere, 0.05), 0.0), 0.95)
        # Shrunk toward the current value: few located namesakes say little.
        target = (share * len(located) + 20 * self._stranger_share(located, contacts)) / (
            len(located) + 20
        )
        low, high = 0.0, 16.0  # log2 of the excess
        for _ in range(30):
            mid = (low + high) / 2
            self.namesakes = 2.0**mid
            if self._stranger_share(located, contacts) < target:
                low = mid
            else:
                high = mid
        self.namesakes = 2.0 ** ((low + high) / 2)

    def _stranger_share(self, authors: Sequence[Pool], contacts: int) -> float:
        """The posterior's mean share of 'not in the CRM' over these authors."""
        total = sum(1.0 - self._in_crm(cands, contacts, rest) for cands, rest in authors)
        return total / max(len(authors), 1)

    def _in_crm(self, cands: Sequence[Scored], contacts: int, rest: float | None) -> float:
        """The posterior's share of 'one of the contacts' for one author (rest included)."""
        self.posterior(cands, contacts, rest)
        shown = sum(s.probability for s in cands)
        if rest is None or not cands:
            return shown
        # posterior() gives the rest the share prior + rest against the same total.
        best = cands[0]
        ratio = 2.0 ** (min(max(rest - best.log2_lr, -200.0), 200.0))
        return min(shown + best.probability * ratio, 1.0)

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
