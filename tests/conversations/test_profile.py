"""`crmbridge history` starts with the contact's profile roll-up from the state store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from crmbridge.cli import main
from crmbridge.config import load_config
from crmbridge.pipeline import sync
from tests.conftest import record, write_jsonl


def ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def history(workdir, *args: str):
    done = CliRunner().invoke(
        main, ["history", "C1", "--config", str(workdir / "crmbridge.yaml"), *args]
    )
    assert done.exit_code == 0, done.output
    return done.output


def test_history_shows_channels_handles_last_sentiment_and_the_open_conversation(workdir):
    jane = {"name": "Jane Doe", "email": "jane@example.com"}
    rows = [
        record(
            "1",
            author={"id": "xj", "handle": "jdoe", **jane},
            created_at=ago(30),
            text="love the new jacket",
        ),
        record(
            "2",
            platform="facebook",
            kind="dm",
            author={"id": "fj", **jane},
            created_at=ago(5),
            text="the zip broke after two days, I want a refund",
        ),
        record(
            "3",
            author={"id": "brand"},
            direction="outbound",
            agent="Sam",
            in_reply_to="1",
            created_at=ago(29),
            text="Thanks Jane!",
        ),
    ]
    write_jsonl(workdir / "interactions.jsonl", rows)
    assert sync(load_config(workdir / "crmbridge.yaml")).written == 3
    profile = json.loads(history(workdir, "--json"))["profile"]
    assert profile["channels"]["x"]["messages"] == 2
    assert profile["channels"]["facebook"]["messages"] == 1
    assert {h["persona"] for h in profile["handles"]} == {"x:xj", "facebook:fj"}
    assert profile["last_interaction"]["key"] == "facebook:2"
    assert profile["last_sentiment"]["label"] == "negative"
    conv = profile["open_conversation"]
    assert conv["key"] == "conv:x:1"
    assert conv["channels"] == ["x", "facebook"] and conv["messages"] == 3
    assert conv["last_agent"] == "Sam"
    text = history(workdir)
    assert "x:@jdoe" in text and "last sentiment: negative" in text
    assert "open: conv:x:1 on x, facebook, 3 messages" in text


def test_a_contact_with_nothing_synced_has_an_empty_profile(workdir):
    profile = json.loads(history(workdir, "--json"))["profile"]
    assert profile["channels"] == {} and profile["open_conversation"] is None
    assert profile["last_interaction"] is None and profile["last_sentiment"] is None
