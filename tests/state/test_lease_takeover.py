"""A dead worker's lease on this host is taken over at once; elsewhere it expires as before."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from crmbridge.config import load_config
from crmbridge.errors import SourceBusy
from crmbridge.pipeline import sync
from crmbridge.state.lease import Lease, holder_is_dead
from crmbridge.state.schema import leases
from crmbridge.state.store import StateStore
from tests.conftest import record, write_jsonl
from tests.state.test_lease import store  # noqa: F401 (the sqlite/postgresql fixture)

HOST = socket.gethostname()


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def holder_of(store) -> str:
    with store.engine.connect() as conn:
        return conn.scalar(sa.select(leases.c.holder))


def test_a_lease_of_a_dead_process_on_this_host_is_taken_over_at_once(store):
    gone = f"{HOST}:{dead_pid()}:killed00"
    Lease(store, "src", gone, seconds=300).acquire()
    Lease(store, "src", "worker-b").acquire()
    assert holder_of(store) == "worker-b"


def test_a_killed_but_unreaped_process_counts_as_dead(store):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        Lease(store, "src", f"{HOST}:{child.pid}:zombie00", seconds=300).acquire()
        with pytest.raises(SourceBusy):
            Lease(store, "src", "worker-b").acquire()  # alive: it keeps the source
        child.send_signal(signal.SIGKILL)
        time.sleep(0.2)  # not waited for: a zombie
        Lease(store, "src", "worker-b").acquire()
    finally:
        child.wait()
    assert holder_of(store) == "worker-b"


def test_a_lease_of_a_living_process_on_this_host_is_respected(store):
    Lease(store, "src", f"{HOST}:{os.getppid()}:parent00", seconds=300).acquire()
    with pytest.raises(SourceBusy, match="crmbridge sources unlock src"):
        Lease(store, "src", "worker-b").acquire()


def test_a_lease_held_on_another_host_waits_for_its_expiry(store):
    Lease(store, "src", f"other-{HOST}:{dead_pid()}:remote00", seconds=300).acquire()
    with pytest.raises(SourceBusy):
        Lease(store, "src", "worker-b").acquire()


def test_only_processes_of_this_host_are_judged():
    assert holder_is_dead(f"{HOST}:{dead_pid()}:x")
    assert not holder_is_dead(f"{HOST}:{os.getpid()}:x")
    assert not holder_is_dead(f"elsewhere:{dead_pid()}:x")
    assert not holder_is_dead("worker-a")


def test_a_sync_killed_with_sigkill_is_resumed_at_once_by_the_next_one(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record(str(i)) for i in range(3000)])
    yaml = workdir / "crmbridge.yaml"
    yaml.write_text(yaml.read_text().replace("contacts_csv: contacts.csv", "batch_size: 20"))
    worker = subprocess.Popen(
        [sys.executable, "-m", "crmbridge", "sync", "--lease-seconds", "300"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    state = workdir / "state.db"
    deadline = time.monotonic() + 60
    held = None
    while held is None and time.monotonic() < deadline and worker.poll() is None:
        if state.exists():
            try:
                with sa.create_engine(f"sqlite:///{state}").connect() as conn:
                    held = conn.scalar(sa.select(leases.c.holder))
            except sa.exc.OperationalError:
                pass
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert held is not None and f":{worker.pid}:" in held, "the worker never held its lease"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "crmbridge", "sync", "--json"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (done.returncode, summary["skipped"]) == (0, []), done.stderr
    assert time.monotonic() - started < 120
    with sa.create_engine(f"sqlite:///{workdir / 'crm.db'}").connect() as conn:
        keys = conn.exec_driver_sql("SELECT count(DISTINCT key) FROM activities").scalar()
    assert keys == 3000


def test_a_run_that_skipped_one_source_exits_busy_though_another_ran(workdir):
    (workdir / "other.jsonl").write_text(json.dumps(record("9")) + "\n")
    yaml = workdir / "crmbridge.yaml"
    yaml.write_text(yaml.read_text() + "  - {name: other, connector: jsonl, path: other.jsonl}\n")
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    config = load_config(yaml)
    store = StateStore(config.state_url)
    Lease(store, "exports", "other-worker").acquire()
    summary = sync(config)
    store.close()
    assert (summary.skipped, summary.written) == (["exports"], 1)
    assert int(summary.exit_code) == 9
