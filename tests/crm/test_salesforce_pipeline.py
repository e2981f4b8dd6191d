"""A sync through the pipeline into a faked Salesforce org: once, resumable, classified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import responses

from crmbridge.config import AppConfig, load_config
from crmbridge.errors import QuotaExhausted, TransientError
from crmbridge.pipeline import Pipeline
from crmbridge.state.store import StateStore

FIXTURES = Path(__file__).parent.parent / "fixtures" / "salesforce"
INSTANCE = "https://acme.my.salesforce.com"
BASE = f"{INSTANCE}/services/data/v62.0/"
UPSERT = BASE + "composite/sobjects/Task/Crmbridge_Key__c"
AUTHORS = [("jane", "Jane.Doe@example.com"), ("raj", "raj@example.org")]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppConfig:
    monkeypatch.setenv("SF_SESSION_ID", "00D000000000001!AQ0AQSESSION")
    lines = []
    for n in range(6):
        handle, email = AUTHORS[n % 2]
        record = {
            "schema": "crmbridge.interaction/1",
            "platform": "x",
            "kind": "mention",
            "message_id": f"10{n}",
            "author": {"id": f"u-{handle}", "handle": handle, "email": email},
            "text": f"order {n} is late",
            "created_at": f"2024-01-15T10:3{n}:00Z",
        }
        lines.append(json.dumps(record))
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: salesforce, session_id: '${SF_SESSION_ID}', "
        f"instance_url: '{INSTANCE}', attempts: 1}}\n"
        "sources: [{name: exports, connector: jsonl, path: in.jsonl}]\n"
    )
    return load_config(tmp_path / "crmbridge.yaml")


class Org:
    """Tasks upserted by key; the contacts fixture answers every lookup."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}

    def upsert(self, request: Any) -> tuple[int, dict[str, str], str]:
        answers = []
        for record in json.loads(request.body)["records"]:
            key = record["Crmbridge_Key__c"]
            created = key not in self.tasks
            task = self.tasks.setdefault(key, {"Id": f"00T{len(self.tasks):015d}"})
            task.update(record)
            answers.append({"id": task["Id"], "success": True, "errors": [], "created": created})
        return 200, {}, json.dumps(answers)


def healthy(mock: responses.RequestsMock, org: Org) -> None:
    mock.get(BASE + "query/", json=fixture("contacts_query.json"))
    mock.add_callback("PATCH", UPSERT, callback=org.upsert)


def cursor_of(config: AppConfig) -> Any:
    store = StateStore(config.state_url)
    try:
        return store.cursor("exports")
    finally:
        store.close()


def test_sync_writes_one_task_per_interaction_on_the_matched_contact(config):
    org = Org()
    with responses.RequestsMock() as mock:
        healthy(mock, org)
        summary = Pipeline(config).run()
        # The contact mirror's first read (a COUNT to choose REST or Bulk, one query
        # page) and one collection upsert of the six tasks.
        assert summary.written == 6 and summary.api_calls == 3
        replay = Pipeline(config).run()
    assert replay.api_calls == 0
    assert sorted(org.tasks) == [f"x:10{n}" for n in range(6)]
    task = org.tasks["x:100"]
    assert task["WhoId"] == "003000000000001AAA"
    assert task["Subject"] == "X mention from @jane"
    assert (task["Status"], task["Priority"], task["ActivityDate"]) == (
        "Completed",
        "Normal",
        "2024-01-15",
    )


def test_cursor_does_not_advance_when_salesforce_returns_503(config):
    with responses.RequestsMock() as mock:
        mock.get(BASE + "query/", json=fixture("server_unavailable.json"), status=503)
        with pytest.raises(TransientError):
            Pipeline(config).run()
    assert cursor_of(config) is None
    org = Org()
    with responses.RequestsMock() as mock:
        healthy(mock, org)
        assert Pipeline(config).run().written == 6
    assert len(org.tasks) == 6


def test_a_daily_limit_stops_the_run_and_the_next_run_writes_each_task_once(config):
    org = Org()
    with responses.RequestsMock() as mock:
        mock.get(BASE + "query/", json=fixture("contacts_query.json"))
        mock.patch(UPSERT, json=fixture("request_limit_daily.json"), status=403)
        with pytest.raises(QuotaExhausted):
            Pipeline(config).run()
    assert cursor_of(config) is None
    with responses.RequestsMock() as mock:
        healthy(mock, org)
        summary = Pipeline(config).run()
    assert summary.created == 6 and summary.api_calls == 2
    assert len(org.tasks) == 6
