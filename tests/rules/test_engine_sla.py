"""SLA escalation with fixed clocks, failed case writes retried next run, and dry runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import responses
import sqlalchemy as sa

from crmbridge.config import AppConfig, load_config
from crmbridge.pipeline import Pipeline, sync
from crmbridge.rules.sla import PassResult, sla_pass
from tests.conftest import record
from tests.rules.test_actions import HOOK, cases, configure, plans

T0 = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
COMPLAINT = {
    "name": "complaint",
    "when": {"direction": "inbound", "keywords": ["late", "broken"]},
    "then": {"case": {"priority": "Medium"}, "sla": {"within": "30m", "escalate": "tier2"}},
}


def pass_at(config: AppConfig, now: datetime) -> PassResult:
    """The start-of-run pass with a fixed clock, on the configured CRM and store."""
    pipeline = Pipeline(config)
    try:
        with pipeline.adapter:
            assert pipeline.rules is not None
            return sla_pass(pipeline.rules, now)
    finally:
        pipeline.store.close()


def first_sync(workdir: Path, rules: list[dict[str, Any]], rows: list[dict[str, Any]]) -> AppConfig:
    """Sync the messages; the run's own pass finds no clock running yet."""
    config = configure(workdir, rules, rows)
    summary = sync(config)
    assert summary.escalated == 0 and summary.written == len(rows)
    return config


def test_a_conversation_without_a_reply_by_its_sla_is_escalated_once(workdir):
    config = first_sync(
        workdir, [COMPLAINT], [record("1", conversation_id="c", text="parcel is late")]
    )
    assert plans(config)["conv:x:1"].escalations == 0
    early = pass_at(config, T0 + timedelta(minutes=29))
    assert early.escalated == []
    late = pass_at(config, T0 + timedelta(minutes=31))
    assert late.escalated == ["conv:x:1"] and late.written == 1
    case = cases(workdir)["conv:x:1"]
    assert (case["priority"], case["tier"]) == ("High", "tier2")
    row = plans(config)["conv:x:1"]
    assert (row.escalations, row.escalated_tier, row.status) == (1, "tier2", "written")
    assert pass_at(config, T0 + timedelta(hours=5)).escalated == []  # once per SLA
    conversation = conversation_row(config, "conv:x:1")
    assert (conversation["escalations"], conversation["escalated_tier"]) == (1, "tier2")
    assert conversation["case_key"] == "conv:x:1" and conversation["case_crm_id"] == row.crm_id
    assert str(conversation["sla_due_at"]).startswith("2024-01-15 11:00")


def conversation_row(config: AppConfig, key: str) -> dict[str, Any]:
    """Threading's row of a conversation, as the state store holds it."""
    from crmbridge.state.store import StateStore

    store = StateStore(config.state_url)
    try:
        with store.engine.connect() as conn:
            query = sa.text("SELECT * FROM conversations WHERE key = :key")
            found = conn.execute(query, {"key": key})
            return dict(found.one()._mapping)
    finally:
        store.close()


def test_an_agent_reply_before_the_deadline_stops_the_clock(workdir):
    rows = [
        record("1", conversation_id="c", text="my order is late"),
        record(
            "2",
            conversation_id="c",
            in_reply_to="1",
            direction="outbound",
            agent="Sam",
            text="On it!",
            created_at="2024-01-15T10:45:00Z",
        ),
    ]
    config = first_sync(workdir, [COMPLAINT], rows)
    assert str(plans(config)["conv:x:1"].responded_at).startswith("2024-01-15 10:45")
    assert pass_at(config, T0 + timedelta(days=1)).escalated == []
    assert cases(workdir)["conv:x:1"]["priority"] == "Medium"
    conversation = conversation_row(config, "conv:x:1")
    assert conversation["case_crm_id"] and conversation["escalations"] == 0


