"""The two matching tiers: exact keys with a conflict guard, then a Fellegi-Sunter score.

Deterministic tier (score 1.0): exact email, exact E.164 phone, the contact's handle column
for the author's platform. Conflict guard: two contacts behind the keys, or the contact
holding a different handle on that platform, sends the identity to review with the conflict
named. Scored tier: blocked candidates compared on discrete feature levels; each level has an
m probability (among true matches) and a u probability (among blocked non-matches); the match
probability is the posterior from the prior odds times the product of m/u (Fellegi-Sunter).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import partial_ratio, token_sort_ratio

from crmbridge.identity.blocking import (
    ContactRecord,
    alnum,
    author_block_keys,
    letters,
)
from crmbridge.identity.normalize import (
    domains_in,
    email_candidate_key,
    email_key,
    emails_in,
    fold,
    handle_key,
    name_tokens,
    nickname_forms,
    personal_domain,
    phone_e164,
    phones_in,
)
from crmbridge.models import Author

# (m, u) per feature level, priors for a blocked pair. u comes from what a random blocked
# pair shows (namesakes share names and name-shaped handles often; emails and cross-platform
# handles almost never); m from what a true pair shows on social data (display names are
# often partial, locations often absent). EM (``fit_em``) or reviewers' decisions refine them.
PRIORS: dict[str, dict[str, tuple[float, float]]] = {
    "name": {
        "exact": (0.60, 0.03),
        "fuzzy": (0.17, 0.03),
        "nickname": (0.13, 0.04),
        "last_only": (0.05, 0.30),
        "other": (0.05, 0.60),
    },
    "handle_name": {"agree": (0.45, 0.08), "partial": (0.15, 0.12), "disagree": (0.40, 0.80)},
    "handle_elsewhere": {"agree": (0.25, 0.0005), "none": (0.75, 0.9995)},
    "handle_stale": {"stale": (0.10, 0.50), "none": (0.90, 0.50)},
    "location": {"agree": (0.75, 0.10), "disagree": (0.25, 0.90)},
    "domain": {"agree": (0.30, 0.0005), "none": (0.70, 0.9995)},
    "email_shape": {"agree": (0.20, 0.0005), "none": (0.80, 0.9995)},
    "email_loose": {"agree": (0.10, 0.00005), "none": (0.90, 0.99995)},
    "text_key": {"agree": (0.15, 0.0005), "none": (0.85, 0.9995)},
}
PRIOR_MATCH = 0.05  # share of blocked pairs that are matches


@dataclass
class Identity:
    """One social identity's evidence, normalised once."""

    key: str
    platform: str
    handle: str | None
    tokens: list[str]
    location: str
    email: str | None
    phone: str | None
    text_emails: list[str]
    text_phones: list[str]
    domains: list[str]
    raw_name: str | None = None
    loose_emails: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute the derived keys after the evidence changed."""
        emails = [self.email, *self.text_emails]
        self.loose_emails = {k for k in (email_candidate_key(e) for e in emails if e) if k}

    @classmethod
    def of(
        cls, platform: str, author: Author, texts: Sequence[str] = (), region: str = "US"
    ) -> Identity:
        """Collect the evidence an author object (and the texts they wrote) show."""
        free = [author.bio or "", *texts]
        domains = [
            d for d in (personal_domain(author.website), personal_domain(author.profile_url))
        ]
        for text in free:
            domains.extend(domains_in(text))
        return cls(
            key=f"{platform}:{author.id}",
            platform=platform,
            handle=handle_key(author.handle),
            tokens=name_tokens(author.name),
            location=fold(author.location),
            email=email_key(author.email),
            phone=phone_e164(author.phone, region),
            text_emails=[e for t in free for e in emails_in(t)],
            text_phones=[p for t in free for p in phones_in(t, region)],
            domains=list(dict.fromkeys(d for d in domains if d)),
            raw_name=author.name,
        )

    def block_keys(self) -> set[str]:
        """Where to look for candidates."""
        return author_block_keys(self.tokens, self.handle, self.location, self.domains)


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
    # The feature levels of each scored candidate, for the review queue and for learning.
    features: dict[str, dict[str, str]] = field(default_factory=dict)


def name_level(tokens: list[str], rec: ContactRecord) -> str | None:
    """How the display name compares with the contact's name (None when either is missing)."""
    if not tokens or not rec.tokens:
        return None
    if sorted(tokens) == sorted(rec.tokens):
        return "exact"
    joined, theirs = " ".join(tokens), " ".join(rec.tokens)
    if token_sort_ratio(joined, theirs) >= 90:
        return "fuzzy"
    last_hit = (
        any(JaroWinkler.similarity(t, rec.last) >= 0.92 for t in tokens) if rec.last else False
    )
    if not last_hit:
        return "other"
    others = [t for t in tokens if JaroWinkler.similarity(t, rec.last) < 0.92]
    for t in others:
        if rec.first and (
            rec.first in nickname_forms(t)
            or t in nickname_forms(rec.first)
            or (len(t) == 1 and t == rec.first[0])
        ):
            return "nickname"
    return "last_only"


