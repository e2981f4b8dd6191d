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
<title>Social customer service report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 75rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .85rem; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.card { border: 1px solid #ddd; border-radius: .4rem; padding: .6rem 1rem; min-width: 11rem; }
.card .value { font-size: 1.6rem; font-weight: 600; }
.card .note { color: #555; font-size: .8rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.chart { margin: 0; border: 1px solid #eee; padding: .5rem; }
figure.chart svg { width: 560px; height: auto; }
dt { font-weight: 600; margin-top: .5rem; }
dd { margin-left: 1rem; color: #444; }
</style>
</head>
<body>
<h1>Social customer service report</h1>
<p id="period">{% if period.from %}Messages from <strong>{{ period.from[:10] }}</strong> to
<strong>{{ period.to[:10] }}</strong> ({{ period.days }} day{{ "s" if period.days != 1 }}),
as of {{ conv.as_of[:16] | replace("T", " ") }} UTC.{% else %}No messages yet, as of
{{ conv.as_of[:16] | replace("T", " ") }} UTC.{% endif %}</p>
<div class="cards" id="headline">
{% for card in cards %}<div class="card"><div>{{ card.label }}</div>
<div class="value">{{ card.value }}</div><div class="note">{{ card.note }}</div></div>
{% endfor %}</div>
{% if not charts %}<p id="no-charts">No conversations yet: run <code>crmbridge sync</code>
first.</p>{% endif %}
<div class="charts">
{% for chart in charts %}<figure class="chart" id="chart-{{ chart.id }}">
<figcaption>{{ chart.title }}</figcaption>
{{ chart.svg }}
</figure>
{% endfor %}</div>
<h2>Conversations by channel</h2>
<table id="kpis">
<tr><th>Channel</th>{% for h in headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for name, row in kpi_rows %}<tr><td>{{ name }}</td>
{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</table>
<h2>Totals</h2>
<table id="totals">
{% for name, value in totals %}<tr><th>{{ name }}</th><td>{{ value }}</td></tr>
{% endfor %}</table>
<h2>Definitions</h2>
<dl id="definitions">
{% for term, text in definitions %}<dt>{{ term }}</dt><dd>{{ text }}</dd>
{% endfor %}</dl>
</body>
</html>
"""

HEADERS = [
    "Conversations",
    "Still open",
    "Messages",
    "Messages per conversation",
    "First response, median (answered)",
    "First response, 90% within",
    "Resolution, median (resolved)",
    "Resolution, 90% within",
    "Moved from another channel",
    "Reopened",
    "Escalated",
    "Not yet answered",
]

TOTAL_LABELS = {
    "activities": "Activities written to the CRM",
    "contacts_with_history": "Contacts with social history",
    "conversations": "Conversations",
    "unlinked_activities": "Activities not linked to a contact",
    "held": "Held back by the mapping",
    "failed": "Refused by the CRM (failure ledger)",
    "review_queue": "Authors waiting for identity review",
    "quarantined": "Input records parked as invalid",
    "personas": "Social authors seen",
    "linked_personas": "Social authors linked to a contact",
}

DEFINITIONS = [
    (
        "Conversation",
        "A person's messages across channels, threaded together while they "
        "keep talking; silent for longer than {window} h, it counts as resolved.",
    ),
    (
        "First response",
        "Time from a conversation's first customer message to the first "
        "agent reply. The median and the time 90% of answered conversations stayed within; "
        "the count says how many conversations had an answer.",
    ),
    (
        "Resolution",
        "Time from a conversation's first message to its close (or to the end "
        "of the quiet window); counted over resolved conversations only.",
    ),
    (
        "SLA attainment",
        "Of the conversations the case rules gave a reply deadline, the "
        "share answered in time. Missed: answered late, or not answered and past the "
        "deadline. Running: the deadline has not passed yet.",
    ),
    (
        "Cases",
        "Cases the rules opened in the CRM; pending ones are retried by the next "
        "sync; given up: refused five times.",
    ),
    (
        "Moved from another channel",
        "Conversations on this channel that also used another "
        "one (a person who wrote on X, then by Facebook message).",
    ),
    (
        "Sentiment",
        "The mood of the last customer message of a conversation, counted on the "
        "day of its last message.",
    ),
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


def _answered(spread: dict[str, Any], of: int) -> str:
    """A median with the count it stands on: ``45 min (17 of 107)``."""
    if spread["median"] is None:
        return f"- (0 of {of})"
    return f"{duration(spread['median'])} ({spread['count']} of {of})"


def _kpi_row(s: dict[str, Any]) -> list[Any]:
    n = s["conversations"]
    return [
        n,
        s["open"],
        s["messages"],
        s["messages_per_conversation"] if s["messages_per_conversation"] is not None else "-",
        _answered(s["first_response_s"], n),
        duration(s["first_response_s"]["p90"]),
        _answered(s["resolution_s"], n),
        duration(s["resolution_s"]["p90"]),
        s["multi_channel"],
        s["reopened_conversations"],
        s["escalated_conversations"],
        s["unanswered"],
    ]


def _cards(report: dict[str, Any]) -> list[dict[str, Any]]:
    o = report["conversations"]["overall"]
    sla = report.get("sla") or {}
    cases = report.get("cases") or {}
    first, resolved = o["first_response_s"], o["resolution_s"]
    attainment = sla.get("attainment")
    return [
        {
            "label": "Conversations",
            "value": o["conversations"],
            "note": f"{o['open']} still open, {o['messages']} messages",
        },
        {
            "label": "First response (median)",
            "value": duration(first["median"]),
            "note": f"over {first['count']} answered of {o['conversations']}",
        },
        {
            "label": "Resolution (median)",
            "value": duration(resolved["median"]),
            "note": f"over {resolved['count']} resolved of {o['conversations']}",
        },
        {
            "label": "SLA attainment",
            "value": "-" if attainment is None else f"{attainment:.0%}",
            "note": f"{sla.get('met', 0)} met, {sla.get('missed', 0)} missed, "
            f"{sla.get('running', 0)} running",
        },
        {
            "label": "Cases",
            "value": sum(cases.values()),
            "note": f"{cases.get('written', 0)} in the CRM, {cases.get('pending', 0)} pending, "
            f"{cases.get('given_up', 0)} given up",
        },
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


def _daily(ax: Any, days: list[str], series: dict[str, list[int]], colours: Any) -> None:
    """Stacked bars per day, labelled with at most about ten dates."""
    bottom = [0] * len(days)
    for label, values in series.items():
        ax.bar(range(len(days)), values, bottom=bottom, label=label, color=colours(label))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(days) // 10)
    ax.set_xticks(range(0, len(days), step), [d[5:] for d in days[::step]], rotation=45)
    ax.set_xlabel("day (UTC)")
    ax.legend(fontsize="small")


def charts(conv: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's charts as inline SVG, one dict (id, title, svg) each."""
    by = conv["by_channel"]
    names = list(by)
    daily = conv.get("daily") or []
    if not names:
        return []
    days = [d["day"] for d in daily]

    def volume(ax: Any) -> None:
        channels = sorted({c for d in daily for c in d["messages"]})
        series = {c: [d["messages"].get(c, 0) for d in daily] for c in channels}
        _daily(ax, days, series, lambda _label: None)
        ax.set_ylabel("messages")

    def sentiment(ax: Any) -> None:
        series = {label: [d["sentiment"][label] for d in daily] for label in LABEL_COLOURS}
        _daily(ax, days, series, LABEL_COLOURS.get)
        ax.set_ylabel("conversations by last mood")

    def response(ax: Any) -> None:
        hours = {
            "first response (median)": [
                (by[c]["first_response_s"]["median"] or 0) / 3600 for c in names
            ],
            "resolution (median)": [(by[c]["resolution_s"]["median"] or 0) / 3600 for c in names],
        }
        _bars(ax, names, hours, "hours")

    def movement(ax: Any) -> None:
        series = {
            "moved from another channel": [by[c]["multi_channel"] for c in names],
            "reopened": [by[c]["reopened_conversations"] for c in names],
            "escalated": [by[c]["escalated_conversations"] for c in names],
        }
        _bars(ax, names, series, "conversations")

    return [
        {"id": "volume", "title": "Messages per day, by channel", "svg": _svg(volume)},
        {"id": "sentiment", "title": "Conversations per day, by last mood", "svg": _svg(sentiment)},
        {
            "id": "response",
            "title": "First response and resolution by channel (median)",
            "svg": _svg(response),
        },
        {
            "id": "movement",
            "title": "Conversations that moved, reopened or escalated",
            "svg": _svg(movement),
        },
    ]


def render(report: dict[str, Any]) -> str:
    """The HTML page of a ``crmbridge report`` result."""
    conv = report["conversations"]
    totals = [
        (TOTAL_LABELS.get(k, k.replace("_", " ").capitalize()), v)
        for k, v in report.items()
        if isinstance(v, int | float | str) and not isinstance(v, bool)
    ]
    rows = [("All channels", _kpi_row(conv["overall"]))]
    rows += [(name, _kpi_row(stats)) for name, stats in conv["by_channel"].items()]
    window = f"{conv['window_hours']:g}"
    definitions = [(term, text.format(window=window)) for term, text in DEFINITIONS]
    template = Environment(autoescape=True).from_string(PAGE)
    return template.render(
        conv=conv,
        period=conv.get("period") or {},
        cards=_cards(report),
        totals=totals,
        headers=HEADERS,
        kpi_rows=rows,
        charts=charts(conv),
        definitions=definitions,
    )


def write(report: dict[str, Any], path: Path) -> None:
    """Write the HTML page to ``path``."""
    path.write_text(render(report), encoding="utf-8")
