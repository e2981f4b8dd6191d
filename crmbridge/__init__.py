"""crmbridge: social-media conversations onto CRM contact records, exactly once."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "ActivityWrite": "crmbridge.models",
    "AppConfig": "crmbridge.config",
    "Interaction": "crmbridge.models",
    "SyncSummary": "crmbridge.pipeline",
    "WriteResult": "crmbridge.models",
    "load_config": "crmbridge.config",
    "sync": "crmbridge.pipeline",
}
__all__ = [*sorted(_PUBLIC), "__version__"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so `crmbridge --help` does not pay for the whole engine.
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'crmbridge' has no attribute {name!r}")
