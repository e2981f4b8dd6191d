import json
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic import command

from crmbridge.config import load_config
from crmbridge.crm.local import LocalCrm
from crmbridge.errors import ConfigError, SourceBusy
from crmbridge.pipeline import Pipeline, sync
from crmbridge.state import migrate
from crmbridge.state.lease import Lease
from crmbridge.state.schema import leases
from crmbridge.state.store import StateStore
from tests.conftest import record, write_jsonl


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'state.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    s = StateStore(url)
    yield s
    s.close()


def test_a_held_lease_refuses_a_second_worker_and_names_the_holder(store):
    Lease(store, "src", "worker-a").acquire()
    with pytest.raises(SourceBusy, match="worker-a"):
        Lease(store, "src", "worker-b").acquire()


def test_an_expired_lease_is_taken_over(store):
    Lease(store, "src", "killed-worker", seconds=-1).acquire()
    Lease(store, "src", "worker-b").acquire()
    with store.engine.connect() as conn:
        assert conn.scalar(sa.select(leases.c.holder)) == "worker-b"


def test_a_released_lease_is_free_again(store):
    lease = Lease(store, "src", "worker-a")
    lease.acquire()
    lease.release()
    Lease(store, "src", "worker-b").acquire()


def test_renewing_a_lease_another_worker_took_fails(store):
    mine = Lease(store, "src", "worker-a", seconds=-1)
    mine.acquire()
    Lease(store, "src", "worker-b").acquire()
    with pytest.raises(SourceBusy), store.engine.begin() as conn:
        mine.renew(conn)


def test_a_sync_skips_a_source_another_worker_holds_and_exits_busy(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    config = load_config(workdir / "crmbridge.yaml")
    store = StateStore(config.state_url)
    Lease(store, "exports", "other-worker").acquire()
    summary = sync(config)
    assert (summary.skipped, summary.status, int(summary.exit_code)) == (["exports"], "busy", 9)
    assert summary.written == 0
    store.close()


class StealsLeaseOnWrite(LocalCrm):
    """The real local CRM; while it writes, another worker takes over the source."""

    def write(self, batch):
        results = super().write(batch)
        with self.state.engine.begin() as conn:
            conn.execute(sa.update(leases).values(holder="usurper"))
        return results


def test_a_worker_that_lost_its_lease_mid_run_commits_neither_ledger_nor_cursor(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1"), record("2")])
    config = load_config(workdir / "crmbridge.yaml")
    adapter = StealsLeaseOnWrite(config.options_for(LocalCrm.Config, config.crm.options, "crm"))
    pipeline = Pipeline(config, adapter=adapter)
    adapter.state = pipeline.store
    summary = pipeline.run()
    assert summary.skipped == ["exports"]
    assert pipeline.store.cursor("exports") is None
    assert pipeline.store.ledger_rows(["x:1", "x:2"]) == {}
    pipeline.store.close()


def test_two_syncs_started_at_once_write_every_record_exactly_once(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record(str(n)) for n in range(2000)])
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "crmbridge", "sync", "--json"],
            cwd=workdir,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(p.wait(timeout=300), json.loads(p.stdout.read())) for p in procs]
    assert sorted(code for code, _ in outcomes) in ([0, 0], [0, 9])
    assert sum(s["created"] for _, s in outcomes) == 2000
    import sqlite3

    with sqlite3.connect(workdir / "crm.db") as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM activities").fetchone() == (
            2000,
            2000,
        )


def test_a_store_at_the_first_revision_is_upgraded_in_place_keeping_its_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        config = migrate._config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(sa.text("INSERT INTO cursors VALUES ('s', '{\"pos\": 7}', '2024-01-01')"))
    engine.dispose()
    store = StateStore(url)
    with store.engine.connect() as conn:
        assert migrate.current(conn) == migrate.head() != "0001"
    assert store.cursor("s") == {"pos": 7}
    Lease(store, "s", "w").acquire()
    store.close()


def test_a_dry_run_on_a_store_an_older_version_wrote_upgrades_a_copy_not_the_store(workdir):
    from tests.conftest import record, write_jsonl

    url = f"sqlite:///{workdir / 'state.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        config = migrate._config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    engine.dispose()
    write_jsonl(workdir / "interactions.jsonl", [record("1"), record("2")])

    summary = sync(load_config(workdir / "crmbridge.yaml"), dry_run=True)

    assert summary.created == 2
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert migrate.current(conn) == "0002"  # the store itself is untouched
    engine.dispose()


def test_a_dry_run_on_an_old_server_store_names_the_fix(pg_url):
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        config = migrate._config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    engine.dispose()
    with pytest.raises(ConfigError, match="older schema revision") as caught:
        StateStore(pg_url, read_only=True)
    assert "crmbridge sync" in caught.value.hint
