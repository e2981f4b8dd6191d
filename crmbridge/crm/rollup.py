"""Contact roll-ups shared by the CRM adapters: last social interaction, channels, mood.

An adapter that has roll-up fields configured gives each written batch to ``collect``,
reads the contacts' current values, and writes ``RollupFields.merged``: the later time,
the union of channels, and the sentiment of the latest inbound message. Nothing moves
back: a backfill of older messages never replaces what a newer one set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crmbridge.models import ActivityWrite, WriteResult


@dataclass
class Seen:
    """What one write batch says of a contact (times as canonical UTC text)."""

    last: str = ""
    channels: set[str] = field(default_factory=set)
    inbound_at: str = ""
    sentiment: str | None = None


def canonical(value: Any) -> str:
    """A time as ``YYYY-MM-DDTHH:MM:SSZ`` (what every CRM's form sorts to); '' if none."""
    if not value:
        return ""
    text = str(value).strip().replace("Z", "+00:00").replace("+0000", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collect(
    batch: Sequence[ActivityWrite], results: Sequence[WriteResult], time_field: str | None = None
) -> dict[str, Seen]:
    """Per written contact: latest time, platforms, and the latest inbound sentiment.

    The time is the interaction's (``meta["at"]``, set by the mapping), else the value of
    ``time_field`` in the fields.
    """
    seen: dict[str, Seen] = {}
    for w, result in zip(batch, results, strict=True):
        if not result.ok or not w.contact_id:
            continue
        when = canonical(w.meta.get("at") or (w.fields.get(time_field) if time_field else None))
        if not when:  # not an interaction's activity (a case, a ticket): no roll-up
            continue
        entry = seen.setdefault(w.contact_id, Seen())
        entry.last = max(entry.last, when)
        entry.channels.add(str(w.meta.get("channel") or w.key.split(":", 1)[0]))
        label = w.meta.get("sentiment")
        if label and when >= entry.inbound_at:
            entry.inbound_at, entry.sentiment = when, str(label)
    return seen


@dataclass
class RollupFields:
    """The contact fields (or properties) that hold the roll-ups; None: not kept."""

    last_at: str | None = None
    channels: str | None = None
    last_sentiment: str | None = None

    @classmethod
    def of(cls, config: Any) -> RollupFields:
        """The roll-up fields an adapter's config names (``rollup_last_at`` ...)."""
        return cls(config.rollup_last_at, config.rollup_channels, config.rollup_last_sentiment)

    @property
    def names(self) -> list[str]:
        """The configured field names."""
        return [n for n in (self.last_at, self.channels, self.last_sentiment) if n]

    def merged(self, current: dict[str, Any], seen: Seen) -> dict[str, str]:
        """The new values: times and channels only move forward, the mood follows the time."""
        values: dict[str, str] = {}
        before = canonical(current.get(self.last_at)) if self.last_at else ""
        if self.last_at:
            values[self.last_at] = max(before, seen.last)
        if self.channels:
            had = {c for c in str(current.get(self.channels) or "").split(";") if c}
            values[self.channels] = ";".join(sorted(had | seen.channels))
        if self.last_sentiment and seen.sentiment and seen.inbound_at >= before:
            values[self.last_sentiment] = seen.sentiment
        return values
