"""/metrics in the Prometheus text format, counting what `sync --json` counts; /readyz."""

from __future__ import annotations

import json
import shutil
import time

import requests
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from crmbridge.cli import main
from tests.service.conftest import QUICKSTART, start

COMPARED = {
    "fetched": "crmbridge_fetched",
    "written": "crmbridge_written",
    "created": "crmbridge_created",
    "updated": "crmbridge_updated",
    "unchanged": "crmbridge_unchanged",
    "quarantined": "crmbridge_parked",
    "failed": "crmbridge_failed",
    "review": "crmbridge_review",
    "unmatched": "crmbridge_unmatched",
}


def quickstart_copy(folder):
    shutil.copytree(QUICKSTART, folder, ignore=shutil.ignore_patterns(".crmbridge"))
    return folder / "crmbridge.yaml"


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    text = requests.get(url + "/metrics", timeout=10).text
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_parse_with_the_prometheus_parser_and_match_sync_json(tmp_path, processes):
    synced = quickstart_copy(tmp_path / "synced")
    result = CliRunner().invoke(main, ["sync", "--config", str(synced), "--json"])
    expected = json.loads(result.output)
    assert expected["fetched"] > 0 and expected["quarantined"] > 0

    served = quickstart_copy(tmp_path / "served")
    running = start(["run", "--config", str(served)], served.parent)
    processes.append(running)
    running.wait_ready()
    source = (("source", "exports"),)
    deadline = time.monotonic() + 60
    while not scrape(running.url).get(("crmbridge_runs_total", (*source, ("status", "ok")))):
        assert time.monotonic() < deadline, running.output()
        time.sleep(0.2)
    samples = scrape(running.url)

    for key, metric in COMPARED.items():
        assert samples[(f"{metric}_total", source)] == expected[key], key
    calls = samples[("crmbridge_crm_api_calls_total", (("crm", "local"), *source))]
    assert calls == expected["api_calls"]
    lags = samples[("crmbridge_write_lag_seconds_count", source)]
    assert lags == expected["written"]

    report = CliRunner().invoke(main, ["report", "--config", str(served), "--json"])
    assert samples[("crmbridge_review_queue_size", ())] == json.loads(report.output)["review_queue"]
    assert samples[("crmbridge_oldest_unanswered_inbound_seconds", ())] > 0

    ready = requests.get(running.url + "/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["ready"] is True
    assert running.stop() == 0


def test_readyz_fails_while_a_source_keeps_failing(tmp_path, processes):
    config = quickstart_copy(tmp_path / "broken")
    text = config.read_text().replace(
        "    path: interactions.jsonl\n",
        "    path: gone.jsonl\n    schedule: {interval: 0.3s, max_backoff: 0.3s}\n",
    )
    config.write_text(text)
    running = start(["run", "--config", str(config)], config.parent)
    processes.append(running)
    running.wait_ready()
    deadline = time.monotonic() + 30
    while (answer := requests.get(running.url + "/readyz", timeout=10)).status_code == 200:
        assert time.monotonic() < deadline, running.output()
        time.sleep(0.2)
    body = answer.json()
    assert answer.status_code == 503 and body["ready"] is False
    assert body["checks"]["source exports"]["ok"] is False
    assert body["checks"]["state"]["ok"] and body["checks"]["crm"]["ok"]
    assert running.stop() == 0
