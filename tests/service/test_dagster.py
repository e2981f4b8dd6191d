"""The Dagster integration: one asset per source, run with Dagster's in-process runner."""

from __future__ import annotations

import json
import shutil

import dagster as dg
import pytest
from click.testing import CliRunner

from crmbridge.cli import main
from crmbridge.integrations.dagster import asset_name, definitions, source_assets
from crmbridge.state.lease import Lease
from crmbridge.state.store import StateStore
from tests.service.conftest import QUICKSTART, crm_activities


@pytest.fixture
def quickstart(tmp_path):
    folder = tmp_path / "qs"
    shutil.copytree(QUICKSTART, folder, ignore=shutil.ignore_patterns(".crmbridge"))
    return folder / "crmbridge.yaml"


def test_the_quickstart_config_makes_one_asset_per_source(quickstart):
    text = quickstart.read_text().replace(
        "sources:\n",
        "sources:\n  - {name: more.exports, connector: jsonl, path: interactions.jsonl}\n",
    )
    quickstart.write_text(text)
    defs = definitions(quickstart)
    keys = {a.key.to_user_string() for a in source_assets(quickstart)}
    assert keys == {"crmbridge_exports", "crmbridge_more_exports"}
    assert {job.name for job in defs.resolve_all_job_defs()} >= {
        f"{asset_name('exports')}_job",
        f"{asset_name('more.exports')}_job",
    }


def test_materializing_the_quickstart_writes_its_activities_once(quickstart, tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(quickstart.parent, reference)
    expected = json.loads(
        CliRunner()
        .invoke(main, ["sync", "--config", str(reference / "crmbridge.yaml"), "--json"])
        .output
    )

    assets = source_assets(quickstart)
    first = dg.materialize(assets)
    assert first.success
    [event] = first.get_asset_materialization_events()
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    assert metadata["created"] == expected["created"] > 0
    crm = quickstart.parent / ".crmbridge" / "crm.db"
    written = crm_activities(crm)
    assert len(written) == len(crm_activities(reference / ".crmbridge" / "crm.db"))

    again = dg.materialize(assets)  # a retry or the next scheduled run
    [event] = again.get_asset_materialization_events()
    assert event.materialization.metadata["created"].value == 0
    assert crm_activities(crm) == written  # the same rows: nothing written twice


def test_a_source_leased_elsewhere_fails_as_retriable_and_reads_nothing(quickstart):
    from crmbridge.config import load_config

    config = load_config(quickstart)
    store = StateStore(config.state_url)
    try:
        with Lease(store, "exports", "another-worker"):
            result = dg.materialize(source_assets(quickstart), raise_on_error=False)
    finally:
        store.close()
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "leased by another worker" in failure.step_failure_data.error.message
    assert crm_activities(quickstart.parent / ".crmbridge" / "crm.db") == {}


def test_definitions_take_dagsters_retry_policy_and_a_schedule_per_source(quickstart):
    policy = dg.RetryPolicy(max_retries=3, delay=60)
    defs = definitions(quickstart, retry_policy=policy, cron_schedule="*/5 * * * *")
    [schedule] = defs.schedules
    assert schedule.cron_schedule == "*/5 * * * *"
    assert schedule.job_name == "crmbridge_exports_job"
    [asset] = defs.assets
    assert asset.op.retry_policy == policy
