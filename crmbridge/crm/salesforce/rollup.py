"""Contact roll-up fields on Salesforce: last social interaction, channels seen, last mood.

Opt-in (``crm.rollup_last_at``, ``rollup_channels``, ``rollup_last_sentiment``: custom
Contact fields, e.g. a DateTime, a multi-select picklist and a text or picklist). After a
write batch the written contacts' current values are read in one query (per 200 ids) and
the merged values go back in one sObject Collections update per 200. A roll-up is derived
data: a refusal is logged and the activities stay written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from crmbridge.crm.rollup import RollupFields, collect
from crmbridge.crm.salesforce import soql
from crmbridge.errors import CrmbridgeError, DataError
from crmbridge.models import ActivityWrite, WriteResult

if TYPE_CHECKING:
    from crmbridge.crm.salesforce.adapter import SalesforceCrm

log = logging.getLogger(__name__)


def fields_of(adapter: SalesforceCrm) -> RollupFields:
    """The configured roll-up fields (all None: roll-ups are off)."""
    return RollupFields.of(adapter.config)


def update(
    adapter: SalesforceCrm, batch: Sequence[ActivityWrite], results: Sequence[WriteResult]
) -> int:
    """Move the written contacts' roll-ups forward; how many contacts were updated."""
    fields = fields_of(adapter)
    seen = collect(batch, results)
    ids = sorted(i for i in seen if i.startswith("003"))  # Contacts (Leads have their own)
    size = adapter.config.batch_size
    done = 0
    for start in range(0, len(ids), size):
        part = ids[start : start + size]
        try:
            head = soql.select(["Id", *fields.names], "Contact")
            queries = soql.chunked_in(head, ["Id"], part, adapter.config.max_query_chars)
            current = {r["Id"]: r for r in adapter._run_queries(queries)}
            moves = [
                (
                    {"key": cid, "crm_object": "Contact", "crm_id": cid},
                    fields.merged(current.get(cid, {}), seen[cid]),
                )
                for cid in part
            ]
            answers = adapter.patch_by_id(moves)
        except CrmbridgeError as exc:
            log.warning("contact roll-ups not updated (%s): %s", exc.kind, exc)
            continue
        for r in answers:
            if not r.ok:
                log.warning("contact %s roll-up refused: %s", r.key, r.error)
        done += sum(r.ok for r in answers)
    return done


def clear(adapter: SalesforceCrm, contact_ids: Sequence[str]) -> int:
    """Blank the roll-up fields of these Contacts (``forget``), 200 a call; how many."""
    names = fields_of(adapter).names
    ids = sorted(i for i in set(contact_ids) if i.startswith("003"))
    if not names or not ids:
        return 0
    blank = dict.fromkeys(names)
    moves = [({"key": cid, "crm_object": "Contact", "crm_id": cid}, blank) for cid in ids]
    answers = adapter.patch_by_id(moves)
    refused = [r for r in answers if not r.ok]
    if refused:
        raise DataError(
            f"Salesforce refused to clear the roll-ups of {len(refused)} contact(s): "
            f"{refused[0].key}: {refused[0].error}",
            hint="fix the cause and run forget again",
        )
    return len(answers)

