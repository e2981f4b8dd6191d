"""Metrics against Salesforce on the wire: API calls and the allocation the org reports."""

from __future__ import annotations

import json
import random
import threading

import responses
from prometheus_client.parser import text_string_to_metric_families

from crmbridge.config import load_config
from crmbridge.service.metrics import ServiceMetrics
from crmbridge.service.runner import SourceRunner
from crmbridge.state.store import StateStore
from crmbridge.testing.salesforce_org import FakeOrg
from crmbridge.testing.workloads import make_contacts, make_interactions, write_config

ALLOCATION = 15_000


def samples(metrics: ServiceMetrics) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_api_calls_and_the_orgs_remaining_allocation_are_exported(tmp_path, monkeypatch):
    rng = random.Random(3)
    contacts = make_contacts(60, rng)
    with (tmp_path / "interactions.jsonl").open("w") as feed:
        feed.writelines(json.dumps(r) + "\n" for r in make_interactions(120, contacts, rng))
    monkeypatch.setenv("BENCH_SF_SESSION_ID", "00D000000000001!METRICS")
    config = load_config(write_config(tmp_path, batch_size=50))
    org = FakeOrg(contacts, allocation=ALLOCATION)
    store = StateStore(config.state_url)
    metrics = ServiceMetrics(store, config.crm.kind)
    runner = SourceRunner(config, store=store, stop=threading.Event(), metrics=metrics)
    try:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            org.install(mock)
            summary = runner.run_once("exports")
            found = samples(metrics)
    finally:
        store.close()
    assert summary.status == "ok" and summary.written == 120
    used = sum(org.calls.values())
    assert (
        found[("crmbridge_crm_api_calls_total", (("crm", "salesforce"), ("source", "exports")))]
        == (summary.api_calls)
        > 0
    )
    # What the last Sforce-Limit-Info header said was left.
    assert found[("crmbridge_crm_rate_budget_left", (("crm", "salesforce"),))] == ALLOCATION - used
    assert found[("crmbridge_written_total", (("source", "exports"),))] == 120
