"""Sentiment and intent analysers: a small protocol, plain VADER, and the service layer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Protocol

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from crmbridge.classify.config import (
    SIGNALS,
    ClassifyConfig,
    KeywordIndex,
    PatternList,
    Prepared,
    load_config,
)
from crmbridge.classify.language import detect_language

Label = Literal["negative", "neutral", "positive"]


@dataclass(frozen=True)
class Classification:
    """What was read from one text: sentiment in -1..1, its label, intent tags, language."""

    sentiment_score: float
    label: Label
    intents: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    """The service-domain signal kinds that matched (empty when mitigated or none)."""
    text: str = field(default="", repr=False)

    @cached_property
    def language(self) -> str | None:
        """The guessed language, computed only when read (the wire format leaves it out)."""
        return detect_language(self.text)

    def to_dict(self) -> dict[str, object]:
        """The wire shape of ``crmbridge classify``."""
        return {
            "sentiment": {"score": round(self.sentiment_score, 4), "label": self.label},
            "intents": list(self.intents),
        }


class Analyzer(Protocol):
    """Anything that reads a text: the default below, or a transformer model as an extra."""

    def analyze(self, text: str) -> Classification:
        """Classify one text."""
        ...


def label_for(score: float, config: ClassifyConfig) -> Label:
    """The label of a score under the config's thresholds."""
    if score >= config.positive_threshold:
        return "positive"
    if score <= config.negative_threshold:
        return "negative"
    return "neutral"


class VaderAnalyzer:
    """Plain VADER (lexicon shipped in its wheel; no download), with intent tags."""

    def __init__(self, config: ClassifyConfig | None = None) -> None:
        self.config = config or load_config()
        self._vader = SentimentIntensityAnalyzer()
        lists = {t: p for t, p in self.config.intents.items() if not p.empty}
        # (tag, index name, compiled patterns or None): plain tuples keep the hot loop cheap.
        self._intents = [(t, f"intent:{t}", p.regex) for t, p in lists.items()]
        self._index = KeywordIndex(self._lists())

    def _lists(self) -> dict[str, PatternList]:
        # Every named list whose keywords the one-pass index should know.
        return {name: self.config.intents[tag] for tag, name, _ in self._intents}

    def compound(self, text: str) -> float:
        """VADER's compound score of ``text``, in -1..1."""
        return float(self._vader.polarity_scores(text)["compound"])

    def intents(self, text: str | Prepared, hits: set[str] | None = None) -> list[str]:
        """The intent tags whose keywords or patterns occur in ``text``, in config order."""
        prepared = text if isinstance(text, Prepared) else Prepared(text)
        hits = self._index.hits(prepared) if hits is None else hits
        low = prepared.lower
        return [
            tag
            for tag, name, regex in self._intents
            if name in hits or (regex is not None and regex.search(low) is not None)
        ]

    def analyze(self, text: str) -> Classification:
        """Classify ``text`` with VADER's score alone."""
        score = self.compound(text)
        return Classification(score, label_for(score, self.config), self.intents(text), text=text)


class ServiceAnalyzer(VaderAnalyzer):
    """VADER plus the service-domain layer: complaints stated as facts read as negative."""

    def __init__(self, config: ClassifyConfig | None = None) -> None:
        config = config or load_config()
        self._signals = [
            (kind, f"signal:{kind}", spec)
            for kind in SIGNALS
            if (spec := config.signals.get(kind)) is not None and not spec.empty
        ]
        self._negative_intents = frozenset(config.negative_intents)
        super().__init__(config)

    def _lists(self) -> dict[str, PatternList]:
        lists = super()._lists()
        lists.update({name: spec for _, name, spec in self._signals})
        lists["mitigation"] = self.config.mitigation
        lists["praise"] = self.config.praise
        lists["enquiry"] = self.config.enquiry
        return lists

    def signals(
        self, text: str | Prepared, intents: Sequence[str] = (), hits: set[str] | None = None
    ) -> list[str]:
        """The signal kinds found in ``text``; none when it also reports a resolution."""
        prepared = text if isinstance(text, Prepared) else Prepared(text)
        hits = self._index.hits(prepared) if hits is None else hits
        found = [
            kind
            for kind, name, spec in self._signals
            if name in hits or spec.pattern_matches(prepared)
        ]
        found += [f"intent:{t}" for t in intents if t in self._negative_intents]
        if found and (
            self._has("mitigation", self.config.mitigation, prepared, hits)
            or self._has("enquiry", self.config.enquiry, prepared, hits)
        ):
            return []
        return found

    @staticmethod
    def _has(name: str, spec: PatternList, prepared: Prepared, hits: set[str]) -> bool:
        return name in hits or spec.pattern_matches(prepared)

    def adjust(self, score: float, signals: list[str], prepared: Prepared, hits: set[str]) -> float:
        """VADER's score moved by the service layer, kept within -1..1."""
        if signals:
            # Sarcasm ("great, 3 hours on hold") scores positive: the signal outweighs it.
            pull = self.config.signal_penalty * (1 + 0.25 * (len(signals) - 1))
            return max(-1.0, min(score, 0.0) - pull)
        if self._has("praise", self.config.praise, prepared, hits):
            return min(1.0, max(score, 0.0) + self.config.signal_penalty)
        if self._has("enquiry", self.config.enquiry, prepared, hits):
            return score * self.config.enquiry_damping
        return score

    def analyze(self, text: str) -> Classification:
        """Classify ``text``: VADER's score, pulled below zero by each service signal."""
        score = self.compound(text)
        prepared = Prepared(text)
        hits = self._index.hits(prepared)
        intents = self.intents(prepared, hits)
        signals = self.signals(prepared, intents, hits)
        score = self.adjust(score, signals, prepared, hits)
        implied = self.config.signal_intents
        for signal in signals:  # two signals may imply the same tag: add it once
            tag = implied.get(signal)
            if tag is not None and tag not in intents:
                intents.append(tag)
        return Classification(score, label_for(score, self.config), intents, signals, text)
