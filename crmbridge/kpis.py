"""Conversation KPIs: response and resolution times, channels, reopens, escalations, mood.

Read from the state store's ``conversations`` table (and the ledger, for messages per
channel), as of a moment: a conversation silent for longer than the threading window
counts as closed at ``last_at + window`` even before a new message closes it for good.
Figures come overall and by channel; a conversation counts under every channel it touched,
and its messages there are that channel's messages only.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from crmbridge.conversations.storage import CONVERSATION_PREFIX
from crmbridge.state.schema import conversations, ledger
from crmbridge.state.store import as_utc, utcnow

LABELS = ("negative", "neutral", "positive")
COLUMNS = (
    "key",
    "status",
    "channels",
    "opened_at",
    "last_at",
    "first_response_at",
    "closed_at",
    "inbound",
    "outbound",
    "channel_shifts",
    "reopen_count",
    "escalations",
    "last_label",
)


def spread(values: list[float]) -> dict[str, Any]:
    """Count, median and 90th percentile (inclusive method) of durations in seconds."""
    if not values:
        return {"count": 0, "median": None, "p90": None}
    p90 = (
        statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]
    )
    return {
        "count": len(values),
        "median": round(statistics.median(values), 1),
        "p90": round(p90, 1),
    }


@dataclass
class _Tally:
    """Running totals for one group of conversations."""

    conversations: int = 0
    open: int = 0
    messages: int = 0
    inbound: int = 0
    outbound: int = 0
    unanswered: int = 0
    multi_channel: int = 0
    channel_shifts: int = 0
    reopens: int = 0
    reopened: int = 0
    escalations: int = 0
    escalated: int = 0
    first_response: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)
    sentiment: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*LABELS, "none"), 0))

    def add(self, row: dict[str, Any], messages: int, closed: datetime | None) -> None:
        self.conversations += 1
        self.open += closed is None
        self.messages += messages
        self.inbound += row["inbound"]
        self.outbound += row["outbound"]
        self.unanswered += bool(row["inbound"] and row["first_response_at"] is None)
        self.multi_channel += len(row["channels"]) > 1
        self.channel_shifts += row["channel_shifts"]
        self.reopens += row["reopen_count"]
        self.reopened += row["reopen_count"] > 0
        self.escalations += row["escalations"]
        self.escalated += row["escalations"] > 0
        if row["first_response_at"] is not None:
            self.first_response.append(
                (row["first_response_at"] - row["opened_at"]).total_seconds()
            )
        if closed is not None:
            self.resolution.append((closed - row["opened_at"]).total_seconds())
        label = row["last_label"] if row["last_label"] in LABELS else "none"
        self.sentiment[label] += 1

    def as_dict(self) -> dict[str, Any]:
        n = self.conversations
        return {
            "conversations": n,
            "open": self.open,
            "closed": n - self.open,
            "messages": self.messages,
            "messages_per_conversation": round(self.messages / n, 2) if n else None,
            "inbound": self.inbound,
            "outbound": self.outbound,
            "unanswered": self.unanswered,
            "first_response_s": spread(self.first_response),
            "resolution_s": spread(self.resolution),
            "multi_channel": self.multi_channel,
            "channel_shifts": self.channel_shifts,
            "reopens": self.reopens,
            "reopened_conversations": self.reopened,
            "escalations": self.escalations,
            "escalated_conversations": self.escalated,
            "sentiment": dict(self.sentiment),
        }


def closed_at(row: dict[str, Any], now: datetime, window: timedelta) -> datetime | None:
    """When a conversation closed, as of ``now`` (None while it is still open)."""
    if row["status"] == "closed" and row["closed_at"] is not None:
        return row["closed_at"]  # type: ignore[no-any-return]
    timeout = row["last_at"] + window
    return timeout if timeout <= now else None


def conversation_kpis(
    conn: Connection,
    window: timedelta,
    now: datetime | None = None,
    since: datetime | None = None,
) -> dict[str, Any]:
    """The KPIs of every conversation (active since ``since``), overall and by channel."""
    now = now or utcnow()
    per_channel = _messages_per_channel(conn)
    overall = _Tally()
    by_channel: defaultdict[str, _Tally] = defaultdict(_Tally)
    for row in _rows(conn):
        if since is not None and row["last_at"] < since:
            continue
        closed = closed_at(row, now, window)
        counts = per_channel.get(row["key"], {})
        overall.add(row, row["inbound"] + row["outbound"], closed)
        for channel in row["channels"]:
            by_channel[channel].add(row, counts.get(channel, 0), closed)
    messages_by_channel: defaultdict[str, int] = defaultdict(int)
    for counts in per_channel.values():
        for channel, count in counts.items():
            messages_by_channel[channel] += count
    return {
        "as_of": now.isoformat(),
        "window_hours": round(window.total_seconds() / 3600, 2),
        **daily_series(conn),
        "overall": overall.as_dict(),
        "by_channel": {c: _channel_view(by_channel[c].as_dict()) for c in sorted(by_channel)},
        "messages_by_channel": dict(sorted(messages_by_channel.items())),
    }


def daily_series(conn: Connection) -> dict[str, Any]:
    """The period covered, and per UTC day: messages by channel, conversations by mood.

    Messages are the ledger's (every message taken in but erased ones), on the day of
    their version; a conversation counts once, on the day of its last message, under the
    sentiment it ended with. Days without activity are listed with zeros.
    """
    volume: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    query = select(ledger.c.version_at, ledger.c.platform).where(ledger.c.status != "erased")
    first: datetime | None = None
    last: datetime | None = None
    for stored, platform in conn.execute(query.execution_options(yield_per=5000)):
        at = as_utc(stored)
        if at is None:
            continue
        first, last = min(first or at, at), max(last or at, at)
        volume[at.date().isoformat()][platform] += 1
    mood: defaultdict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LABELS, 0))
    rows = select(conversations.c.last_at, conversations.c.last_label)
    for stored, label in conn.execute(rows.execution_options(yield_per=5000)):
        at = as_utc(stored)
        if at is not None and label in LABELS:
            mood[at.date().isoformat()][label] += 1
    days = _days(sorted({*volume, *mood}))
    return {
        "period": {
            "from": first.isoformat() if first else None,
            "to": last.isoformat() if last else None,
            "days": len(days),
        },
        "daily": [
            {
                "day": day,
                "messages": dict(sorted(volume.get(day, {}).items())),
                "sentiment": mood.get(day, dict.fromkeys(LABELS, 0)),
            }
            for day in days
        ],
    }


def _days(found: list[str]) -> list[str]:
    """Every day from the first to the last one found, gaps included."""
    if not found:
        return []
    day, end = datetime.fromisoformat(found[0]), datetime.fromisoformat(found[-1])
    days = []
    while day <= end:
        days.append(day.date().isoformat())
        day += timedelta(days=1)
    return days


def sla_attainment(conn: Connection, now: datetime | None = None) -> dict[str, Any]:
    """How the rules' SLAs went: met (answered in time), missed, and still running.

    ``attainment`` is met / (met + missed), None before any SLA has been decided.
    """
    from crmbridge.state.schema import rule_cases

    now = now or utcnow()
    counts = {"met": 0, "missed": 0, "running": 0}
    query = select(rule_cases.c.sla_due_at, rule_cases.c.responded_at).where(
        rule_cases.c.sla_due_at.is_not(None)
    )
    for due_at, responded_at in conn.execute(query):
        due, answered = as_utc(due_at), as_utc(responded_at)
        if due is None:
            continue
        if answered is not None:
            counts["met" if answered <= due else "missed"] += 1
        else:
            counts["missed" if due < now else "running"] += 1
    decided = counts["met"] + counts["missed"]
    return {**counts, "attainment": round(counts["met"] / decided, 4) if decided else None}


def _channel_view(stats: dict[str, Any]) -> dict[str, Any]:
    # Direction counts are the whole conversation's: under one channel they would mislead.
    stats.pop("inbound")
    stats.pop("outbound")
    return stats


def _rows(conn: Connection) -> Iterable[dict[str, Any]]:
    query = select(*(conversations.c[c] for c in COLUMNS)).execution_options(yield_per=1000)
    for record in conn.execute(query):
        row = dict(record._mapping)
        for name in ("opened_at", "last_at", "first_response_at", "closed_at"):
            row[name] = as_utc(row[name])
        row["channels"] = json.loads(row["channels"] or "[]")
        yield row


def _messages_per_channel(conn: Connection) -> dict[str, dict[str, int]]:
    query = (
        select(ledger.c.conversation_key, ledger.c.platform, func.count())
        .where(ledger.c.conversation_key.like(f"{CONVERSATION_PREFIX}%"))
        .group_by(ledger.c.conversation_key, ledger.c.platform)
    )
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for key, platform, count in conn.execute(query):
        found[key][platform] = int(count)
    return found


def describe(kpis: dict[str, Any]) -> str:
    """One line for people: conversations, open, median first response, reopens."""
    o = kpis["overall"]
    first = o["first_response_s"]["median"]
    first_text = "-" if first is None else f"{first / 60:.0f} min"
    return (
        f"{o['conversations']} ({o['open']} open, {o['multi_channel']} multi-channel), "
        f"median first response {first_text}, reopens {o['reopens']}, "
        f"escalations {o['escalations']}, unanswered {o['unanswered']}"
    )
