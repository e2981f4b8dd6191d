"""CRM writes that survive lost answers, mid-batch stops and conflicts, through the strict fakes."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest
import responses
from pytest_httpserver import HTTPServer

from crmbridge.config import AppConfig, load_config
from crmbridge.crm.salesforce import SalesforceConfig, SalesforceCrm
from crmbridge.errors import QuotaExhausted
from crmbridge.models import ActivityWrite
from crmbridge.pipeline import Pipeline
from crmbridge.state.store import StateStore
from crmbridge.testing.faults import FaultInjector
from crmbridge.testing.hubspot_fake import FakeHubSpot
from crmbridge.testing.salesforce_org import INSTANCE, FakeOrg
from crmbridge.testing.workloads import (
    make_contacts,
    make_interactions,
    mixed_interactions,
    write_config,
)

TOKEN = "pat-na1-stops-0000"


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMBRIDGE_RETRY_MAX_WAIT", "0.01")


def written(config: AppConfig) -> dict[str, str]:
    store = StateStore(config.state_url)
    try:
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT key, status FROM ledger")
            return {k: s for k, s in rows}
    finally:
        store.close()


# --- Salesforce ------------------------------------------------------------------------


@pytest.fixture
def salesforce(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    rng = random.Random(5)
    contacts = make_contacts(60, rng)
    records = make_interactions(200, contacts, rng)
    with (tmp_path / "interactions.jsonl").open("w") as feed:
        feed.writelines(json.dumps(r) + "\n" for r in records)
    monkeypatch.setenv("BENCH_SF_SESSION_ID", "00D000000000001!STOPS")
    config = load_config(write_config(tmp_path, batch_size=50))
    keys = [f"{r['platform']}:{r['message_id']}" for r in records]
    return config, FakeOrg(contacts), keys


def test_tasks_committed_before_a_kill_are_updated_without_their_create_only_field(salesforce):
    config, org, keys = salesforce
    for key in keys[:120]:  # Salesforce committed these; the ledger never heard of it
        org._new("Task", {"Crmbridge_Key__c": key, "TaskSubtype": "Task", "Subject": "old"})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        org.install(mock)
        summary = Pipeline(config).run("exports")
    assert summary.status == "ok" and summary.failed == 0
    assert sorted(org.tasks) == sorted(keys) and len(org.of("Task")) == len(keys)
    assert org.tasks[keys[0]]["Subject"] != "old"
    assert all(t["TaskSubtype"] == "Task" for t in org.tasks.values())


def test_answers_lost_after_the_commit_are_read_back_and_nothing_wedges(salesforce):
    config, org, keys = salesforce
    injector = FaultInjector(rate=0.3, seed=4, kinds=["answer_lost"])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        injector.salesforce(mock, org)
        for _ in range(10):
            try:
                summary = Pipeline(config).run("exports")
            except Exception as exc:  # a transient stop may end a run; never a config one
                assert getattr(exc, "kind", "") in ("transient", "rate_limited"), exc
                continue
            if summary.failed == 0 and summary.status == "ok":
                break
    assert injector.injected["answer_lost"] > 0
    assert org.refused["INVALID_FIELD_FOR_INSERT_UPDATE"] == 0, "an update carried TaskSubtype"
    assert sorted(org.tasks) == sorted(keys) and len(org.of("Task")) == len(keys)
    assert set(written(config).values()) == {"written"}


def test_a_stop_mid_batch_keeps_no_message_whose_case_would_then_never_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    rng = random.Random(8)
    contacts = make_contacts(80, rng)
    records = mixed_interactions(600, contacts, rng)  # a case rule fires on a third of them
    with (tmp_path / "interactions.jsonl").open("w") as feed:
        feed.writelines(json.dumps(r) + "\n" for r in records)
    monkeypatch.setenv("BENCH_SF_SESSION_ID", "00D000000000001!STOPS")
    config = load_config(write_config(tmp_path, batch_size=50, cases=True))
    config.sources = config.sources[:1]

    def cases_of(rate: float) -> set[str]:
        org, injector = FakeOrg(contacts), FaultInjector(rate=rate, seed=5, kinds=["401"])
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            injector.salesforce(mock, org)
            for _ in range(6):
                try:
                    if Pipeline(config).run().status == "ok":
                        break
                except Exception as exc:  # the session expired mid-batch: the run stops
                    assert getattr(exc, "kind", "") == "auth", exc
                injector.rate = 0.0  # the next run has a good session
        return set(org.by_key("Case"))

    expected = cases_of(0.0)
    (tmp_path / "state.db").unlink()
    stopped = cases_of(0.2)
    assert expected and stopped == expected


def test_a_refused_deletion_is_replayed_and_lands_never_quarantined_as_its_own_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    contacts = make_contacts(5, random.Random(2))
    author = {"id": "facebook-1", "name": "Jane Doe", "email": contacts[0]["email"]}
    post = {
        "schema": "crmbridge.interaction/1",
        "platform": "facebook",
        "kind": "comment",
        "message_id": "m1",
        "author": author,
        "text": "Order 12 never arrived",
        "created_at": "2024-01-01T10:00:00+00:00",
    }
    deletion = {**post, "deleted": True, "edited_at": "2024-01-01T12:00:00+00:00"}
    (tmp_path / "interactions.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in (post, deletion))  # one batch: the newest wins
    )
    monkeypatch.setenv("BENCH_SF_SESSION_ID", "00D000000000001!STOPS")
    config = load_config(write_config(tmp_path, batch_size=50))
    config.sources = config.sources[:1]
    org, injector = FakeOrg(contacts), FaultInjector(rate=1.0, seed=1, kinds=["refuse_items"])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        injector.salesforce(mock, org)
        assert Pipeline(config).run().failed == 1  # a validation rule refused it
        injector.rate = 0.0
        replay = Pipeline(config).run()
    assert (replay.written, replay.quarantined) == (1, 0)
    assert set(written(config).values()) == {"written"} and list(org.tasks) == ["facebook:m1"]


def test_a_rerun_with_nothing_new_makes_no_salesforce_call_not_even_a_login(salesforce):
    config, org, _ = salesforce
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        org.install(mock)
        Pipeline(config).run("exports")
        before = len(mock.calls)
        again = Pipeline(config).run("exports")
        assert len(mock.calls) == before and again.api_calls == 0


def test_an_agents_reply_never_becomes_a_customers_persona():
    org = FakeOrg([])
    config = SalesforceConfig(session_id="00D!x", instance_url=INSTANCE)
    post = {"Name": "X reply by Sam", "IsOutbound": True, "Provider": "Twitter"}
    persona = {"Persona.Name": "brand", "Persona.Crmbridge_Key__c": "x:brand"}
    reply = ActivityWrite(
        key="x:r1", object="SocialPost", contact_id="003A", fields={**post, **persona}
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        org.install(mock)
        adapter = SalesforceCrm(config)
        with adapter:
            (result,) = adapter.write([reply])
    assert result.ok
    assert org.of("SocialPersona") == {}
    assert org.by_key("SocialPost")["x:r1"].get("PersonaId") is None


# --- HubSpot ---------------------------------------------------------------------------


@pytest.fixture
def portal(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    rows = [
        {
            "schema": "crmbridge.interaction/1",
            "platform": "x",
            "kind": "dm",
            "message_id": f"m{k}",
            "author": {"id": f"a{k % 40}", "email": f"c{k % 40}@example.com"},
            "text": f"message {k}",
            "created_at": "2024-01-15T10:30:00Z",
        }
        for k in range(400)
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    host = httpserver.url_for("").rstrip("/")
    (tmp_path / "crmbridge.yaml").write_text(
        f"state: sqlite:///{tmp_path / 'state.db'}\n"
        f"crm: {{kind: hubspot, access_token: '${{HUBSPOT_TOKEN}}', host: '{host}', "
        "daily_reserve: 0}\n"
        "sources: [{name: dms, connector: jsonl, path: in.jsonl}]\n"
    )
    return load_config(tmp_path / "crmbridge.yaml"), [f"x:m{k}" for k in range(400)]


def serve(httpserver: HTTPServer, fake: FakeHubSpot) -> FakeHubSpot:
    for person in range(40):
        fake.add_contact(email=f"c{person}@example.com")
    httpserver.expect_request(re.compile(".*")).respond_with_handler(fake)
    return fake


def held(fake: FakeHubSpot) -> Counter[str]:
    return Counter(p["crmbridge_key"] for s in fake.objects.values() for p in s.values())


def test_what_hubspot_wrote_before_a_daily_stop_is_kept_and_the_resume_sends_only_the_rest(
    httpserver, portal
):
    config, keys = portal
    fake = serve(httpserver, FakeHubSpot(TOKEN, daily=6))  # stops inside the 400-record batch
    with pytest.raises(QuotaExhausted):
        Pipeline(config).run()
    before = set(held(fake))
    assert 0 < len(before) < len(keys)
    assert {k for k, s in written(config).items() if s == "written"} == before
    fake.daily = 1_000_000  # the next day
    summary = Pipeline(config).run()
    assert summary.created == len(keys) - len(before), "the resume sent written records again"
    assert fake.refused["conflict"] == 0
    assert sorted(held(fake)) == sorted(keys) and max(held(fake).values()) == 1


@pytest.mark.parametrize("without_id", [False, True])
def test_a_whole_batch_key_clash_is_settled_by_reading_the_keys_not_record_by_record(
    httpserver, portal, without_id
):
    config, keys = portal
    fake = serve(httpserver, FakeHubSpot(TOKEN, conflict_without_id=without_id))
    for key in keys[::3]:  # written before a kill: the ledger never heard of them
        fake.objects["notes"][str(next(fake.ids))] = {"crmbridge_key": key}
    summary = Pipeline(config).run()
    assert summary.failed == 0 and summary.written == len(keys)
    assert sorted(held(fake)) == sorted(keys) and max(held(fake).values()) == 1
    assert summary.api_calls <= 40, summary.api_calls  # not two calls per record


def test_a_clean_run_under_a_tight_rolling_window_gets_no_429(httpserver, portal):
    config, keys = portal
    fake = serve(httpserver, FakeHubSpot(TOKEN, window_max=12, window_s=1.0))
    summary = Pipeline(config).run()
    assert summary.written == len(keys)
    assert fake.responses_429 == 0


def test_history_follows_the_association_pages_of_a_busy_contact(httpserver):
    from crmbridge.crm.hubspot import HubSpotConfig, HubSpotCrm

    fake = FakeHubSpot(TOKEN, association_page=3)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(fake)
    cid = fake.add_contact(email="busy@example.com")
    for n in range(8):
        oid = str(next(fake.ids))
        fake.objects["notes"][oid] = {"crmbridge_key": f"x:{n}", "hs_note_body": f"note {n}"}
        fake.links["notes"].setdefault(cid, set()).add(oid)
    config = HubSpotConfig(access_token=TOKEN, host=httpserver.url_for("").rstrip("/"))
    with HubSpotCrm(config) as crm:
        rows = crm.history(cid)
    assert sorted(r["key"] for r in rows) == [f"x:{n}" for n in range(8)]


def test_a_salesforce_quota_stop_mid_write_hands_over_what_was_written():
    from crmbridge.crm.base import acknowledged

    org = FakeOrg([], allocation=1)  # one call left today
    config = SalesforceConfig(session_id="00D!x", instance_url=INSTANCE, batch_size=100)
    writes = [
        ActivityWrite(key=f"x:{n}", object="Task", contact_id="003A", fields={"Subject": "s"})
        for n in range(250)
    ]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        org.install(mock)
        with SalesforceCrm(config) as adapter, pytest.raises(QuotaExhausted) as stop:
            adapter.write(writes)
    kept = acknowledged(stop.value)
    assert sorted(r.key for r in kept) == sorted(org.tasks) and len(kept) == 100
    assert all(r.ok and r.crm_id == org.tasks[r.key]["Id"] for r in kept)


def test_a_hubspot_rerun_with_nothing_new_makes_no_call(httpserver, portal):
    config, _ = portal
    fake = serve(httpserver, FakeHubSpot(TOKEN))
    Pipeline(config).run()
    before = sum(fake.calls.values())
    again = Pipeline(config).run()
    assert again.api_calls == 0 and sum(fake.calls.values()) == before
