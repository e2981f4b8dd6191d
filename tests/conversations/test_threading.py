"""Threading through the real pipeline: one person across channels, windows, reply chains."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crmbridge.config import load_config
from crmbridge.conversations import rethread
from crmbridge.identity.review import link, unlink
from crmbridge.pipeline import sync
from crmbridge.state.schema import conversations, ledger
from crmbridge.state.store import StateStore
from tests.conftest import record, write_jsonl

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
JANE = {"name": "Jane Doe", "email": "jane@example.com"}


def at(hours: float) -> str:
    return (START + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def jane_on(platform: str, message_id: str, hours: float, **over: Any) -> dict[str, Any]:
    author = {"id": f"{platform}-jane", **JANE}
    return record(message_id, platform=platform, author=author, created_at=at(hours), **over)


def run(workdir, rows, extra_config: str = "") -> StateStore:
    write_jsonl(workdir / "interactions.jsonl", rows)
    if extra_config:
        with (workdir / "crmbridge.yaml").open("a") as handle:
            handle.write(extra_config)
    config = load_config(workdir / "crmbridge.yaml")
    summary = sync(config)
    assert summary.failed == 0 and summary.quarantined == 0
    return StateStore(config.state_url)


def stored(store: StateStore) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        query = select(conversations).order_by(conversations.c.opened_at)
        return [dict(r._mapping) for r in conn.execute(query)]


def placed(store: StateStore) -> dict[str, str]:
    with store.engine.connect() as conn:
        return dict(conn.execute(select(ledger.c.key, ledger.c.conversation_key)).all())


def test_one_person_on_x_then_messenger_then_youtube_within_the_window_is_one_conversation(
    workdir,
):
    store = run(
        workdir,
        [
            jane_on("x", "1", 0, text="my order never arrived"),
            jane_on("facebook", "2", 20, kind="dm", is_private=True, text="still waiting"),
            jane_on("youtube", "3", 60, kind="comment", text="no answer yet, this is awful"),
        ],
    )
    [conv] = stored(store)
    assert conv["person_key"] == "contact:C1"
    assert json.loads(conv["channels"]) == ["x", "facebook", "youtube"]
    assert (conv["messages"], conv["inbound"], conv["channel_shifts"]) == (3, 3, 2)
    assert conv["last_label"] == "negative"
    assert set(placed(store).values()) == {conv["key"]} == {"conv:x:1"}
    store.close()


def test_a_message_after_the_reopen_window_starts_a_new_conversation(workdir):
    closes_at = 72 + 24 * 5  # silent for the 72 h window, then the 5 day reopen window
    store = run(workdir, [jane_on("x", "1", 0), jane_on("facebook", "2", closes_at + 1)])
    first, second = stored(store)
    assert first["status"] == "closed" and second["status"] == "open"
    assert first["closed_at"].replace(tzinfo=UTC) == START + timedelta(hours=72)
    assert (first["messages"], second["messages"]) == (1, 1)
    assert second["reopen_count"] == 0
    store.close()


def test_a_message_within_the_reopen_window_reopens_the_closed_conversation(workdir):
    store = run(workdir, [jane_on("x", "1", 0), jane_on("youtube", "2", 72 + 48)])
    [conv] = stored(store)
    assert (conv["reopen_count"], conv["status"], conv["messages"]) == (1, "open", 2)
    store.close()


def test_the_windows_come_from_the_config(workdir):
    extra = "conversations: {window: 30m, reopen_window: 1h}\n"
    store = run(workdir, [jane_on("x", "1", 0), jane_on("x", "2", 2)], extra)
    assert len(stored(store)) == 2
    store.close()


def test_an_unknown_author_s_reply_chain_with_an_agent_stays_one_conversation(workdir):
    stranger = {"id": "stranger", "handle": "nobody_known", "name": "Zed"}
    rows = [
        record("10", author=stranger, created_at=at(0), text="app is down?"),
        record(
            "11",
            author={"id": "brand", "handle": "brand"},
            direction="outbound",
            agent="Sam",
            in_reply_to="10",
            created_at=at(1),
            text="Sorry! Looking into it",
        ),
        # Days later, past every window, but an explicit reply to the agent.
        record("12", author=stranger, in_reply_to="11", created_at=at(200), text="still down"),
        # Someone else answering in the chain joins it too.
        record("13", author={"id": "other"}, in_reply_to="12", created_at=at(201)),
    ]
    store = run(workdir, rows)
    [conv] = stored(store)
    assert conv["person_key"] == "x:stranger"
    assert (conv["messages"], conv["inbound"], conv["outbound"]) == (4, 3, 1)
    assert conv["first_response_at"].replace(tzinfo=UTC) == START + timedelta(hours=1)
    assert conv["last_agent"] == "Sam"
    assert conv["reopen_count"] == 1
    store.close()


def test_a_platform_thread_spanning_batches_stays_in_its_conversation(workdir):
    rows = [jane_on("x", "1", 0, conversation_id="t1")]
    store = run(workdir, rows)
    store.close()
    rows.append(
        record(
            "2",
            author={"id": "brand"},
            direction="outbound",
            agent="Ann",
            conversation_id="t1",
            created_at=at(3),
        )
    )
    store = run(workdir, rows)
    [conv] = stored(store)
    assert (conv["messages"], conv["outbound"]) == (2, 1)
    store.close()


def test_syncing_again_counts_no_message_twice(workdir):
    rows = [jane_on("x", "1", 0), jane_on("facebook", "2", 1)]
    store = run(workdir, rows)
    store.close()
    (workdir / "copy.jsonl").write_text((workdir / "interactions.jsonl").read_text())
    text = (workdir / "crmbridge.yaml").read_text().replace("interactions.jsonl", "copy.jsonl")
    (workdir / "crmbridge.yaml").write_text(text)
    sync(load_config(workdir / "crmbridge.yaml"))
    store = StateStore(load_config(workdir / "crmbridge.yaml").state_url)
    [conv] = stored(store)
    assert conv["messages"] == 2
    store.close()


def test_undoing_a_link_splits_the_conversation_again(workdir):
    # The Messenger persona carries no contact details: only a manual link joins it.
    rows = [
        jane_on("x", "1", 0),
        record("2", platform="facebook", author={"id": "fb-9"}, created_at=at(2)),
        jane_on("x", "3", 4),
    ]
    store = run(workdir, rows)
    assert len(stored(store)) == 2
    link(store, "facebook:fb-9", "C1", "reviewer")
    [merged] = stored(store)
    assert merged["key"] == "conv:x:1" and merged["messages"] == 3
    assert json.loads(merged["channels"]) == ["x", "facebook"]
    assert merged["channel_shifts"] == 2
    unlink(store, "facebook:fb-9", "reviewer")
    convs = {c["key"]: c for c in stored(store)}
    assert set(convs) == {"conv:x:1", "conv:facebook:2"}
    assert convs["conv:facebook:2"]["person_key"] == "facebook:fb-9"
    assert convs["conv:x:1"]["messages"] == 2
    assert placed(store)["facebook:2"] == "conv:facebook:2"
    store.close()


def test_a_case_on_a_conversation_survives_a_rethread(workdir):
    store = run(workdir, [jane_on("x", "1", 0)])
    with store.engine.begin() as conn:
        conn.execute(conversations.update().values(case_key="case:1", escalations=1))
    result = rethread(store, "x:x-jane")
    assert result.after == ["conv:x:1"] and result.interactions == 1
    [conv] = stored(store)
    assert (conv["case_key"], conv["escalations"]) == ("case:1", 1)
    store.close()


@pytest.mark.parametrize("value", ["72", "3 weeks", "-1h", "0m"])
def test_a_bad_window_is_a_config_error_naming_the_key(workdir, value):
    from crmbridge.errors import ConfigError

    with (workdir / "crmbridge.yaml").open("a") as handle:
        handle.write(f"conversations: {{window: '{value}'}}\n")
    with pytest.raises(ConfigError, match=r"conversations\.window"):
        load_config(workdir / "crmbridge.yaml")


def test_an_edit_arriving_later_stays_in_its_conversation_and_counts_once(workdir):
    rows = [jane_on("x", "1", 0, text="order late")]
    store = run(workdir, rows)
    store.close()
    rows.append(jane_on("x", "1b", 0, edit_of="1", edited_at=at(1), text="order very late"))
    store = run(workdir, rows)
    [conv] = stored(store)
    assert conv["messages"] == 1
    assert placed(store) == {"x:1": "conv:x:1"}
    store.close()


def test_threading_and_rethreading_work_on_postgresql(workdir, pg_url):
    text = (workdir / "crmbridge.yaml").read_text().replace("sqlite:///state.db", pg_url)
    (workdir / "crmbridge.yaml").write_text(text)
    rows = [
        jane_on("x", "1", 0),
        record("2", platform="facebook", author={"id": "fb-9"}, created_at=at(2)),
        jane_on("youtube", "3", 30),
    ]
    store = run(workdir, rows)
    assert [c["messages"] for c in stored(store)] == [2, 1]
    link(store, "facebook:fb-9", "C1", "reviewer")
    [merged] = stored(store)
    assert json.loads(merged["channels"]) == ["x", "facebook", "youtube"]
    unlink(store, "facebook:fb-9", "reviewer")
    assert len(stored(store)) == 2
    store.close()


def test_threading_reads_conversations_once_per_batch_not_per_interaction(workdir):
    from sqlalchemy import event

    from crmbridge.pipeline import Pipeline

    rows = [
        record(
            str(n), author={"id": f"p{n % 40}"}, created_at=at(n / 10), conversation_id=f"t{n % 7}"
        )
        for n in range(1200)
    ]
    write_jsonl(workdir / "interactions.jsonl", rows)
    config = load_config(workdir / "crmbridge.yaml")
    store = StateStore(config.state_url)
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    pipeline = Pipeline(config, store=store)
    summary = pipeline.run()
    batches = -(-1200 // pipeline.adapter.max_batch)
    assert summary.written == 1200 and batches > 1
    reads = [
        s for s in statements if s.lstrip().upper().startswith("SELECT") and "conversations" in s
    ]
    assert len(reads) == batches
    assert sum(c["messages"] for c in stored(store)) == 1200
    store.close()


@pytest.mark.parametrize("seed", range(1, 6))
def test_small_batches_thread_exactly_like_one_big_batch(tmp_path, seed):
    import random
    import shutil

    rng = random.Random(seed)
    hours, rows = 0.0, []
    for n in range(80):
        hours += rng.choice([0.5, 3, 20, 80, 150])
        person = rng.choice(["a", "b", "c"])
        over: dict[str, Any] = {"platform": rng.choice(["x", "facebook", "youtube"])}
        if n and rng.random() < 0.2:
            parent = rng.choice(rows)
            over = {"platform": parent["platform"], "in_reply_to": parent["message_id"]}
        if rng.random() < 0.15:
            over.update(direction="outbound", agent="Ann")
            person = "brand"
        author = {"id": person, **(JANE if person == "a" else {})}  # a: linked to C1
        rows.append(record(str(n), author=author, created_at=at(hours), **over))
    results = []
    for batch_size in (500, 7):
        folder = tmp_path / str(batch_size)
        folder.mkdir()
        shutil.copy(Path(__file__).parent.parent / "fixtures" / "contacts.csv", folder)
        (folder / "crmbridge.yaml").write_text(
            "state: sqlite:///state.db\n"
            "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv, "
            f"batch_size: {batch_size}}}\n"
            "sources:\n  - {name: exports, connector: jsonl, path: interactions.jsonl}\n"
        )
        store = run(folder, rows)
        convs = [{k: v for k, v in c.items() if k != "updated_at"} for c in stored(store)]
        results.append((placed(store), convs))
        store.close()
    assert results[0][0] == results[1][0]
    for one, other in zip(results[0][1], results[1][1], strict=True):
        assert one == other
    assert sum(c["messages"] for c in results[0][1]) == 80
    assert {"contact:C1", "x:b"} <= {c["person_key"] for c in results[0][1]}


@pytest.mark.parametrize("seed", range(1, 4))
def test_link_then_unlink_restores_exactly_the_conversations_there_were(workdir, seed):
    import random

    rng = random.Random(seed)
    hours, rows = 0.0, []
    for n in range(40):
        hours += rng.choice([1, 10, 40, 100])
        platform, author = rng.choice(
            [("x", {"id": "xj", **JANE}), ("facebook", {"id": "fb-9"}), ("youtube", {"id": "y"})]
        )
        rows.append(record(str(n), platform=platform, author=author, created_at=at(hours)))
    store = run(workdir, rows)

    def snapshot():
        convs = [{k: v for k, v in c.items() if k != "updated_at"} for c in stored(store)]
        return placed(store), convs

    before = snapshot()
    link(store, "facebook:fb-9", "C1", "reviewer")
    merged = snapshot()
    assert len(merged[1]) < len(before[1])
    assert sum(c["messages"] for c in merged[1]) == 40
    unlink(store, "facebook:fb-9", "reviewer")
    assert snapshot() == before
    store.close()


def test_sources_synced_one_after_another_still_thread_by_time(workdir):
    # The X source is synced completely before the Messenger one, whose messages fall
    # between X's: each must join the conversation of its own time, not the newest one.
    xs = [jane_on("x", "1", 0), jane_on("x", "2", 30), jane_on("x", "3", 400)]
    fbs = [
        jane_on("facebook", "10", 10),
        jane_on("facebook", "11", 50),
        jane_on("facebook", "12", 410),
    ]
    write_jsonl(workdir / "x.jsonl", xs)
    write_jsonl(workdir / "fb.jsonl", fbs)
    (workdir / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}\n"
        "sources:\n"
        "  - {name: x-export, connector: jsonl, path: x.jsonl}\n"
        "  - {name: fb-export, connector: jsonl, path: fb.jsonl}\n"
    )
    config = load_config(workdir / "crmbridge.yaml")
    assert sync(config).written == 6
    store = StateStore(config.state_url)
    first, second = stored(store)
    assert (first["key"], first["messages"], first["status"]) == ("conv:x:1", 4, "closed")
    assert json.loads(first["channels"]) == ["x", "facebook"]
    assert first["last_at"].replace(tzinfo=UTC) == START + timedelta(hours=50)
    assert (second["key"], second["messages"], second["status"]) == ("conv:x:3", 2, "open")
    assert placed(store)["facebook:12"] == "conv:x:3"
    store.close()


def test_a_message_long_before_a_conversation_starts_its_own(workdir):
    store = run(workdir, [jane_on("x", "1", 500)])
    store.close()
    store = run(workdir, [jane_on("x", "1", 500), jane_on("facebook", "2", 0)])
    convs = {c["key"]: c for c in stored(store)}
    assert set(convs) == {"conv:x:1", "conv:facebook:2"}
    assert convs["conv:facebook:2"]["status"] == "closed"
    assert convs["conv:x:1"]["status"] == "open"
    store.close()


def test_a_preview_threads_one_message_like_the_sync_would_and_stores_nothing(workdir):
    from crmbridge.conversations.preview import preview_conversation
    from crmbridge.models import Interaction

    store = run(workdir, [jane_on("x", "1", 0), jane_on("x", "2", 400)])
    late = Interaction.model_validate(jane_on("facebook", "3", 10, text="where is my refund?"))
    conv, classification = preview_conversation(store, late, contact_id="C1")
    assert (conv["key"], conv["messages"]) == ("conv:x:1", 2)
    assert json.loads(conv["channels"]) == ["x", "facebook"]
    assert classification is not None and "billing" in classification.intents
    assert [c["messages"] for c in stored(store)] == [1, 1]
    store.close()
