"""``crmbridge rules test``: which rules fire and why, from the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crmbridge.cli import main
from crmbridge.pipeline import sync
from tests.conftest import record, write_jsonl
from tests.rules.test_actions import configure

RULES = [
    {
        "name": "outage",
        "when": {"direction": "inbound", "intent": ["outage"]},
        "then": {"case": {"priority": "High"}, "sla": "30m"},
        "stop": True,
    },
    {
        "name": "angry",
        "when": {"sentiment": {"below": -0.3}},
        "then": {"case": {"priority": "Medium"}},
    },
    {"name": "known-only", "when": {"identity": "linked"}, "then": {"tag": "known"}},
]


def run(workdir: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["rules", "test", "--config", str(workdir / "crmbridge.yaml"), *args], input=stdin
    )
    return result.exit_code, result.output


def test_rules_test_prints_each_rule_fired_or_not_and_why(workdir):
    configure(workdir, RULES, [])
    message = json.dumps(record("1", text="is the app down? can't log in"))
    code, out = run(workdir, "--interaction", message)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("x:1 (inbound, identity unmatched, sentiment")
    assert "intents ['outage'" in lines[0]
    assert lines[1].split() == ["FIRED", "outage", "fired"]
    assert "intent: intents ['outage'" in lines[3]
    assert lines[4].split()[:2] == ["skipped", "angry"] and "'outage' stopped" in lines[4]
    assert lines[5].split()[:2] == ["skipped", "known-only"]
    assert lines[-1] == (
        """  => case High "X mention from Someone: is the app down? can't log in"; sla 30m"""
    )


def test_rules_test_json_names_the_failing_condition_with_its_values(workdir):
    configure(workdir, RULES, [])
    message = json.dumps(record("2", text="Thanks, lovely service"))
    code, out = run(workdir, "--interaction", message, "--json")
    assert code == 0, out
    result = json.loads(out)
    by_rule = {r["rule"]: r for r in result["rules"]}
    assert [r["fired"] for r in result["rules"]] == [False, False, False]
    assert by_rule["outage"]["note"].startswith("intent: intents [")
    assert by_rule["angry"]["note"].startswith("sentiment: score 0.")
    assert by_rule["angry"]["note"].endswith("is not below -0.3")
    assert by_rule["known-only"]["note"] == "identity: 'unmatched' is not in ['linked']"
    assert result["decision"]["case"] is None
    assert result["facts"]["sentiment"]["label"] == "positive"


def test_rules_test_reads_many_lines_from_stdin_and_facts_from_the_state_store(workdir):
    jane = {"id": "j1", "handle": "jdoe", "email": "jane@example.com"}
    config = configure(workdir, RULES, [record("1", author=jane, text="hello")])
    sync(config)  # links the author, so the store knows her
    lines = "\n".join(
        [
            json.dumps(record("7", author=jane, text="thanks!")),
            "{not json",
            json.dumps(record("8", author={"id": "stranger"}, text="thanks!")),
        ]
    )
    code, out = run(workdir, "--interaction", "-", "--json", stdin=lines)
    assert code == 3, out  # a line it could not read: partial, as the exit-code table says
    known, broken, stranger = json.loads(out)
    assert known["facts"]["identity"] == "linked" and known["facts"]["contact_id"] == "C1"
    assert known["decision"]["tags"] == ["known"]
    assert broken["error"].startswith("line 2: not JSON")
    assert stranger["facts"]["identity"] == "unmatched" and stranger["decision"]["tags"] == []


def test_rules_test_writes_nothing_anywhere(workdir):
    configure(workdir, RULES, [])
    code, _ = run(workdir, "--interaction", json.dumps(record("1", text="app down")))
    assert code == 0
    assert not (workdir / "state.db").exists() and not (workdir / "crm.db").exists()


def test_rules_test_without_rules_is_a_config_error_that_says_what_to_add(workdir):
    write_jsonl(workdir / "interactions.jsonl", [])
    code, out = run(workdir, "--interaction", json.dumps(record("1")), "--json")
    assert code == 4
    assert "no rules to test" in json.loads(out)["error"]["message"]


def test_rules_test_finds_the_author_s_open_conversation_and_its_age(workdir):
    jane = {"id": "j1", "handle": "jdoe", "email": "jane@example.com"}
    rules = [
        {
            "name": "long-running",
            "when": {"conversation_age": {"at_least": "1d"}, "kind": "dm"},
            "then": {"escalate": "tier2"},
        }
    ]
    config = configure(workdir, rules, [record("1", author=jane, text="order late")])
    sync(config)
    later = record(
        "9",
        kind="dm",
        is_private=True,
        author=jane,
        text="still nothing",
        created_at="2024-01-17T10:30:00Z",
    )
    code, out = run(workdir, "--interaction", json.dumps(later), "--json")
    assert code == 0, out
    result = json.loads(out)
    facts = result["facts"]
    assert facts["conversation"] == "conv:x:1" and facts["identity"] == "linked"
    assert (facts["conversation_age"], facts["channels"]) == ("2d", ["x"])
    assert result["decision"]["escalate"] == "tier2"
    much_later = {**later, "created_at": "2024-02-20T10:30:00Z"}
    _, out = run(workdir, "--interaction", json.dumps(much_later), "--json")
    assert json.loads(out)["facts"]["conversation_age"] == "0s"  # outside the window: new


def test_history_lists_the_contact_s_cases_beside_the_activities(workdir):
    jane = {"id": "j1", "handle": "jdoe", "email": "jane@example.com"}
    rule = {"name": "down", "when": {"keywords": "down"}, "then": {"case": {"priority": "High"}}}
    sync(configure(workdir, [rule], [record("1", author=jane, text="app down")]))
    args = ["history", "C1", "--config", str(workdir / "crmbridge.yaml")]
    data = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    assert [a["key"] for a in data["activities"]] == ["x:1"]
    (case,) = data["cases"]
    assert (case["key"], case["priority"], case["status"]) == ("conv:x:1", "High", "open")
    text = CliRunner().invoke(main, args).output
    assert "case High    X mention from @jdoe: app down (open)" in text.splitlines()


def test_an_agent_reply_is_tested_as_belonging_to_the_contact_it_answers(workdir):
    jane = {"id": "j1", "handle": "jdoe", "email": "jane@example.com"}
    sync(configure(workdir, RULES, [record("1", author=jane, text="hello")]))
    reply = record("2", direction="outbound", agent="Sam", in_reply_to="1", text="Hi Jane")
    _, out = run(workdir, "--interaction", json.dumps(reply), "--json")
    facts = json.loads(out)["facts"]
    assert (facts["identity"], facts["contact_id"]) == ("linked", "C1")
