"""The webhook records what the poll of its source records: X broadcasts, agent, IG mentions.

``crmbridge serve`` builds its app from ``crmbridge.yaml``; a webhook feeding an ``x`` or
``instagram`` source takes that source's options (``broadcasts``, ``agent``, the mention
lookup), so one message makes the same record by either path.
"""

import json
from pathlib import Path

import pytest
import responses
from responses import matchers
from werkzeug.test import Client

from crmbridge import registry
from crmbridge.config import AppConfig, load_config
from crmbridge.copies import inherit_threads
from crmbridge.errors import ConfigError
from crmbridge.models import Interaction, parse_interaction
from crmbridge.webhooks import make_app, meta_signature, x_signature
from tests.connectors.conftest import FIXTURES, fixture

X_API = "https://x.test"
GRAPH = "https://graph.test/v21.0"
BRAND = "2244994945"
IG = "17841400000000001"
BROADCAST_ID = "1750000000000000096"
SECRETS = {
    "X_CONSUMER_SECRET": "x-consumer-secret-value-0123456789",
    "X_BEARER_TOKEN": "x-bearer-token-value-0123456789",
    "META_APP_SECRET": "meta-app-secret-value-0123456789",
    "META_VERIFY_TOKEN": "meta-verify-token-value-0123456789",
    "META_PAGE_TOKEN": "meta-page-token-value-0123456789",
}


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def write_config(tmp_path: Path, sources: str, webhooks: str) -> AppConfig:
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///.crmbridge/state.db\n"
        "crm: {kind: local, path: crm.db}\n"
        f"sources:\n{sources}"
        f"webhooks:\n{webhooks}"
    )
    return load_config(tmp_path / "crmbridge.yaml", webhooks=True)


def x_source(**options: str) -> str:
    extra = "".join(f"    {k}: {v}\n" for k, v in options.items())
    return (
        "  - name: brand-x\n    connector: x\n    api_base: https://x.test\n"
        '    bearer_token: ${X_BEARER_TOKEN}\n    user_id: "2244994945"\n' + extra
    )


X_WEBHOOK = "  x:\n    source: brand-x\n    consumer_secret: ${X_CONSUMER_SECRET}\n"
IG_SOURCE = (
    "  - name: brand-ig\n    connector: instagram\n    api_base: https://graph.test/v21.0\n"
    '    access_token: ${META_PAGE_TOKEN}\n    ig_user_id: "17841400000000001"\n'
    "    min_interval: 0\n"
)
META_WEBHOOK = (
    "  meta:\n    source: brand-ig\n    app_secret: ${META_APP_SECRET}\n"
    "    verify_token: ${META_VERIFY_TOKEN}\n"
)


def spooled(config: AppConfig, source: str) -> dict[str, Interaction]:
    path = config.base_dir / ".crmbridge" / "spool" / f"{source}.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return {
        i.message_id: i for i in (parse_interaction(json.loads(line), "spool") for line in lines)
    }


def deliver_x(config: AppConfig, name: str) -> dict:
    body = (FIXTURES / "webhooks" / name).read_bytes()
    signature = x_signature(SECRETS["X_CONSUMER_SECRET"], body)
    response = Client(make_app(config)).post(
        "/webhooks/x",
        data=body,
        headers={"x-twitter-webhooks-signature": signature},
        content_type="application/json",
    )
    return {"status": response.status_code, **(response.json or {})}


def deliver_meta(client: Client, name: str):
    body = (FIXTURES / "webhooks" / name).read_bytes()
    signature = meta_signature(SECRETS["META_APP_SECRET"], body)
    return client.post(
        "/webhooks/meta",
        data=body,
        headers={"X-Hub-Signature-256": signature},
        content_type="application/json",
    )


def polled(config: AppConfig, source: str) -> dict[str, Interaction]:
    """What a sync of the source reads, from the documented fixtures at the fake host."""
    spec = config.source(source)
    cls = registry.connector(spec.connector)
    connector = cls(config.options_for(cls.Config, spec.options, source), source)
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, f"{X_API}/2/users/{BRAND}/mentions", json=_mentions())
        found = [i.interaction for i in connector.fetch(None)]
    return {i.message_id: i for i in found if i is not None}


def _mentions() -> dict:
    first, second = fixture("x", "mentions_page1.json"), fixture("x", "mentions_page2.json")
    merged = {**first, "data": first["data"] + second["data"]}
    merged["includes"] = {
        key: first.get("includes", {}).get(key, []) + second.get("includes", {}).get(key, [])
        for key in ("users", "tweets")
    }
    merged["meta"] = {k: v for k, v in first["meta"].items() if k != "next_token"}
    return merged


