"""crmbridge: social-media conversations onto CRM contact records, exactly once."""

__version__ = "0.1.0"

from crmbridge.config import AppConfig, load_config
from crmbridge.models import ActivityWrite, Interaction, WriteResult
from crmbridge.pipeline import SyncSummary, sync

__all__ = [
    "ActivityWrite",
    "AppConfig",
    "Interaction",
    "SyncSummary",
    "WriteResult",
    "__version__",
    "load_config",
    "sync",
]
