"""A running `crmbridge serve` writes signed webhook events to the CRM within seconds."""

from __future__ import annotations

import json
import time
from pathlib import Path

import responses
from werkzeug.test import Client

from crmbridge.config import load_config
from crmbridge.models import parse_interaction
from crmbridge.pipeline import Pipeline
from crmbridge.webhooks import make_app, x_signature
from tests.connectors.test_x import serve as fake_x_api
from tests.service.conftest import (
    WEBHOOKS,
    X_SECRET,
    crm_activities,
    post_meta,
    post_x,
    start,
)

DEADLINE_S = 5.0


def expected_keys(spool: Path) -> set[str]:
    lines = spool.read_text().splitlines()
    return {parse_interaction(json.loads(line), "spool").activity_key for line in lines}


def wait_for(crm: Path, keys: set[str], timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if keys <= set(crm_activities(crm)):
            return time.monotonic() - started
        time.sleep(0.05)
    missing = keys - set(crm_activities(crm))
    raise AssertionError(f"not in the CRM after {timeout}s: {sorted(missing)}")


def test_signed_x_and_meta_events_reach_the_crm_within_five_seconds_and_a_poll_adds_none(
    service_dir, service_env_vars, processes
):
    running = start(["serve", "--config", "crmbridge.yaml"], service_dir)
    processes.append(running)
    running.wait_ready()
    crm = service_dir / "crm.db"

    x = post_x(running.url, (WEBHOOKS / "x_activity.json").read_bytes())
    assert x.json() == {"accepted": 1, "replayed": 0}
    x_keys = expected_keys(service_dir / "state" / "spool" / "brand-x.jsonl")
    assert wait_for(crm, x_keys, DEADLINE_S) < DEADLINE_S

    meta = post_meta(running.url, (WEBHOOKS / "meta_feed.json").read_bytes())
    assert meta.json() == {"accepted": 4, "replayed": 0}
    fb_keys = expected_keys(service_dir / "state" / "spool" / "brand-fb.jsonl")
    assert wait_for(crm, fb_keys, DEADLINE_S) < DEADLINE_S

    # The same X messages polled later: the ledger knows them, no second activity.
    before = crm_activities(crm)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        fake_x_api(wire)
        pipeline = Pipeline(load_config(service_dir / "crmbridge.yaml"))
        try:
            summary = pipeline.run("brand-x")
        finally:
            pipeline.store.close()
    after = crm_activities(crm)
    assert summary.fetched > 0
    for key in x_keys:
        assert after[key] == before[key]  # the very row the webhook made, not a new one
    assert len(after) == len(before) + summary.created
    assert running.stop() == 0


def test_an_event_spooled_before_a_crash_is_written_when_serve_starts_again(
    service_dir, service_env_vars, processes
):
    # Accepted (200, fsynced to the spool), then the process died before any drain.
    app = make_app(load_config(service_dir / "crmbridge.yaml"))
    body = (WEBHOOKS / "x_activity.json").read_bytes()
    answer = Client(app).post(
        "/webhooks/x",
        data=body,
        headers={"x-twitter-webhooks-signature": x_signature(X_SECRET, body)},
        content_type="application/json",
    )
    assert answer.status_code == 200
    keys = expected_keys(service_dir / "state" / "spool" / "brand-x.jsonl")
    assert not keys & set(crm_activities(service_dir / "crm.db"))

    running = start(["serve", "--config", "crmbridge.yaml"], service_dir)
    processes.append(running)
    running.wait_ready()
    wait_for(service_dir / "crm.db", keys, DEADLINE_S)
    assert running.stop() == 0
