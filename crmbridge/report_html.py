"""``crmbridge report --html FILE``: one self-contained page with the KPIs and their charts.

Charts are drawn offline with matplotlib (Agg, no display) and embedded as inline SVG, so
the page needs no network and no other file. The page is a Jinja2 template with
autoescaping on; only the SVG that matplotlib produced is marked safe.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from jinja2 import Environment
from markupsafe import Markup

LABEL_COLOURS = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60"}

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>crmbridge report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .85rem; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.chart { margin: 0; border: 1px solid #eee; padding: .5rem; }
figure.chart svg { width: 520px; height: auto; }
</style>
</head>
<body>
<h1>crmbridge report</h1>
<p>As of {{ conv.as_of[:16] | replace("T", " ") }} UTC; a conversation silent for
{{ conv.window_hours }} h counts as closed.</p>
<h2>Totals</h2>
<table id="totals">
{% for name, value in totals %}<tr><th>{{ name }}</th><td>{{ value }}</td></tr>
{% endfor %}</table>
<h2>Conversations</h2>
<table id="kpis">
<tr><th>channel</th>{% for h in headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for name, row in kpi_rows %}<tr><td>{{ name }}</td>
{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% if not charts %}<p id="no-charts">No conversations yet: run <code>crmbridge sync</code>
first.</p>{% endif %}
<div class="charts">
{% for chart in charts %}<figure class="chart" id="chart-{{ chart.id }}">
<figcaption>{{ chart.title }}</figcaption>
{{ chart.svg }}
</figure>
{% endfor %}</div>
</body>
</html>
"""

HEADERS = [
    "conversations",
    "open",
    "messages",
    "msgs/conv",
    "first response (median)",
    "first response (p90)",
    "resolution (median)",
    "resolution (p90)",
    "channel shifts",
    "reopens",
    "escalations",
    "unanswered",
]


def duration(seconds: float | None) -> str:
    """A duration in seconds for people: ``45 min``, ``5.2 h``, ``3.1 d``."""
    if seconds is None:
        return "-"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _kpi_row(s: dict[str, Any]) -> list[Any]:
    return [
        s["conversations"],
        s["open"],
        s["messages"],
        s["messages_per_conversation"] if s["messages_per_conversation"] is not None else "-",
        duration(s["first_response_s"]["median"]),
        duration(s["first_response_s"]["p90"]),
        duration(s["resolution_s"]["median"]),
        duration(s["resolution_s"]["p90"]),
        s["channel_shifts"],
        s["reopens"],
        s["escalations"],
        s["unanswered"],
    ]


def _svg(draw: Callable[[Any], None]) -> Markup:
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    try:
        draw(ax)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
    finally:
        plt.close(fig)
    text = buffer.getvalue()
    return Markup(text[text.index("<svg") :])  # noqa: S704 - matplotlib's own SVG


def _bars(ax: Any, names: list[str], series: dict[str, list[float]], ylabel: str) -> None:
    width = 0.8 / max(len(series), 1)
    for n, (label, values) in enumerate(series.items()):
        ax.bar([x + n * width for x in range(len(names))], values, width, label=label)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(names))], names)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")


def charts(conv: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's charts as inline SVG, one dict (id, title, svg) each."""
    by = conv["by_channel"]
    names = list(by)
    if not names:
        return []

    def volume(ax: Any) -> None:
        series = {
            "conversations": [by[c]["conversations"] for c in names],
            "messages": [conv["messages_by_channel"].get(c, 0) for c in names],
        }
        _bars(ax, names, series, "count")

    def response(ax: Any) -> None:
        hours = {
            "median": [(by[c]["first_response_s"]["median"] or 0) / 3600 for c in names],
            "p90": [(by[c]["first_response_s"]["p90"] or 0) / 3600 for c in names],
        }
        _bars(ax, names, hours, "first response (hours)")

    def sentiment(ax: Any) -> None:
        bottom = [0] * len(names)
        for label, colour in LABEL_COLOURS.items():
            values = [by[c]["sentiment"][label] for c in names]
            ax.bar(names, values, bottom=bottom, color=colour, label=label)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_ylabel("conversations by last sentiment")
        ax.legend(fontsize="small")

    def movement(ax: Any) -> None:
        series = {
            "channel shifts": [by[c]["channel_shifts"] for c in names],
            "reopens": [by[c]["reopens"] for c in names],
            "escalations": [by[c]["escalations"] for c in names],
        }
        _bars(ax, names, series, "count")

    return [
        {"id": "volume", "title": "Conversations and messages by channel", "svg": _svg(volume)},
        {"id": "response", "title": "First response time by channel", "svg": _svg(response)},
        {"id": "sentiment", "title": "Last sentiment by channel", "svg": _svg(sentiment)},
        {"id": "movement", "title": "Channel shifts, reopens, escalations", "svg": _svg(movement)},
    ]


def render(report: dict[str, Any]) -> str:
    """The HTML page of a ``crmbridge report`` result."""
    conv = report["conversations"]
    totals = [
        (k, v)
        for k, v in report.items()
        if isinstance(v, int | float | str) and not isinstance(v, bool)
    ]
    rows = [("all channels", _kpi_row(conv["overall"]))]
    rows += [(name, _kpi_row(stats)) for name, stats in conv["by_channel"].items()]
    template = Environment(autoescape=True).from_string(PAGE)
    return template.render(
        conv=conv, totals=totals, headers=HEADERS, kpi_rows=rows, charts=charts(conv)
    )


def write(report: dict[str, Any], path: Path) -> None:
    """Write the HTML page to ``path``."""
    path.write_text(render(report), encoding="utf-8")
