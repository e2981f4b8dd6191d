"""Several `crmbridge sync` workers on one PostgreSQL state store: one per source at a time."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from crmbridge.state.store import StateStore
from crmbridge.testing import synthetic

SOURCES, PER_SOURCE = 4, 600


def setup(folder: Path, pg_url: str, sources: int, per_source: int) -> set[str]:
    """Contacts, one feed per source, and a config on the PostgreSQL store."""
    synthetic.write_contacts_csv(folder / "contacts.csv", synthetic.contacts(300, 3))
    records = list(synthetic.interactions(sources * per_source, 300, 3))
    lines = ["crm: {kind: local, path: crm.db, contacts_csv: contacts.csv, batch_size: 50}"]
    lines += [f"state: '{pg_url}'", "sources:"]
    for s in range(sources):
        synthetic.write_jsonl(folder / f"feed{s}.jsonl", records[s::sources])
        lines.append(f"  - {{name: feed{s}, connector: jsonl, path: feed{s}.jsonl}}")
    (folder / "crmbridge.yaml").write_text("\n".join(lines) + "\n")
    return {f"{r['platform']}:{r.get('edit_of') or r['message_id']}" for r in records}


def sync(folder: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crmbridge", "sync", "--json", *args],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def crm_keys(folder: Path) -> list[str]:
    with sqlite3.connect(folder / "crm.db") as crm:
        return [k for (k,) in crm.execute("SELECT key FROM activities")]


class LeaseWatch(threading.Thread):
    """Polls the leases table: which holders held which source, and both at once."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = sa.create_engine(url)
        self.holders: dict[str, set[str]] = {}
        self.concurrent = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            with self.engine.connect() as conn:
                rows = conn.exec_driver_sql("SELECT source, holder FROM leases").all()
            for source, holder in rows:
                self.holders.setdefault(source, set()).add(holder)
            self.concurrent += len({h for _, h in rows}) > 1
            time.sleep(0.02)
        self.engine.dispose()


def test_two_workers_started_at_once_on_postgresql_never_read_one_source_twice(
    tmp_path: Path, pg_url: str
):
    expected = setup(tmp_path, pg_url, SOURCES, PER_SOURCE)
    StateStore(pg_url).close()  # the schema exists (the watcher reads the leases table)
    watch = LeaseWatch(pg_url)
    watch.start()
    workers = [sync(tmp_path) for _ in range(2)]
    answers = [w.communicate(timeout=300) for w in workers]
    watch.stop.set()
    watch.join()
    assert all(out for out, _ in answers), [err[-3000:] for _, err in answers]
    outcomes = [
        (w.returncode, json.loads(out)) for w, (out, _) in zip(workers, answers, strict=True)
    ]
    # A worker that skipped a source the other held says so: exit 9, the source in skipped.
    assert all(code == (9 if s["skipped"] else 0) for code, s in outcomes), outcomes
    keys = crm_keys(tmp_path)
    assert len(keys) == len(set(keys)) and set(keys) == expected
    # No record was read by both: the feeds' lines were fetched once in total.
    assert sum(s["fetched"] for _, s in outcomes) == SOURCES * PER_SOURCE
    engine = sa.create_engine(pg_url)
    with engine.connect() as conn:
        runs = [json.loads(s) for (s,) in conn.exec_driver_sql("SELECT summary FROM runs")]
        ledger = conn.exec_driver_sql("SELECT COUNT(*), COUNT(DISTINCT key) FROM ledger").one()
    engine.dispose()
    assert sum(r["fetched"] for r in runs) == SOURCES * PER_SOURCE
    assert tuple(ledger) == (len(expected), len(expected))
    skipped = [name for _, s in outcomes for name in s["skipped"]]
    assert watch.concurrent or skipped, "the two workers never overlapped: nothing was proven"


def test_a_killed_worker_s_lease_on_postgresql_is_taken_over_at_once_on_its_host(
    tmp_path: Path, pg_url: str
):
    expected = setup(tmp_path, pg_url, 1, 3000)
    killed = sync(tmp_path, "--lease-seconds", "3")
    engine = sa.create_engine(pg_url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill it once it has committed a batch
        try:
            with engine.connect() as conn:
                if conn.exec_driver_sql("SELECT COUNT(*) FROM ledger").scalar():
                    break
        except sa.exc.ProgrammingError:
            pass  # tables not created yet
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    with engine.connect() as conn:
        done_before = conn.exec_driver_sql("SELECT COUNT(*) FROM ledger").scalar()
        holder = conn.exec_driver_sql("SELECT holder FROM leases").scalar()
    assert holder is not None and 0 < done_before < len(expected)
    # On the same host the dead worker's process is gone: no waiting for its lease to run
    # out (workers on other hosts still wait for the expiry, tests/state/test_lease_takeover).
    taker = sync(tmp_path)
    out, err = taker.communicate(timeout=300)
    assert taker.returncode == 0, err
    summary = json.loads(out)
    assert summary["skipped"] == [] and summary["fetched"] <= len(expected) - done_before + 100
    keys = crm_keys(tmp_path)
    assert len(keys) == len(set(keys)) and set(keys) == expected
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM leases").scalar() == 0
    engine.dispose()
