"""SQLite files shared by several workers: switching them to WAL without a lost race.

The state store and the local CRM are SQLite files that several ``crmbridge sync``
processes may open at the same moment. Switching a file to WAL needs it to itself, and when
two connections race for that, SQLite answers "database is locked" at once instead of
waiting on its busy timeout. The switch is made once (the mode is stored in the file) and
retried with jitter until the other worker has made it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tenacity import retry, retry_if_exception, stop_after_delay, wait_random_exponential


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


@retry(
    retry=retry_if_exception(_locked),
    wait=wait_random_exponential(multiplier=0.05, max=1.0),
    stop=stop_after_delay(30),
    reraise=True,
)
def use_wal(db: Any) -> None:
    """Put a connection's file in WAL mode (a no-op once it is), taking turns on a race."""
    cursor = db.cursor()
    try:
        mode = str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        if mode not in ("wal", "memory"):
            cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()
