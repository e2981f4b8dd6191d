from pathlib import Path

import pytest
from pydantic import SecretStr

from crmbridge.config import load_config
from crmbridge.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "crmbridge.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = "crm: {kind: local}\nsources:\n  - {name: a, connector: jsonl, path: in.jsonl}\n"


def test_relative_paths_start_at_the_config_file(tmp_path):
    config = load_config(write(tmp_path, "state: sqlite:///s/state.db\n" + BASE))
    assert config.state_url == f"sqlite:///{tmp_path.resolve()}/s/state.db"
    options = config.options_for(
        __import__("crmbridge.connectors.files", fromlist=["x"]).FileConfig,
        config.sources[0].options,
        "sources[0]",
    )
    assert options.path == tmp_path.resolve() / "in.jsonl"


def test_an_unknown_top_level_key_names_the_file_and_key(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, BASE + "sourcez: []\n"))
    assert "crmbridge.yaml: sourcez: unknown key" in str(err.value)


def test_a_wrong_type_names_the_key_path(tmp_path):
    text = (
        "crm: {kind: local, batch_size: lots}\nsources:\n  - {name: a, connector: jsonl, path: x}\n"
    )
    with pytest.raises(ConfigError, match=r"crmbridge.yaml: crm.batch_size"):
        load_config(write(tmp_path, text))


def test_an_unknown_connector_option_names_the_source_index(tmp_path):
    text = "crm: {kind: local}\nsources:\n  - {name: a, connector: jsonl, path: x, colour: 1}\n"
    with pytest.raises(ConfigError, match=r"sources\[0\]\.colour: unknown key"):
        load_config(write(tmp_path, text))


def test_an_unknown_connector_lists_the_known_ones(tmp_path):
    text = "crm: {kind: local}\nsources:\n  - {name: a, connector: myspace}\n"
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert "myspace" in str(err.value) and "jsonl" in str(err.value)


def test_a_missing_environment_variable_names_it_and_the_key(tmp_path, monkeypatch):
    monkeypatch.delenv("CRMB_TEST_TOKEN", raising=False)
    text = BASE + "webhooks: {x: {source: a, consumer_secret: '${CRMB_TEST_TOKEN}'}}\n"
    load_config(write(tmp_path, text))  # a command that does not serve does not need it
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), webhooks=True)  # as `crmbridge serve` loads it
    assert "webhooks.x.consumer_secret" in str(err.value)
    assert "CRMB_TEST_TOKEN is not set" in str(err.value)


def test_environment_values_are_interpolated_and_redacted(tmp_path, monkeypatch):
    monkeypatch.setenv("CRMB_TEST_TOKEN", "s3cr3t-value")
    text = BASE + "webhooks: {x: {source: a, consumer_secret: '${CRMB_TEST_TOKEN}'}}\n"
    config = load_config(write(tmp_path, text))
    assert config.webhooks["x"]["consumer_secret"] == "s3cr3t-value"
    assert config.redact("token=s3cr3t-value!") == "token=***!"
    assert SecretStr("s3cr3t-value").__repr__() != "s3cr3t-value"


def test_a_default_is_used_when_the_variable_is_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("CRMB_STATE", raising=False)
    config = load_config(write(tmp_path, "state: ${CRMB_STATE:-sqlite:///d.db}\n" + BASE))
    assert config.state_url.endswith("/d.db")


def test_duplicate_source_names_are_refused(tmp_path):
    text = (
        "crm: {kind: local}\nsources:\n  - {name: a, connector: jsonl, path: x}\n"
        "  - {name: a, connector: csv, path: y}\n"
    )
    with pytest.raises(ConfigError, match="used twice"):
        load_config(write(tmp_path, text))


def test_invalid_yaml_names_the_line(tmp_path):
    with pytest.raises(ConfigError, match=r"line \d+, column"):
        load_config(write(tmp_path, "crm:\n  kind: [local\n"))


def test_a_missing_config_file_says_how_to_point_at_one(tmp_path):
    with pytest.raises(ConfigError, match="--config"):
        load_config(tmp_path / "nope.yaml")


def test_yaml_tags_that_would_construct_objects_are_refused(tmp_path):
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, "state: !!python/object/apply:os.system ['true']\n" + BASE))
