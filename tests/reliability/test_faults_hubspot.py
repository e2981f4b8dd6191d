"""A HubSpot sync through hubspot-api-client while 20% of its calls fail on a local server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from crmbridge.config import load_config
from crmbridge.errors import ExitCode, QuotaExhausted
from crmbridge.pipeline import Pipeline
from crmbridge.state.store import StateStore
from crmbridge.testing.faults import FaultInjector
from crmbridge.testing.hubspot_fake import FakeHubSpot
from tests.reliability.conftest import converge

TOKEN = "pat-na1-faults-0000-secret"
N = 1000
CONTACTS = 200
ATTEMPTS = 5
PLATFORMS = ("x", "instagram", "facebook", "whatsapp", "youtube", "linkedin", "reddit")


@pytest.fixture
def portal(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    fake = FakeHubSpot(TOKEN)
    for person in range(CONTACTS):
        fake.add_contact(email=f"c{person}@example.com")
    rows = []
    for k in range(N):
        person = k % CONTACTS
        rows.append(
            {
                "schema": "crmbridge.interaction/1",
                "platform": PLATFORMS[person % len(PLATFORMS)],
                "kind": "dm",
                "message_id": f"m{k}",
                "author": {"id": f"a{person}", "email": f"c{person}@example.com"},
                "text": f"message {k}",
                "created_at": "2024-01-15T10:30:00Z",
            }
        )
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    host = httpserver.url_for("").rstrip("/")
    (tmp_path / "crmbridge.yaml").write_text(
        f"state: sqlite:///{tmp_path / 'state.db'}\n"
        f"crm: {{kind: hubspot, access_token: '${{HUBSPOT_TOKEN}}', host: '{host}', "
        f"write_batch: 50, batch_size: 25, attempts: {ATTEMPTS}}}\n"
        "sources: [{name: dms, connector: jsonl, path: in.jsonl}]\n"
    )
    expected = {f"{r['platform']}:{r['message_id']}" for r in rows}
    return fake, load_config(tmp_path / "crmbridge.yaml"), expected


def serve(httpserver: HTTPServer, fake: FakeHubSpot, injector: FaultInjector) -> None:
    httpserver.expect_request(re.compile(".*")).respond_with_handler(injector.hubspot(fake))


def in_portal(fake: FakeHubSpot) -> Counter[str]:
    """How many records the portal holds per crmbridge key, all object types."""
    return Counter(
        props["crmbridge_key"] for store in fake.objects.values() for props in store.values()
    )


def ledger(config) -> dict[str, tuple[str, str | None]]:
    store = StateStore(config.state_url)
    try:
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT key, status, crm_id FROM ledger")
            return {k: (s, c) for k, s, c in rows}
    finally:
        store.close()


def test_a_hubspot_sync_with_20_percent_faults_converges_with_nothing_lost_or_twice(
    httpserver, portal
):
    fake, config, expected = portal
    injector = FaultInjector(rate=0.2, seed=5)
    serve(httpserver, fake, injector)

    def run():
        injector.reset_streaks()
        return Pipeline(config).run()

    _, stops = converge(run, most=60)
    held = in_portal(fake)
    assert set(held) == expected, "an interaction was lost"
    assert max(held.values()) == 1, "an interaction was written twice"
    by_key = {
        props["crmbridge_key"]: oid
        for store in fake.objects.values()
        for oid, props in store.items()
    }
    rows = ledger(config)
    assert all(rows[k] == ("written", by_key[k]) for k in expected), "ledger and CRM disagree"
    summary = injector.summary()
    assert summary["total"] >= 0.1 * (summary["total"] + summary["passed"]), summary
    assert {"429_burst", "500", "connection_drop", "answer_lost"} <= set(summary["injected"])
    assert injector.max_streak <= ATTEMPTS, "a request was retried past the policy"
    print(summary, "stops:", stops)


def test_hubspot_s_daily_limit_stops_with_the_quota_exit_code_and_the_next_run_resumes(
    httpserver, portal
):
    fake, config, expected = portal
    injector = FaultInjector(rate=0.0)
    serve(httpserver, fake, injector)
    injector.exhaust_quota_after(40)
    with pytest.raises(QuotaExhausted) as stopped:
        Pipeline(config).run()
    assert stopped.value.exit_code == ExitCode.QUOTA
    first = set(in_portal(fake))
    assert 0 < len(first) < N
    # The batch cut short may be in the portal without its ledger rows (never the reverse):
    # the rerun's create answers CONFLICT with the existing id and becomes an update.
    committed = {k for k, (s, _) in ledger(config).items() if s == "written"}
    assert committed <= first and len(first - committed) <= 50
    injector.exhaust_quota_after(None)
    summary = Pipeline(config).run()
    held = in_portal(fake)
    assert set(held) == expected and max(held.values()) == 1
    assert summary.written == N - len(committed), "the rerun did not resume where it stopped"


def test_the_cli_exits_with_the_quota_code_on_hubspot_s_daily_limit_and_the_rerun_finishes(
    httpserver, portal, tmp_path
):
    fake, _config, expected = portal
    injector = FaultInjector(rate=0.0)
    serve(httpserver, fake, injector)
    injector.exhaust_quota_after(30)
    env = {**os.environ, "HUBSPOT_TOKEN": TOKEN}

    def sync() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "crmbridge", "sync", "--json"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    stopped = sync()
    assert stopped.returncode == int(ExitCode.QUOTA), stopped.stderr
    assert json.loads(stopped.stdout.splitlines()[0])["status"] == "quota_exhausted"
    assert 0 < len(in_portal(fake)) < N
    injector.exhaust_quota_after(None)
    finished = sync()
    assert finished.returncode == 0, finished.stderr
    held = in_portal(fake)
    assert set(held) == expected and max(held.values()) == 1
