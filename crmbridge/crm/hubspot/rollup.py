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
from typing import TYPE_CHECKING, Any

from crmbridge.crm.hubspot.wire import HubSpotRejected, HubSpotWire
from crmbridge.crm.rollup import RollupFields, collect
from crmbridge.models import ActivityWrite, WriteResult

if TYPE_CHECKING:
    from crmbridge.crm.hubspot.adapter import HubSpotConfig

log = logging.getLogger(__name__)
BATCH = 100


def update(
    wire: HubSpotWire,
    config: HubSpotConfig,
    batch: Sequence[ActivityWrite],
    results: Sequence[WriteResult],
) -> None:
    """Move each written contact's roll-ups forward (never back)."""
    fields = RollupFields.of(config)
    if not fields.names:
        return  # roll-ups are off
    seen = collect(batch, results, "hs_timestamp")
    ids = sorted(seen)
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        try:
            current = _read(wire, part, fields.names)
            inputs = [
                {"id": cid, "properties": fields.merged(current.get(cid, {}), seen[cid])}
                for cid in part
            ]
            wire.call("objects", "update", "contacts", {"inputs": inputs})
        except HubSpotRejected as exc:
            log.warning("contact roll-ups not updated: %s", exc.message)


def _read(wire: HubSpotWire, ids: list[str], names: list[str]) -> dict[str, dict[str, Any]]:
    body = {"inputs": [{"id": i} for i in ids], "properties": names}
    rows = wire.call("objects", "read", "contacts", body).get("results") or []
    return {str(r["id"]): r.get("properties") or {} for r in rows}
