"""``crmbridge check`` for Salesforce: describe the target object, compare it to the preset.

Reported before any write: a mapped field the object lacks or the user cannot write, a
fixed or allowed value a restricted picklist refuses, a length the field would truncate,
a key field that is not an External ID, and the custom fields an admin must create.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crmbridge.crm.salesforce.personas import OBJECT, PREFIX
from crmbridge.errors import ConfigError
from crmbridge.rules.mapping import FieldSpec, Mapper

if TYPE_CHECKING:
    from crmbridge.crm.salesforce.adapter import SalesforceCrm

KEY_FIELD_TYPE = "Text(255), External ID, Unique (case sensitive)"


def preset_fields(mapper: Mapper) -> dict[str, FieldSpec]:
    """Every field a preset may write, overrides included (the widest spec wins)."""
    found: dict[str, FieldSpec] = {}
    tables: list[dict[str, Any]] = [mapper.preset.fields]
    tables += [o.fields for o in mapper.preset.overrides.values()]
    for table in tables:
        for name, value in table.items():
            if value is None:
                continue
            spec = value if isinstance(value, FieldSpec) else FieldSpec(template=value)
            old = found.get(name)
            if old is None or (spec.max_length or 0) > (old.max_length or 0):
                found[name] = spec
    return found


def custom_fields(mapper: Mapper, key_field: str) -> dict[str, str]:
    """The custom fields (``__c``) a preset needs, with the type to create them as."""
    needed = {key_field: KEY_FIELD_TYPE}
    for name, spec in preset_fields(mapper).items():
        name = name.removeprefix(PREFIX)
        if name.endswith("__c") and name not in needed:
            needed[name] = _suggested_type(spec)
    return needed


def _suggested_type(spec: FieldSpec) -> str:
    if spec.type == "bool":
        return "Checkbox"
    if spec.type == "int":
        return "Number(18, 0)"
    if spec.type == "datetime":
        return "Date/Time"
    length = spec.max_length or 255
    return f"Text({length})" if length <= 255 else f"Long Text Area({length})"


def check_preset(adapter: SalesforceCrm, mapper: Mapper) -> list[str]:
    """Problems writing this preset's object(s) in the org; empty when all is well."""
    wanted = preset_fields(mapper)
    own = {k: v for k, v in wanted.items() if not k.startswith(PREFIX)}
    problems = _object_problems(adapter, mapper.preset.object, own)
    persona = {k.removeprefix(PREFIX): v for k, v in wanted.items() if k.startswith(PREFIX)}
    if persona:
        persona.pop(adapter.config.key_field, None)
        problems += _object_problems(adapter, OBJECT, persona)
    return problems


def _object_problems(
    adapter: SalesforceCrm, sobject: str, wanted: dict[str, FieldSpec]
) -> list[str]:
    try:
        described = adapter._call("describe", lambda sf: getattr(sf, sobject).describe())
    except ConfigError:
        return [f"{sobject}: object not found or not enabled for the integration user"]
    fields = {f["name"]: f for f in described.get("fields", [])}
    key = adapter.config.key_field
    problems: list[str] = []
    for name, spec in {**wanted, key: FieldSpec(template="{{ key }}")}.items():
        problems += _field_problems(sobject, name, spec, fields.get(name), key)
    if key in fields and adapter.config.key_is_external_id and not fields[key].get("externalId"):
        problems.append(
            f"{sobject}.{key} is not an External ID: mark it External ID + Unique, "
            "or set crm.key_is_external_id: false"
        )
    return problems


def _field_problems(
    sobject: str, name: str, spec: FieldSpec, field: dict[str, Any] | None, key: str
) -> list[str]:
    where = f"{sobject}.{name}"
    if field is None:
        if name.endswith("__c"):
            kind = KEY_FIELD_TYPE if name == key else _suggested_type(spec)
            return [f"{where} does not exist: create custom field {name} as {kind}"]
        return [f"{where} does not exist on {sobject}"]
    problems = []
    if not field.get("createable") and not field.get("updateable"):
        problems.append(f"{where} is not writable by the integration user")
    length = field.get("length") or 0
    if field.get("type") in ("string", "textarea") and length and (spec.max_length or 0) > length:
        problems.append(f"{where} holds {length} characters; values are cut to {length}")
    if field.get("restrictedPicklist"):
        allowed = {v["value"] for v in field.get("picklistValues", []) if v.get("active", True)}
        wanted = set(spec.choices or ())
        if "{" not in spec.template:
            wanted.add(spec.template.strip())
        refused = sorted(wanted - allowed)
        if refused:
            problems.append(f"{where} restricted picklist refuses {refused}")
    return problems
