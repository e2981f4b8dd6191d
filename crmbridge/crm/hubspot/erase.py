"""Erasure on HubSpot for ``crmbridge forget``: the tickets crmbridge opened, contact roll-ups.

Tickets are read back first (batch read, 100 a call) and only one whose ``crmbridge_key``
is the conversation's key is archived or blanked; one not found is already gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crmbridge.crm.hubspot.wire import HubSpotRejected, HubSpotWire
from crmbridge.crm.rollup import RollupFields

if TYPE_CHECKING:
    from crmbridge.crm.hubspot.adapter import HubSpotConfig

BATCH = 100
ERASED_TICKET = {"subject": "[erased]", "content": "[erased]"}


def erase_tickets(
    wire: HubSpotWire, config: HubSpotConfig, rows: Sequence[dict[str, Any]], mode: str
) -> int:
    """Archive (or blank subject and content of) our tickets by id; how many."""
    wanted = {str(r["crm_id"]): r["key"] for r in rows if r.get("crm_id")}
    ids = sorted(wanted)
    done = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        body = {"inputs": [{"id": i} for i in part], "properties": [config.key_property]}
        try:
            found = wire.call("objects", "read", "tickets", body).get("results") or []
        except HubSpotRejected as exc:
            if exc.status == 404:  # none of them exists any more
                continue
            raise
        ours = [
            str(t["id"])
            for t in found
            if (t.get("properties") or {}).get(config.key_property) == wanted.get(str(t["id"]))
        ]
        if not ours:
            continue
        if mode == "delete":
            wire.call("objects", "archive", "tickets", {"inputs": [{"id": i} for i in ours]})
        else:
            inputs = [{"id": i, "properties": ERASED_TICKET} for i in ours]
            wire.call("objects", "update", "tickets", {"inputs": inputs})
        done += len(ours)
    return done


def clear_rollups(wire: HubSpotWire, config: HubSpotConfig, contact_ids: Sequence[str]) -> int:
    """Blank the roll-up properties of these contacts, 100 a call; how many."""
    names = RollupFields.of(config).names
    ids = sorted(set(contact_ids))
    if not names:
        return 0
    blank = dict.fromkeys(names, "")
    for start in range(0, len(ids), BATCH):
        inputs = [{"id": i, "properties": blank} for i in ids[start : start + BATCH]]
        wire.call("objects", "update", "contacts", {"inputs": inputs})
    return len(ids)
