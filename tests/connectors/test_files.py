import json

import pytest
from crmbridge.connectors.files import CsvConnector, JsonlConnector

from crmbridge.errors import ConfigError
from tests.conftest import record, write_jsonl


def connector(cls, path, **options):
    return cls(cls.Config(path=path, **options), "src")


def test_every_good_line_becomes_an_interaction_and_bad_lines_are_named(tmp_path):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, [record("1"), "not json", record("2", message_id=5), record("3")])
    items = list(connector(JsonlConnector, path).fetch(None))
    assert [i.interaction.message_id for i in items if i.interaction] == ["1", "3"]
    bad = [i for i in items if i.error]
    assert [b.location for b in bad] == ["in.jsonl:2", "in.jsonl:3"]
    assert "not valid JSON" in bad[0].error and "message_id" in bad[1].error
    assert bad[0].raw == "not json\n"


def test_resuming_from_an_items_cursor_yields_exactly_the_rest(tmp_path):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, [record(str(n)) for n in range(10)])
    first = list(connector(JsonlConnector, path).fetch(None))
    rest = list(connector(JsonlConnector, path).fetch(json.loads(json.dumps(first[3].cursor))))
    assert [i.interaction.message_id for i in rest] == [str(n) for n in range(4, 10)]
    assert rest[0].location == "in.jsonl:5"


def test_appended_lines_are_read_and_nothing_else(tmp_path):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, [record("1"), record("2")])
    items = list(connector(JsonlConnector, path).fetch(None))
    with path.open("a") as handle:
        handle.write(json.dumps(record("3")) + "\n")
    more = list(connector(JsonlConnector, path).fetch(items[-1].cursor))
    assert [i.interaction.message_id for i in more] == ["3"]


def test_a_file_rewritten_before_the_cursor_is_read_again_from_the_start(tmp_path):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, [record("1"), record("2")])
    items = list(connector(JsonlConnector, path).fetch(None))
    write_jsonl(path, [record("1", text="changed text here"), record("2")])
    again = list(connector(JsonlConnector, path).fetch(items[-1].cursor))
    assert [i.interaction.message_id for i in again] == ["1", "2"]


def test_a_folder_is_read_in_name_order_and_resumes_per_file(tmp_path):
    write_jsonl(tmp_path / "b.jsonl", [record("b1")])
    write_jsonl(tmp_path / "a.jsonl", [record("a1"), record("a2")])
    (tmp_path / "notes.txt").write_text("ignored")
    items = list(connector(JsonlConnector, tmp_path).fetch(None))
    assert [i.location for i in items] == ["a.jsonl:1", "a.jsonl:2", "b.jsonl:1"]
    write_jsonl(tmp_path / "c.jsonl", [record("c1")])
    with (tmp_path / "a.jsonl").open("a") as handle:
        handle.write(json.dumps(record("a3")) + "\n")
    more = list(connector(JsonlConnector, tmp_path).fetch(items[-1].cursor))
    assert [i.location for i in more] == ["a.jsonl:3", "c.jsonl:1"]


def test_an_oversized_line_is_quarantined_without_being_held_whole(tmp_path):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, [record("1"), record("2", text="x" * 50_000), record("3")])
    items = list(connector(JsonlConnector, path, max_record_bytes=4096).fetch(None))
    assert [i.interaction.message_id for i in items if i.interaction] == ["1", "3"]
    (bad,) = [i for i in items if i.error]
    assert "max_record_bytes" in bad.error and len(bad.raw) <= 4096


def test_invalid_utf8_is_quarantined_with_the_byte_position(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(json.dumps(record("1")).encode() + b"\n" + b'{"a": "\xff\xfe"}\n')
    items = list(connector(JsonlConnector, path).fetch(None))
    assert "not valid UTF-8 at byte" in items[1].error


def test_blank_lines_are_skipped_but_counted_in_line_numbers(tmp_path):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, [record("1"), "", "   ", record("2")])
    items = list(connector(JsonlConnector, path).fetch(None))
    assert [i.location for i in items] == ["in.jsonl:1", "in.jsonl:4"]


def test_a_missing_path_is_a_config_error_naming_it(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        list(connector(JsonlConnector, tmp_path / "nope.jsonl").fetch(None))


CSV = (
    "message_id,platform,kind,author.id,author.handle,author.followers,is_private,text,"
    "created_at\n"
    '1,x,mention,u1,jdoe,12,false,"hello, world",2024-01-15T10:30:00Z\n'
    '2,facebook,dm,u2,,,true,"two\nlines",2024-01-15T10:31:00Z\n'
    "3,x,mention,u3,,many,false,bad followers,2024-01-15T10:32:00Z\n"
    "4,x,mention,u4,,,false,short row\n"
)


def test_csv_records_map_columns_to_the_interchange_format(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(CSV)
    items = list(connector(CsvConnector, path).fetch(None))
    first, second = items[0].interaction, items[1].interaction
    assert (first.author.handle, first.author.followers, first.text) == ("jdoe", 12, "hello, world")
    assert second.is_private and second.text == "two\nlines" and second.author.handle is None
    assert [i.location for i in items] == ["in.csv:2", "in.csv:3", "in.csv:5", "in.csv:6"]
    assert "author.followers" in items[2].error
    assert "columns" in items[3].error


def test_csv_resumes_after_its_cursor_without_rereading_the_header(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(CSV)
    items = list(connector(CsvConnector, path).fetch(None))
    rest = list(connector(CsvConnector, path).fetch(items[1].cursor))
    assert [i.location for i in rest] == ["in.csv:5", "in.csv:6"]


def test_csv_with_an_unknown_column_is_a_config_error_naming_it(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("message_id,author.id,colour\n1,u,red\n")
    with pytest.raises(ConfigError, match="colour"):
        list(connector(CsvConnector, path).fetch(None))


def test_an_unfinished_last_line_is_left_for_the_next_run_not_quarantined(tmp_path):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, [record("1")])
    with path.open("a") as handle:
        handle.write(json.dumps(record("2"))[:40])  # a writer is half-way through
    items = list(connector(JsonlConnector, path).fetch(None))
    assert [i.interaction.message_id for i in items] == ["1"]
    with path.open("a") as handle:
        handle.write(json.dumps(record("2"))[40:] + "\n")
    rest = list(connector(JsonlConnector, path).fetch(items[-1].cursor))
    assert [i.interaction.message_id for i in rest] == ["2"]


def test_a_complete_last_line_without_newline_is_read(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(record("1")))
    assert [i.interaction.message_id for i in connector(JsonlConnector, path).fetch(None)] == ["1"]
