"""What the HubSpot portal must hold for a preset: association types and properties.

Association type ids to contacts (note 202, communication 81 by HubSpot's docs and the
SDK) are confirmed from ``GET /crm/v4/associations/{from}/contacts/labels`` before the
first write; the ``crmbridge_key`` property is read to learn whether it is unique. ``check``
compares a preset's fields with the object's properties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crmbridge.crm.hubspot.wire import HubSpotRejected, HubSpotWire
from crmbridge.errors import ConfigError

if TYPE_CHECKING:
    from crmbridge.crm.hubspot.adapter import HubSpotConfig
    from crmbridge.rules.mapping import Preset

DEFAULT_TYPES = {"notes": 202, "communications": 81, "tickets": 16}


@dataclass(frozen=True)
class ObjectMeta:
    """What a write to one object type needs to know."""

    object_type: str
    association_type: int
    unique: bool

    @property
    def contact_type(self) -> dict[str, Any]:
        """The association type to contacts, as create and association calls send it."""
        return {
            "associationCategory": "HUBSPOT_DEFINED",
            "associationTypeId": self.association_type,
        }


def key_property_spec(name: str) -> dict[str, Any]:
    """The body of ``POST /crm/v3/properties/{objectType}`` that creates the key property."""
    return {
        "name": name,
        "label": "crmbridge key",
        "type": "string",
        "fieldType": "text",
        "groupName": "crmbridge",
        "hasUniqueValue": True,
        "description": "Interaction key (platform:message_id) written by crmbridge.",
    }


def object_meta(
    wire: HubSpotWire, object_type: str, key_property: str, overrides: dict[str, int]
) -> ObjectMeta:
    """Confirm the association type to contacts and read the key property (once per type)."""
    type_id = overrides.get(object_type) or association_type(wire, object_type)
    try:
        prop = wire.call("properties", "get_by_name", object_type, key_property)
    except HubSpotRejected as exc:
        if exc.status != 404:
            raise
        raise ConfigError(
            f"HubSpot {object_type} have no property {key_property!r}",
            hint=f"run `crmbridge setup hubspot` or create it with POST "
            f"/crm/v3/properties/{object_type} (type string, fieldType text, hasUniqueValue true)",
        ) from None
    return ObjectMeta(object_type, type_id, bool(prop.get("hasUniqueValue")))


def association_type(wire: HubSpotWire, object_type: str) -> int:
    """The unlabelled HUBSPOT_DEFINED association type from an object type to contacts."""
    data = wire.call("labels", "get_all", object_type, "contacts")
    for row in data.get("results") or []:
        if row.get("category") == "HUBSPOT_DEFINED" and not row.get("label"):
            return int(row["typeId"])
    raise ConfigError(
        f"HubSpot lists no default association from {object_type} to contacts",
        hint=f"set crm.association_types.{object_type} (HubSpot documents "
        f"{DEFAULT_TYPES.get(object_type, '?')})",
    )


def setup(wire: HubSpotWire, object_types: Sequence[str], key_property: str) -> list[str]:
    """Create the ``crmbridge`` property group and the unique key property where missing."""
    done: list[str] = []
    for object_type in object_types:
        group = {"name": "crmbridge", "label": "crmbridge", "displayOrder": -1}
        _create_unless_exists(wire, "groups", object_type, group)
        made = _create_unless_exists(
            wire, "properties", object_type, key_property_spec(key_property)
        )
        done.append(f"{object_type}: {key_property} {'created' if made else 'already exists'}")
    return done


def _create_unless_exists(wire: HubSpotWire, api: str, object_type: str, body: Any) -> bool:
    try:
        wire.call(api, "create", object_type, body, idempotent=False)
    except HubSpotRejected as exc:
        if exc.status != 409:
            raise
        return False
    return True


def preset_properties(preset: Preset) -> dict[str, dict[str, Any]]:
    """Property name to field spec, per HubSpot object type the preset writes."""
    from crmbridge.crm.hubspot.adapter import object_type_of
    from crmbridge.models import ActivityWrite

    variants = [dict(preset.fields)]
    for override in preset.overrides.values():
        merged = {**preset.fields, **override.fields}
        variants.append({k: v for k, v in merged.items() if v is not None})
    used: dict[str, dict[str, Any]] = {}
    for fields in variants:
        probe = ActivityWrite(key="", object=preset.object, contact_id=None, fields=fields)
        used.setdefault(object_type_of(probe), {}).update(fields)
    return used


def check_preset(wire: HubSpotWire, preset: Preset, config: HubSpotConfig) -> list[str]:
    """Missing, read-only and enumeration problems of a preset against the portal."""
    problems: list[str] = []
    for object_type, fields in preset_properties(preset).items():
        data = wire.call("properties", "get_all", object_type)
        known = {p["name"]: p for p in data.get("results") or []}
        problems.extend(_key_problems(object_type, known.get(config.key_property), config))
        for name, spec in sorted(fields.items()):
            problems.extend(_field_problems(object_type, name, spec, known.get(name)))
    return problems


def _key_problems(object_type: str, prop: dict[str, Any] | None, config: Any) -> list[str]:
    name = config.key_property
    if prop is None:
        return [
            f"{object_type}: custom property {name} is missing (create it: type string, "
            "fieldType text, hasUniqueValue true; `crmbridge setup hubspot` does)"
        ]
    if not prop.get("hasUniqueValue"):
        return [
            f"{object_type}: property {name} is not unique (hasUniqueValue false): each "
            "create first reads the contacts' records through associations (more calls)"
        ]
    return []


def _field_problems(
    object_type: str, name: str, spec: Any, prop: dict[str, Any] | None
) -> list[str]:
    if prop is None:
        return [f"{object_type}: mapped property {name} does not exist"]
    meta = prop.get("modificationMetadata") or {}
    if meta.get("readOnlyValue"):
        return [f"{object_type}: mapped property {name} is read-only"]
    if prop.get("type") != "enumeration":
        return []
    allowed = {o.get("value") for o in prop.get("options") or [] if not o.get("hidden")}
    template = spec if isinstance(spec, str) else spec.template
    values = set(getattr(spec, "choices", None) or [])
    if "{" not in template:
        values.add(template.strip())
    bad = sorted(v for v in values if v not in allowed)
    if bad:
        return [
            f"{object_type}: {name} value(s) {bad} are not allowed (allowed: {sorted(allowed)})"
        ]
    return []
