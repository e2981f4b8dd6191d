"""The same messages give the same cases and escalations, however the runs split them."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crmbridge.config import load_config
from crmbridge.pipeline import Pipeline
from tests.conftest import CONTACTS, record, write_jsonl

RULES = (
    "rules:\n"
    "  - name: complaint\n"
    "    when: {direction: inbound, keywords: [late, broken, refund]}\n"
    "    then: {case: {priority: Medium}, sla: {within: 30m, escalate: tier2}}\n"
    "  - name: question\n"
    "    when: {direction: inbound, keywords: [how do]}\n"
    "    then: {sla: 2h}\n"
)


def at(minute: int) -> str:
    return f"2024-01-15T{10 + minute // 60:02d}:{minute % 60:02d}:00Z"


KNOWN = {  # authors the contacts CSV holds: their agents' replies land on their contacts
    "c1": {"id": "jane-1", "name": "Jane Doe", "email": "jane@example.com"},
    "c2": {"id": "john-1", "name": "John Roe", "email": "john.roe@example.com"},
}


def inbound(mid: str, conversation: str, minute: int, text: str, **over: Any) -> dict[str, Any]:
    author = KNOWN.get(conversation) or {"id": f"a-{conversation}", "name": f"P {conversation}"}
    author = {**author, **over.pop("author", {})}
    when = at(minute)
    return record(
        mid, conversation_id=conversation, created_at=when, text=text, author=author, **over
    )


def reply(mid: str, conversation: str, to: str, minute: int) -> dict[str, Any]:
    return record(
        mid,
        conversation_id=conversation,
        in_reply_to=to,
        direction="outbound",
        agent="Sam",
        text="On it",
        created_at=at(minute),
        author={"id": "brand", "name": "Brand"},
    )


# c1: replied late (after its 30 min); c2: replied in time; c3: never replied; c4: a second
# complaint after its first deadline passed unanswered (the clock starts again).
INBOX = [
    inbound("1", "c1", 30, "my parcel is late"),
    inbound("2", "c2", 40, "the lid is broken"),
    inbound("3", "c3", 45, "I want a refund"),
    inbound("4", "c4", 46, "late again"),
    inbound("5", "c4", 100, "still late, and now broken"),
    inbound("6", "c5", 120, "nice weather"),
    inbound("7", "c6", 0, "how do I return this?"),  # no case; missing its SLA opens one
    inbound("8", "c6", 200, "how do I get a refund, it came broken"),  # then a complaint
    inbound("10", "c8", 5, "parcel is late", author={"id": "jd-9", "name": "J D"}),
    inbound("11", "c8", 300, "still late", author={"id": "jd-9", "email": "jane@example.com"}),
]
AGENTS = [reply("r2", "c2", "2", 50), reply("r1", "c1", "1", 80), reply("r4", "c4", "5", 170)]


def world(folder: Path, two_sources: bool) -> Path:
    folder.mkdir()
    (folder / "contacts.csv").write_text(CONTACTS)
    sources = "sources:\n  - {name: inbox, connector: jsonl, path: inbox.jsonl}\n"
    if two_sources:
        sources += "  - {name: agents, connector: jsonl, path: agents.jsonl}\n"
    (folder / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv, batch_size: 2}\n"
        + sources
        + RULES
    )
    return folder / "crmbridge.yaml"


def run(path: Path, only: str | None = None) -> None:
    pipeline = Pipeline(load_config(path))
    try:
        pipeline.run(only)
    finally:
        pipeline.store.close()


def outcome(folder: Path) -> dict[str, Any]:
    """Every activity and case in the CRM and every case plan, without timestamps or ids."""
    with sqlite3.connect(folder / "crm.db") as db:
        activities = {
            key: (contact, json.loads(fields))
            for key, contact, fields in db.execute("SELECT key, contact_id, fields FROM activities")
        }
        crm = {
            key: (contact, json.loads(fields), status)
            for key, contact, fields, status in db.execute(
                "SELECT key, contact_id, fields, status FROM cases"
            )
        }
    engine = sa.create_engine(f"sqlite:///{folder / 'state.db'}")
    with engine.connect() as conn:
        plans = {
            row.key: {k: str(v) for k, v in row._mapping.items() if k not in ("updated_at",)}
            for row in conn.execute(sa.text("SELECT * FROM rule_cases"))
        }
    engine.dispose()
    for plan in plans.values():
        plan.pop("crm_id")
    return {"activities": activities, "crm": crm, "plans": plans}


def test_a_backlog_synced_in_two_parts_gives_the_cases_of_one_run(tmp_path):
    feed = sorted(INBOX + AGENTS, key=lambda r: r["created_at"])
    once = world(tmp_path / "once", two_sources=False)
    write_jsonl(once.parent / "inbox.jsonl", feed)
    run(once)
    for split in range(1, len(feed)):
        parts = world(tmp_path / f"parts{split}", two_sources=False)
        write_jsonl(parts.parent / "inbox.jsonl", feed[:split])
        run(parts)
        write_jsonl(parts.parent / "inbox.jsonl", feed)
        run(parts)
        assert outcome(parts.parent) == outcome(once.parent), f"split after {split}"
    escalated = {k for k, p in outcome(once.parent)["plans"].items() if p["escalations"] != "0"}
    assert escalated >= {"conv:x:1", "conv:x:3", "conv:x:4", "conv:x:7"}


def test_one_source_first_then_the_rest_gives_the_cases_of_one_run(tmp_path):
    together = world(tmp_path / "together", two_sources=True)
    write_jsonl(together.parent / "inbox.jsonl", INBOX)
    write_jsonl(together.parent / "agents.jsonl", AGENTS)
    run(together)
    first = tmp_path / "first"
    shutil.copytree(together.parent, first)
    for name in ("crm.db", "state.db"):
        (first / name).unlink()
    run(first / "crmbridge.yaml", "inbox")
    run(first / "crmbridge.yaml")
    assert outcome(first) == outcome(together.parent)
    assert outcome(first)["crm"]["conv:x:2"][1]["priority"] == "Medium"  # answered in time


def test_an_x_edit_seen_before_its_original_starts_the_original_s_conversation():
    from crmbridge.conversations.threader import conversation_key
    from crmbridge.models import parse_interaction

    edit = parse_interaction(inbound("9e", "c7", 12, "late, a week now", edit_of="9"), "t:1")
    original = parse_interaction(inbound("9", "c7", 10, "late"), "t:2")
    assert conversation_key(edit) == conversation_key(original) == "conv:x:9"
