"""Webhook intake: handshakes, signatures over the raw body, limits, replay, spool records."""

import json
from pathlib import Path

import pytest
from crmbridge.connectors.files import JsonlConnector
from werkzeug.test import Client

from crmbridge.config import load_config
from crmbridge.models import parse_interaction
from crmbridge.webhooks import (
    MetaWebhook,
    SeenEvents,
    SpoolIntake,
    WebhookApp,
    XWebhook,
    make_app,
    meta_signature,
    x_signature,
)
from tests.connectors.conftest import FIXTURES

X_SECRET = "consumer_secret"
META_SECRET = "meta-app-secret"
VERIFY = "verify-me-123"


def raw(name: str) -> bytes:
    return (FIXTURES / "webhooks" / name).read_bytes()


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    return tmp_path / "spool"


@pytest.fixture
def client(spool: Path) -> Client:
    app = WebhookApp(
        x=XWebhook(source="brand-x", consumer_secret=X_SECRET),
        meta=MetaWebhook(source="brand-fb", app_secret=META_SECRET, verify_token=VERIFY),
        intake=SpoolIntake(spool),
        seen=SeenEvents(spool / "seen.sqlite3"),
        max_body_bytes=64_000,
    )
    return Client(app)


def post_x(client: Client, body: bytes, secret: str = X_SECRET, **headers: str):
    headers.setdefault("x-twitter-webhooks-signature", x_signature(secret, body))
    return client.post("/webhooks/x", data=body, headers=headers, content_type="application/json")


def post_meta(client: Client, body: bytes, secret: str = META_SECRET):
    headers = {"X-Hub-Signature-256": meta_signature(secret, body)}
    return client.post(
        "/webhooks/meta", data=body, headers=headers, content_type="application/json"
    )


def spooled(spool: Path, source: str) -> list[dict]:
    path = spool / f"{source}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# --- handshakes ------------------------------------------------------------------------


def test_the_x_crc_answers_the_documented_test_vector(client):
    response = client.get("/webhooks/x?crc_token=9b4507b3-9040-4669-9ca3-6b94edb50553")
    assert response.status_code == 200
    assert response.json == {
        "response_token": "sha256=lp3tUoXxtcU6DegxsyKN24+j1sQJKofzei0ChoGqFVY="
    }


def test_an_x_crc_without_a_token_is_a_400(client):
    assert client.get("/webhooks/x").status_code == 400


def test_the_meta_handshake_echoes_the_challenge_exactly(client):
    query = f"hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={VERIFY}"
    response = client.get(f"/webhooks/meta?{query}")
    assert response.status_code == 200 and response.get_data() == b"1158201444"


def test_the_meta_handshake_with_a_wrong_verify_token_is_refused(client):
    query = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess"
    response = client.get(f"/webhooks/meta?{query}")
    assert response.status_code == 403 and b"1158201444" not in response.get_data()


def test_healthz_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["endpoints"] == ["x", "meta"]


# --- signatures and limits -------------------------------------------------------------


def test_a_correctly_signed_x_event_is_taken_in_as_a_valid_record(client, spool):
    response = post_x(client, raw("x_activity.json"))
    assert response.status_code == 200 and response.json == {"accepted": 1, "replayed": 0}
    [record] = spooled(spool, "brand-x")
    interaction = parse_interaction(record, "spool")
    assert interaction.key == "x:1750000000000000104"
    assert interaction.edit_of == "1750000000000000101"
    assert interaction.author.handle == "jdoe" and interaction.author.followers == 120


def test_a_body_changed_by_one_byte_is_refused(client, spool):
    body = raw("x_activity.json")
    signature = x_signature(X_SECRET, body)
    tampered = body.replace(b"4411", b"4412", 1)
    assert len(tampered) == len(body) and tampered != body
    response = post_x(client, tampered, **{"x-twitter-webhooks-signature": signature})
    assert response.status_code == 403
    assert spooled(spool, "brand-x") == []


def test_a_body_signed_with_the_wrong_secret_is_refused(client, spool):
    assert post_x(client, raw("x_activity.json"), secret="not-the-secret").status_code == 403
    assert post_meta(client, raw("meta_feed.json"), secret="not-the-secret").status_code == 403
    assert spooled(spool, "brand-x") == spooled(spool, "brand-fb") == []


def test_a_delivery_without_the_signature_header_is_refused(client, spool):
    body = raw("meta_feed.json")
    response = client.post("/webhooks/meta", data=body, content_type="application/json")
    assert response.status_code == 401
    assert spooled(spool, "brand-fb") == []


