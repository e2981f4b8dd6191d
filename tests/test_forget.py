"""`crmbridge forget` (GDPR erasure): the CRM's activities and the state store's data go.

Local end to end through the real pipeline; Salesforce at the wire with ``responses``;
HubSpot against the local fake HubSpot server.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crmbridge.config import AppConfig, load_config
from crmbridge.errors import ConfigError
from crmbridge.forget import forget
from crmbridge.ops import history
from crmbridge.pipeline import sync
from crmbridge.state.schema import ledger, links, personas, quarantine, review, runs
from crmbridge.state.store import StateStore
from tests.conftest import record, write_jsonl

JANE = {"id": "jane-1", "handle": "jdoe", "email": "jane@example.com"}


def rows_of(workdir: Path) -> list[tuple[str, str | None, str]]:
    with sqlite3.connect(workdir / "crm.db") as db:
        return db.execute("SELECT key, contact_id, fields FROM activities ORDER BY key").fetchall()


def count(config: AppConfig, table: Any, *where: Any) -> int:
    store = StateStore(config.state_url)
    with store.engine.connect() as conn:
        found = int(conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)
    store.close()
    return found


@pytest.fixture
def synced(workdir: Path) -> AppConfig:
    """Jane wrote three messages (one parked as malformed); Bob wrote one."""
    jane_bad = json.dumps(record("j-bad", author=JANE, is_private="yes"))
    write_jsonl(
        workdir / "interactions.jsonl",
        [
            record("j1", author=JANE, text="my order never came"),
            record("j2", author=JANE, text="still waiting"),
            jane_bad,
            record("b1", author={"id": "bob-1", "name": "Bob"}),
        ],
    )
    config = load_config(workdir / "crmbridge.yaml")
    summary = sync(config)
    assert (summary.written, summary.quarantined) == (3, 1)
    return config


def linked_contact(config: AppConfig) -> str:
    store = StateStore(config.state_url)
    with store.engine.connect() as conn:
        contact = conn.scalar(select(links.c.contact_id).where(links.c.persona_key == "x:jane-1"))
    store.close()
    assert contact is not None, "the fixture contacts.csv should hold Jane"
    return str(contact)


def test_forgetting_a_persona_empties_its_history_and_a_resync_does_not_recreate_it(
    workdir, synced
):
    contact = linked_contact(synced)
    assert len(history(synced, contact)) == 2
    report = forget(synced, persona="x:jane-1")
    assert report["crm"]["activities"] == 2
    assert report["state"] == {
        "ledger": 2,
        "personas": 1,
        "links": 1,
        "review": 0,
        "quarantine": 1,
        "failure_actions": 0,
    }
    assert history(synced, contact) == []
    assert [k for k, _c, _f in rows_of(workdir)] == ["x:b1"]
    assert count(synced, personas, personas.c.key == "x:jane-1") == 0
    assert count(synced, quarantine) == 0
    store = StateStore(synced.state_url)
    rows = store.ledger_rows(["x:j1", "x:j2"])
    store.close()
    assert {r.status for r in rows.values()} == {"erased"}
    assert all(r.payload == "" and r.persona_key == "" for r in rows.values())
    # The same export read again from the start writes nothing of Jane's.
    store = StateStore(synced.state_url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM cursors")
    store.close()
    again = sync(synced)
    assert again.erased == 2 and again.written == 0
    assert [k for k, _c, _f in rows_of(workdir)] == ["x:b1"]
    assert history(synced, contact) == []


def test_anonymise_keeps_the_activity_with_its_text_and_author_erased(workdir, synced):
    report = forget(synced, persona="x:jane-1", mode="anonymise")
    assert report["mode"] == "anonymise"
    jane = [json.loads(f) for k, _c, f in rows_of(workdir) if k.startswith("x:j")]
    assert len(jane) == 2
    for fields in jane:
        assert (fields["subject"], fields["body"], fields["author"]) == ("[erased]",) * 2 + (None,)
        assert "jdoe" not in json.dumps(fields)
    bob = next(json.loads(f) for k, _c, f in rows_of(workdir) if k == "x:b1")
    assert bob["body"] == "message b1"


def test_the_mode_default_comes_from_the_privacy_config(workdir, synced):
    text = (workdir / "crmbridge.yaml").read_text() + "privacy: {erase_mode: anonymise}\n"
    (workdir / "crmbridge.yaml").write_text(text)
    config = load_config(workdir / "crmbridge.yaml")
    assert forget(config, persona="x:jane-1")["mode"] == "anonymise"
    assert len(rows_of(workdir)) == 3


def test_forgetting_a_contact_erases_every_persona_linked_to_it(workdir, synced):
    contact = linked_contact(synced)
    report = forget(synced, contact_id=contact)
    assert report["personas"] == 1 and report["crm"]["activities"] == 2
    assert count(synced, links, links.c.contact_id == contact) == 0
    assert count(synced, review) == 0
    assert history(synced, contact) == []


def test_a_dry_run_counts_and_changes_nothing(workdir, synced):
    report = forget(synced, persona="x:jane-1", dry_run=True)
    assert report["dry_run"] and report["crm"]["activities"] == 2
    assert report["state"] == {"ledger": 2, "personas": 1, "quarantine": 1}
    assert len(rows_of(workdir)) == 3
    assert count(synced, ledger, ledger.c.status == "erased") == 0


def test_the_erasure_is_recorded_in_runs_as_counts_only(workdir, synced):
    forget(synced, persona="x:jane-1")
    store = StateStore(synced.state_url)
    with store.engine.connect() as conn:
        run = conn.execute(select(runs).where(runs.c.status == "forget")).one()
    store.close()
    assert json.loads(run.summary)["forget"]["crm"]["activities"] == 2
    assert "jane" not in run.summary


def test_a_bad_persona_or_both_targets_is_a_config_error(synced):
    with pytest.raises(ConfigError, match="PLATFORM:AUTHOR_ID"):
        forget(synced, persona="jane-1")
    with pytest.raises(ConfigError, match="exactly one"):
        forget(synced, persona="x:1", contact_id="C1")
    with pytest.raises(ConfigError, match="mode"):
        forget(synced, persona="x:1", mode="shred")


def test_the_cli_reports_what_it_erased(workdir, synced):
    done = subprocess.run(
        [sys.executable, "-m", "crmbridge", "forget", "--persona", "x:jane-1", "--json"],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["crm"]["activities"], report["state"]["ledger"]) == (2, 2)
    assert report["crm"]["objects"] == {"activity": 2}
