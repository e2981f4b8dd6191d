from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from crmbridge.state import migrate
from crmbridge.state.schema import metadata
from crmbridge.state.store import BatchCommit, StateStore


def ledger_row(key: str, **over):
    now = datetime.now(UTC)
    row = {
        "key": key,
        "source": "s",
        "platform": "x",
        "kind": "mention",
        "message_id": key,
        "persona_key": "x:p",
        "contact_id": "C1",
        "conversation_key": "x:c",
        "status": "written",
        "crm_object": "activity",
        "crm_id": "1",
        "payload_hash": "h",
        "write_hash": "w",
        "version_at": now,
        "attempts": 0,
        "error_kind": None,
        "error_message": None,
        "payload": "{}",
        "created_at": now,
        "updated_at": now,
    }
    row.update(over)
    return row


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    s = StateStore(url)
    yield s
    s.close()


def test_a_new_store_is_migrated_to_the_newest_revision(store):
    with store.engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()


def test_the_migrations_create_exactly_the_tables_and_columns_of_the_schema(store):
    inspector = sa.inspect(store.engine)
    for table in metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == set(table.c.keys()), table.name


def test_opening_an_up_to_date_store_again_changes_nothing(store):
    assert migrate.upgrade(store.engine) is False


def test_a_batch_commit_writes_ledger_quarantine_and_cursor_together(store):
    store.commit(
        BatchCommit(
            source="s",
            cursor={"pos": 3},
            ledger=[ledger_row("x:1")],
            quarantine=[
                {"source": "s", "fingerprint": "f1", "location": "a:1", "reason": "bad", "raw": "{"}
            ],
        )
    )
    assert store.cursor("s") == {"pos": 3}
    assert store.ledger_rows(["x:1"])["x:1"].crm_id == "1"
    assert [q["reason"] for q in store.quarantined()] == ["bad"]


def test_a_failing_batch_commit_leaves_the_cursor_where_it_was(store):
    store.commit(BatchCommit(source="s", cursor={"pos": 1}, ledger=[ledger_row("x:1")]))
    broken = ledger_row("x:2", payload=None)  # violates NOT NULL inside the transaction
    with pytest.raises(sa.exc.IntegrityError):
        store.commit(BatchCommit(source="s", cursor={"pos": 2}, ledger=[broken]))
    assert store.cursor("s") == {"pos": 1}
    assert "x:2" not in store.ledger_rows(["x:2"])


def test_the_same_quarantined_record_is_kept_once(store):
    q = {"source": "s", "fingerprint": "same", "location": "a:1", "reason": "bad", "raw": "{"}
    store.commit(BatchCommit(source="s", cursor=None, quarantine=[dict(q)]))
    store.commit(BatchCommit(source="s", cursor=None, quarantine=[dict(q)]))
    assert len(store.quarantined()) == 1


def test_upserting_a_ledger_row_updates_it_in_place(store):
    store.commit(BatchCommit(source="s", cursor=None, ledger=[ledger_row("x:1")]))
    store.commit(
        BatchCommit(
            source="s", cursor=None, ledger=[ledger_row("x:1", crm_id="9", status="failed")]
        )
    )
    row = store.ledger_rows(["x:1"])["x:1"]
    assert (row.crm_id, row.status) == ("9", "failed")


def test_a_dry_run_store_on_a_missing_file_creates_no_file(tmp_path):
    path = tmp_path / "never.db"
    s = StateStore(f"sqlite:///{path}", read_only=True)
    assert s.report()["activities"] == 0
    s.close()
    assert not path.exists()


def test_an_unreachable_state_url_is_a_config_error():
    from crmbridge.errors import ConfigError

    with pytest.raises(ConfigError, match="state"):
        StateStore("postgresql+psycopg://nobody@127.0.0.1:1/none")
