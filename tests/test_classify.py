"""Classification: service layer, intents, config overrides, language, classify_stream."""

import json
import socket
from importlib import resources

import pytest

from crmbridge.classify import (
    ServiceAnalyzer,
    VaderAnalyzer,
    classify_stream,
    detect_language,
    load_config,
)
from crmbridge.errors import ConfigError


@pytest.fixture(scope="module")
def service():
    return ServiceAnalyzer()


@pytest.fixture(scope="module")
def vader():
    return VaderAnalyzer()


def record(text, message_id="m1", **extra):
    data = {
        "schema": "crmbridge.interaction/1",
        "platform": "x",
        "kind": "post",
        "message_id": message_id,
        "author": {"id": "u1", "handle": "ann"},
        "text": text,
        "created_at": "2025-03-01T10:00:00Z",
    }
    data.update(extra)
    return json.dumps(data)


@pytest.mark.parametrize(
    "text",
    [
        "my bag never arrived",
        "still waiting for my refund",
        "3 hours on hold",
        "is the app down? can't log in",
    ],
)
def test_a_complaint_stated_as_a_fact_reads_negative_where_plain_vader_says_neutral(
    service, vader, text
):
    assert vader.analyze(text).label == "neutral"
    assert service.analyze(text).label == "negative"


def test_sarcastic_praise_around_a_delay_reads_negative(service, vader):
    text = "great, another 3 hours on hold 🙃"
    assert vader.analyze(text).label == "positive"
    result = service.analyze(text)
    assert result.label == "negative"
    assert result.sentiment_score < 0


def test_thanks_for_a_resolution_cancels_the_delay_signal(service):
    result = service.analyze("Waited 2 days but thanks for sorting my refund, all good now!")
    assert result.signals == []
    assert result.label == "positive"


def test_plain_praise_stays_positive_and_is_tagged_praise(service):
    result = service.analyze("Love the new update, thank you team ❤️")
    assert result.label == "positive"
    assert "praise" in result.intents


def test_a_neutral_question_stays_neutral(service):
    result = service.analyze("What time does the Leeds store open on Sunday?")
    assert result.label == "neutral"
    assert result.intents == ["question"]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("Is the site down for everyone?", "outage"),
        ("You charged me twice for one order", "billing"),
        ("Please cancel my subscription", "cancel"),
        ("This is a disgrace", "complaint"),
        ("My solicitor will be in touch", "legal"),
        ("The heater started to smoke and smell of burning", "safety"),
        ("Brilliant service from Priya today", "praise"),
        ("Do you ship to Ireland?", "question"),
    ],
)
def test_each_shipped_intent_tag_fires_on_its_own_kind_of_message(service, text, tag):
    assert tag in service.analyze(text).intents


def test_a_keyword_matches_whole_words_only(service):
    assert "billing" not in service.analyze("the playbill was lovely").intents


def test_a_legal_threat_is_never_neutral(service):
    assert service.analyze("I will be contacting my lawyer").label == "negative"


def test_the_score_stays_within_minus_one_and_one(service):
    text = "UNACCEPTABLE!!! still waiting 3 weeks, app down, can't log in, worst, scam, urgent"
    assert -1.0 <= service.analyze(text).sentiment_score <= 1.0


