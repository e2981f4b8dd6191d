"""Key clashes on HubSpot writes, settled in batches: upsert by the unique key, then link.

A batch create that holds a key some record already has is refused whole (409 naming only
the first holder, or a 400 naming none). Reading the keys back and splitting each batch into
updates and creates cost three more calls a batch; instead the batch, and every later batch
of that object type in the run while clashes keep coming, goes as one ``batch/upsert`` by
the unique key property (``new`` tells created from updated), and one v4 association batch
puts its records on their contacts: an upsert takes no associations, and linking the
records it updated too is harmless (an association is made once) and puts a record someone
else created under the key on the contact's timeline. A batch refused as invalid is halved,
never sent one record at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from crmbridge.crm.hubspot.wire import HubSpotRejected, trace_ids
from crmbridge.models import ActivityWrite, WriteResult

if TYPE_CHECKING:
    from crmbridge.crm.hubspot.adapter import HubSpotCrm

Results = dict[str, WriteResult]
Status = Literal["created", "updated"]


def upsert(crm: HubSpotCrm, object_type: str, chunk: list[ActivityWrite]) -> Results:
    """Upsert up to 100 records by the key property, then link them to their contacts."""
    key_prop = crm.config.key_property
    inputs = [
        {
            "idProperty": key_prop,
            "id": w.key,
            "properties": crm.properties(w),
            "objectWriteTraceId": w.key,
        }
        for w in chunk
    ]
    try:
        data = crm.wire.call("objects", "upsert", object_type, {"inputs": inputs})
    except HubSpotRejected as exc:
        return halve(lambda part: upsert(crm, object_type, part), chunk, exc)
    results: Results = {}
    held = False
    for row in data.get("results") or []:
        key = row.get("objectWriteTraceId") or (row.get("properties") or {}).get(key_prop)
        if key:
            status: Status = "created" if row.get("new") else "updated"
            results[key] = WriteResult(key=key, status=status, crm_id=str(row.get("id")))
            held = held or not row.get("new")
    for error in data.get("errors") or []:
        message = str(error.get("message") or "rejected by HubSpot")[:500]
        for key in trace_ids(error):
            results[key] = failed(key, f"HubSpot: {error.get('category')}: {message}")
    if not held:  # no clash in this batch: the next one goes back to plain creates
        crm.upserting.discard(object_type)
    results.update(link(crm, object_type, [w for w in chunk if _written(results, w)], results))
    for w in chunk:
        results.setdefault(w.key, failed(w.key, "HubSpot returned no result", kind="transient"))
    return results


def link(
    crm: HubSpotCrm, object_type: str, writes: Sequence[ActivityWrite], results: Results
) -> Results:
    """Associate written records to their contacts (v4 batch create, labelled type).

    Records HubSpot would not link fail as transient without an id, so the next run sends
    them again: upserted (no duplicate) and linked.
    """
    pairs = [w for w in writes if w.contact_id]
    if not pairs:
        return {}
    kind = crm.meta(object_type).contact_type
    inputs = [
        {"from": {"id": results[w.key].crm_id}, "to": {"id": w.contact_id}, "types": [kind]}
        for w in pairs
    ]
    data = crm.wire.call("associations", "create", object_type, "contacts", {"inputs": inputs})
    errors = (data or {}).get("errors") or []
    if not errors:
        return {}
    reason = f"not linked to its contact: {str(errors[0].get('message'))[:200]}"
    return {w.key: failed(w.key, reason, kind="transient") for w in pairs}


def halve(
    send: Callable[[list[ActivityWrite]], Results],
    chunk: list[ActivityWrite],
    exc: HubSpotRejected,
) -> Results:
    """A batch refused whole as invalid: each half again, down to the one record refused."""
    if len(chunk) == 1:
        return {chunk[0].key: failed(chunk[0].key, exc.message)}
    middle = len(chunk) // 2
    return {**send(chunk[:middle]), **send(chunk[middle:])}


def failed(key: str, message: str, kind: str = "data") -> WriteResult:
    """A record's failed result."""
    return WriteResult(key=key, status="failed", error_kind=kind, error=message)


def _written(results: Results, w: ActivityWrite) -> bool:
    found = results.get(w.key)
    return found is not None and found.ok
