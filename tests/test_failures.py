"""`crmbridge failures` and automatic retry: parked and refused records are worked, not lost."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import responses

from crmbridge.config import AppConfig, load_config
from crmbridge.errors import ConfigError
from crmbridge.failures import drop, list_failures, retry, show
from crmbridge.pipeline import sync
from crmbridge.state.schema import links
from crmbridge.state.store import StateStore, utcnow
from tests.conftest import record, write_jsonl


def cli(workdir: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "crmbridge", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def activities(workdir: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(workdir / "crm.db") as db:
        return db.execute("SELECT key, contact_id FROM activities ORDER BY key").fetchall()


def link_to(config: AppConfig, persona: str, contact_id: str) -> None:
    """A link to a contact the local CRM does not have (deleted there since)."""
    store = StateStore(config.state_url)
    with store.engine.begin() as conn:
        conn.execute(
            links.insert().values(
                persona_key=persona,
                contact_id=contact_id,
                rule="email",
                score=1.0,
                evidence="{}",
                approved_by="auto",
                created_at=utcnow(),
            )
        )
    store.close()


def add_contact(workdir: Path, contact_id: str) -> None:
    """The CRM-side fix: the contact exists again."""
    with sqlite3.connect(workdir / "crm.db") as db:
        db.execute(
            "INSERT INTO contacts (id, first_name, last_name, row_hash, seq) "
            "VALUES (?, 'Back', 'Again', 'h', 999)",
            (contact_id,),
        )


@pytest.fixture
def refused(workdir: Path) -> AppConfig:
    """Two records, one refused by the CRM (its author links to a missing contact)."""
    write_jsonl(workdir / "interactions.jsonl", [record("1", author={"id": "p"}), record("2")])
    config = load_config(workdir / "crmbridge.yaml")
    link_to(config, "x:p", "GONE")
    summary = sync(config)
    assert (summary.written, summary.failed) == (1, 1)
    return config


def test_failed_rows_heal_by_themselves_on_the_next_sync_once_the_crm_is_fixed(workdir, refused):
    add_contact(workdir, "GONE")
    summary = sync(refused)
    assert (summary.fetched, summary.replayed, summary.written) == (0, 1, 1)
    assert activities(workdir) == [("x:1", "GONE"), ("x:2", None)]
    store = StateStore(refused.state_url)
    row = store.ledger_rows(["x:1"])["x:1"]
    assert (row.status, row.attempts) == ("written", 1)
    assert store.cursor("exports") is not None
    store.close()


def test_automatic_retries_stop_at_max_attempts_and_the_row_stays_listed(workdir, refused):
    for _ in range(4):
        sync(refused)
    store = StateStore(refused.state_url)
    row = store.ledger_rows(["x:1"])["x:1"]
    assert (row.status, row.attempts) == ("failed", 3)  # 1 sync + 2 automatic retries
    [listed] = list_failures(refused, store, kind="failed")
    store.close()
    assert (listed["id"], listed["attempts"], listed["source"]) == ("x:1", 3, "exports")
    assert "GONE" in listed["reason"]
    assert sync(refused).replayed == 0


def test_retry_replays_a_failed_row_exactly_once_and_the_cursor_stays(workdir, refused):
    store = StateStore(refused.state_url)
    cursor = store.cursor("exports")
    store.close()
    still = retry(refused, ["x:1"], "ana")
    assert (still["resolved"], still["still_failing"]) == (0, 1)
    add_contact(workdir, "GONE")
    done = retry(refused, ["x:1"], "ana")
    assert (done["resolved"], done["outcomes"][0]["status"]) == (1, "written")
    again = retry(refused, ["x:1"], "ana")
    assert again["outcomes"][0]["status"] == "already written" and again["api_calls"] == 0
    assert activities(workdir) == [("x:1", "GONE"), ("x:2", None)]
    store = StateStore(refused.state_url)
    assert store.cursor("exports") == cursor
    assert [a["action"] for a in show(refused, store, "x:1")["actions"]] == ["replayed"]
    store.close()


def test_a_fixed_mapping_is_applied_when_a_parked_record_is_replayed(workdir):
    mapping = workdir / "strict.yaml"
    mapping.write_text(
        "name: strict\nobject: activity\nfields:\n"
        "  subject: {template: '{{ i.kind }}', choices: [mention]}\n"
        "  body: '{{ i.text }}'\n"
    )
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml").read_text() + "mapping: strict.yaml\n"
    )
    write_jsonl(workdir / "interactions.jsonl", [record("1"), record("2", kind="dm")])
    config = load_config(workdir / "crmbridge.yaml")
    assert sync(config).quarantined == 1
    store = StateStore(config.state_url)
    [parked] = list_failures(config, store)
    store.close()
    assert "subject" in parked["reason"] and parked["status"] == "parked"
    mapping.write_text(mapping.read_text().replace("[mention]", "[mention, dm]"))
    result = retry(config, [parked["id"]], "ana")
    assert result["resolved"] == 1
    assert [k for k, _ in activities(workdir)] == ["x:1", "x:2"]
    store = StateStore(config.state_url)
    assert list_failures(config, store) == []
    assert list_failures(config, store, include_all=True)[0]["status"] == "replayed"
    store.close()


def test_a_parked_record_is_replaced_by_a_fixed_one_then_written(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1", platform="myspace")])
    config = load_config(workdir / "crmbridge.yaml")
    sync(config)
    store = StateStore(config.state_url)
    [parked] = list_failures(config, store)
    store.close()
    assert retry(config, [parked["id"]], "ana")["still_failing"] == 1
    bad = workdir / "still-bad.json"
    bad.write_text(json.dumps(record("1", platform="friendster")))
    with pytest.raises(ConfigError, match="platform"):
        retry(config, [parked["id"]], "ana", record_file=bad)
    fixed = workdir / "fixed.json"
    fixed.write_text(json.dumps(record("1", platform="forum")))
    assert retry(config, [parked["id"]], "ana", record_file=fixed)["resolved"] == 1
    assert [k for k, _ in activities(workdir)] == ["forum:1"]
    store = StateStore(config.state_url)
    actions = [a["action"] for a in show(config, store, parked["id"])["actions"]]
    store.close()
    assert actions == ["edited", "replayed"]


def test_dropped_records_leave_the_list_but_are_kept_with_who_and_when(workdir, refused):
    with (workdir / "interactions.jsonl").open("a") as handle:
        handle.write("{broken\n")
    sync(refused)
    store = StateStore(refused.state_url)
    kinds = sorted(r["kind"] for r in list_failures(refused, store))
    assert kinds == ["failed", "quarantine"]
    parked = list_failures(refused, store, kind="quarantine")[0]["id"]
    assert drop(store, ["x:1"], "ana", all_parked=True)["dropped"] == ["x:1", parked]
    assert list_failures(refused, store) == []
    everything = list_failures(refused, store, include_all=True)
    assert {r["status"] for r in everything} == {"dropped"}
    [action] = show(refused, store, "x:1")["actions"]
    assert action["by"] == "ana" and action["at"]
    store.close()
    assert sync(refused).replayed == 0  # a dropped row is not retried by itself


def test_the_cli_lists_shows_retries_and_drops_without_printing_secrets(workdir):
    secret = "s3cr3t-token-value"
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml")
        .read_text()
        .replace(
            "path: interactions.jsonl}", "path: interactions.jsonl, pattern: '${NOT_SECRET:-*}'}"
        )
    )
    write_jsonl(workdir / "interactions.jsonl", [record("1"), f'{{"token": "{secret}"'])
    env = {"NOT_SECRET": secret}
    assert cli(workdir, "sync", "--json", env=env).returncode == 0
    listed = cli(workdir, "failures", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)["failures"]
    assert (row["kind"], row["location"]) == ("quarantine", "interactions.jsonl:2")
    shown = cli(workdir, "failures", "show", row["id"], "--json", env=env)
    assert "not valid JSON" in shown.stdout and secret not in shown.stdout + shown.stderr
    human = cli(workdir, "failures", "show", row["id"], env=env)
    assert "raw" in human.stdout and secret not in human.stdout
    retried = cli(workdir, "failures", "retry", row["id"], "--json", env=env)
    assert retried.returncode == 3 and json.loads(retried.stdout)["still_failing"] == 1
    assert secret not in retried.stdout
    dropped = cli(workdir, "failures", "drop", row["id"], "--by", "ana", env=env)
    assert dropped.returncode == 0 and row["id"] in dropped.stdout
    assert "nothing parked" in cli(workdir, "failures", "list", env=env).stdout
    missing = cli(workdir, "failures", "show", "x:nope")
    assert missing.returncode == 4 and "failures list" in missing.stderr


# --- a fixed mapping, replayed into Salesforce (faked at the wire) ----------------------

SF = "https://acme.my.salesforce.com/services/data/v62.0/"
SF_FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"


class StrictOrg:
    """Upserts Tasks by key, refusing a Subject over 15 characters as the org's field does."""

    limit = 15

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.sent = 0

    def upsert(self, request: Any) -> tuple[int, dict[str, str], str]:
        answers: list[dict[str, Any]] = []
        for rec in json.loads(request.body)["records"]:
            self.sent += 1
            if len(rec["Subject"]) > self.limit:
                error = {"statusCode": "STRING_TOO_LONG", "message": "Subject: too long"}
                answers.append({"success": False, "errors": [error]})
                continue
            key = rec["Crmbridge_Key__c"]
            created = key not in self.tasks
            task = self.tasks.setdefault(key, {"Id": f"00T{len(self.tasks):015d}"})
            task.update(rec)
            answers.append({"id": task["Id"], "success": True, "errors": [], "created": created})
        return 200, {}, json.dumps(answers)


