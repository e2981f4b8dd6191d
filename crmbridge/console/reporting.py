"""The report page's data: the state store's totals and the KPIs of one period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from crmbridge.config import AppConfig
from crmbridge.kpis import conversation_kpis
from crmbridge.ops import case_counts
from crmbridge.state.store import StateStore, utcnow

HEADERS = (
    "Conversations",
    "Open",
    "Messages",
    "First response (median)",
    "First response (p90)",
    "Resolution (median)",
    "Resolution (p90)",
    "Channel shifts",
    "Reopens",
    "Escalations",
    "Unanswered",
)
TOTALS = (
    ("activities", "Activities written"),
    ("contacts_with_history", "Contacts with history"),
    ("unlinked_activities", "Activities on no contact"),
    ("review_queue", "Waiting for review"),
    ("held", "Held back"),
    ("failed", "Refused by the CRM"),
    ("quarantined", "Parked input records"),
    ("personas", "Social identities seen"),
    ("linked_personas", "Identities linked to a contact"),
)


def period_report(config: AppConfig, store: StateStore, period: timedelta | None) -> dict[str, Any]:
    """Totals, cases, and conversation KPIs of conversations active in ``period``."""
    now = utcnow()
    since = now - period if period is not None else None
    totals = store.report()
    with store.engine.connect() as conn:
        kpis = conversation_kpis(conn, config.conversations.window, now=now, since=since)
        cases = case_counts(conn)
    rows = [("All channels", _kpi_row(kpis["overall"]))]
    rows += [(name, _kpi_row(stats)) for name, stats in kpis["by_channel"].items()]
    return {
        "as_of": now.isoformat(),
        "since": since.isoformat() if since else None,
        "totals": [(label, totals.get(key)) for key, label in TOTALS],
        "cases": cases,
        "headers": HEADERS,
        "kpi_rows": rows,
        "kpis": kpis,
        "bars": _bars({c: s["messages"] for c, s in kpis["by_channel"].items()}),
    }


def _kpi_row(s: dict[str, Any]) -> list[Any]:
    return [
        s["conversations"],
        s["open"],
        s["messages"],
        duration(s["first_response_s"]["median"]),
        duration(s["first_response_s"]["p90"]),
        duration(s["resolution_s"]["median"]),
        duration(s["resolution_s"]["p90"]),
        s["channel_shifts"],
        s["reopens"],
        s["escalations"],
        s["unanswered"],
    ]


def duration(seconds: float | None) -> str:
    """Seconds for people: ``-``, ``45 s``, ``12 min``, ``3.5 h``, ``2.0 d``."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _bars(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Messages by channel as bar widths in percent of the largest (drawn with CSS)."""
    top = max(counts.values(), default=0)
    return [
        {"channel": c, "messages": n, "width": round(100 * n / top) if top else 0}
        for c, n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
