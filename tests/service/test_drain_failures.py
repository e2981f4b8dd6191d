"""A drain that keeps failing rests between tries, keeps serve alive, and fails /readyz."""

from __future__ import annotations

import time

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.service.conftest import SERVICE_YAML, WEBHOOKS, post_x, start


def internal_runs(url: str) -> float:
    text = requests.get(url + "/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "crmbridge_runs_total" and labels.get("status") == "internal":
                return sample.value
    return 0.0


def test_a_crm_that_cannot_be_opened_makes_drains_rest_and_readyz_fail(
    service_dir, service_env_vars, processes
):
    (service_dir / "crm.db").mkdir()  # the local CRM file is a folder: every write fails
    text = SERVICE_YAML.replace(
        "path: state/spool/brand-x.jsonl}",
        "path: state/spool/brand-x.jsonl, schedule: {interval: 0.5s, max_backoff: 30s}}",
    )
    (service_dir / "crmbridge.yaml").write_text(text)
    running = start(["serve", "--config", "crmbridge.yaml"], service_dir)
    processes.append(running)
    running.wait_ready()
    started = time.monotonic()
    for name in ("x_activity.json", "x_delete.json", "x_dm.json"):
        assert post_x(running.url, (WEBHOOKS / name).read_bytes()).status_code == 200
        time.sleep(0.3)
    time.sleep(max(0.0, 3.0 - (time.monotonic() - started)))
    # Tries at about 0 s, 1 s and 3 s (the rest doubles from the 0.5 s drain interval);
    # without the rest, every delivery and every 0.5 s tick would try again.
    assert 1 <= internal_runs(running.url) <= 3
    ready = requests.get(running.url + "/readyz", timeout=10)
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["source brand-x-webhooks"]["ok"] is False and checks["crm"]["ok"] is False
    assert running.process.poll() is None  # the service lives on; the spool keeps the events
    assert "internal error" in running.output()
    assert running.stop() == 0
