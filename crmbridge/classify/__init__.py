"""Classification: sentiment, service-domain complaint signals, intent tags, language."""

from crmbridge.classify.analyzer import (
    Analyzer,
    Classification,
    ServiceAnalyzer,
    VaderAnalyzer,
    label_for,
)
from crmbridge.classify.config import ClassifyConfig, load_config
from crmbridge.classify.language import detect_language
from crmbridge.classify.stream import classify_stream

__all__ = [
    "Analyzer",
    "Classification",
    "ClassifyConfig",
    "ServiceAnalyzer",
    "VaderAnalyzer",
    "classify_stream",
    "detect_language",
    "label_for",
    "load_config",
]