def test_failed_rows_are_rendered_again_with_a_fixed_mapping_and_written_once(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SF_SESSION_ID", "00D000000000001!AQ0AQSESSION")
    preset = (Path(__file__).parents[1] / "mappings" / "salesforce_task.yaml").read_text()
    (tmp_path / "task.yaml").write_text(preset)
    authors = [("jane", "Jane.Doe@example.com"), ("raj", "raj@example.org")]
    write_jsonl(
        tmp_path / "in.jsonl",
        [
            record(f"10{n}", author={"id": f"u{n % 2}", "handle": h, "email": e})
            for n, (h, e) in enumerate(authors * 2)
        ],
    )
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: salesforce, session_id: '${SF_SESSION_ID}', "
        "instance_url: 'https://acme.my.salesforce.com', attempts: 1}\n"
        "sources: [{name: exports, connector: jsonl, path: in.jsonl}]\n"
        "mapping: task.yaml\nretry: {max_attempts: 1}\n"
    )
    config = load_config(tmp_path / "crmbridge.yaml")
    org = StrictOrg()
    contacts = json.loads((SF_FIXTURES / "contacts_query.json").read_text())
    with responses.RequestsMock() as mock:
        mock.get(SF + "query/", json=contacts)
        mock.add_callback("PATCH", SF + "composite/sobjects/Task/Crmbridge_Key__c", org.upsert)
        first = sync(config)
        assert (first.failed, first.written) == (4, 0)
        assert sync(config).replayed == 0  # max_attempts 1: left for the admin
        (tmp_path / "task.yaml").write_text(preset.replace("max_length: 255", "max_length: 15", 1))
        done = retry(config, [], "ana", everything=True)
        again = retry(config, [], "ana", everything=True)
    assert (done["retried"], done["resolved"]) == (4, 4)
    assert again["retried"] == 0
    assert sorted(org.tasks) == ["x:100", "x:101", "x:102", "x:103"]
    assert org.sent == 8  # four refused, four written: nothing twice
    assert all(len(t["Subject"]) <= 15 for t in org.tasks.values())


