"""`forget` reaches everything crmbridge wrote or keeps: cases, roll-ups, spool, state rows."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from crmbridge.connectors.files import JsonlConnector
from pydantic import SecretStr
from sqlalchemy import func, select

from crmbridge.config import AppConfig, load_config
from crmbridge.crm.hubspot import HubSpotCrm
from crmbridge.crm.hubspot.adapter import HubSpotConfig
from crmbridge.forget import forget
from crmbridge.models import CaseWrite
from crmbridge.pipeline import sync
from crmbridge.state.schema import conversations, rule_cases
from crmbridge.state.store import StateStore
from crmbridge.testing.hubspot_fake import FakeHubSpot
from tests.conftest import record, write_jsonl

JANE = {"id": "jane-1", "handle": "jdoe", "email": "jane@example.com"}
RULES = (
    "rules:\n"
    "  - name: late\n"
    "    when: {keywords: [never came, waiting]}\n"
    "    then: {case: {priority: High}}\n"
)


def cases_of(workdir: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(workdir / "crm.db") as db:
        return db.execute("SELECT key, fields FROM cases ORDER BY key").fetchall()


def count(config: AppConfig, table: Any) -> int:
    store = StateStore(config.state_url)
    with store.engine.connect() as conn:
        found = int(conn.scalar(select(func.count()).select_from(table)) or 0)
    store.close()
    return found


@pytest.fixture
def synced(workdir: Path) -> AppConfig:
    """Jane's complaint opened a case; Bob's did too; a later message of Jane is spooled."""
    yaml = workdir / "crmbridge.yaml"
    yaml.write_text(yaml.read_text() + RULES)
    write_jsonl(
        workdir / "interactions.jsonl",
        [
            record("j1", author=JANE, text="my order never came"),
            record("j2", author=JANE, text="still waiting"),
            record("b1", author={"id": "bob-1", "name": "Bob"}, text="parcel never came"),
        ],
    )
    config = load_config(yaml)
    summary = sync(config)
    assert (summary.written, summary.cases) == (3, 2)
    spool = workdir / "spool"
    spool.mkdir()
    write_jsonl(
        spool / "brand-x.jsonl",
        [
            record("j3", author=JANE, text="hello? my address is 1 Main St"),
            record("b2", author={"id": "bob-1"}, text="thanks"),
        ],
    )
    return config


def test_forget_deletes_the_case_the_rules_opened_on_the_persons_conversation(workdir, synced):
    assert len(cases_of(workdir)) == 2
    report = forget(synced, persona="x:jane-1")
    assert report["crm"]["cases"] == 1
    left = cases_of(workdir)
    assert len(left) == 1 and "never came" in left[0][1] and "jane" not in left[0][1].lower()
    assert report["state"]["rule_cases"] == 1 and count(synced, rule_cases) == 1
    assert count(synced, conversations) == 1


def test_anonymise_keeps_the_case_with_its_text_erased(workdir, synced):
    forget(synced, persona="x:jane-1", mode="anonymise")
    fields = [json.loads(f) for _k, f in cases_of(workdir)]
    assert len(fields) == 2
    erased = [f for f in fields if f["subject"] == "[erased]"]
    assert len(erased) == 1 and erased[0]["description"] == "[erased]"
    assert "my order never came" not in json.dumps(fields)


def test_forget_by_contact_reaches_the_cases_on_that_contact(workdir, synced):
    store = StateStore(synced.state_url)
    with store.engine.connect() as conn:
        query = select(rule_cases.c.contact_id).where(rule_cases.c.contact_id.isnot(None))
        contact = conn.scalar(query)
    store.close()
    assert contact is not None
    report = forget(synced, contact_id=contact)
    assert report["crm"]["cases"] == 1 and len(cases_of(workdir)) == 1


def test_spooled_lines_of_the_person_are_blanked_and_the_rest_still_read(workdir, synced):
    spool = workdir / "spool" / "brand-x.jsonl"
    size = spool.stat().st_size
    report = forget(synced, persona="x:jane-1")
    assert report["state"]["spooled"] == 1
    text = spool.read_bytes()
    assert len(text) == size and b"jane" not in text and b"1 Main St" not in text
    config = JsonlConnector.Config.model_validate({"path": str(spool)})
    items = list(JsonlConnector(config, "brand-x").fetch(None))
    assert [i.interaction.key for i in items] == ["x:b2"]


def test_a_dry_run_counts_cases_spool_lines_and_state_rows_and_changes_nothing(workdir, synced):
    spool = workdir / "spool" / "brand-x.jsonl"
    before = spool.read_bytes()
    report = forget(synced, persona="x:jane-1", dry_run=True)
    assert report["crm"]["cases"] == 1 and report["crm"]["activities"] == 2
    assert report["state"]["rule_cases"] == 1 and report["state"]["spooled"] == 1
    assert report["state"]["conversations"] == 1 and report["state"]["links"] == 1
    assert spool.read_bytes() == before and len(cases_of(workdir)) == 2
    assert count(synced, rule_cases) == 2


# --- HubSpot: tickets and contact roll-ups, against the local fake server -------------------


@pytest.fixture
def hubspot(httpserver: Any) -> Any:
    fake = FakeHubSpot("pat-na1-forget")
    httpserver.expect_request(re.compile(".*")).respond_with_handler(fake)
    config = HubSpotConfig(
        access_token=SecretStr("pat-na1-forget"),
        host=httpserver.url_for("").rstrip("/"),
        rollup_last_at="social_last_at",
        rollup_last_sentiment="social_sentiment",
    )
    crm = HubSpotCrm(config)
    crm.open()
    return crm, fake


def test_hubspot_archives_only_our_tickets_and_clears_the_roll_ups(hubspot):
    crm, fake = hubspot
    contact = fake.add_contact(email="jane@example.com", social_sentiment="negative")
    [ticket] = crm.write_cases(
        [CaseWrite(key="conv:x:j1", contact_id=contact, fields={"subject": "late order"})]
    )
    assert ticket.crm_id in fake.objects["tickets"]
    rows = [
        {"key": "conv:x:j1", "crm_id": ticket.crm_id},
        {"key": "conv:x:other", "crm_id": ticket.crm_id},  # a key not ours: left alone
    ]
    assert crm.erase_cases(rows[1:], "delete") == 0
    assert crm.erase_cases(rows[:1], "anonymise") == 1
    assert fake.objects["tickets"][ticket.crm_id]["subject"] == "[erased]"
    assert crm.erase_cases(rows[:1], "delete") == 1
    assert ticket.crm_id not in fake.objects["tickets"]
    assert crm.clear_rollups([contact]) == 1
    assert fake.contacts[contact]["social_sentiment"] == ""