# --- X: broadcasts and agent follow the source -------------------------------------------


def test_the_x_webhook_takes_in_broadcasts_when_its_source_polls_them_and_both_agree(tmp_path):
    config = write_config(tmp_path, x_source(broadcasts="true", agent="Acme social"), X_WEBHOOK)
    assert deliver_x(config, "x_timeline.json")["status"] == 200
    pushed, read = spooled(config, "brand-x"), polled(config, "brand-x")
    # A webhook reply names no thread: the sync places it in its stored parent's.
    stored = {i.key: i.to_json() for i in read.values()}
    placed = inherit_threads(
        pushed.values(), lambda keys: {k: stored[k] for k in keys if k in stored}
    )
    pushed = {i.message_id: placed.get(i.key, i) for i in pushed.values()}
    broadcast = pushed[BROADCAST_ID]
    assert broadcast.direction == "outbound" and broadcast.agent == "Acme social"
    shared = sorted(set(pushed) & set(read))
    assert BROADCAST_ID in shared
    for message_id in shared:
        fields = ("kind", "text", "direction", "agent", "url", "conversation_id")
        pushed_fields = [getattr(pushed[message_id], f) for f in fields]
        assert pushed_fields == [getattr(read[message_id], f) for f in fields], message_id
        assert pushed[message_id].persona_key == read[message_id].persona_key


def test_the_x_webhook_leaves_broadcasts_out_like_a_source_that_does(tmp_path):
    config = write_config(tmp_path, x_source(), X_WEBHOOK)
    assert deliver_x(config, "x_timeline.json")["status"] == 200
    pushed, read = spooled(config, "brand-x"), polled(config, "brand-x")
    assert BROADCAST_ID not in pushed and BROADCAST_ID not in read
    assert pushed["1750000000000000102"].agent == read["1750000000000000102"].agent == "brand"


def test_the_webhooks_own_setting_wins_over_its_sources(tmp_path):
    hook = X_WEBHOOK + "    broadcasts: false\n    agent: Night shift\n"
    config = write_config(tmp_path, x_source(broadcasts="true", agent="Acme social"), hook)
    deliver_x(config, "x_timeline.json")
    pushed = spooled(config, "brand-x")
    assert BROADCAST_ID not in pushed and pushed["1750000000000000102"].agent == "Night shift"


def test_a_webhook_over_a_jsonl_source_keeps_the_defaults(tmp_path):
    (tmp_path / "in.jsonl").write_text("")
    config = write_config(
        tmp_path, "  - {name: brand-x, connector: jsonl, path: in.jsonl}\n", X_WEBHOOK
    )
    deliver_x(config, "x_timeline.json")
    assert BROADCAST_ID not in spooled(config, "brand-x")


def test_a_bad_broadcasts_value_in_the_source_is_a_config_error_naming_it(tmp_path):
    # With its token unset the source's options are not validated when the config loads.
    raw = x_source(broadcasts="sometimes").replace("${X_BEARER_TOKEN}", "${X_UNSET_TOKEN}")
    config = write_config(tmp_path, raw, X_WEBHOOK)  # the token is unset: not validated yet
    with pytest.raises(ConfigError, match="source brand-x: broadcasts"):
        make_app(config)


# --- Meta: Instagram mentions are read through the source's connector --------------------


def serve_mentions(wire: responses.RequestsMock) -> None:
    wire.add(
        responses.GET,
        f"{GRAPH}/{IG}",
        json=fixture("instagram", "mentioned_comment.json"),
        match=[matchers.query_param_matcher({"fields": _field("comment", "17860000000000042")})],
    )
    wire.add(
        responses.GET,
        f"{GRAPH}/{IG}",
        json=fixture("instagram", "mentioned_media.json"),
        match=[matchers.query_param_matcher({"fields": _field("media", "17900000000000078")})],
    )


def _field(what: str, ident: str) -> str:
    if what == "comment":
        fields = "id,text,timestamp,username,media{id,permalink}"
        return f"mentioned_comment.comment_id({ident}){{{fields}}}"
    return (
        f"mentioned_media.media_id({ident}){{id,caption,timestamp,username,permalink,media_type}}"
    )


