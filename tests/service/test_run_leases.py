"""Two `crmbridge run` processes on one state store never read the same source at once."""

from __future__ import annotations

import json
import sqlite3
import time

from crmbridge.state.store import StateStore
from tests.service.conftest import bulk_config, crm_activities, start, state_counts

RECORDS, BATCH = 3000, 50


def source_runs(folder) -> list[dict]:
    with sqlite3.connect(folder / "state.db") as db:
        rows = db.execute("SELECT summary FROM runs WHERE summary IS NOT NULL").fetchall()
    return [json.loads(row[0]) for row in rows]


def test_two_run_processes_never_read_the_same_source_at_once(bulk_dir, processes):
    config = bulk_config(bulk_dir, RECORDS, BATCH, interval="0.3s")
    StateStore(f"sqlite:///{bulk_dir / 'state.db'}").close()  # migrated once, as a deploy does
    first = start(["run", "--config", str(config)], bulk_dir, name="first")
    second = start(["run", "--config", str(config)], bulk_dir, name="second")
    processes.extend([first, second])
    deadline = time.monotonic() + 90
    while state_counts(bulk_dir)[0] < RECORDS:
        assert time.monotonic() < deadline, first.output() + second.output()
        time.sleep(0.1)
    time.sleep(1.5)  # a few more turns each, with nothing new to read
    assert first.stop() == 0 and second.stop() == 0

    runs = source_runs(bulk_dir)
    # Had both read at once, both would have started from the same cursor and each
    # record would have been fetched twice; under the lease each is fetched once.
    assert sum(r["fetched"] for r in runs) == RECORDS
    assert sum("bulk" in r["skipped"] for r in runs) >= 1  # they did meet at the lease
    readers = [r for r in runs if r["fetched"]]
    assert len(readers) >= 1
    assert len(crm_activities(bulk_dir / "crm.db")) == RECORDS
    assert state_counts(bulk_dir)[1] == 0
