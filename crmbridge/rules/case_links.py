"""Which written activities to tie to their conversation's case, batch by batch.

A case is one per conversation; its activities are the conversation's messages. Each batch
links the activities it wrote to the case their conversation already has, and when a
batch creates a case, the conversation's earlier activities (written by earlier batches,
read back from the ledger) are linked too. The adapter does the linking
(``attach_to_case``): Salesforce ``WhatId`` / ``ParentId``, HubSpot ticket associations.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from crmbridge.crm.base import CrmAdapter
from crmbridge.errors import CrmbridgeError
from crmbridge.state.store import StateStore

log = logging.getLogger(__name__)


def case_links(
    ledger_rows: Iterable[dict[str, Any]], case_ids: Mapping[str, str]
) -> list[tuple[str, dict[str, Any]]]:
    """``(case CRM id, activity)`` for the activities a batch wrote in conversations with a case.

    ``case_ids`` maps conversation keys to their case's CRM id.
    """
    pairs: dict[str, tuple[str, dict[str, Any]]] = {}
    for row in ledger_rows:
        conversation = str(row.get("conversation_key") or "")
        if row.get("status") == "written" and row.get("crm_id") and conversation in case_ids:
            pairs[row["key"]] = (case_ids[conversation], _activity(row))
    return list(pairs.values())


def earlier_links(
    store: StateStore, created: Mapping[str, str]
) -> list[tuple[str, dict[str, Any]]]:
    """For cases just created: their conversations' activities already in the ledger."""
    rows = store.written_in_conversations(sorted(created)) if created else []
    return [(created[r["conversation_key"]], _activity(r)) for r in rows]


def attach(adapter: CrmAdapter, links: list[tuple[str, dict[str, Any]]]) -> int:
    """Link activities to cases, best effort: a failure is logged and the sync goes on."""
    if not links:
        return 0
    try:
        return adapter.attach_to_case(links)
    except CrmbridgeError as exc:
        log.warning("%d activities not linked to their cases (%s): %s", len(links), exc.kind, exc)
        return 0


def _activity(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"key": row["key"], "crm_object": row["crm_object"], "crm_id": row["crm_id"]}