def test_instagram_mentions_delivered_by_webhook_are_read_with_the_sources_token(tmp_path):
    config = write_config(tmp_path, IG_SOURCE, META_WEBHOOK)
    with responses.RequestsMock() as wire:
        serve_mentions(wire)
        response = deliver_meta(Client(make_app(config)), "ig_events.json")
        auth = {c.request.headers["Authorization"] for c in wire.calls}
    assert response.status_code == 200 and response.json["accepted"] == 4
    assert auth == {f"Bearer {SECRETS['META_PAGE_TOKEN']}"}
    pushed = spooled(config, "brand-ig")
    comment, caption = pushed["17860000000000042"], pushed["17900000000000078"]
    assert comment.kind == caption.kind == "mention"
    assert comment.conversation_id == "17900000000000077"
    assert caption.url == "https://www.instagram.com/p/C2pQrSt/"
    # the same records the connector makes of those ids (the poll path's own lookup)
    spec = config.source("brand-ig")
    cls = registry.connector("instagram")
    connector = cls(config.options_for(cls.Config, spec.options, "brand-ig"), "brand-ig")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve_mentions(wire)
        direct = parse_interaction(
            connector.mentioned("17900000000000077", "17860000000000042"), "x"
        )
    assert comment == direct


def test_a_failed_mention_lookup_takes_nothing_in_and_asks_for_redelivery(tmp_path):
    config = write_config(tmp_path, IG_SOURCE, META_WEBHOOK)
    client = Client(make_app(config))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        expired = fixture("facebook", "error_expired.json")
        wire.add(responses.GET, f"{GRAPH}/{IG}", status=400, json=expired)
        refused = deliver_meta(client, "ig_events.json")
    assert refused.status_code == 503 and SECRETS["META_PAGE_TOKEN"] not in refused.get_data(True)
    assert spooled(config, "brand-ig") == {}
    with responses.RequestsMock() as wire:  # the redelivery is new, not a replay
        serve_mentions(wire)
        again = deliver_meta(client, "ig_events.json")
    assert again.json == {"accepted": 4, "replayed": 0}


def test_a_mention_graph_refuses_for_good_is_skipped_and_the_rest_taken_in(tmp_path, caplog):
    config = write_config(tmp_path, IG_SOURCE, META_WEBHOOK)
    gone = {"error": {"message": "Unsupported get request.", "type": "GraphMethodException"}}
    gone["error"]["code"] = 100
    with responses.RequestsMock() as wire:
        wire.add(
            responses.GET,
            f"{GRAPH}/{IG}",
            status=400,
            json=gone,
            match=[
                matchers.query_param_matcher({"fields": _field("comment", "17860000000000042")})
            ],
        )
        wire.add(
            responses.GET,
            f"{GRAPH}/{IG}",
            json=fixture("instagram", "mentioned_media.json"),
            match=[matchers.query_param_matcher({"fields": _field("media", "17900000000000078")})],
        )
        response = deliver_meta(Client(make_app(config)), "ig_events.json")
    assert response.status_code == 200 and response.json["accepted"] == 3
    assert "17860000000000042" not in spooled(config, "brand-ig")
    assert "mention 17860000000000042 cannot be read, skipped" in caplog.text


def test_a_replayed_mentions_delivery_makes_no_graph_call(tmp_path):
    config = write_config(tmp_path, IG_SOURCE, META_WEBHOOK)
    client = Client(make_app(config))
    with responses.RequestsMock() as wire:
        serve_mentions(wire)
        assert deliver_meta(client, "ig_events.json").json["accepted"] == 4
    with responses.RequestsMock() as wire:  # any Graph call would be refused here
        again = deliver_meta(client, "ig_events.json")
        assert len(wire.calls) == 0
    assert again.json == {"accepted": 0, "replayed": 4}
    assert len(spooled(config, "brand-ig")) == 4


def test_a_facebook_meta_source_has_no_mention_lookup_and_skips_them(tmp_path):
    fb = (
        "  - name: brand-ig\n    connector: facebook\n    access_token: ${META_PAGE_TOKEN}\n"
        '    page_id: "104000000000001"\n'
    )
    config = write_config(tmp_path, fb, META_WEBHOOK)
    response = deliver_meta(Client(make_app(config)), "ig_events.json")
    assert response.json["accepted"] == 2
    assert {i.kind for i in spooled(config, "brand-ig").values()} == {"reply", "dm"}


def test_a_mentions_source_that_cannot_read_mentions_is_a_config_error(tmp_path):
    hook = META_WEBHOOK + "    mentions_source: brand-x\n"
    config = write_config(tmp_path, IG_SOURCE + x_source(), hook)
    with pytest.raises(ConfigError, match="mentions_source"):
        make_app(config)