def test_an_sla_without_a_case_opens_a_high_case_when_it_is_missed(workdir):
    rule = {"name": "dm-reply", "when": {"kind": "dm"}, "then": {"sla": "2h"}}
    config = first_sync(workdir, [rule], [record("1", kind="dm", conversation_id="d", text="hi?")])
    assert cases(workdir) == {}
    pass_at(config, T0 + timedelta(hours=3))
    case = cases(workdir)["conv:x:1"]
    assert (case["priority"], case["tier"]) == ("High", "sla")
    assert case["subject"] == "No reply within 2h: conversation conv:x:1"


@responses.activate(assert_all_requests_are_fired=True)
def test_a_missed_sla_tells_the_rule_s_webhook(workdir):
    hook = responses.post(HOOK, json={"ok": True})
    rule = {**COMPLAINT, "then": {**COMPLAINT["then"], "sla": {"within": "30m", "notify": HOOK}}}
    config = first_sync(workdir, [rule], [record("1", conversation_id="c", text="broken zip")])
    assert len(hook.calls) == 0
    pass_at(config, T0 + timedelta(hours=1))
    body = json.loads(hook.calls[0].request.body)
    assert (body["event"], body["rule"], body["conversation"]) == (
        "sla_breached",
        "complaint",
        "conv:x:1",
    )
    assert body["escalated_tier"] == "sla" and body["case"]["priority"] == "High"
    assert body["sla"] == "30m" and body["sla_due_at"].startswith("2024-01-15T11:00:00")


def test_the_next_sync_escalates_what_its_sla_left_unanswered(workdir):
    config = configure(workdir, [COMPLAINT], [record("1", conversation_id="c", text="late again")])
    first = sync(config)
    assert (first.cases, first.escalated) == (1, 0)
    # The clock runs on the messages' time: a later message shows the deadline has passed.
    later = record("9", conversation_id="other", text="hello", created_at="2024-01-15T12:00:00Z")
    with (workdir / "interactions.jsonl").open("a") as feed:
        feed.write(json.dumps(later) + "\n")
    second = sync(config)
    assert (second.fetched, second.escalated, second.cases) == (1, 1, 1)
    assert sync(config).escalated == 0


def test_a_source_quiet_for_an_hour_no_longer_holds_the_clock_back(workdir):
    config = configure(workdir, [COMPLAINT], [record("1", conversation_id="c", text="late again")])
    assert sync(config).escalated == 0
    assert sync(config).escalated == 0  # nothing newer yet: the deadline is not judged
    from crmbridge.state.store import StateStore

    store = StateStore(config.state_url)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE cursors SET updated_at = '2024-01-01 00:00:00.000000'"))
    store.close()
    assert sync(config).escalated == 1


def test_a_dry_run_writes_no_case_and_lists_the_cases_it_would_open(workdir):
    config = configure(workdir, [COMPLAINT], [record("1", conversation_id="c", text="late")])
    summary = Pipeline(config, dry_run=True).run()
    assert summary.cases == 1
    assert [p for p in summary.preview if p["action"] == "case"] == [
        {
            "action": "case",
            "key": "conv:x:1",
            "contact_id": None,
            "priority": "Medium",
            "subject": "X mention from Someone: late",
            "rules": ["complaint"],
        }
    ]
    assert not (workdir / "crm.db").exists() or cases(workdir) == {}
    assert not (workdir / "state.db").exists()


# --- a case the CRM refuses: the activity is written, the case waits for the next run ----

INSTANCE = "https://acme.my.salesforce.com"
BASE = f"{INSTANCE}/services/data/v62.0/"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "salesforce"


@pytest.fixture
def salesforce(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppConfig:
    monkeypatch.setenv("SF_SESSION_ID", "00D000000000001!AQ0AQSESSION")
    author = {"id": "u-jane", "handle": "jane", "email": "Jane.Doe@example.com"}
    rows = [record("101", author=author, conversation_id="t9", text="site down since 9am")]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: salesforce, session_id: '${SF_SESSION_ID}', "
        f"instance_url: '{INSTANCE}', attempts: 1}}\n"
        "sources: [{name: exports, connector: jsonl, path: in.jsonl}]\n"
        "rules:\n"
        "  - name: outage\n"
        "    when: {keywords: down}\n"
        "    then: {case: {priority: High, queue: 00G000000000001AAA}}\n"
    )
    return load_config(tmp_path / "crmbridge.yaml")


