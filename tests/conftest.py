"""Shared fixtures: a work folder with contacts, interactions and a config."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

CONTACTS = (Path(__file__).parent / "fixtures" / "contacts.csv").read_text(encoding="utf-8")

PG_URL = os.environ.get("CRMBRIDGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHROMIUM = Path("/usr/bin/chromium")


def record(message_id: str, /, **over: Any) -> dict[str, Any]:
    """An interchange record with sensible defaults, overridable per key."""
    author = {"id": "a-" + message_id, "handle": None, "name": "Someone"}
    author.update(over.pop("author", {}))
    data = {
        "schema": "crmbridge.interaction/1",
        "platform": "x",
        "kind": "mention",
        "message_id": message_id,
        "conversation_id": None,
        "in_reply_to": None,
        "edit_of": None,
        "account_id": "brand",
        "direction": "inbound",
        "is_private": False,
        "author": author,
        "text": f"message {message_id}",
        "created_at": "2024-01-15T10:30:00Z",
        "edited_at": None,
        "deleted": False,
        "url": None,
    }
    data.update(over)
    return data


def write_jsonl(path: Path, rows: list[dict[str, Any] | str]) -> None:
    """Write records (dicts as JSON, strings verbatim) one per line."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write((row if isinstance(row, str) else json.dumps(row)) + "\n")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder holding contacts.csv, an empty interactions.jsonl and crmbridge.yaml."""
    (tmp_path / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    (tmp_path / "interactions.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}\n"
        "sources:\n  - {name: exports, connector: jsonl, path: interactions.jsonl}\n",
        encoding="utf-8",
    )
    return tmp_path


def service_missing(reason: str) -> None:
    """Skip a test whose service is missing; under ``CI=true`` fail it instead.

    CI must not pass on a machine without PostgreSQL or Chromium: `.ci/run` starts and
    installs them, and exports CI=true so that a missing one is a red build, not a skip.
    """
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def reach_postgres(url: str) -> sa.Engine:
    """An AUTOCOMMIT engine on the server at ``url``, or skip (fail under CI=true)."""
    try:
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        service_missing(f"no PostgreSQL server reachable at {url}: {type(exc).__name__}")
    return admin


def require_chromium(path: Path = CHROMIUM) -> Path:
    """Headless Chromium's binary, or skip (fail under CI=true)."""
    if not path.exists():
        service_missing(
            f"headless Chromium is not installed at {path} (.ci/run installs it with apt-get)"
        )
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on PostgreSQL carries the ``postgres`` marker (``-m postgres``).

    That is each test taking ``pg_url``, and each ``postgresql`` case of a parametrized
    store fixture (which asks for ``pg_url`` only when it runs).
    """
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params.values() if callspec is not None else ()
        if "pg_url" in getattr(item, "fixturenames", ()) or "postgresql" in params:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database on 127.0.0.1, dropped afterwards.

    Skips when no server runs, and fails instead under ``CI=true``.
    """
    admin = reach_postgres(PG_URL)
    name = f"crmbridge_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def chromium() -> Path:
    """Headless Chromium's binary (skips if missing; fails under ``CI=true``)."""
    return require_chromium()


@pytest.fixture
def make_record() -> Callable[..., dict[str, Any]]:
    """The ``record`` helper as a fixture."""
    return record
