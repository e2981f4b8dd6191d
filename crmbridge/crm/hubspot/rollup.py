"""Contact roll-up properties: when the contact last spoke on social media, where, and how.

Opt-in (``crm.rollup_last_at``, ``crm.rollup_channels``, ``crm.rollup_last_sentiment``):
after a write batch, the written
contacts are read in one batch (to keep the later time and merge the channels already
seen) and updated in one batch. A roll-up is derived data: HubSpot refusing it is logged
and the activities stay written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crmbridge.crm.hubspot.wire import HubSpotRejected, HubSpotWire
from crmbridge.models import ActivityWrite, WriteResult

if TYPE_CHECKING:
    from crmbridge.crm.hubspot.adapter import HubSpotConfig

log = logging.getLogger(__name__)
BATCH = 100


@dataclass
class Seen:
    """What one write batch says of a contact."""

    last: str = ""
    channels: set[str] = field(default_factory=set)
    inbound_at: str = ""
    sentiment: str | None = None


def collect(batch: Sequence[ActivityWrite], results: Sequence[WriteResult]) -> dict[str, Seen]:
    """Per contact: the latest ``hs_timestamp`` written, the platforms, the latest mood."""
    seen: dict[str, Seen] = {}
    for w, result in zip(batch, results, strict=True):
        if not result.ok or not w.contact_id:
            continue
        when = str(w.fields.get("hs_timestamp") or "").replace("+00:00", "Z")
        entry = seen.setdefault(w.contact_id, Seen())
        entry.last = max(entry.last, when)
        entry.channels.add(w.key.split(":", 1)[0])
        label = w.meta.get("sentiment")
        if label and when >= entry.inbound_at:
            entry.inbound_at, entry.sentiment = when, str(label)
    return seen


def update(
    wire: HubSpotWire,
    config: HubSpotConfig,
    batch: Sequence[ActivityWrite],
    results: Sequence[WriteResult],
) -> None:
    """Move each written contact's roll-ups forward (never back)."""
    seen = collect(batch, results)
    names = [
        p
        for p in (config.rollup_last_at, config.rollup_channels, config.rollup_last_sentiment)
        if p
    ]
    ids = sorted(seen)
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        try:
            current = _read(wire, part, names)
            inputs = [
                {"id": cid, "properties": _merged(config, current.get(cid, {}), seen[cid])}
                for cid in part
            ]
            wire.call("objects", "update", "contacts", {"inputs": inputs})
        except HubSpotRejected as exc:
            log.warning("contact roll-ups not updated: %s", exc.message)


def _read(wire: HubSpotWire, ids: list[str], names: list[str]) -> dict[str, dict[str, Any]]:
    body = {"inputs": [{"id": i} for i in ids], "properties": names}
    rows = wire.call("objects", "read", "contacts", body).get("results") or []
    return {str(r["id"]): r.get("properties") or {} for r in rows}


def _merged(config: HubSpotConfig, current: dict[str, Any], seen: Seen) -> dict[str, str]:
    props: dict[str, str] = {}
    before = str(current.get(config.rollup_last_at) or "") if config.rollup_last_at else ""
    if config.rollup_last_at:
        props[config.rollup_last_at] = max(before, seen.last)
    if config.rollup_channels:
        before_set = {c for c in str(current.get(config.rollup_channels) or "").split(";") if c}
        props[config.rollup_channels] = ";".join(sorted(before_set | seen.channels))
    # A backfill of older messages must not replace the mood of a newer one.
    if config.rollup_last_sentiment and seen.sentiment and seen.inbound_at >= before:
        props[config.rollup_last_sentiment] = seen.sentiment
    return props