def test_a_replayed_event_id_is_not_taken_in_twice(client, spool):
    body = raw("x_activity.json")
    assert post_x(client, body).json == {"accepted": 1, "replayed": 0}
    again = post_x(client, body)
    assert again.status_code == 200 and again.json == {"accepted": 0, "replayed": 1}
    assert len(spooled(spool, "brand-x")) == 1


def test_replay_memory_survives_a_restart(client, spool):
    post_x(client, raw("x_activity.json"))
    restarted = WebhookApp(
        x=XWebhook(source="brand-x", consumer_secret=X_SECRET),
        meta=None,
        intake=SpoolIntake(spool),
        seen=SeenEvents(spool / "seen.sqlite3"),
    )
    assert post_x(Client(restarted), raw("x_activity.json")).json["replayed"] == 1


def test_an_oversized_body_is_refused_with_413(client, spool):
    body = json.dumps({"for_user_id": "1", "padding": "x" * 70_000}).encode()
    assert post_x(client, body).status_code == 413
    assert spooled(spool, "brand-x") == []


def test_a_signed_body_that_is_not_json_is_a_400(client):
    assert post_x(client, b"{not json").status_code == 400
    assert post_x(client, b"[1, 2]").status_code == 400


# --- Meta and X events ------------------------------------------------------------------


def test_meta_feed_changes_become_comments_edits_and_deletions(client, spool):
    response = post_meta(client, raw("meta_feed.json"))
    assert response.json == {"accepted": 4, "replayed": 0}  # the reaction is ignored
    records = {r["message_id"]: parse_interaction(r, "spool") for r in spooled(spool, "brand-fb")}
    assert records["500000000000001_904"].deleted is True
    assert records["500000000000001_901"].edited_at is not None
    reply = records["500000000000001_906"]
    assert reply.direction == "outbound" and reply.in_reply_to == "500000000000001_905"


def test_messenger_echoes_are_outbound_and_reads_are_ignored(client, spool):
    assert post_meta(client, raw("meta_messaging.json")).json["accepted"] == 2
    records = {r["message_id"]: parse_interaction(r, "spool") for r in spooled(spool, "brand-fb")}
    assert records["m_AbCdEf03"].direction == "outbound"
    assert records["m_AbCdEf02"].direction == "inbound" and records["m_AbCdEf02"].is_private


def test_an_x_deletion_marks_the_polled_message_deleted(client, spool):
    post_x(client, raw("x_delete.json"))
    [record] = spooled(spool, "brand-x")
    deleted = parse_interaction(record, "spool")
    assert deleted.deleted and deleted.key == "x:1750000000000000103"


def test_an_x_dm_keeps_the_polled_conversation_id(client, spool):
    post_x(client, raw("x_dm.json"))
    [record] = spooled(spool, "brand-x")
    dm = parse_interaction(record, "spool")
    assert dm.conversation_id == "111-2244994945" and dm.direction == "outbound"


def test_the_spool_is_readable_by_a_jsonl_source_with_the_polled_keys(client, spool):
    post_x(client, raw("x_activity.json"))
    post_x(client, raw("x_delete.json"))
    config = JsonlConnector.Config.model_validate({"path": str(spool / "brand-x.jsonl")})
    items = list(JsonlConnector(config, "brand-x-webhooks").fetch(None))
    assert [i.interaction.key for i in items] == ["x:1750000000000000104", "x:1750000000000000103"]
    polled = json.loads((FIXTURES / "x" / "mentions_page1.json").read_text())["data"]
    assert {i.interaction.message_id for i in items} <= {t["id"] for t in polled}


def test_an_unconfigured_platform_is_a_404(spool):
    app = WebhookApp(x=None, meta=None, intake=SpoolIntake(spool), seen=SeenEvents(spool / "s"))
    assert Client(app).get("/webhooks/x?crc_token=a").status_code == 404
    assert Client(app).put("/webhooks/x").status_code in (404, 405)


def test_make_app_reads_the_webhooks_block_with_secrets_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("X_CONSUMER_SECRET", X_SECRET)
    (tmp_path / "in.jsonl").write_text("")
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///state/crmbridge-state.db\n"
        "crm: {kind: local, path: crm.db}\n"
        "sources:\n  - {name: brand-x, connector: jsonl, path: in.jsonl}\n"
        "webhooks:\n  x:\n    source: brand-x\n    consumer_secret: ${X_CONSUMER_SECRET}\n"
    )
    app = make_app(load_config(tmp_path / "crmbridge.yaml"))
    response = post_x(Client(app), raw("x_activity.json"))
    assert response.json["accepted"] == 1
    assert (tmp_path / "state" / "spool" / "brand-x.jsonl").exists()
