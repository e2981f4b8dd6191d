"""Rule conditions: each one fires when it holds and not when it does not, and says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crmbridge.config import load_config
from crmbridge.errors import ConfigError
from crmbridge.models import Interaction
from crmbridge.rules.conditions import RuleContext, parse_duration
from crmbridge.rules.engine import RuleSet, load_rules, parse_rules
from tests.conftest import record

FILE = Path("crmbridge.yaml")


def message(**over: Any) -> Interaction:
    return Interaction.model_validate(record("1", **over))


def fires(when: dict[str, Any], ctx: RuleContext) -> bool:
    rules = RuleSet(parse_rules([{"name": "r", "when": when, "then": {"tag": "t"}}], FILE))
    (trace,) = rules.evaluate(ctx, explain=True).traces
    return bool(trace.fired)


def ctx_of(i: Interaction | None = None, **facts: Any) -> RuleContext:
    return RuleContext(i or message(), **facts)


@pytest.mark.parametrize(
    ("when", "yes", "no"),
    [
        ({"platform": ["x", "reddit"]}, {}, {"platform": "facebook"}),
        ({"platform": "x"}, {}, {"platform": "youtube"}),
        ({"kind": ["dm"]}, {"kind": "dm"}, {"kind": "mention"}),
        (
            {"direction": "outbound"},
            {"direction": "outbound", "agent": "Ann"},
            {"direction": "inbound"},
        ),
        ({"visibility": "private"}, {"is_private": True}, {"is_private": False}),
        ({"visibility": "public"}, {"is_private": False}, {"is_private": True}),
        (
            {"followers_at_least": 10000},
            {"author": {"followers": 25000}},
            {"author": {"followers": 9999}},
        ),
        ({"verified": True}, {"author": {"verified": True}}, {"author": {"verified": False}}),
    ],
)
def test_a_condition_on_the_message_fires_when_it_holds_and_not_otherwise(when, yes, no):
    assert fires(when, ctx_of(message(**yes)))
    assert not fires(when, ctx_of(message(**no)))


def test_an_intent_condition_fires_on_any_listed_intent_and_not_on_others():
    when = {"intent": ["outage", "legal"]}
    assert fires(when, ctx_of(intents=["question", "legal"]))
    assert not fires(when, ctx_of(intents=["praise"]))
    assert not fires(when, ctx_of(intents=[]))


def test_a_sentiment_range_checks_the_score_bounds_and_the_label():
    when = {"sentiment": {"below": -0.3}}
    assert fires(when, ctx_of(score=-0.6, label="negative"))
    assert not fires(when, ctx_of(score=-0.1, label="negative"))
    band = {"sentiment": {"above": 0.2, "below": 0.9}}
    assert fires(band, ctx_of(score=0.5, label="positive"))
    assert not fires(band, ctx_of(score=0.95, label="positive"))
    labels = {"sentiment": {"label": ["negative"]}}
    assert fires(labels, ctx_of(score=-0.05, label="negative"))
    assert not fires(labels, ctx_of(score=0.0, label="neutral"))
    assert not fires(labels, ctx_of())  # no sentiment computed: the condition cannot hold


def test_keywords_match_whole_words_in_any_case_and_never_inside_a_word():
    when = {"keywords": ["lawyer", "can't log in"]}
    assert fires(when, ctx_of(message(text="My LAWYER will hear of this")))
    assert fires(when, ctx_of(message(text="still can't log in!")))
    assert not fires(when, ctx_of(message(text="lawyers' jokes aside, nice shop")))
    assert not fires(when, ctx_of(message(text="log in works")))


def test_keywords_are_literal_text_not_patterns():
    when = {"keywords": ["a.b", "(x"]}
    assert fires(when, ctx_of(message(text="see a.b now")))
    assert not fires(when, ctx_of(message(text="see axb now")))


def test_the_vip_condition_reads_the_configured_contacts_personas_handles_and_followers():
    rules = RuleSet(
        parse_rules([{"name": "vip", "when": {"vip": True}, "then": {"tag": "vip"}}], FILE),
        vip=load_vip({"contacts": ["C1"], "handles": ["@BigFan"], "followers_at_least": 50000}),
    )

    def fired(ctx: RuleContext) -> bool:
        return bool(rules.evaluate(ctx).traces[0].fired)

    assert fired(ctx_of(contact_id="C1", identity="linked"))
    assert fired(ctx_of(message(author={"handle": "bigfan"})))
    assert fired(ctx_of(message(author={"followers": 60000})))
    assert not fired(ctx_of(contact_id="C2", identity="linked"))
    assert not fired(ctx_of(message(author={"handle": "smallfan", "followers": 10})))


def load_vip(data: dict[str, Any]) -> Any:
    from crmbridge.rules.conditions import VipSpec

    return VipSpec.model_validate(data)


def test_the_identity_condition_tells_linked_review_and_unmatched_apart():
    when = {"identity": ["unmatched", "review"]}
    assert fires(when, ctx_of(identity="unmatched"))
    assert fires(when, ctx_of(identity="review"))
    assert not fires(when, ctx_of(identity="linked", contact_id="C1"))


def test_conversation_age_is_the_age_when_the_message_came():
    i = message(created_at="2024-01-15T10:30:00Z")
    opened = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
    old = {"key": "x:1", "opened_at": opened - timedelta(days=3), "channels": ["x"]}
    fresh = {"key": "x:1", "opened_at": opened - timedelta(hours=1), "channels": ["x"]}
    when = {"conversation_age": {"at_least": "2d"}}
    assert fires(when, ctx_of(i, conversation=old))
    assert not fires(when, ctx_of(i, conversation=fresh))
    assert not fires(when, ctx_of(i))  # a new conversation is zero seconds old
    young = {"conversation_age": {"at_most": "2h"}}
    assert fires(young, ctx_of(i, conversation=fresh))
    assert not fires(young, ctx_of(i, conversation=old))


def test_channels_at_least_counts_the_conversation_s_channels_with_this_message_s():
    conv = {"key": "k", "opened_at": None, "channels": ["facebook", "youtube"]}
    assert fires({"channels_at_least": 3}, ctx_of(conversation=conv))
    assert not fires({"channels_at_least": 3}, ctx_of())
    same = {"key": "k", "opened_at": None, "channels": ["x"]}
    assert not fires({"channels_at_least": 2}, ctx_of(conversation=same))


def test_all_conditions_must_hold_and_the_trace_names_the_one_that_failed_with_its_values():
    rules = RuleSet(
        parse_rules(
            [
                {
                    "name": "angry-dm",
                    "when": {"kind": "dm", "sentiment": {"below": -0.5}},
                    "then": {"case": {"priority": "High"}},
                }
            ],
            FILE,
        )
    )
    ctx = ctx_of(message(kind="dm"), score=-0.2, label="negative")
    (trace,) = rules.evaluate(ctx, explain=True).traces
    assert trace.fired is False
    assert [c.ok for c in trace.checks] == [True, False]
    assert trace.note == "sentiment: score -0.200 is not below -0.5"
    assert rules.evaluate(ctx).decision.case is False


def test_a_rule_that_stops_leaves_later_rules_unevaluated():
    rules = RuleSet(
        parse_rules(
            [
                {"name": "first", "when": {"platform": "x"}, "then": {"tag": "a"}, "stop": True},
                {"name": "second", "then": {"tag": "b"}},
            ],
            FILE,
        )
    )
    evaluation = rules.evaluate(ctx_of())
    assert [t.fired for t in evaluation.traces] == [True, None]
    assert evaluation.decision.tags == ["a"]
    other = rules.evaluate(ctx_of(message(platform="reddit")))
    assert [t.fired for t in other.traces] == [False, True]
    assert other.decision.tags == ["b"]


def test_a_rule_without_conditions_always_fires():
    rules = RuleSet(parse_rules([{"name": "all", "then": {"tag": "seen"}}], FILE))
    assert rules.evaluate(ctx_of()).decision.tags == ["seen"]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            {"name": "typo", "when": {"platfrom": ["x"]}, "then": {"tag": "t"}},
            "crmbridge.yaml: rules[1] (typo).when.platfrom: unknown key",
        ),
        (
            {"name": "bad-platform", "when": {"platform": ["myspace"]}, "then": {"tag": "t"}},
            "rules[1] (bad-platform).when.platform[0]",
        ),
        (
            {"name": "bad-range", "when": {"sentiment": {"below": 3}}, "then": {"tag": "t"}},
            "rules[1] (bad-range).when.sentiment.below",
        ),
        (
            {"name": "bad-sla", "then": {"sla": "soon"}},
            "rules[1] (bad-sla).then.sla.within",
        ),
        (
            {"name": "no-actions", "then": {}},
            "rules[1] (no-actions).then: Value error, give at least one action",
        ),
        (
            {"name": "both", "then": {"no_response": True, "sla": "1h"}},
            "rules[1] (both).then: Value error, no_response and sla contradict",
        ),
        (
            {"name": "bad-priority", "then": {"case": {"priority": "urgent"}}},
            "rules[1] (bad-priority).then.case.priority",
        ),
        (
            {"name": "bad-template", "then": {"case": {"subject": "{{ nope.field }}"}}},
            "rules[1] (bad-template).then.case.subject",
        ),
        ({"when": {"platform": "x"}, "then": {"tag": "t"}}, "rules[1].name: Field required"),
    ],
)
def test_a_config_error_names_the_file_the_rule_and_the_field(rule, expected):
    good = {"name": "ok", "then": {"tag": "fine"}}
    with pytest.raises(ConfigError) as caught:
        parse_rules([good, rule], FILE)
    assert expected in str(caught.value)


def test_two_rules_with_one_name_are_refused():
    with pytest.raises(ConfigError, match=r"rules\[1\] \(same\)\.name: .* used twice"):
        parse_rules([{"name": "same", "then": {"tag": "a"}}] * 2, FILE)


def test_durations_read_seconds_to_weeks_and_refuse_nonsense():
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration(45) == timedelta(seconds=45)
    for bad in ("", "0m", "5 parsecs", "-3h"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_rules_load_inline_or_from_a_file_with_a_vip_block(workdir, monkeypatch):
    monkeypatch.setenv("HOOK_URL", "https://hooks.example.com/T000/secret-token")
    (workdir / "rules.yaml").write_text(
        "vip: {contacts: [C000001]}\n"
        "rules:\n"
        "  - {name: vip, when: {vip: true}, then: {notify: '${HOOK_URL}'}}\n"
    )
    path = workdir / "crmbridge.yaml"
    path.write_text(path.read_text() + "rules: {file: rules.yaml}\n")
    config = load_config(path)
    rules = load_rules(config)
    assert rules is not None and [r.name for r in rules.rules] == ["vip"]
    assert rules.vip.contacts == ["C000001"]
    assert "secret-token" not in config.redact(
        "posting to https://hooks.example.com/T000/secret-token"
    )
    path.write_text(path.read_text().replace("rules: {file: rules.yaml}\n", "rules: {fil: x}\n"))
    with pytest.raises(ConfigError, match="rules: expected a list"):
        load_rules(load_config(path))


def test_a_rules_file_with_an_unknown_condition_names_that_file_and_rule(workdir):
    (workdir / "rules.yaml").write_text(
        "- {name: fine, then: {tag: a}}\n- {name: broken, when: {mood: grumpy}, then: {tag: b}}\n"
    )
    path = workdir / "crmbridge.yaml"
    path.write_text(path.read_text() + "rules: rules.yaml\n")
    with pytest.raises(ConfigError, match=r"rules\.yaml: rules\[1\] \(broken\)\.when\.mood"):
        load_rules(load_config(path))


def test_check_validates_the_rules_and_names_the_broken_one(workdir):
    from crmbridge.ops import check

    path = workdir / "crmbridge.yaml"
    path.write_text(path.read_text() + "rules:\n  - {name: ok, then: {case: true}}\n")
    (row,) = [r for r in check(load_config(path)) if r["check"] == "rules"]
    assert row == {"check": "rules", "ok": True, "detail": "1 rule(s) valid (crmbridge.yaml)"}
    path.write_text(
        path.read_text() + "  - {name: bad, when: {sentiment: {label: furious}}, then: {tag: x}}\n"
    )
    (row,) = [r for r in check(load_config(path)) if r["check"] == "rules"]
    assert not row["ok"] and "rules[1] (bad).when.sentiment.label[0]" in row["detail"]
