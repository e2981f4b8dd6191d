"""Threading through the real pipeline: one person across channels, windows, reply chains."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
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
