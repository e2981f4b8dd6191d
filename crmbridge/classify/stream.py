"""``classify_stream``: one JSON-ready result per input line; a bad line never stops it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from crmbridge.classify.analyzer import Analyzer, ServiceAnalyzer
from crmbridge.errors import DataError
from crmbridge.models import parse_interaction


def classify_stream(
    lines: Iterable[str], text_mode: bool, analyzer: Analyzer | None = None
) -> Iterator[dict[str, Any]]:
    """Classify interaction records (JSON lines) or, in text mode, one plain text per line.

    Records give ``{"key", "sentiment", "intents"}``; texts give ``{"sentiment", "intents"}``;
    a line that cannot be read gives ``{"error": "line N: ..."}``. In record mode blank
    lines are skipped, as in any JSON-lines file, and a line that does not open a JSON
    object is read as a text; in text mode every line is a text.
    """
    analyzer = analyzer or ServiceAnalyzer()
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if text_mode or (line.strip() and not line.lstrip().startswith("{")):
            # --text, or a line that is plainly not a record: classify it as a text.
            yield analyzer.analyze(line).to_dict()
        elif line.strip():
            yield _classify_record(analyzer, line, number)


def _classify_record(analyzer: Analyzer, line: str, number: int) -> dict[str, Any]:
    location = f"line {number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"{location}: not JSON ({exc.msg} at column {exc.colno})"}
    try:
        interaction = parse_interaction(data, location)
    except DataError as exc:
        return {"error": str(exc)}
    return {"key": interaction.key, **analyzer.analyze(interaction.text).to_dict()}
