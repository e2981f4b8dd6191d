"""Sentiment and intent analysers: a small protocol, plain VADER, and the service layer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from crmbridge.classify.config import SIGNALS, ClassifyConfig, load_config
from crmbridge.classify.language import detect_language

Label = Literal["negative", "neutral", "positive"]


@dataclass(frozen=True)
class Classification:
    """What was read from one text: sentiment in -1..1, its label, intent tags, language."""

    sentiment_score: float
    label: Label
    intents: list[str] = field(default_factory=list)
    language: str | None = None
    signals: list[str] = field(default_factory=list)
    """The service-domain signal kinds that matched (empty when mitigated or none)."""

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
        self._intents = [(t, p.regex) for t, p in self.config.intents.items() if p.regex]

    def compound(self, text: str) -> float:
        """VADER's compound score of ``text``, in -1..1."""
        return float(self._vader.polarity_scores(text)["compound"])

    def intents(self, text: str) -> list[str]:
        """The intent tags whose keywords or patterns occur in ``text``, in config order."""
        return [tag for tag, regex in self._intents if regex.search(text)]

    def analyze(self, text: str) -> Classification:
        """Classify ``text`` with VADER's score alone."""
        score = self.compound(text)
        return Classification(
            score, label_for(score, self.config), self.intents(text), detect_language(text)
        )


class ServiceAnalyzer(VaderAnalyzer):
    """VADER plus the service-domain layer: complaints stated as facts read as negative."""

    def __init__(self, config: ClassifyConfig | None = None) -> None:
        super().__init__(config)
        self._signals = [
            (kind, spec.regex)
            for kind in SIGNALS
            if (spec := self.config.signals.get(kind)) is not None and spec.regex
        ]
        self._mitigation = self.config.mitigation.regex
        self._negative_intents = frozenset(self.config.negative_intents)

    def signals(self, text: str, intents: Sequence[str] = ()) -> list[str]:
        """The signal kinds found in ``text``; none when it also reports a resolution."""
        found = [kind for kind, regex in self._signals if regex.search(text)]
        found += [f"intent:{t}" for t in intents if t in self._negative_intents]
        if found and self._mitigation is not None and self._mitigation.search(text):
            return []
        return found

    def analyze(self, text: str) -> Classification:
        """Classify ``text``: VADER's score, pulled below zero by each service signal."""
        score = self.compound(text)
        intents = self.intents(text)
        signals = self.signals(text, intents)
        if signals:
            # Sarcasm ("great, 3 hours on hold") scores positive: the signal outweighs it.
            pull = self.config.signal_penalty * (1 + 0.25 * (len(signals) - 1))
            score = max(-1.0, min(score, 0.0) - pull)
        return Classification(
            score,
            label_for(score, self.config),
            intents,
            detect_language(text),
            signals,
        )
