"""HubSpot contacts for identity: batch read by email, search by phone and handle, changes.

Every value that goes into a filter travels as JSON data in the request body (HubSpot's
search takes ``filterGroups`` as structured data, not a query string), so no value is ever
spliced into a query. Search lags behind writes and stops at 10,000 results per query, so
the change feed reads up to ``now - search_lag_s`` and restarts its query from the last
timestamp seen when it reaches the cap.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crmbridge.crm.hubspot.wire import HubSpotRejected, HubSpotWire
from crmbridge.identity.normalize import email_key, handle_key
from crmbridge.models import Contact

if TYPE_CHECKING:
    from crmbridge.crm.hubspot.adapter import HubSpotConfig

NAME_PROPERTIES = ("firstname", "lastname", "email", "city", "country")
PAGE = 200  # HubSpot's search page limit
SEARCH_CAP = 10_000  # HubSpot's search stops here, whatever the paging says
GROUPS_PER_SEARCH = 5  # filterGroups per search request
VALUES_PER_FILTER = 100
BATCH = 100


def properties(config: HubSpotConfig) -> list[str]:
    """Contact properties read for matching and templates."""
    names = [*NAME_PROPERTIES, *config.phone_properties, *config.handle_properties.values()]
    if config.additional_emails:
        names.append("hs_additional_emails")
    return list(dict.fromkeys([*names, config.modified_property]))


def to_contact(row: dict[str, Any], config: HubSpotConfig) -> Contact:
    """A HubSpot contact record as crmbridge's ``Contact``."""
    props = row.get("properties") or {}
    extra = props.get("hs_additional_emails") if config.additional_emails else None
    phone = next((props[p] for p in config.phone_properties if props.get(p)), None)
    handles = {
        platform: key
        for platform, prop in config.handle_properties.items()
        if (key := handle_key(props.get(prop)))
    }
    return Contact(
        id=str(row["id"]),
        first_name=props.get("firstname"),
        last_name=props.get("lastname"),
        email=props.get("email"),
        phone=phone,
        city=props.get("city"),
        country=props.get("country"),
        handles=handles,
        other_emails=[e for e in re.split(r"[;,\s]+", extra) if e] if extra else [],
    )


def find(
    wire: HubSpotWire,
    config: HubSpotConfig,
    emails: Iterable[str],
    phones: Iterable[str],
    handles: dict[str, set[str]],
) -> list[Contact]:
    """Contacts by email (batch read, ``idProperty=email``) and by phone or handle (search)."""
    found: dict[str, Contact] = {}
    wanted = sorted({k for e in emails if (k := email_key(e))})
    for start in range(0, len(wanted), BATCH):
        body = {
            "inputs": [{"id": e} for e in wanted[start : start + BATCH]],
            "idProperty": "email",
            "properties": properties(config),
        }
        for row in _read(wire, body):
            found[str(row["id"])] = to_contact(row, config)
    filters = _filters(config, phones, handles)
    for start in range(0, len(filters), GROUPS_PER_SEARCH):
        groups = [{"filters": [f]} for f in filters[start : start + GROUPS_PER_SEARCH]]
        for row in _search(wire, {"filterGroups": groups, "properties": properties(config)}):
            found[str(row["id"])] = to_contact(row, config)
    return [found[k] for k in sorted(found)]


def _read(wire: HubSpotWire, body: dict[str, Any]) -> list[dict[str, Any]]:
    """A contacts batch read; none found may come back as a 404 rather than a 207."""
    try:
        data = wire.call("objects", "read", "contacts", body)
    except HubSpotRejected as exc:
        if exc.status == 404:
            return []
        raise
    return list(data.get("results") or [])


def _filters(
    config: HubSpotConfig, phones: Iterable[str], handles: dict[str, set[str]]
) -> list[dict[str, Any]]:
    """``IN`` filters, values as data (lower-cased: HubSpot's IN compares lower case)."""
    wanted: list[tuple[str, list[str]]] = []
    listed = sorted({p for p in phones if p})
    wanted.extend((prop, listed) for prop in config.phone_properties if listed)
    for platform, values in sorted(handles.items()):
        prop = config.handle_properties.get(platform)
        keys = sorted({k for v in values if (k := handle_key(v))})
        if prop and keys:
            wanted.append((prop, keys))
    return [
        {"propertyName": prop, "operator": "IN", "values": values[i : i + VALUES_PER_FILTER]}
        for prop, values in wanted
        for i in range(0, len(values), VALUES_PER_FILTER)
    ]


def _search(wire: HubSpotWire, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every page of one contacts search, never past HubSpot's cap."""
    after: str | None = None
    while True:
        page = {**body, "limit": PAGE, **({"after": after} if after else {})}
        data = wire.call("search", "do_search", "contacts", page)
        yield from data.get("results") or []
        after = ((data.get("paging") or {}).get("next") or {}).get("after")
        if not after or int(after) + PAGE > SEARCH_CAP:
            return


def since(
    wire: HubSpotWire, config: HubSpotConfig, cursor: str | None
) -> Iterator[tuple[Contact, str]]:
    """Contacts modified after ``cursor`` (epoch ms) up to ``now - search_lag_s``."""
    prop = config.modified_property
    low = int(cursor or 0)
    high = int((time.time() - config.search_lag_s) * 1000)
    strict, seen_at_low = True, set[str]()
    while low <= high:
        body = {
            "filterGroups": [
                {
                    "filters": [
                        {
                            "propertyName": prop,
                            "operator": "GT" if strict else "GTE",
                            "value": str(low),
                        },
                        {"propertyName": prop, "operator": "LTE", "value": str(high)},
                    ]
                }
            ],
            "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
            "properties": properties(config),
        }
        last, total, fresh, seen = low, 0, 0, set[str]()
        for row in _search(wire, body):
            total += 1
            ms = _epoch_ms((row.get("properties") or {}).get(prop)) or last
            if ms == low and str(row["id"]) in seen_at_low:
                continue
            if ms != last:
                seen = set()
            last, fresh = ms, fresh + 1
            seen.add(str(row["id"]))
            # ms - 1: a crash inside a group of equal timestamps re-reads it, loses none.
            yield to_contact(row, config), str(ms - 1)
        if total < SEARCH_CAP - PAGE or not fresh:
            return
        # The search stopped at its cap: query again from the last timestamp seen.
        strict, low, seen_at_low = False, last, seen


def _epoch_ms(value: Any) -> int | None:
    """HubSpot datetimes come as ISO 8601 text (or epoch ms in older payloads)."""
    if value is None:
        return None
    text = str(value)
    if text.isdigit():
        return int(text)
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None
