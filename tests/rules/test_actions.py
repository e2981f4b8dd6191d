"""Rule actions through the real sync on the local CRM: cases, escalation, SLA, tags,
"no response needed" and webhooks (faked at the wire with ``responses``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import responses
import yaml

from crmbridge.config import AppConfig, load_config
from crmbridge.pipeline import sync
from crmbridge.rules.actions import case_fields, raise_priority
from crmbridge.state.store import StateStore
from tests.conftest import record, write_jsonl

HOOK = "https://hooks.example.com/services/T000/B000/XXXX"
JANE = {"id": "j1", "handle": "jdoe", "email": "jane@example.com", "name": "Jane Doe"}


def configure(workdir: Path, rules: list[dict[str, Any]], rows: list[dict[str, Any]]) -> AppConfig:
    path = workdir / "crmbridge.yaml"
    base = path.read_text().split("rules:")[0]
    path.write_text(base + yaml.safe_dump({"rules": rules}))
    write_jsonl(workdir / "interactions.jsonl", rows)
    return load_config(path)


def cases(workdir: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(workdir / "crm.db") as db:
        rows = db.execute("SELECT key, contact_id, fields, status FROM cases").fetchall()
    return {k: {"contact_id": c, "status": s, **json.loads(f)} for k, c, f, s in rows}


def activities(workdir: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(workdir / "crm.db") as db:
        rows = db.execute("SELECT key, fields FROM activities").fetchall()
    return {k: json.loads(f) for k, f in rows}


def plans(config: AppConfig) -> dict[str, Any]:
    store = StateStore(config.state_url)
    try:
        with store.engine.connect() as conn:
            return {r.key: r for r in conn.exec_driver_sql("SELECT * FROM rule_cases")}
    finally:
        store.close()


OUTAGE = {
    "name": "outage",
    "when": {"direction": "inbound", "keywords": ["down", "outage"]},
    "then": {"case": {"priority": "High", "subject": "Outage: {{ i.text | truncate_text(30) }}"}},
}


def test_a_case_rule_opens_one_case_per_conversation_with_its_priority_and_subject(workdir):
    rows = [
        record("1", conversation_id="t1", author=JANE, text="the app is down again"),
        record(
            "2",
            conversation_id="t1",
            author=JANE,
            text="still down",
            created_at="2024-01-15T10:40:00Z",
        ),
        record("3", conversation_id="t2", text="love the new jacket"),
    ]
    config = configure(workdir, [OUTAGE], rows)
    summary = sync(config)
    assert (summary.written, summary.cases) == (3, 1)
    (key,) = cases(workdir)
    case = cases(workdir)[key]
    assert key == "conv:x:1"
    assert (case["priority"], case["subject"], case["contact_id"]) == (
        "High",
        "Outage: the app is down again",
        "C1",
    )
    again = sync(config)
    assert (again.cases, len(cases(workdir))) == (0, 1)


def test_a_case_rule_that_must_not_fire_opens_no_case(workdir):
    config = configure(workdir, [OUTAGE], [record("1", text="downtown store was lovely")])
    summary = sync(config)
    assert (summary.written, summary.cases, cases(workdir)) == (1, 0, {})
    assert plans(config) == {}


def test_an_outbound_reply_opens_no_case_even_when_its_words_match(workdir):
    reply = record("9", direction="outbound", agent="Sam", text="sorry the app was down")
    config = configure(workdir, [OUTAGE], [reply])
    assert sync(config).cases == 0


def test_a_case_owner_or_queue_lands_on_the_case(workdir):
    rule = {
        "name": "legal",
        "when": {"keywords": "lawyer"},
        "then": {"case": {"queue": "00G-legal"}},
    }
    config = configure(workdir, [rule], [record("1", text="my lawyer will call")])
    sync(config)
    assert cases(workdir)["conv:x:1"]["queue"] == "00G-legal"


def test_escalate_raises_the_case_priority_and_records_the_tier(workdir):
    rules = [
        {
            "name": "complaint",
            "when": {"keywords": "refund"},
            "then": {"case": {"priority": "Low"}},
        },
        {"name": "threat", "when": {"keywords": "lawyer"}, "then": {"escalate": "legal"}},
    ]
    rows = [
        record("1", conversation_id="c", author=JANE, text="where is my refund"),
        record(
            "2",
            conversation_id="c",
            author=JANE,
            text="refund now or my lawyer calls",
            created_at="2024-01-15T11:00:00Z",
        ),
    ]
    config = configure(workdir, rules, rows)
    summary = sync(config)
    assert (summary.cases, summary.escalated) == (1, 1)
    assert cases(workdir)["conv:x:1"]["priority"] == "Medium"
    assert cases(workdir)["conv:x:1"]["tier"] == "legal"
    row = plans(config)["conv:x:1"]
    assert (row.escalated_tier, row.escalations, row.status) == ("legal", 1, "written")


def test_priorities_go_up_one_step_or_to_the_named_one_and_never_down():
    assert raise_priority("Low") == "Medium"
    assert raise_priority("High") == "High"
    assert raise_priority("Medium", to="High") == "High"
    assert raise_priority("High", to="Low") == "High"


def test_tags_reach_the_activity_through_the_mapping(workdir):
    rules = [
        {
            "name": "praise",
            "when": {"keywords": ["love", "great"]},
            "then": {"tag": ["praise", "ugc"]},
        },
        {"name": "x", "when": {"platform": "x"}, "then": {"tag": "x-feed"}},
    ]
    config = configure(workdir, rules, [record("1", text="love it"), record("2", text="meh")])
    sync(config)
    got = activities(workdir)
    assert got["x:1"]["tags"] == "praise, ugc, x-feed"
    assert got["x:2"]["tags"] == "x-feed"
    assert sync(config).updated == 0  # the tags are stable: a rerun rewrites nothing


def test_no_response_clears_the_sla_a_complaint_started(workdir):
    rules = [
        {"name": "complaint", "when": {"keywords": "late"}, "then": {"case": True, "sla": "1h"}},
        {
            "name": "thanks",
            "when": {"keywords": "thanks"},
            "then": {"no_response": True, "tag": "closed"},
        },
    ]
    rows = [
        record("1", conversation_id="c", author=JANE, text="parcel is late"),
        record(
            "2",
            conversation_id="c",
            author=JANE,
            text="arrived, thanks",
            created_at="2024-01-15T10:50:00Z",
        ),
    ]
    config = configure(workdir, rules, rows)
    sync(config)
    row = plans(config)["conv:x:1"]
    assert row.sla_due_at is None and json.loads(row.plan)["no_response"] is True
    assert sync(config).escalated == 0


def test_an_sla_rule_sets_the_due_time_from_the_message_time(workdir):
    rule = {**OUTAGE, "then": {**OUTAGE["then"], "sla": "30m"}}
    config = configure(
        workdir, [rule], [record("1", text="site down", created_at="2024-01-15T10:30:00Z")]
    )
    sync(config)
    row = plans(config)["conv:x:1"]
    assert str(row.sla_due_at).startswith("2024-01-15 11:00:00")
    assert json.loads(row.plan)["sla"] == "30m"


@responses.activate(assert_all_requests_are_fired=True)
def test_notify_posts_the_rule_the_message_and_the_case_as_json(workdir):
    hook = responses.post(HOOK, json={"ok": True})
    rule = {
        "name": "outage-alert",
        "when": {"keywords": "down"},
        "then": {"case": {"priority": "High"}, "notify": HOOK, "tag": "ops"},
    }
    config = configure(workdir, [rule], [record("1", author=JANE, text="checkout is down")])
    sync(config)
    (call,) = hook.calls
    body = json.loads(call.request.body)
    assert call.request.headers["Content-Type"] == "application/json"
    assert body["event"] == "rule_fired" and body["rule"] == "outage-alert"
    assert body["interaction"]["key"] == "x:1" and body["interaction"]["text"] == "checkout is down"
    assert body["conversation"] == "conv:x:1" and body["contact_id"] == "C1"
    assert body["case"]["priority"] == "High" and body["case"]["crm_id"]
    assert body["tags"] == ["ops"]
    assert "outage-alert" in body["text"]
    sync(config)  # a rerun of the same data notifies nobody twice
    assert len(hook.calls) == 1


@responses.activate
def test_a_webhook_that_fails_is_logged_without_its_url_and_the_sync_goes_on(
    workdir, monkeypatch, caplog
):
    monkeypatch.setenv("OPS_HOOK", HOOK)
    responses.post(HOOK, status=404)
    path = workdir / "crmbridge.yaml"
    path.write_text(
        path.read_text()
        + "rules:\n  - {name: alert, when: {keywords: down}, then: {notify: '${OPS_HOOK}'}}\n"
    )
    write_jsonl(workdir / "interactions.jsonl", [record("1", text="all down")])
    summary = sync(load_config(path))
    assert (summary.status, summary.written) == ("ok", 1)
    assert "notify for rule 'alert' failed: HTTP 404" in caplog.text
    assert "XXXX" not in caplog.text


def test_case_fields_follow_what_each_crm_adapter_declares():
    from crmbridge.crm.base import CrmAdapter
    from crmbridge.crm.hubspot import HubSpotConfig, HubSpotCrm
    from crmbridge.crm.salesforce import SalesforceConfig, SalesforceCrm

    salesforce = SalesforceCrm(
        SalesforceConfig(session_id="00D!x", instance_url="https://acme.my.salesforce.com")
    )
    hubspot = HubSpotCrm(HubSpotConfig(access_token="pat-x"))
    plan = {"subject": "Outage", "priority": "High", "queue": "00G1", "description": "down"}
    sf = case_fields(salesforce, plan, creating=True)
    assert sf == {"Subject": "Outage", "Priority": "High", "OwnerId": "00G1", "Description": "down"}
    assert "OwnerId" not in case_fields(salesforce, plan, creating=False)
    hs = case_fields(hubspot, {**plan, "priority": "Medium", "owner": "77"}, creating=True)
    assert hs["hs_ticket_priority"] == "MEDIUM" and hs["hubspot_owner_id"] == "77"
    assert hs["subject"] == "Outage" and hs["content"] == "down"
    assert case_fields(CrmAdapter(None), plan, creating=True)["queue"] == "00G1"


@pytest.mark.parametrize(
    "rule", [{"name": "c", "then": {"case": True}}, {"name": "s", "then": {"sla": "1h"}}]
)
def test_rules_that_open_cases_are_refused_on_an_adapter_without_cases(rule):
    from crmbridge.crm.base import CrmAdapter
    from crmbridge.errors import ConfigError
    from crmbridge.rules.cases import check_adapter
    from crmbridge.rules.engine import RuleSet, parse_rules

    class Bare(CrmAdapter):
        name = "bare"

    with pytest.raises(ConfigError, match="the bare adapter cannot write cases"):
        check_adapter(RuleSet(parse_rules([rule], Path("c.yaml"))), Bare(None))
    check_adapter(
        RuleSet(parse_rules([{"name": "t", "then": {"tag": "x"}}], Path("c.yaml"))), Bare(None)
    )


def test_an_escalation_raises_the_conversation_s_case_one_step_from_where_it_is(workdir):
    rules = [
        {
            "name": "complaint",
            "when": {"keywords": "refund"},
            "then": {"case": {"priority": "Low"}},
        },
        {"name": "angry", "when": {"keywords": "worst"}, "then": {"escalate": "tier2"}},
        {"name": "threat", "when": {"keywords": "lawyer"}, "then": {"escalate": "legal"}},
    ]
    rows = [
        record("1", conversation_id="c", author=JANE, text="where is my refund"),
        record(
            "2",
            conversation_id="c",
            author=JANE,
            text="worst shop",
            created_at="2024-01-15T11:00:00Z",
        ),
        record(
            "3",
            conversation_id="c",
            author=JANE,
            text="lawyer next",
            created_at="2024-01-15T11:10:00Z",
        ),
    ]
    config = configure(workdir, rules, rows[:2])
    sync(config)
    assert cases(workdir)["conv:x:1"]["priority"] == "Medium"  # Low, one step up
    write_jsonl(workdir / "interactions.jsonl", rows)
    summary = sync(config)
    assert summary.escalated == 1
    assert (cases(workdir)["conv:x:1"]["priority"], cases(workdir)["conv:x:1"]["tier"]) == (
        "High",
        "legal",
    )
    assert plans(config)["conv:x:1"].escalations == 2