class LockedOrg(StrictOrg):
    """Answers UNABLE_TO_LOCK_ROW for one key while ``locked``, like a busy org."""

    locked = True
    limit = 255

    def upsert(self, request: Any) -> tuple[int, dict[str, str], str]:
        records = json.loads(request.body)["records"]
        if self.locked and any(r["Crmbridge_Key__c"] == "x:101" for r in records):
            error = {"statusCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain lock"}
            ok = [r for r in records if r["Crmbridge_Key__c"] != "x:101"]
            status, headers, body = super().upsert(_Body(ok))
            answers = json.loads(body)
            answers.insert(
                [r["Crmbridge_Key__c"] for r in records].index("x:101"),
                {"success": False, "errors": [error]},
            )
            return status, headers, json.dumps(answers)
        return super().upsert(request)


class _Body:
    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.body = json.dumps({"records": records})


def test_a_row_that_stayed_locked_is_written_once_by_the_next_sync(tmp_path, monkeypatch):
    monkeypatch.setenv("SF_SESSION_ID", "00D000000000001!AQ0AQSESSION")
    write_jsonl(
        tmp_path / "in.jsonl",
        [
            record("100", author={"id": "u0", "email": "Jane.Doe@example.com"}),
            record("101", author={"id": "u0", "email": "Jane.Doe@example.com"}),
        ],
    )
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: salesforce, session_id: '${SF_SESSION_ID}', "
        "instance_url: 'https://acme.my.salesforce.com', attempts: 1}\n"
        "sources: [{name: exports, connector: jsonl, path: in.jsonl}]\n"
    )
    config = load_config(tmp_path / "crmbridge.yaml")
    org = LockedOrg()
    contacts = json.loads((SF_FIXTURES / "contacts_query.json").read_text())
    with responses.RequestsMock() as mock:
        mock.get(SF + "query/", json=contacts)
        mock.add_callback("PATCH", SF + "composite/sobjects/Task/Crmbridge_Key__c", org.upsert)
        first = sync(config)
        store = StateStore(config.state_url)
        row = store.ledger_rows(["x:101"])["x:101"]
        store.close()
        assert (first.written, first.failed, row.error_kind) == (1, 1, "transient")
        org.locked = False
        second = sync(config)
    assert (second.fetched, second.replayed, second.written) == (0, 1, 1)
    assert sorted(org.tasks) == ["x:100", "x:101"]


def test_a_failed_row_the_mapping_now_refuses_stays_failed_with_one_more_attempt(workdir, refused):
    (workdir / "strict.yaml").write_text(
        "name: strict\nobject: activity\nfields:\n"
        "  subject: {template: '{{ i.kind }}', choices: [dm]}\n"
    )
    text = (workdir / "crmbridge.yaml").read_text() + "mapping: strict.yaml\n"
    (workdir / "crmbridge.yaml").write_text(text)
    config = load_config(workdir / "crmbridge.yaml")
    summary = sync(config)
    assert (summary.replayed, summary.failed, summary.quarantined) == (1, 1, 0)
    store = StateStore(config.state_url)
    row = store.ledger_rows(["x:1"])["x:1"]
    assert (row.status, row.attempts) == ("failed", 2) and "subject" in row.error_message
    assert [r["kind"] for r in list_failures(config, store)] == ["failed"]
    store.close()
