"""Conversation KPIs in `crmbridge report --json`, computed from a small known history."""

from __future__ import annotations

import json

from click.testing import CliRunner

from crmbridge.cli import main
from crmbridge.config import load_config
from crmbridge.pipeline import sync
from tests.conftest import record, write_jsonl

JANE = {"name": "Jane Doe", "email": "jane@example.com"}


def test_report_json_shows_response_resolution_channels_and_sentiment(workdir):
    rows = [
        record(
            "1",
            author={"id": "xj", **JANE},
            text="my refund never arrived",
            created_at="2024-03-01T09:00:00Z",
        ),
        record(
            "2",
            author={"id": "brand"},
            direction="outbound",
            agent="Sam",
            in_reply_to="1",
            text="Sorry, checking now",
            created_at="2024-03-01T11:00:00Z",
        ),
        record(
            "3",
            platform="facebook",
            kind="dm",
            author={"id": "fj", **JANE},
            text="thanks, all sorted, great service",
            created_at="2024-03-02T05:00:00Z",
        ),
        record("4", author={"id": "someone"}, text="hello?", created_at="2024-03-05T09:00:00Z"),
    ]
    write_jsonl(workdir / "interactions.jsonl", rows)
    config = load_config(workdir / "crmbridge.yaml")
    assert sync(config).written == 4
    done = CliRunner().invoke(main, ["report", "--json", "--config", str(config.file)])
    assert done.exit_code == 0, done.output
    kpis = json.loads(done.output)["conversations"]
    overall = kpis["overall"]
    assert (overall["conversations"], overall["open"], overall["closed"]) == (2, 0, 2)
    assert (overall["messages"], overall["inbound"], overall["outbound"]) == (4, 3, 1)
    assert overall["first_response_s"] == {"count": 1, "median": 7200.0, "p90": 7200.0}
    # Jane's: opened 09:00, last message 20 h later, closed 72 h after that (92 h);
    # the stranger's single message closed after 72 h.
    assert overall["resolution_s"] == {"count": 2, "median": 295200.0, "p90": 324000.0}
    assert (overall["multi_channel"], overall["channel_shifts"], overall["unanswered"]) == (1, 1, 1)
    assert overall["sentiment"]["positive"] == 1  # Jane's last word was thanks
    assert kpis["messages_by_channel"] == {"facebook": 1, "x": 3}
    assert kpis["by_channel"]["facebook"]["conversations"] == 1
    assert kpis["by_channel"]["x"]["conversations"] == 2
    assert kpis["by_channel"]["x"]["messages"] == 3


def test_report_text_names_the_conversation_figures(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1", author={"id": "a"})])
    sync(load_config(workdir / "crmbridge.yaml"))
    done = CliRunner().invoke(main, ["report", "--config", str(workdir / "crmbridge.yaml")])
    assert done.exit_code == 0, done.output
    assert "conversations: 1 (0 open, 0 multi-channel), median first response -" in done.output
