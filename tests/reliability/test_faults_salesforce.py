"""A Salesforce sync through the real client while 20% of its HTTP calls fail."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import requests
import responses

from crmbridge.config import AppConfig, load_config
from crmbridge.crm.salesforce.client import classify_code, first_error
from crmbridge.errors import CrmbridgeError, ExitCode, QuotaExhausted
from crmbridge.http import with_retries
from crmbridge.pipeline import Pipeline
from crmbridge.state.store import StateStore
from crmbridge.testing.faults import FaultInjector
from crmbridge.testing.salesforce_org import BASE, FakeOrg
from crmbridge.testing.workloads import make_contacts, make_interactions, write_config
from tests.reliability.conftest import converge

N = 1000
ATTEMPTS = 5  # crm.attempts in the config below (the adapter's default)
BATCH = 10  # small collections: more calls, so more faults per run


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    rng = random.Random(8)
    contacts = make_contacts(300, rng)
    records = make_interactions(N, contacts, rng)
    with (tmp_path / "interactions.jsonl").open("w") as feed:
        feed.writelines(json.dumps(r) + "\n" for r in records)
    monkeypatch.setenv("BENCH_SF_SESSION_ID", "00D000000000001!FAULTS")
    config = load_config(write_config(tmp_path, batch_size=BATCH))
    expected = {f"{r['platform']}:{r['message_id']}" for r in records}
    return config, FakeOrg(contacts), expected


def ledger(config: AppConfig) -> dict[str, tuple[str, str | None, str | None]]:
    store = StateStore(config.state_url)
    try:
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT key, status, crm_id, error_kind FROM ledger")
            return {k: (s, c, e) for k, s, c, e in rows}
    finally:
        store.close()


def test_a_sync_with_20_percent_faults_converges_with_nothing_lost_and_nothing_twice(world):
    config, org, expected = world
    injector = FaultInjector(rate=0.2, seed=1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        injector.salesforce(mock, org)

        def run():
            injector.reset_streaks()
            return Pipeline(config).run("exports")

        _, stops = converge(run, most=40)
        for _ in range(10):  # each sync replays the failed rows by itself
            failed = {k: row for k, row in ledger(config).items() if row[0] == "failed"}
            if not failed:
                break
            # Records still locked after the retries are parked for a retry, never lost.
            assert set(org.tasks) | set(failed) == expected
            assert {row[2] for row in failed.values()} == {"transient"}
            stops += converge(run, most=40)[1]
    rows = ledger(config)
    assert set(org.tasks) == expected, "an interaction was lost"
    ids = [task["Id"] for task in org.tasks.values()]
    assert len(ids) == len(set(ids)) == N, "an interaction was written twice"
    assert all(rows[k][0] == "written" and rows[k][1] == org.tasks[k]["Id"] for k in expected)
    kinds = injector.summary()["injected"]
    assert injector.total() >= 0.1 * (injector.total() + injector.passed), kinds
    assert len(kinds) >= 5, kinds
    assert injector.max_streak <= ATTEMPTS, "a request was retried past the policy"
    print(injector.summary(), "stops:", stops)


def test_a_daily_quota_mid_run_stops_with_the_quota_exit_code_and_the_next_run_resumes(world):
    config, org, expected = world
    injector = FaultInjector(rate=0.0, seed=3)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        injector.salesforce(mock, org)
        injector.exhaust_quota_after(6)  # a few batches in
        with pytest.raises(QuotaExhausted) as stopped:
            Pipeline(config).run("exports")
        assert stopped.value.exit_code == ExitCode.QUOTA
        written = set(org.tasks)
        assert 0 < len(written) < N
        assert {k for k, row in ledger(config).items() if row[0] == "written"} == written
        injector.exhaust_quota_after(None)  # the next day
        summary = Pipeline(config).run("exports")
    assert set(org.tasks) == expected
    assert summary.created == N - len(written), "the rerun did not resume where it stopped"
    ids = [task["Id"] for task in org.tasks.values()]
    assert len(ids) == len(set(ids)) == N


def test_the_concurrency_limit_is_retried_but_the_daily_limit_stops_at_once(world):
    _, org, _ = world
    outcomes = []
    for kind in ("concurrent_limit", "daily"):
        injector = FaultInjector(rate=1.0, kinds=[kind])
        if kind == "daily":
            injector.exhaust_quota_after(0)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            injector.salesforce(mock, org)

            def query() -> None:
                answer = requests.get(BASE + "query/?q=SELECT+Id+FROM+Contact", timeout=5)
                raise classify_code(answer.status_code, *first_error(answer.content), "query")

            with pytest.raises(CrmbridgeError) as caught:
                with_retries(ATTEMPTS)(query)()
        outcomes.append((caught.value.kind, injector.max_streak))
    assert outcomes == [("rate_limited", ATTEMPTS), ("quota_exhausted", 1)]