def test_a_case_the_crm_refuses_keeps_its_activity_and_is_written_on_the_next_run(salesforce):
    contacts = json.loads((FIXTURES / "contacts_query.json").read_text())
    task_ok = [{"id": "00T000000000001AAA", "success": True, "errors": [], "created": True}]
    refused = [
        {
            "success": False,
            "errors": [
                {
                    "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "message": "Cases need a product",
                    "fields": [],
                }
            ],
        }
    ]
    with responses.RequestsMock() as wire:
        wire.get(BASE + "query/", json=contacts)
        wire.patch(BASE + "composite/sobjects/Task/Crmbridge_Key__c", json=task_ok)
        case_call = wire.patch(BASE + "composite/sobjects/Case/Crmbridge_Key__c", json=refused)
        first = Pipeline(salesforce).run()
    assert (first.written, first.failed, first.cases) == (1, 0, 0)
    sent = json.loads(case_call.calls[0].request.body)["records"][0]
    assert sent["Priority"] == "High" and sent["OwnerId"] == "00G000000000001AAA"
    assert sent["Origin"] == "Twitter"  # the network the conversation started on
    assert sent["ContactId"] == "003000000000001AAA" and sent["Crmbridge_Key__c"] == "conv:x:101"
    row = plans(salesforce)["conv:x:101"]
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Cases need a product" in row.error
    case_ok = [{"id": "500000000000001AAA", "success": True, "errors": [], "created": True}]
    linked = [{"id": "00T000000000001AAA", "success": True, "errors": []}]
    with responses.RequestsMock() as wire:
        retry = wire.patch(BASE + "composite/sobjects/Case/Crmbridge_Key__c", json=case_ok)
        link = wire.patch(BASE + "composite/sobjects", json=linked)
        second = Pipeline(salesforce).run()
    assert (second.fetched, second.cases) == (0, 1)
    # The new case gathers the conversation's task written before it (Task.WhatId).
    assert json.loads(link.calls[0].request.body)["records"] == [
        {"attributes": {"type": "Task"}, "id": "00T000000000001AAA", "WhatId": "500000000000001AAA"}
    ]
    assert json.loads(retry.calls[0].request.body)["records"][0]["Subject"].startswith("X mention")
    row = plans(salesforce)["conv:x:101"]
    assert (row.status, row.crm_id, row.attempts) == ("written", "500000000000001AAA", 0)


def test_a_reply_threading_saw_while_the_rules_were_off_still_stops_the_clock(workdir):
    complaint = record("1", conversation_id="c", text="my order is late")
    config = first_sync(workdir, [COMPLAINT], [complaint])
    path = workdir / "crmbridge.yaml"
    with_rules = path.read_text()
    path.write_text(with_rules.split("rules:")[0])  # the admin turns the rules off a while
    reply = record(
        "2",
        conversation_id="c",
        in_reply_to="1",
        direction="outbound",
        agent="Sam",
        text="Sorted, sorry!",
        created_at="2024-01-15T10:50:00Z",
    )
    (workdir / "interactions.jsonl").write_text(
        json.dumps(complaint) + "\n" + json.dumps(reply) + "\n"
    )
    assert sync(load_config(path)).written == 1
    assert conversation_row(config, "conv:x:1")["last_outbound_at"] is not None
    path.write_text(with_rules)
    result = pass_at(load_config(path), T0 + timedelta(hours=2))
    assert (result.escalated, result.answered) == ([], ["conv:x:1"])
    assert str(plans(config)["conv:x:1"].responded_at).startswith("2024-01-15 10:50")


def test_cases_and_sla_escalation_work_on_a_postgresql_state_store(workdir, pg_url):
    path = workdir / "crmbridge.yaml"
    path.write_text(path.read_text().replace("sqlite:///state.db", pg_url))
    config = first_sync(workdir, [COMPLAINT], [record("1", conversation_id="c", text="late")])
    assert config.state_url.startswith("postgresql")
    assert pass_at(config, T0 + timedelta(minutes=10)).escalated == []
    assert pass_at(config, T0 + timedelta(hours=1)).escalated == ["conv:x:1"]
    assert cases(workdir)["conv:x:1"]["priority"] == "High"
    assert conversation_row(config, "conv:x:1")["escalations"] == 1


