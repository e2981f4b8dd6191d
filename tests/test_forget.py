"""`crmbridge forget` (GDPR erasure): the CRM's activities and the state store's data go.

Local end to end through the real pipeline; Salesforce at the wire with ``responses``;
HubSpot against the local fake HubSpot server.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from pydantic import SecretStr
from sqlalchemy import func, select

from crmbridge.config import AppConfig, load_config
from crmbridge.crm.base import CrmAdapter
from crmbridge.crm.hubspot import HubSpotCrm
from crmbridge.crm.hubspot.adapter import HubSpotConfig
from crmbridge.crm.salesforce import SalesforceCrm
from crmbridge.crm.salesforce.client import SalesforceConfig
from crmbridge.errors import ConfigError, DataError, UsageError
from crmbridge.failures import drop, list_failures, retry
from crmbridge.forget import forget
from crmbridge.models import ActivityWrite
from crmbridge.ops import history
from crmbridge.pipeline import sync
from crmbridge.state.schema import (
    contact_mirror,
    conversations,
    identity_keys,
    identity_records,
    ledger,
    links,
    personas,
    quarantine,
    review,
    runs,
)
from crmbridge.state.store import StateStore
from crmbridge.testing.hubspot_fake import FakeHubSpot
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
        "conversations": 1,  # her two messages were one conversation
        "rule_cases": 0,
        "contact_mirror": 0,  # a persona's erasure leaves the CRM contact's fields alone
        "identity_index": 0,
        "spooled": 0,
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
    assert (report["state"]["conversations"], report["state"]["contact_mirror"]) == (1, 1)
    assert report["state"]["identity_index"] == 1
    assert count(synced, conversations, conversations.c.person_key == f"contact:{contact}") == 0
    assert count(synced, contact_mirror, contact_mirror.c.id == contact) == 0
    assert count(synced, identity_records, identity_records.c.contact_id == contact) == 0
    assert count(synced, identity_keys, identity_keys.c.contact_id == contact) == 0
    assert count(synced, links, links.c.contact_id == contact) == 0
    assert count(synced, review) == 0
    assert history(synced, contact) == []


def test_a_dry_run_counts_and_changes_nothing(workdir, synced):
    report = forget(synced, persona="x:jane-1", dry_run=True)
    assert report["dry_run"] and report["crm"]["activities"] == 2
    assert report["state"] == {
        "ledger": 2,
        "personas": 1,
        "links": 1,
        "review": 0,
        "quarantine": 1,
        "conversations": 1,
        "rule_cases": 0,
        "spooled": 0,
    }
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


def test_a_bad_persona_or_both_targets_is_a_usage_error(synced):
    with pytest.raises(UsageError, match="PLATFORM:AUTHOR_ID"):
        forget(synced, persona="jane-1")
    with pytest.raises(UsageError, match="exactly one"):
        forget(synced, persona="x:1", contact_id="C1")
    with pytest.raises(UsageError, match="mode"):
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


# --- Salesforce, at the wire -------------------------------------------------------------

SF_INSTANCE = "https://acme.my.salesforce.com"
SF_COLLECTION = f"{SF_INSTANCE}/services/data/v62.0/composite/sobjects"


def salesforce() -> Any:
    config = SalesforceConfig.model_validate(
        {"session_id": "00D000000000001!AQ0AQSESSION", "instance_url": SF_INSTANCE, "attempts": 1}
    )
    adapter = SalesforceCrm(config)
    adapter.open()
    return adapter


def sf_rows(n: int, sobject: str = "Task") -> list[dict[str, Any]]:
    return [{"key": f"x:{i}", "crm_object": sobject, "crm_id": f"00T{i:015d}"} for i in range(n)]


def test_salesforce_deletes_by_id_in_collections_of_200_and_already_deleted_counts_as_done():
    rows = [*sf_rows(250), {"key": "x:held", "crm_object": "Task", "crm_id": None}]
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:

        def answer(request: Any) -> tuple[int, dict[str, str], str]:
            query = parse_qs(urlparse(request.url).query)
            assert query["allOrNone"] == ["false"]
            ids = query["ids"][0].split(",")
            gone = {"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted"}
            body = [
                {"id": i, "success": n != 0, "errors": [] if n else [gone]}
                for n, i in enumerate(ids)
            ]
            return 200, {}, json.dumps(body)

        rsps.add_callback(responses.DELETE, SF_COLLECTION, callback=answer)
        assert salesforce().delete_activities(rows, "delete") == 250
        sizes = [len(c.request.params["ids"].split(",")) for c in rsps.calls]
    assert sizes == [200, 50]


def test_salesforce_anonymises_with_a_collection_patch_of_the_text_fields():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        patch = rsps.patch(
            SF_COLLECTION,
            json=[{"id": "00T000000000000000", "success": True, "errors": []}],
        )
        assert salesforce().delete_activities(sf_rows(1, "SocialPost"), "anonymise") == 1
    sent = json.loads(patch.calls[0].request.body)
    assert sent == {
        "allOrNone": False,
        "records": [
            {
                "attributes": {"type": "SocialPost"},
                "id": "00T000000000000000",
                "Name": "[erased]",
                "Content": "[erased]",
                "Handle": None,
                "PostUrl": None,
            }
        ],
    }


def test_a_salesforce_refusal_raises_so_the_state_store_is_left_for_a_rerun():
    refused = {"statusCode": "INSUFFICIENT_ACCESS_OR_READONLY", "message": "no access"}
    with responses.RequestsMock() as rsps:
        rsps.delete(
            SF_COLLECTION,
            json=[{"id": "00T000000000000000", "success": False, "errors": [refused]}],
        )
        with pytest.raises(DataError, match="INSUFFICIENT_ACCESS_OR_READONLY"):
            salesforce().delete_activities(sf_rows(1), "delete")


def test_salesforce_erases_the_social_persona_found_by_key_after_its_posts():
    post = {"key": "x:1", "crm_object": "SocialPost", "crm_id": "0ST000000000001AAA"}
    persona = {"key": "x:jane-1", "crm_object": "SocialPersona", "crm_id": None}
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        query = rsps.get(
            SF_COLLECTION.replace("composite/sobjects", "query/"),
            json={
                "totalSize": 1,
                "done": True,
                "records": [
                    {
                        "attributes": {"type": "SocialPersona"},
                        "Id": "0SP000000000001AAA",
                        "Crmbridge_Key__c": "x:jane-1",
                    }
                ],
            },
        )
        delete = rsps.delete(
            SF_COLLECTION,
            json=[
                {"id": "0ST000000000001AAA", "success": True, "errors": []},
                {"id": "0SP000000000001AAA", "success": True, "errors": []},
            ],
        )
        assert salesforce().delete_activities([persona, post], "delete") == 2
    soql = query.calls[0].request.params["q"]
    assert "FROM SocialPersona" in soql and "'x:jane-1'" in soql
    ids = delete.calls[0].request.params["ids"]
    assert ids == "0ST000000000001AAA,0SP000000000001AAA"


# --- HubSpot, against the local fake server ---------------------------------------------


@pytest.fixture
def hubspot(httpserver: Any) -> Any:
    fake = FakeHubSpot("pat-na1-forget")
    httpserver.expect_request(re.compile(".*")).respond_with_handler(fake)
    config = HubSpotConfig(
        access_token=SecretStr("pat-na1-forget"), host=httpserver.url_for("").rstrip("/")
    )
    crm = HubSpotCrm(config)
    crm.open()
    return crm, fake


def hubspot_writes(fake: FakeHubSpot) -> tuple[list[ActivityWrite], str]:
    contact = fake.add_contact(email="jane@example.com")
    note = {"hs_note_body": "X mention: order late", "hs_timestamp": "2024-01-15T10:30:00+00:00"}
    whatsapp = {
        "hs_communication_channel_type": "WHATS_APP",
        "hs_communication_logged_from": "CRM",
        "hs_communication_body": "where is my order",
        "hs_timestamp": "2024-01-15T10:31:00+00:00",
    }
    return [
        ActivityWrite(key="x:1", object="notes", contact_id=contact, fields=note),
        ActivityWrite(key="whatsapp:2", object="notes", contact_id=contact, fields=whatsapp),
    ], contact


def test_hubspot_archives_notes_and_communications_after_checking_their_keys(hubspot):
    crm, fake = hubspot
    writes, contact = hubspot_writes(fake)
    results = crm.write(writes)
    rows = [{"key": r.key, "crm_object": "notes", "crm_id": r.crm_id} for r in results]
    foreign = fake.add_contact(email="other@example.com")  # an id that is not ours
    rows.append({"key": "x:9", "crm_object": "notes", "crm_id": foreign})
    assert crm.delete_activities(rows, "delete") == 2
    assert fake.objects["notes"] == {} and fake.objects["communications"] == {}
    assert foreign in fake.contacts
    assert crm.history(contact) == []
    archived = [k for k in fake.calls if k.endswith("/batch/archive")]
    assert sorted(archived) == [
        "POST /crm/v3/objects/communications/batch/archive",
        "POST /crm/v3/objects/notes/batch/archive",
    ]


def test_hubspot_anonymises_the_body_with_a_batch_update(hubspot, httpserver):
    crm, fake = hubspot
    writes, _contact = hubspot_writes(fake)
    results = crm.write(writes)
    rows = [{"key": r.key, "crm_object": "notes", "crm_id": r.crm_id} for r in results]
    assert crm.delete_activities(rows, "anonymise") == 2
    note_id, comm_id = (r.crm_id for r in results)
    assert fake.objects["notes"][note_id]["hs_note_body"] == "[erased]"
    assert fake.objects["communications"][comm_id]["hs_communication_body"] == "[erased]"
    sent = [
        json.loads(req.get_data())
        for req, _ in httpserver.log
        if req.path == "/crm/v3/objects/notes/batch/update"
    ]
    assert sent == [{"inputs": [{"id": note_id, "properties": {"hs_note_body": "[erased]"}}]}]


def test_an_adapter_without_erasure_says_so_by_name():
    class Plain(CrmAdapter):
        name = "plain"

    with pytest.raises(ConfigError, match="plain adapter cannot erase"):
        Plain(None).delete_activities([], "delete")


def test_retry_drop_and_forget_work_the_same_on_a_postgresql_state_store(workdir, pg_url):
    text = (workdir / "crmbridge.yaml").read_text().replace("sqlite:///state.db", pg_url)
    (workdir / "crmbridge.yaml").write_text(text)
    write_jsonl(
        workdir / "interactions.jsonl",
        [
            record("j1", author=JANE),
            record("b1", author={"id": "bob-1"}),
            "{broken",
            json.dumps(record("j-bad", author=JANE, is_private="yes")),
        ],
    )
    config = load_config(workdir / "crmbridge.yaml")
    assert (sync(config).written, sync(config).fetched) == (2, 0)
    store = StateStore(config.state_url)
    broken, janes = list_failures(config, store)
    store.close()
    assert "is_private" in janes["reason"]
    parked = broken
    assert retry(config, [parked["id"]], "ana")["still_failing"] == 1
    store = StateStore(config.state_url)
    assert drop(store, [parked["id"]], "ana")["dropped"] == [parked["id"]]
    store.close()
    report = forget(config, persona="x:jane-1")
    assert (report["crm"]["activities"], report["state"]["ledger"]) == (1, 1)
    assert report["state"]["quarantine"] == 1 and report["state"]["failure_actions"] == 0
    store = StateStore(config.state_url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM cursors")
    store.close()
    again = sync(config)
    assert (again.erased, again.written, again.unchanged) == (1, 0, 1)
    assert (
        again.fetched + again.replayed
        == (again.written + again.failed + again.quarantined + again.unchanged + again.held)
        + again.erased
    )
    assert [k for k, _c, _f in rows_of(workdir)] == ["x:b1"]


def test_a_mapping_that_writes_social_personas_erases_the_persona_record_too(tmp_path, monkeypatch):
    monkeypatch.setenv("SF_SESSION_ID", "00D000000000001!AQ0AQSESSION")
    (tmp_path / "in.jsonl").write_text("")
    base = (
        "state: sqlite:///state.db\n"
        "crm: {kind: salesforce, session_id: '${SF_SESSION_ID}', "
        f"instance_url: '{SF_INSTANCE}'}}\n"
        "sources: [{name: exports, connector: jsonl, path: in.jsonl}]\n"
    )
    (tmp_path / "crmbridge.yaml").write_text(base + "mapping: salesforce_social\n")
    social = forget(load_config(tmp_path / "crmbridge.yaml"), persona="x:9", dry_run=True)
    assert social["crm"] == {
        "objects": {"SocialPersona": 1},
        "activities": 1,
        "cases": 0,
        "rollups": 0,
    }
    (tmp_path / "crmbridge.yaml").write_text(base)
    tasks = forget(load_config(tmp_path / "crmbridge.yaml"), persona="x:9", dry_run=True)
    assert tasks["crm"] == {"objects": {}, "activities": 0, "cases": 0, "rollups": 0}


def test_forget_waits_for_a_running_sync_instead_of_racing_it(workdir, synced):
    from crmbridge.errors import SourceBusy
    from crmbridge.state.lease import Lease

    store = StateStore(synced.state_url)
    running = Lease(store, "exports", "another-worker")
    running.acquire()
    with pytest.raises(SourceBusy):
        forget(synced, persona="x:jane-1")
    assert len(rows_of(workdir)) == 3
    running.release()
    store.close()
    assert forget(synced, persona="x:jane-1")["crm"]["activities"] == 2
