"""Author-less items have no persona; a deletion keeps what the message was (real pipeline)."""

import json
import sqlite3

from crmbridge.config import load_config
from crmbridge.crm.local import LocalCrm
from crmbridge.models import no_author
from crmbridge.pipeline import sync
from crmbridge.state.store import StateStore
from tests.conftest import record, write_jsonl


def _activities(workdir):
    with sqlite3.connect(workdir / "crm.db") as db:
        db.row_factory = sqlite3.Row
        return {r["key"]: dict(r) for r in db.execute("SELECT * FROM activities")}


def _ledger_payload(config, key):
    store = StateStore(config.state_url)
    try:
        return json.loads(store.ledger_rows([key])[key].payload)
    finally:
        store.close()


def test_an_author_less_item_is_never_linked_even_when_it_carries_a_contacts_email(workdir):
    gone = {**no_author("t1_a"), "email": "jane@example.com"}
    rows = [
        record("t1_a", platform="reddit", author=gone),
        record("t1_b", platform="reddit", author=no_author("t1_b")),
    ]
    write_jsonl(workdir / "interactions.jsonl", rows)
    config = load_config(workdir / "crmbridge.yaml")
    summary = sync(config)
    assert summary.written == 2
    assert {a["contact_id"] for a in _activities(workdir).values()} == {None}
    store = StateStore(config.state_url)
    try:
        assert store.active_links(["reddit:~t1_a", "reddit:~t1_b"]) == {}
        assert [p["key"] for p in store.unmatched()] == []  # no persona to work on
    finally:
        store.close()


def test_a_deletion_in_a_later_run_keeps_the_kind_time_and_thread_of_the_message(workdir):
    original = record(
        "5",
        kind="reply",
        conversation_id="4",
        in_reply_to="4",
        created_at="2024-01-15T10:30:00Z",
        author={"id": "p", "handle": "jdoe"},
    )
    write_jsonl(workdir / "interactions.jsonl", [original])
    config = load_config(workdir / "crmbridge.yaml")
    sync(config)
    deletion = record(
        "5",
        kind="mention",  # all an X delete event can say
        created_at="2024-01-15T10:30:00Z",
        edited_at="2024-01-20T08:00:00Z",
        deleted=True,
        text="",
        author={"id": "p"},
    )
    with (workdir / "interactions.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(deletion) + "\n")
    summary = sync(config)
    assert summary.written == 1
    stored = _ledger_payload(config, "x:5")
    assert (stored["kind"], stored["created_at"], stored["deleted"]) == (
        "reply",
        "2024-01-15T10:30:00Z",
        True,
    )
    assert stored["conversation_id"] == "4" and stored["text"] == ""
    assert stored["author"]["handle"] == "jdoe"
    (activity,) = LocalCrm.history(_open(config), "C1")
    assert activity["deleted"] is True


def _open(config):
    crm = LocalCrm(config.options_for(LocalCrm.Config, config.crm.options, "crm"))
    crm.open()
    return crm