def test_vader_works_offline_from_the_lexicon_in_its_wheel(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("no network allowed")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert VaderAnalyzer().analyze("I love it").label == "positive"


def test_the_intent_yaml_ships_as_package_data():
    names = {p.name for p in resources.files("crmbridge.classify").iterdir()}
    assert "intents.yaml" in names


def test_a_user_yaml_adds_a_tag_replaces_one_and_removes_another(tmp_path):
    path = tmp_path / "intents.yaml"
    path.write_text(
        "intents:\n"
        "  delivery: {keywords: [courier, parcel]}\n"
        "  praise: {keywords: [chuffed]}\n"
        "  question: null\n"
    )
    analyzer = ServiceAnalyzer(load_config(path))
    assert analyzer.analyze("the courier was here, chuffed!").intents == ["praise", "delivery"]
    assert "question" not in analyzer.analyze("where is it?").intents
    assert "thanks" not in analyzer.config.intents["praise"].keywords


def test_replace_intents_drops_every_shipped_tag(tmp_path):
    path = tmp_path / "intents.yaml"
    path.write_text("replace_intents: true\nintents:\n  vip: {patterns: ['\\bgold member\\b']}\n")
    config = load_config(path)
    assert list(config.intents) == ["vip"]


def test_a_bad_regular_expression_is_a_config_error_naming_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("intents:\n  broken: {patterns: ['(unclosed']}\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: field intents\.broken\.patterns"):
        load_config(path)


def test_an_unknown_key_or_signal_kind_is_a_config_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("signals:\n  grumpy: {keywords: [meh]}\n")
    with pytest.raises(ConfigError, match="unknown signal kinds"):
        load_config(path)
    path.write_text("intent: {}\n")
    with pytest.raises(ConfigError, match="intent"):
        load_config(path)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Where is my order, it has not arrived and the app is down", "en"),
        ("Hola, mi pedido no ha llegado y estoy esperando desde el lunes", "es"),
        ("Bonjour, je suis toujours sans réponse pour mon remboursement", "fr"),
        ("Hallo, ich warte noch auf meine Erstattung und die App ist kaputt", "de"),
        ("ok", None),
    ],
)
def test_the_language_is_guessed_from_function_words_or_left_unknown(text, language):
    assert detect_language(text) == language


def test_text_mode_gives_one_result_per_line_in_the_wire_shape():
    out = list(classify_stream(["my bag never arrived\n", "thanks, lovely staff\n", ""], True))
    assert len(out) == 3
    assert out[0]["sentiment"]["label"] == "negative"
    assert set(out[0]) == {"sentiment", "intents"}
    assert set(out[0]["sentiment"]) == {"score", "label"}
    assert out[1]["sentiment"]["label"] == "positive"
    assert out[2]["sentiment"] == {"score": 0.0, "label": "neutral"}


def test_record_mode_adds_the_interaction_key():
    (out,) = classify_stream([record("still waiting for my refund", "42")], False)
    assert out["key"] == "x:42"
    assert out["sentiment"]["label"] == "negative"
    assert "billing" in out["intents"]


def test_a_bad_line_yields_an_error_and_the_stream_goes_on():
    lines = ["{not json", json.dumps({"schema": "other"}), "", record("love it")]
    out = list(classify_stream(lines, False))
    assert out[0]["error"].startswith("line 1: not JSON")
    assert out[1]["error"].startswith("line 2: field schema")
    assert len(out) == 3
    assert out[2]["sentiment"]["label"] == "positive"


def test_an_invalid_record_error_does_not_echo_the_text():
    out = next(classify_stream([record("secret words", created_at="not a date")], False))
    assert "error" in out
    assert "secret words" not in out["error"]


def test_slang_praise_that_vader_reads_as_negative_reads_positive(service, vader):
    assert vader.analyze("Killer customer service today").label == "negative"
    assert service.analyze("Killer customer service today").label == "positive"


def test_a_what_if_question_about_a_problem_stays_neutral(service, vader):
    text = "What should I do if my parcel is damaged?"
    assert vader.analyze(text).label == "negative"
    result = service.analyze(text)
    assert result.label == "neutral"
    assert result.signals == []


def test_an_upper_case_pattern_is_refused_because_texts_are_lower_cased(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("intents:\n  vip: {patterns: ['Gold member']}\n")
    with pytest.raises(ConfigError, match="lower case"):
        load_config(path)


@pytest.mark.parametrize(
    ("name", "minimum"),
    [("service_messages.jsonl", 400), ("service_messages_heldout.jsonl", 100)],
)
def test_the_evaluation_sets_are_well_formed(name, minimum):
    from pathlib import Path

    path = Path(__file__).parent.parent / "benchmarks" / "data" / name
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    tags = set(load_config().intents)
    assert len(rows) >= minimum
    assert len({r["text"] for r in rows}) == len(rows)
    for row in rows:
        assert set(row) == {"text", "label", "intents"}
        assert row["label"] in {"negative", "neutral", "positive"}
        assert set(row["intents"]) <= tags


def test_two_signals_implying_the_same_intent_tag_it_once():
    from crmbridge.classify import ServiceAnalyzer

    analyzer = ServiceAnalyzer()
    for text in (
        "Flight BA 2491 delayed again, fourth time this month",
        "Still haven't received the compensation you promised",
    ):
        result = analyzer.analyze(text)
        assert len(result.intents) == len(set(result.intents)), result.intents
        assert "complaint" in result.intents
