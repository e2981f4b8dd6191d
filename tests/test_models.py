import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmbridge.errors import DataError
from crmbridge.models import Interaction, parse_interaction
from tests.conftest import record


def test_the_design_example_record_is_accepted_with_its_keys():
    i = parse_interaction(
        record("1301573587187331074", author={"id": "1234567890", "handle": "jdoe"}), "f.jsonl:1"
    )
    assert i.key == "x:1301573587187331074"
    assert i.persona_key == "x:1234567890"
    assert i.created_at.tzinfo is not None


def test_a_numeric_message_id_is_rejected_naming_the_field_and_location():
    with pytest.raises(DataError) as err:
        parse_interaction(record("1", message_id=12345), "f.jsonl:7")
    assert "f.jsonl:7" in str(err.value)
    assert "message_id" in str(err.value)


def test_an_unknown_platform_is_rejected():
    with pytest.raises(DataError, match="platform"):
        parse_interaction(record("1", platform="myspace"), "f.jsonl:2")


def test_a_missing_author_is_rejected():
    data = record("1")
    del data["author"]
    with pytest.raises(DataError, match="author"):
        parse_interaction(data, "f.jsonl:3")


def test_an_unknown_key_is_rejected():
    with pytest.raises(DataError, match="colour"):
        parse_interaction(record("1", colour="red"), "f.jsonl:3")


def test_a_wrong_schema_tag_is_rejected():
    with pytest.raises(DataError, match="schema"):
        parse_interaction(record("1", schema="other/2"), "f.jsonl:1")


@pytest.mark.parametrize(
    "when", ["1969-12-31T23:59:59Z", "2999-01-01T00:00:00Z", "2024-01-15T10:30:00"]
)
def test_implausible_or_zone_less_timestamps_are_rejected(when):
    with pytest.raises(DataError, match="created_at"):
        parse_interaction(record("1", created_at=when), "f.jsonl:1")


def test_an_outbound_reply_without_agent_is_rejected():
    with pytest.raises(DataError, match="agent"):
        parse_interaction(record("1", direction="outbound"), "f.jsonl:1")


def test_an_edit_keys_its_activity_by_the_original_message():
    i = parse_interaction(record("2", edit_of="1", edited_at="2024-01-15T11:00:00Z"), "f:1")
    assert i.key == "x:2"
    assert i.activity_key == "x:1"
    assert i.version_at > i.created_at


def test_the_error_message_never_echoes_the_offending_value():
    with pytest.raises(DataError) as err:
        parse_interaction(record("1", text=12345678901234), "f.jsonl:1")
    assert "12345678901234" not in str(err.value)


@given(st.dictionaries(st.text(max_size=12), st.one_of(st.none(), st.integers(), st.text())))
def test_parsing_arbitrary_objects_either_validates_or_raises_a_data_error(data):
    try:
        assert isinstance(parse_interaction(data, "fuzz:1"), Interaction)
    except DataError as exc:
        assert str(exc).startswith("fuzz:1")
