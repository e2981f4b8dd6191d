"""The documented import example: a social inbox tool's export through the csv mapping."""

import shutil
from pathlib import Path

import pytest

from crmbridge.config import load_config
from crmbridge.errors import ConfigError
from crmbridge.pipeline import sync

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "imports"
FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def example(tmp_path):
    folder = tmp_path / "examples" / "imports"
    folder.mkdir(parents=True)
    for name in ("crmbridge.yaml", "inbox-export.csv"):
        shutil.copy(EXAMPLE / name, folder / name)
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    shutil.copy(FIXTURES / "contacts.csv", tmp_path / "tests" / "fixtures" / "contacts.csv")
    return folder


def test_the_inbox_export_example_syncs_every_row_onto_the_right_contacts(example):
    config = load_config(example / "crmbridge.yaml")
    summary = sync(config)
    assert (summary.fetched, summary.written, summary.quarantined) == (5, 5, 0)
    from crmbridge.ops import history

    jane = history(config, "C1")
    assert [a["direction"] for a in jane] == ["outbound", "inbound"]
    assert jane[0]["agent"] == "Sam P." and jane[1]["occurred_at"].startswith("2024-03-04T09:12:44")
    john = history(config, "C2")
    assert [a["channel"] for a in john] == ["instagram"]


def test_a_mapped_column_missing_from_the_export_is_named(example):
    csv = example / "inbox-export.csv"
    csv.write_text(csv.read_text().replace("Message ID", "Msg Id", 1))
    summary = sync(load_config(example / "crmbridge.yaml"))
    error = summary.source_errors["inbox-export"]
    assert error["kind"] == "config" and "'Message ID'" in error["message"]
    assert summary.fetched == 0


def test_a_mapping_to_an_unknown_field_is_a_config_error(example):
    config = example / "crmbridge.yaml"
    config.write_text(config.read_text().replace("text: Message", "txt: Message"))
    with pytest.raises(ConfigError, match="txt"):
        load_config(config)
