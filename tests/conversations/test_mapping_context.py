"""Mapping templates see the classification as ``c`` and the conversation as ``conv``."""

from __future__ import annotations

import sqlite3

from crmbridge.config import load_config
from crmbridge.pipeline import sync
from tests.conftest import record, write_jsonl

PRESET = """\
name: with-conversation
object: activity
fields:
  subject: "{{ c.sentiment.label if c else 'none' }} {{ c.intents | join('+') if c else '' }}"
  body: "{{ i.text }}"
  channel: "{{ i.platform }}"
  occurred_at: {template: "{{ i.created_at }}", type: datetime}
  thread: "{{ conv.key }} {{ conv.channels | join(',') }} #{{ conv.messages }}"
  agent: "{{ conv.agent or '' }}"
"""


def test_templates_render_sentiment_intents_conversation_and_agent(workdir):
    (workdir / "preset.yaml").write_text(PRESET)
    with (workdir / "crmbridge.yaml").open("a") as handle:
        handle.write("mapping: preset.yaml\n")
    author = {"id": "u1", "email": "jane@example.com"}
    write_jsonl(
        workdir / "interactions.jsonl",
        [
            record("1", author=author, text="is the app down? can't log in"),
            record(
                "2",
                platform="x",
                author={"id": "brand"},
                direction="outbound",
                agent="Sam",
                in_reply_to="1",
                text="We are on it",
                created_at="2024-01-15T11:00:00Z",
            ),
            record(
                "3", platform="facebook", author=author, text="", created_at="2024-01-15T12:00:00Z"
            ),
        ],
    )
    assert sync(load_config(workdir / "crmbridge.yaml")).written == 3
    with sqlite3.connect(workdir / "crm.db") as db:
        rows = dict(
            db.execute(
                "SELECT key, json_extract(fields, '$.subject') || '|' || "
                "json_extract(fields, '$.thread') || '|' || "
                "coalesce(json_extract(fields, '$.agent'), '') FROM activities"
            ).fetchall()
        )
    subject, thread, agent = rows["x:1"].split("|")
    assert subject.startswith("negative") and "outage" in subject
    assert (thread, agent) == ("conv:x:1 x #1", "")
    assert rows["x:2"].split("|")[1:] == ["conv:x:1 x #2", "Sam"]
    assert rows["facebook:3"].split("|")[:2] == ["none", "conv:x:1 x,facebook #3"]