def features(ident: Identity, rec: ContactRecord) -> dict[str, str]:
    """Discrete comparison levels for one blocked pair (a missing value is left out)."""
    out: dict[str, str] = {}
    level = name_level(ident.tokens, rec)
    if level:
        out["name"] = level
    compact = letters(ident.handle)
    if compact and rec.shapes:
        if compact in rec.shapes or any(compact.rstrip("0123456789") == s for s in rec.shapes):
            out["handle_name"] = "agree"
        elif rec.last and len(rec.last) >= 4 and partial_ratio(rec.last, compact) >= 90:
            out["handle_name"] = "partial"
        else:
            out["handle_name"] = "disagree"
    if ident.handle:
        elsewhere = any(h == ident.handle for p, h in rec.handles.items() if p != ident.platform)
        out["handle_elsewhere"] = "agree" if elsewhere else "none"
        stored = rec.handles.get(ident.platform)
        out["handle_stale"] = "stale" if stored and stored != ident.handle else "none"
    if ident.location and rec.city:
        near = rec.city in ident.location or token_sort_ratio(rec.city, ident.location) >= 90
        out["location"] = "agree" if near else "disagree"
    out["domain"] = "agree" if rec.domain and rec.domain in ident.domains else "none"
    shape = rec.email_tag and alnum(ident.handle) == rec.email_tag
    out["email_shape"] = "agree" if shape else "none"
    loose = rec.email_loose and rec.email_loose in ident.loose_emails
    out["email_loose"] = "agree" if loose else "none"
    text = (rec.email and rec.email in ident.text_emails) or (
        rec.phone and rec.phone in ident.text_phones
    )
    out["text_key"] = "agree" if text else "none"
    return out


class FellegiSunter:
    """Match weights per feature level and the posterior they give."""

    def __init__(
        self,
        params: dict[str, dict[str, tuple[float, float]]] | None = None,
        prior: float = PRIOR_MATCH,
    ) -> None:
        self.params = {f: dict(levels) for f, levels in (params or PRIORS).items()}
        self.prior = prior

    def weight(self, feature: str, level: str) -> float:
        """log2(m/u) of one level (0 for an unknown level)."""
        m, u = self.params.get(feature, {}).get(level, (1.0, 1.0))
        return math.log2(max(m, 1e-9) / max(u, 1e-9))

    def probability(self, feats: dict[str, str]) -> float:
        """The posterior match probability of one pair's feature levels."""
        total = math.log2(self.prior / (1 - self.prior))
        for f, lv in feats.items():
            levels = self.params.get(f)
            if levels and lv in levels:
                m, u = levels[lv]
                total += math.log2(max(m, 1e-9) / max(u, 1e-9))
        total = max(min(total, 60.0), -60.0)
        return 2**total / (1 + 2**total)

    def fit_em(self, patterns: Iterable[dict[str, str]], rounds: int = 20) -> None:
        """Re-estimate m, u and the prior from unlabelled pairs (EM on pattern counts)."""
        counts: dict[tuple[tuple[str, str], ...], int] = {}
        for feats in patterns:
            key = tuple(sorted(feats.items()))
            counts[key] = counts.get(key, 0) + 1
        if not counts:
            return
        for _ in range(rounds):
            m_acc: dict[str, dict[str, float]] = {}
            u_acc: dict[str, dict[str, float]] = {}
            matched = total = 0.0
            for key, n in counts.items():
                p = self.probability(dict(key))
                matched += p * n
                total += n
                for f, lv in key:
                    m_acc.setdefault(f, {}).setdefault(lv, 0.0)
                    u_acc.setdefault(f, {}).setdefault(lv, 0.0)
                    m_acc[f][lv] += p * n
                    u_acc[f][lv] += (1 - p) * n
            self.prior = min(max(matched / total, 1e-4), 0.5)
            for f, levels in m_acc.items():
                self._update(f, levels, u_acc[f])

    def _update(self, feature: str, m_acc: dict[str, float], u_acc: dict[str, float]) -> None:
        m_total, u_total = sum(m_acc.values()), sum(u_acc.values())
        levels = self.params.setdefault(feature, {})
        for lv in set(levels) | set(m_acc):
            # One pseudo-pair per level keeps a level never seen among matches off zero.
            m = (m_acc.get(lv, 0.0) + 1) / (m_total + len(levels) + 1)
            u = (u_acc.get(lv, 0.0) + 1) / (u_total + len(levels) + 1)
            levels[lv] = (m, u)

    def learn(self, feats: dict[str, str], is_match: bool, strength: float = 50.0) -> None:
        """Nudge m (approved link) or u (rejected candidate) toward one reviewer decision."""
        for f, lv in feats.items():
            levels = self.params.get(f)
            if not levels:
                continue
            idx = 0 if is_match else 1
            for level, pair in list(levels.items()):
                share = pair[idx] * strength + (1.0 if level == lv else 0.0)
                new = list(pair)
                new[idx] = share / (strength + 1)
                levels[level] = (new[0], new[1])
