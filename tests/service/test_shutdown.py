"""SIGTERM to `crmbridge run`: the batch in flight commits, the lease is released, exit 0."""

from __future__ import annotations

import json
import signal
import time

from click.testing import CliRunner

from crmbridge.cli import main
from tests.service.conftest import bulk_config, crm_activities, start, state_counts

RECORDS, BATCH = 6000, 40


def test_sigterm_during_a_batch_commits_it_releases_the_lease_and_exits_zero(bulk_dir, processes):
    config = bulk_config(bulk_dir, RECORDS, BATCH)
    running = start(["run", "--config", str(config)], bulk_dir)
    processes.append(running)
    deadline = time.monotonic() + 60
    while state_counts(bulk_dir)[0] < 2 * BATCH:  # a couple of batches are committed
        assert time.monotonic() < deadline, running.output()
        assert running.process.poll() is None, running.output()
        time.sleep(0.02)
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(20) == 0, running.output()

    ledger, leases = state_counts(bulk_dir)
    activities = crm_activities(bulk_dir / "crm.db")
    assert leases == 0  # released, not left to expire
    assert 0 < ledger < RECORDS  # it stopped early, not after reading everything
    assert ledger % BATCH == 0  # whole batches only
    assert len(activities) == ledger  # nothing written to the CRM without its commit
    assert "SIGTERM received" in running.output()

    # The cursor sits exactly after the committed batches: the rest, once, no duplicate.
    result = CliRunner().invoke(main, ["sync", "--config", str(config), "--json"])
    summary = json.loads(result.output)
    assert summary["fetched"] == RECORDS - ledger
    assert summary["created"] == RECORDS - ledger
    assert len(crm_activities(bulk_dir / "crm.db")) == RECORDS