def test_while_another_worker_runs_the_sla_pass_this_one_skips_it(workdir):
    from crmbridge.rules.sla import LEASE, guarded_pass
    from crmbridge.state.lease import Lease
    from crmbridge.state.store import StateStore

    config = first_sync(workdir, [COMPLAINT], [record("1", conversation_id="c", text="late")])
    store = StateStore(config.state_url)
    other = Lease(store, LEASE, "worker-b", 60)
    other.acquire()
    pipeline = Pipeline(config)
    try:
        with pipeline.adapter:
            assert pipeline.rules is not None
            late = T0 + timedelta(hours=1)
            assert guarded_pass(pipeline.rules, late, "worker-a", 60).escalated == []
            other.release()
            assert guarded_pass(pipeline.rules, late, "worker-a", 60).escalated == ["conv:x:1"]
    finally:
        pipeline.store.close()
        store.close()


def test_a_dry_run_lists_its_cases_even_when_activities_fill_the_preview(workdir):
    rows = [record(str(n), text=f"hello {n}") for n in range(60)]
    rows.append(record("99", text="parcel late", created_at="2024-01-15T11:30:00Z"))
    config = configure(workdir, [COMPLAINT], rows)
    summary = Pipeline(config, dry_run=True).run()
    actions = [p["action"] for p in summary.preview]
    assert actions.count("case") == 1 and summary.cases == 1
    assert actions.count("create") == 50


def test_the_report_counts_cases_the_crm_refused_too_often_as_given_up(tmp_path):
    from datetime import UTC, datetime

    from crmbridge.ops import case_counts
    from crmbridge.state.schema import rule_cases
    from crmbridge.state.store import StateStore

    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    now = datetime.now(UTC)
    rows = [
        ("conv:a", "written", 0),
        ("conv:b", "pending", 1),
        ("conv:c", "pending", 5),
        ("conv:d", "none", 0),
    ]
    with store.engine.begin() as conn:
        conn.execute(
            rule_cases.insert(),
            [
                {"key": k, "status": s, "attempts": n, "plan": "{}", "escalations": 0,
                 "updated_at": now}
                for k, s, n in rows
            ],
        )  # fmt: skip
        counts = case_counts(conn)
    store.close()
    assert counts == {"written": 1, "pending": 1, "given_up": 1}


def _merge_by_link(workdir: Path, jane_text: str) -> AppConfig:
    """Jane (C1, by email) writes first; an unknown author's complaint starts its own clock;
    then a reviewer links that author to C1, which merges the two conversations."""
    from crmbridge.ops import review_action

    jane = {"id": "jane-1", "email": "jane@example.com"}
    rows = [
        record("j1", author=jane, text=jane_text, created_at="2024-01-15T10:00:00Z"),
        record("u1", author={"id": "u9", "name": "Someone"}, text="my parcel is late"),
    ]
    config = first_sync(workdir, [COMPLAINT], rows)
    assert "conv:x:u1" in plans(config)
    review_action(config, "link", persona="x:u9", contact_id="C1", reviewer="ana")
    return config


def test_a_conversation_merged_by_a_link_hands_its_case_and_clock_to_the_one_that_took_it(
    workdir,
):
    config = _merge_by_link(workdir, "hello there")
    rows = plans(config)
    assert "conv:x:u1" not in rows and rows["conv:x:j1"].sla_due_at is not None
    assert pass_at(config, T0 + timedelta(minutes=31)).escalated == ["conv:x:j1"]


def test_a_merged_away_case_keeps_its_case_but_its_clock_stops(workdir):
    config = _merge_by_link(workdir, "my order is broken")
    rows = plans(config)
    assert rows["conv:x:u1"].sla_due_at is None and rows["conv:x:j1"].sla_due_at is not None
    assert pass_at(config, T0 + timedelta(hours=2)).escalated == ["conv:x:j1"]
