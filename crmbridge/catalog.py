"""What ``crmbridge connectors list`` shows: every registered connector and its options."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from crmbridge import registry
from crmbridge.errors import CrmbridgeError


def connector_catalog() -> list[dict[str, Any]]:
    """Each connector by name: where it comes from and the options its ``Config`` takes."""
    rows = []
    for name, plugin in sorted(registry.plugins(registry.CONNECTORS).items()):
        row: dict[str, Any] = {"name": name, "target": plugin.target, "from": plugin.distribution}
        try:
            cls = registry.connector(name)
            row["options"] = [describe_option(k, f) for k, f in cls.Config.model_fields.items()]
            row["doc"] = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        except (ImportError, AttributeError, CrmbridgeError) as exc:
            row["error"] = f"{type(exc).__name__}: {exc}"
        rows.append(row)
    return rows


def describe_option(name: str, field: FieldInfo) -> dict[str, Any]:
    """One option: its type, whether it is required or secret, its default, its help."""
    secret = _is_secret(field.annotation)
    default = (
        None if field.is_required() or secret else field.get_default(call_default_factory=True)
    )
    return {
        "name": name,
        "type": _type_name(field.annotation),
        "required": field.is_required(),
        "secret": secret,
        "default": _plain(default),
        "description": field.description or "",
    }


def _is_secret(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    return any(arg is SecretStr for arg in getattr(annotation, "__args__", ()))


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "").replace("pydantic.types.", "")


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def render_catalog(rows: list[dict[str, Any]]) -> str:
    """A plain-text table per connector, for the terminal."""
    lines = []
    for row in rows:
        lines.append(f"{row['name']}  ({row['target']}, from {row['from']})")
        if "error" in row:
            lines.append(f"    cannot load: {row['error']}")
            continue
        for option in row["options"]:
            flag = "required" if option["required"] else f"default {option['default']!r}"
            secret = ", secret: use ${VAR}" if option["secret"] else ""
            lines.append(
                f"    {option['name']}: {option['type']} ({flag}{secret}) {option['description']}"
            )
    return "\n".join(lines)
