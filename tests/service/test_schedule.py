"""`schedule:` and `service:` config, the scheduler's waits, and which sources serve drains."""

from __future__ import annotations

import logging
import random
import threading
from datetime import timedelta

import pytest

from crmbridge.config import ScheduleConfig, load_config
from crmbridge.errors import ConfigError
from crmbridge.service.drainer import spool_sources
from crmbridge.service.runner import SourceRunner
from crmbridge.service.scheduler import Scheduler, next_wait
from crmbridge.state.store import StateStore
from tests.service.conftest import bulk_config, crm_activities


def write(tmp_path, sources: str, extra: str = ""):
    path = tmp_path / "crmbridge.yaml"
    path.write_text(f"crm: {{kind: local}}\nsources:\n{sources}{extra}")
    return path


def test_schedule_and_service_are_read_with_their_durations(tmp_path):
    config = load_config(
        write(
            tmp_path,
            "  - name: a\n    connector: jsonl\n    path: in.jsonl\n"
            "    schedule: {interval: 2m, jitter: 10s, max_backoff: 30m}\n",
            "service: {grace_period: 45s, drain_interval: 0.5s}\n",
        )
    )
    schedule = config.sources[0].schedule
    assert schedule.interval == timedelta(minutes=2) and schedule.jitter == timedelta(seconds=10)
    assert "schedule" not in config.sources[0].options  # not passed on to the connector
    assert config.service.grace_period == timedelta(seconds=45)
    assert config.service.drain_interval == timedelta(seconds=0.5)


def test_a_source_without_schedule_gets_five_minutes(tmp_path):
    config = load_config(write(tmp_path, "  - {name: a, connector: jsonl, path: in.jsonl}\n"))
    assert config.sources[0].schedule.interval == timedelta(minutes=5)
    assert config.service.grace_period == timedelta(seconds=30)


def test_a_bad_interval_names_the_file_the_key_and_the_units(tmp_path):
    path = write(
        tmp_path,
        "  - name: a\n    connector: jsonl\n    path: in.jsonl\n    schedule: {interval: soon}\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "crmbridge.yaml: sources[0].schedule.interval" in message and "30m" in message


def test_an_unknown_service_key_is_refused(tmp_path):
    path = write(
        tmp_path, "  - {name: a, connector: jsonl, path: in.jsonl}\n", "service: {grace: 1s}\n"
    )
    with pytest.raises(ConfigError, match=r"service\.grace: unknown key"):
        load_config(path)


def test_the_wait_doubles_per_failure_up_to_the_cap_and_jitter_only_adds():
    schedule = ScheduleConfig(interval="1m", jitter="10s", max_backoff="5m")
    rng = random.Random(7)
    waits = [next_wait(schedule, 0, rng) for _ in range(200)]
    assert all(60 <= w <= 70 for w in waits) and max(waits) - min(waits) > 5
    assert 120 <= next_wait(schedule, 1, rng) <= 130
    assert 300 <= next_wait(schedule, 6, rng) <= 310


def test_scheduler_once_runs_each_source_one_time_through_the_pipeline(tmp_path):
    config = load_config(bulk_config(tmp_path, 30, 10))
    store = StateStore(config.state_url)
    stop = threading.Event()
    runner = SourceRunner(config, store=store, stop=stop)
    scheduler = Scheduler(runner, {"bulk": config.sources[0].schedule}, stop=stop, once=True)
    scheduler.start()
    scheduler.join(60)
    store.close()
    assert not scheduler.is_alive()
    assert runner.states["bulk"].last_status == "ok" and runner.states["bulk"].failures == 0
    assert len(crm_activities(tmp_path / "crm.db")) == 30


def test_serve_drains_the_jsonl_sources_over_a_spool_and_warns_for_a_spool_nobody_reads(
    tmp_path, caplog, monkeypatch
):
    monkeypatch.setenv("XS", "x-secret")
    monkeypatch.setenv("MS", "m-secret")
    path = write(
        tmp_path,
        "  - {name: xs, connector: jsonl, path: spool/brand-x.jsonl}\n"
        "  - {name: other, connector: jsonl, path: other.jsonl}\n",
        "webhooks:\n  x: {source: brand-x, consumer_secret: '${XS}'}\n"
        "  meta: {source: brand-fb, app_secret: '${MS}', verify_token: '${MS}'}\n",
    )
    config = load_config(path)
    with caplog.at_level(logging.WARNING):
        found = spool_sources(config, tmp_path / "spool")
    assert found == {"xs": (tmp_path / "spool" / "brand-x.jsonl").resolve()}
    assert "brand-fb.jsonl but no jsonl source reads that file" in caplog.text
