"""Connectors and CRM adapters by name, from ``importlib.metadata`` entry points.

Built-ins register in our own ``pyproject.toml`` under the same groups third parties use
(``crmbridge.connectors`` and ``crmbridge.crm_adapters``), so a new source is one module
and one entry-point line; the engine never imports a connector by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crmbridge.errors import ConfigError

if TYPE_CHECKING:
    from crmbridge.connector import Connector
    from crmbridge.crm.base import CrmAdapter

CONNECTORS = "crmbridge.connectors"
CRM_ADAPTERS = "crmbridge.crm_adapters"


@dataclass(frozen=True)
class Plugin:
    """One loaded entry point: its name, the class, and the distribution it came from."""

    group: str
    name: str
    target: str
    distribution: str


@cache
def _entry_points(group: str) -> dict[str, EntryPoint]:
    """A group's entry points by name: the installed packages are scanned once."""
    return {ep.name: ep for ep in entry_points(group=group)}


@cache
def plugins(group: str) -> dict[str, Plugin]:
    """Every entry point of a group, by name (not yet imported)."""
    found: dict[str, Plugin] = {}
    for name, ep in _entry_points(group).items():
        dist = ep.dist.name if ep.dist is not None else "?"
        found[name] = Plugin(group, name, ep.value, dist)
    return found


def load(group: str, name: str, file: Path | None = None, where: str = "") -> Any:
    """Import the class registered as ``name`` in ``group``, or name the known ones."""
    found = plugins(group)
    if name not in found:
        known = ", ".join(sorted(found)) or "none (is crmbridge installed? pip install -e .)"
        prefix = f"{file.name}: {where}: " if file else ""
        raise ConfigError(f"{prefix}unknown {group.split('.')[-1][:-1]} {name!r} (known: {known})")
    try:
        return _entry_points(group)[name].load()
    except ModuleNotFoundError as exc:
        prefix = f"{file.name}: {where}: " if file else ""
        raise ConfigError(
            f"{prefix}{name!r} needs the module {exc.name!r}, which is not installed",
            hint=install_hint(_entry_points(group)[name], exc.name or ""),
        ) from None


def install_hint(ep: EntryPoint, module: str) -> str:
    """The pip command that brings a plugin's missing dependency.

    A plugin whose distribution offers an extra of its own name (``crmbridge[salesforce]``)
    gets that extra, otherwise the module itself.
    """
    dist = ep.dist
    extras = (dist.metadata.get_all("Provides-Extra") or []) if dist is not None else []
    if dist is not None and ep.name in extras:
        return f"pip install '{dist.name}[{ep.name}]'"
    return f"pip install {module.split('.')[0]}"


def usable(group: str, name: str) -> str:
    """``yes``, or the reason a registered plugin cannot be used here and its fix."""
    try:
        load(group, name)
    except ConfigError as exc:
        return f"no: {exc}"
    return "yes"


def connector(name: str, file: Path | None = None, where: str = "") -> type[Connector]:
    """The connector class registered as ``name``."""
    cls: type[Connector] = load(CONNECTORS, name, file, f"{where}.connector")
    return cls


def crm_adapter(name: str, file: Path | None = None) -> type[CrmAdapter]:
    """The CRM adapter class registered as ``name``."""
    cls: type[CrmAdapter] = load(CRM_ADAPTERS, name, file, "crm.kind")
    return cls
