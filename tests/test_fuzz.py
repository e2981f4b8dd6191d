"""Hypothesis fuzzing of every parser: each input is accepted or refused with our error kind.

Interchange records (as JSON values and as raw bytes in a feed), the CSV connector, config
files, mapping templates, SOQL and HubSpot search values, and webhook bodies. None may end
in another exception: a crash on one bad input would stop a whole sync.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

from crmbridge.connectors.files import CsvConnector, JsonlConnector
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from crmbridge.config import AppConfig, load_config
from crmbridge.crm.salesforce import soql
from crmbridge.errors import ConfigError, CrmbridgeError, DataError
from crmbridge.models import ActivityWrite, Interaction, parse_interaction
from crmbridge.rules.mapping import FieldSpec, Mapper, Preset
from crmbridge.rules.templates import Template
from crmbridge.webhooks import (
    MetaWebhook,
    SeenEvents,
    SpoolIntake,
    WebhookApp,
    XWebhook,
    meta_signature,
    x_signature,
)
from tests.conftest import record

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = list(record("1"))


def mutated(base: dict[str, Any], changes: dict[str, Any], drops: list[str]) -> dict[str, Any]:
    data = {**base, **changes}
    for name in drops:
        data.pop(name, None)
    return data


# --- interchange records -----------------------------------------------------------------


@FUZZ
@given(
    changes=st.dictionaries(st.sampled_from([*FIELDS, "author", "extra"]), json_values, max_size=4),
    drops=st.lists(st.sampled_from(FIELDS), max_size=3),
)
def test_a_record_with_any_field_replaced_or_dropped_parses_or_is_a_data_error(changes, drops):
    data = mutated(record("1"), changes, drops)
    try:
        assert isinstance(parse_interaction(data, "fuzz:1"), Interaction)
    except DataError as exc:
        assert str(exc).startswith("fuzz:1")


@FUZZ
@given(value=json_values)
def test_any_json_value_parses_or_is_a_data_error(value):
    with contextlib.suppress(DataError):
        parse_interaction(value, "fuzz:1")


def read_all(connector_cls: type, path: Path, **options: Any) -> list[Any]:
    config = connector_cls.Config.model_validate({"path": path, **options})
    return list(connector_cls(config, "fuzz").fetch(None))


@FUZZ
@given(
    lines=st.lists(st.binary(max_size=200) | st.just(json.dumps(record("7")).encode()), max_size=8)
)
def test_any_bytes_in_a_jsonl_feed_become_records_or_quarantine_items(lines):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        items = read_all(JsonlConnector, path)
    for item in items:
        assert (item.interaction is None) != (item.error is None), item
    good = sum(line == json.dumps(record("7")).encode() for line in lines)
    assert sum(item.interaction is not None for item in items) >= good


CSV_HEADER = b"schema,platform,kind,message_id,author.id,text,created_at\n"
csv_cells = st.text(
    alphabet=st.sampled_from([*'ax,"\n\r\t;\\ 1Z:-', "\x00", "\u00e9", "\ufeff"]), max_size=30
)


@FUZZ
@given(
    rows=st.lists(st.lists(csv_cells, max_size=9).map(",".join), max_size=6),
    raw=st.binary(max_size=60),
)
def test_any_csv_rows_become_records_or_quarantine_items(rows, raw):
    good = "crmbridge.interaction/1,x,mention,9,a9,hello,2024-01-15T10:30:00Z"
    body = CSV_HEADER + "\n".join([good, *rows]).encode() + b"\n" + raw + b"\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.csv"
        path.write_bytes(body)
        try:
            items = read_all(CsvConnector, path)
        except CrmbridgeError:
            return  # a header the rows broke (a quote left open) is refused as a whole
    for item in items:
        assert (item.interaction is None) != (item.error is None), item


# --- config ------------------------------------------------------------------------------

BASE_CONFIG = {
    "state": "sqlite:///state.db",
    "crm": {"kind": "local", "path": "crm.db"},
    "sources": [{"name": "s", "connector": "jsonl", "path": "in.jsonl"}],
}


@FUZZ
@given(text=st.text(max_size=200))
def test_any_yaml_text_loads_as_a_config_or_is_a_config_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crmbridge.yaml"
        path.write_text(text, encoding="utf-8")
        with contextlib.suppress(ConfigError):
            assert isinstance(load_config(path), AppConfig)


@FUZZ
@given(
    key=st.sampled_from(["state", "crm", "sources", "mapping", "identity", "webhooks", "rules"]),
    value=json_values,
)
def test_a_config_with_any_value_at_a_top_level_key_loads_or_is_a_config_error(key, value):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crmbridge.yaml"
        path.write_text(json.dumps({**BASE_CONFIG, key: value}), encoding="utf-8")
        with contextlib.suppress(ConfigError):
            load_config(path)


# --- mapping templates -------------------------------------------------------------------

TOKENS = [*"{}%#()[]|.~+-*/'\" ", "i", "text", "author", "__class__", "1", "0", "**", "9"]
TOKENS += ["{{", "}}", "{%", "%}", " if ", " for ", " in ", "range", "|int", "|e", "contact"]
template_text = st.lists(st.sampled_from(TOKENS), max_size=14).map("".join)


@FUZZ
@given(source=template_text)
@example(source="{{ 1/0 }}")
@example(source="{{ 9**9999 }}")
@example(source='{{ "%s" % () }}')
@example(source="{{ range(10**9)|list }}")
@example(source="{{ i.__class__ }}")
@example(source="{{ ''.__class__.__mro__ }}")
def test_any_template_renders_or_is_a_config_error(source):
    context = {"i": json.loads(json.dumps(record("1"))), "contact": None, "key": "x:1"}
    with contextlib.suppress(ConfigError):
        assert isinstance(Template(source, "fuzz").render(context), str)


@FUZZ
@given(
    changes=st.dictionaries(
        st.sampled_from(["text", "message_id"]),
        st.text(max_size=20) | st.sampled_from(["inf", "-1e400", "nan", "2024-13-45", "True"]),
    ),
    kind=st.sampled_from(["str", "int", "bool", "datetime"]),
)
def test_a_mapping_renders_any_valid_record_or_parks_it_with_a_data_error(changes, kind):
    mapper = Mapper(
        Preset(
            name="fuzz",
            object="Task",
            fields={"subject": FieldSpec(template="{{ i.text }}", type=kind)},
        ),
        "fuzz",
    )
    try:
        interaction = parse_interaction({**record("1"), **changes}, "fuzz:1")
    except DataError:
        return
    with contextlib.suppress(DataError):
        assert isinstance(mapper.render(interaction, None, None, "x:1"), ActivityWrite)


# --- SOQL and HubSpot values -------------------------------------------------------------


@FUZZ
@given(value=st.text(max_size=60))
def test_no_value_of_any_characters_changes_the_structure_of_a_soql_query(value):
    query = soql.equals(soql.select(["Id"], "Task"), "Crmbridge_Key__c", value, "LIMIT 1")
    skeleton, literals = soql.split_literals(query)
    assert skeleton == "SELECT Id FROM Task WHERE Crmbridge_Key__c = ? LIMIT 1"
    assert literals == [value]


# --- webhook bodies ----------------------------------------------------------------------

SECRET = "fuzz-webhook-secret"


def webhook_client(folder: Path) -> Client:
    app = WebhookApp(
        x=XWebhook(source="brand-x", consumer_secret=SECRET),
        meta=MetaWebhook(source="brand-fb", app_secret=SECRET, verify_token="verify"),
        intake=SpoolIntake(folder / "spool"),
        seen=SeenEvents(folder / "seen.sqlite3"),
        max_body_bytes=10_000,
    )
    return Client(app)


webhook_bodies = (
    st.binary(max_size=300)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.dictionaries(
        st.sampled_from(
            [
                "object",
                "entry",
                "for_user_id",
                "tweet_create_events",
                "direct_message_events",
                "users",
            ]
        ),
        json_values,
        max_size=3,
    ).map(lambda v: json.dumps(v).encode())
)


@FUZZ
@given(body=webhook_bodies, kind=st.sampled_from(["x", "meta"]))
def test_any_correctly_signed_webhook_body_gets_a_2xx_or_4xx_answer(body, kind):
    with tempfile.TemporaryDirectory() as tmp:
        client = webhook_client(Path(tmp))
        if kind == "x":
            headers = {"x-twitter-webhooks-signature": x_signature(SECRET, body)}
        else:
            headers = {"X-Hub-Signature-256": meta_signature(SECRET, body)}
        answer = client.post(f"/webhooks/{kind}", data=body, headers=headers)
    assert 200 <= answer.status_code < 500, (answer.status_code, answer.get_data()[:200])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(phone=st.text(min_size=1, max_size=40), handle=st.text(min_size=1, max_size=40))
def test_a_hubspot_search_value_only_ever_lands_as_one_filter_value(httpserver, phone, handle):
    from pydantic import SecretStr

    from crmbridge.crm.hubspot import HubSpotConfig, HubSpotCrm
    from crmbridge.identity.normalize import handle_key

    httpserver.clear()
    httpserver.expect_request("/crm/v3/objects/contacts/search").respond_with_json(
        {"total": 0, "results": []}
    )
    crm = HubSpotCrm(
        HubSpotConfig(access_token=SecretStr("pat-fuzz"), host=httpserver.url_for("").rstrip("/"))
    )
    crm.open()
    crm.find_contacts(phones={phone}, handles={"x": {handle}})
    sent = [json.loads(req.get_data()) for req, _ in httpserver.log]
    filters = [f for body in sent for group in body["filterGroups"] for f in group["filters"]]
    assert all(set(f) == {"propertyName", "operator", "values"} for f in filters)
    assert all(f["operator"] == "IN" for f in filters)
    by_property = {f["propertyName"]: f["values"] for f in filters}
    assert by_property["phone"] == by_property["mobilephone"] == [phone]
    key = handle_key(handle)
    assert by_property.get("twitterhandle") == ([key] if key else None)
