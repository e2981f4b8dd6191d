"""Concurrent CRM writes (crm.concurrency) keep the invariants, at the wire of the strict fakes.

Several collections (Salesforce) or batches (HubSpot) of one write batch are in flight at
once. A lost or failed answer in one of them must keep the source's cursor behind the
batch, the others' records must be kept as written, and the resume must send only what
was not acknowledged: each record ends in the CRM exactly once.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from crmbridge.config import AppConfig, load_config
from crmbridge.errors import TransientError
from crmbridge.pipeline import Pipeline
from crmbridge.state.store import StateStore
from crmbridge.testing.hubspot_fake import FakeHubSpot
from crmbridge.testing.salesforce_org import FakeOrg
from crmbridge.testing.workloads import make_contacts, make_interactions, write_config

TOKEN = "pat-na1-concurrent-0000"


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMBRIDGE_RETRY_MAX_WAIT", "0.01")


def ledger(config: AppConfig) -> dict[str, str]:
    store = StateStore(config.state_url)
    try:
        with store.engine.connect() as conn:
            return dict(conn.exec_driver_sql("SELECT key, status FROM ledger").all())
    finally:
        store.close()


def cursor(config: AppConfig, source: str) -> Any:
    store = StateStore(config.state_url)
    try:
        return store.cursor(source)
    finally:
        store.close()


# --- Salesforce: a lost answer in one of four collections in flight --------------------


@pytest.fixture
def salesforce(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    rng = random.Random(11)
    contacts = make_contacts(80, rng)
    records = make_interactions(800, contacts, rng)
    with (tmp_path / "interactions.jsonl").open("w") as feed:
        feed.writelines(json.dumps(r) + "\n" for r in records)
    monkeypatch.setenv("BENCH_SF_SESSION_ID", "00D000000000001!CONCURRENT")
    path = write_config(tmp_path, batch_size=200)
    data = json.loads(path.read_text())
    data["crm"].update(concurrency=4, attempts=2)  # one pipeline batch: 4 collections
    path.write_text(json.dumps(data))
    keys = [f"{r['platform']}:{r['message_id']}" for r in records]
    return load_config(path), FakeOrg(contacts, latency_s=0.05), keys


class LoseAnswers:
    """Routes of a fake org whose collections holding ``poison`` commit, then lose the answer."""

    def __init__(self, org: FakeOrg, poison: str) -> None:
        self.org, self.poison, self.on = org, poison, True
        self.writes: list[set[str]] = []  # the keys of each collection call

    def install(self, mock: responses.RequestsMock) -> None:
        inner = responses.RequestsMock(assert_all_requests_are_fired=False)
        self.org.install(inner)
        for route in inner.registered():
            mock.add_callback(route.method, route.url, self._wrap(route.callback))

    def _wrap(self, callback: Any) -> Any:
        def answer(request: Any) -> Any:
            if "composite/sobjects/Task" not in request.url:
                return callback(request)
            keys = {r["Crmbridge_Key__c"] for r in json.loads(request.body)["records"]}
            self.writes.append(keys)
            result = callback(request)  # the org commits the collection
            if self.on and self.poison in keys:
                raise requests.exceptions.ConnectionError("Connection reset by peer")
            return result

        return answer


def test_a_lost_answer_in_one_of_the_collections_in_flight_keeps_the_cursor_behind_it(
    salesforce,
):
    config, org, keys = salesforce
    wire = LoseAnswers(org, poison=keys[450])  # in the third collection of the batch
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        wire.install(mock)
        with pytest.raises(TransientError):
            Pipeline(config).run("exports")
        assert org.max_in_flight >= 2, "the collections went out one by one"
        assert cursor(config, "exports") is None, "the cursor moved past an unanswered record"
        kept = {k for k, s in ledger(config).items() if s == "written"}
        lost = next(w for w in wire.writes if keys[450] in w)
        assert kept == set(keys) - lost, "the other collections' records were not kept"

        wire.on, wire.writes = False, []
        summary = Pipeline(config).run("exports")
    assert summary.status == "ok" and summary.failed == 0
    resent = set().union(*wire.writes)
    assert resent == lost, "the resume sent records the CRM had acknowledged"
    assert cursor(config, "exports") is not None
    assert set(ledger(config).values()) == {"written"}
    assert sorted(org.tasks) == sorted(keys) and len(org.of("Task")) == len(keys)


def test_one_collection_at_a_time_with_concurrency_one(salesforce, tmp_path):
    _, org, keys = salesforce
    path = tmp_path / "crmbridge.yaml"
    data = json.loads(path.read_text())
    data["crm"]["concurrency"] = 1
    path.write_text(json.dumps(data))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        org.install(mock)
        summary = Pipeline(load_config(path)).run("exports")
    assert summary.written == len(keys)
    assert org.max_in_flight == 1


# --- HubSpot: a failing batch among five in flight -------------------------------------


@contextmanager
def serve(handler: Any) -> Iterator[str]:
    """A threaded local server (concurrent requests really overlap)."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        return handler(Request(environ))(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


class FailBatches:
    """A portal whose batch creates holding ``poison`` answer 503 (nothing committed)."""

    def __init__(self, fake: FakeHubSpot, poison: str) -> None:
        self.fake, self.poison, self.on = fake, poison, True
        self.creates: list[set[str]] = []

    def __call__(self, request: Request) -> Response:
        if request.method == "POST" and request.path.endswith("/batch/create"):
            inputs = (request.get_json(silent=True) or {}).get("inputs") or []
            keys = {i["properties"].get("crmbridge_key") for i in inputs}
            self.creates.append(keys)
            if self.on and self.poison in keys:
                return Response(json.dumps({"status": "error", "message": "down"}), 503)
        return self.fake(request)


def held(fake: FakeHubSpot) -> Counter[str]:
    return Counter(p["crmbridge_key"] for s in fake.objects.values() for p in s.values())


def test_a_failing_batch_among_those_in_flight_keeps_the_cursor_and_nothing_is_sent_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
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
        for k in range(500)
    ]
    keys = [f"x:m{k}" for k in range(500)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    fake = FakeHubSpot(TOKEN, latency_s=0.05)
    for person in range(40):
        fake.add_contact(email=f"c{person}@example.com")
    wire = FailBatches(fake, poison="x:m250")
    with serve(wire) as host:
        (tmp_path / "crmbridge.yaml").write_text(
            f"state: sqlite:///{tmp_path / 'state.db'}\n"
            f"crm: {{kind: hubspot, access_token: '${{HUBSPOT_TOKEN}}', host: '{host}', "
            "daily_reserve: 0, concurrency: 5, attempts: 2}\n"
            "sources: [{name: dms, connector: jsonl, path: in.jsonl}]\n"
        )
        config = load_config(tmp_path / "crmbridge.yaml")
        with pytest.raises(TransientError):
            Pipeline(config).run()
        assert fake.max_in_flight >= 2, "the batches went out one by one"
        assert cursor(config, "dms") is None, "the cursor moved past an unanswered record"
        failed = next(c for c in wire.creates if "x:m250" in c)
        assert set(held(fake)) == set(keys) - failed
        assert {k for k, s in ledger(config).items() if s == "written"} == set(held(fake))

        wire.on, wire.creates = False, []
        summary = Pipeline(config).run()
    assert summary.status == "ok" and summary.created == len(failed)
    assert set().union(*wire.creates) == failed, "the resume sent acknowledged records again"
    assert sorted(held(fake)) == sorted(keys) and max(held(fake).values()) == 1
    assert cursor(config, "dms") is not None
    assert fake.responses_429 == 0
