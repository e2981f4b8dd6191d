"""Bring a state store's schema to the newest version with alembic, on open."""

from __future__ import annotations

import functools
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

VERSION_TABLE = "crmbridge_schema_version"
ADVISORY_KEY = 0x63726D62  # "crmb": one lock id for crmbridge's migrations
SCRIPTS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    return config


@functools.cache
def head() -> str:
    """The newest schema revision this version of crmbridge knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> str | None:
    """The revision a database is at (``None`` for an empty database)."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def upgrade(engine: Engine, attempts: int = 5) -> bool:
    """Migrate to the newest revision; return whether anything had to change.

    Several workers may open a new store at once: PostgreSQL serialises them with an
    advisory lock; on SQLite the loser of the race sees the winner's tables, waits and
    finds the store already at the newest revision.
    """
    target = head()
    for attempt in range(attempts):
        with engine.connect() as connection:
            if current(connection) == target:
                return attempt > 0
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY}
                    )
                    if current(connection) == target:
                        return True
                config = _config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            return True
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    return True
