"""`review` refuses unknown ids with exit 2; `history` finds a contact and reads as threads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import record, write_jsonl


def run(workdir, *args, columns: int = 80):
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "crmbridge", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def synced(workdir):
    long_text = "my order never arrived " + "and nobody answers my messages " * 8 + "END"
    jane = {"id": "j1", "handle": "jdoe", "name": "Jane Doe", "email": "jane@example.com"}
    rows = [
        record("1", author=jane, text=long_text, url="https://x.com/jdoe/status/1"),
        record(
            "2",
            platform="facebook",
            kind="dm",
            is_private=True,
            author={"id": "fj", "name": "Jane Doe", "email": "jane@example.com"},
            text="hello again on facebook",
            created_at="2024-01-15T11:00:00Z",
        ),
        record("3", author={"id": "s", "handle": "shared"}),
        record("4", author={"id": "s", "handle": "shared"}, created_at="2024-01-15T10:40:00Z"),
    ]
    write_jsonl(workdir / "interactions.jsonl", rows)
    assert run(workdir, "sync").returncode == 0
    return workdir


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("review", "link", "facebook:0000", "C1"), "no persona 'facebook:0000'"),
        (("review", "link", "x:s", "C999999"), "no contact 'C999999'"),
        (("review", "approve", "999"), "no review item 999"),
        (("review", "reject", "999"), "no review item 999"),
        (("review", "approve", "1", "--contact", "C999999"), "no contact 'C999999'"),
        (("review", "unlink", "facebook:0000"), "no persona 'facebook:0000'"),
        (("history", "nobody@example.com"), "no contact matches 'nobody@example.com'"),
    ],
)
def test_unknown_ids_are_refused_with_exit_2_and_a_clear_message(synced, args, message):
    done = run(synced, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr


def test_a_decided_item_is_refused_the_second_time_with_who_decided(synced):
    assert run(synced, "review", "reject", "1", "--by", "ana").returncode == 0
    again = run(synced, "review", "approve", "1")
    assert again.returncode == 2 and "already rejected by ana" in again.stderr


def test_review_list_shows_author_candidates_evidence_and_the_count(synced):
    done = run(synced, "review", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "1 of 1 open review item(s) (items 1-1)"
    assert "@shared on x  (x:s), 2 message(s) waiting" in done.stdout
    assert "candidate C5  Ann Lee" in done.stdout and "candidate C6  Anne Leigh" in done.stdout
    assert "agree     handle  author: shared  contact: shared" in done.stdout
    data = json.loads(run(synced, "review", "list", "--json").stdout)
    assert (data["total"], data["page"]) == (1, 1)
    (item,) = data["reviews"]
    assert item["author"]["messages_waiting"] == 2
    assert {c["contact"]["id"] for c in item["candidates"]} == {"C5", "C6"}


@pytest.mark.parametrize("lookup", ["C1", "jane@example.com", "+44 7700 900123", "@jdoe", "x:j1"])
def test_history_finds_the_contact_by_id_email_phone_handle_or_persona(synced, lookup):
    done = run(synced, "history", lookup, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["contact_id"] == "C1"


def test_history_groups_messages_by_conversation_with_full_text_wrapped(synced):
    data = json.loads(run(synced, "history", "C1", "--json").stdout)
    assert data["contact"]["name"] == "Jane Doe"
    messages = [m for t in data["conversations"] for m in t["messages"]]
    assert {m["channel"] for m in messages} == {"x", "facebook"}
    assert all(m["conversation"] for m in messages)
    assert len(data["conversations"]) == 1  # one person, one conversation across channels
    text = run(synced, "history", "C1", columns=60).stdout
    assert all(len(line) <= 60 for line in text.splitlines()), text
    assert "END" in text and "https://x.com/jdoe/status/1" in text
    assert "facebook dm  Jane Doe (customer)" in text
    assert "Jane Doe  C1  jane@example.com" in text.splitlines()[0]


def test_history_text_shows_the_profile_mood_intents_case_and_sla_an_agent_needs(tmp_path):
    from tests.test_quickstart import QUICKSTART

    for name in ("crmbridge.yaml", "contacts.csv", "interactions.jsonl"):
        (tmp_path / name).write_bytes((QUICKSTART / name).read_bytes())
    assert run(tmp_path, "sync").returncode == 0
    text = run(tmp_path, "history", "noah.fischer@web.de", columns=100).stdout
    lines = text.splitlines()
    assert lines[0].startswith("Noah Fischer  C000038  noah.fischer@web.de")
    profile = " ".join(line.strip() for line in lines if ": " in line)
    assert "profile_url: https://x.com/noahfischer" in profile and "followers: 177" in profile
    assert re.search(r"== conv:x:\d+  x > youtube  open  case \d+ High, SLA due 2024-03-", text)
    assert "Noah Fischer (customer) negative -0.55 [billing, complaint]" in text
    assert "https://www.youtube.com/watch?v=nwcc99a497f&lc=" in text
