"""`crmbridge sync` killed with SIGKILL at random points, on SQLite and on PostgreSQL.

Each trial appends part of a feed (with malformed lines and review-band authors), starts
a sync and kills it after a random delay; a last run finishes. The CRM, ledger, cursor,
quarantine and review queue must then match a reference run that was never killed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crmbridge.testing import harness

N, TRIALS = 2400, 4  # CI counts; benchmarks/reliability.py runs the large ones


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return "sqlite:///state.db"
    return request.getfixturevalue("pg_url")  # skips, with the reason, when PG is down


def test_syncs_killed_at_random_points_lose_nothing_and_write_nothing_twice(
    tmp_path: Path, state_url: str
):
    world = harness.build(tmp_path / "killed", state_url, N, TRIALS, seed=7)
    summary = harness.kill_and_finish(world, seed=20261123)
    ref = harness.reference(world, tmp_path / "reference")
    figures = harness.compare(world, ref)
    assert figures == dict.fromkeys(figures, 0), figures
    assert summary["failed"] == 0
    held = harness.snapshot(ref)
    assert len(held["quarantine"]) >= 50 and held["review"], "the feed should exercise both"
    assert world.kills >= 1, "no trial was killed mid-run: lengthen the feed"
