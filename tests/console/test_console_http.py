"""The console over real HTTP requests (Werkzeug's client): sign-in, gates, CSRF, cards."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from sqlalchemy import select
from werkzeug.test import Client

from crmbridge.console.app import ROUTES
from crmbridge.state.schema import audit, review
from tests.console.conftest import (
    HUBSPOT_SECRET,
    PASSWORD,
    SALESFORCE_TOKEN,
    SECRET_KEY,
    SEEDED,
    TEAM_TOKEN,
    review_ids,
    sign_in,
)

PAGES = [
    "/console/review",
    "/console/contacts/C000007",
    "/console/search?q=maya",
    "/console/report",
    "/console/failures",
]
APIS = [
    "/api/review",
    "/api/contacts/C000007",
    "/api/search?q=maya",
    "/api/report",
    "/api/failures",
]
POSTS = [
    "/console/review/1/approve",
    "/console/review/1/reject",
    "/console/link",
    "/console/unlink",
    "/console/failures/retry",
    "/console/failures/drop",
    "/console/signout",
    "/api/review/1/approve",
    "/api/links",
    "/api/unlink",
]


def open_items(console) -> list[int]:
    with console.store.engine.connect() as conn:
        return list(conn.scalars(select(review.c.id).where(review.c.status == "open")))


def test_every_page_api_and_action_is_refused_to_someone_signed_out(console):
    client = Client(console)
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["Location"].startswith("/console/signin")
        assert "Okafor" not in answer.text
    for path in APIS:
        answer = client.get(path)
        assert answer.status_code == 401, path
        assert "Okafor" not in answer.text
    for path in POSTS:
        assert client.post(path, data={"csrf": "x"}).status_code == 401, path
    assert len(open_items(console)) == len(SEEDED) + 1


def test_the_declared_routes_are_all_covered_by_the_signed_out_test():
    gated = {r.rule for r in ROUTES.values() if r.gate in ("page", "api")}
    listed = {p.split("?")[0] for p in PAGES + APIS + POSTS}
    assert {r.replace("<contact_id>", "C000007") for r in gated} - listed <= {
        "/console/review/<int:review_id>/<any(approve, reject):action>",
        "/console/failures/<any(retry, drop):action>",
        "/api/review/<int:review_id>/<any(approve, reject):action>",
    }


def test_a_forged_csrf_token_is_refused_and_changes_nothing(console):
    client = Client(console)
    csrf = sign_in(client, "ana")
    before = open_items(console)
    forged = client.post("/console/review/1/approve", data={"csrf": csrf[:-2] + "xx"})
    assert forged.status_code == 403
    assert client.post("/console/review/1/reject", data={}).status_code == 403
    api = client.post("/api/review/1/reject", headers={"X-CSRF-Token": "nope"})
    assert api.status_code == 403
    assert open_items(console) == before and 1 in before
    done = client.post("/console/review/1/reject", data={"csrf": csrf})
    assert done.status_code == 303
    assert open_items(console) == [i for i in before if i != 1]


def test_a_session_cookie_signed_with_another_key_is_refused(console):
    from itsdangerous import URLSafeTimedSerializer

    client = Client(console)
    forged = URLSafeTimedSerializer("another-key", salt="crmbridge-console-session").dumps(
        {"u": "root", "r": "admin", "c": "c"}
    )
    client.set_cookie("crmbridge_session", forged)
    assert client.get("/console/review").status_code == 303
    assert client.get("/api/review").status_code == 401


def test_sign_in_is_rate_limited_after_five_failures_even_with_the_right_password(console):
    client = Client(console)
    for _ in range(5):
        page = client.get("/console/signin")
        pre = page.text.split('name="csrf" value="')[1].split('"')[0]
        wrong = client.post("/console/signin", data={"csrf": pre, "name": "ana", "password": "x"})
        assert wrong.status_code == 401
    page = client.get("/console/signin")
    pre = page.text.split('name="csrf" value="')[1].split('"')[0]
    right = client.post("/console/signin", data={"csrf": pre, "name": "ana", "password": PASSWORD})
    assert right.status_code == 429


def test_the_sign_in_form_itself_needs_its_csrf_token(console):
    client = Client(console)
    client.get("/console/signin")
    answer = client.post("/console/signin", data={"csrf": "x", "name": "ana", "password": PASSWORD})
    assert answer.status_code == 403


def test_an_agent_reads_but_may_not_decide_and_only_admins_see_failures(console):
    client = Client(console)
    csrf = sign_in(client, "sam")
    assert client.get("/console/contacts/C000007").status_code == 200
    assert client.post("/console/review/1/approve", data={"csrf": csrf}).status_code == 403
    assert client.get("/console/failures").status_code == 403
    admin = Client(console)
    sign_in(admin, "root")
    assert admin.get("/console/failures").status_code == 200


def test_every_answer_is_private_no_store_and_no_page_shows_a_secret(console, site):
    client = Client(console)
    sign_in(client, "root")
    hashes = [u.password_hash.get_secret_value() for u in site.console.users]
    for path in [*PAGES, *APIS, "/console/signin"]:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Cache-Control"] == "private, no-store"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        for secret in (SECRET_KEY, HUBSPOT_SECRET, SALESFORCE_TOKEN, TEAM_TOKEN, *hashes):
            assert secret not in answer.text, (path, "leaks a secret")


def test_decisions_through_the_api_are_audited_with_who_and_when(console):
    client = Client(console)
    csrf = sign_in(client, "ana")
    headers = {"X-CSRF-Token": csrf}
    hannah = review_ids(console.config)["reddit:t2_4977o6o0"]
    done = client.post(f"/api/review/{hannah}/approve", headers=headers, json={})
    assert done.status_code == 200, done.text
    assert done.json["by"] == "ana" and done.json["to"] == "C000021"
    assert done.json["activities_moved"] == 3
    again = client.post(f"/api/review/{hannah}/approve", headers=headers, json={})
    assert again.status_code == 400 and "already approved by ana" in again.json["error"]
    unknown = client.post(
        "/api/links", headers=headers, json={"persona": "facebook:0000", "contact_id": "C999"}
    )
    assert unknown.status_code == 400
    with console.store.engine.connect() as conn:
        rows = conn.execute(select(audit).order_by(audit.c.id)).mappings().all()
    decisions = [(r["actor"], r["action"], r["target"]) for r in rows if r["action"] != "sign-in"]
    assert decisions == [("ana", "approve", f"review:{hannah}")]
    assert all(r["at"] is not None for r in rows)


def test_the_team_token_opens_the_api_as_a_bearer_and_the_page_sign_in(console):
    client = Client(console)
    answer = client.get("/api/review", headers={"Authorization": f"Bearer {TEAM_TOKEN}"})
    assert answer.status_code == 200 and answer.json["total"] == len(SEEDED) + 1
    wrong = client.get("/api/review", headers={"Authorization": "Bearer wrong-token-123456"})
    assert wrong.status_code == 401
    assert sign_in(Client(console), "", TEAM_TOKEN)


# --- CRM cards -------------------------------------------------------------------------


def hubspot_headers(uri: str, body: bytes = b"", method: str = "GET", age_s: float = 0) -> dict:
    """What HubSpot sends: base64 HMAC-SHA256 of method + URI + body + timestamp (ms)."""
    stamp = str(int((time.time() - age_s) * 1000))
    source = method.encode() + uri.encode() + body + stamp.encode()
    digest = hmac.new(HUBSPOT_SECRET.encode(), source, hashlib.sha256).digest()
    return {
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": stamp,
    }


CARD = "/api/card/hubspot?associatedObjectId=C000007&associatedObjectType=CONTACT&portalId=62515"


def test_the_hubspot_card_answers_a_request_signed_with_the_client_secret(console):
    client = Client(console)
    answer = client.get(CARD, headers=hubspot_headers("http://localhost" + CARD))
    assert answer.status_code == 200, answer.text
    data = answer.json
    assert data["summary"]["name"] == "Maya Okafor"
    assert set(data["summary"]["channels"]) == {"x", "facebook", "instagram"}
    assert data["results"][0]["title"] == "Social history: Maya Okafor"


@pytest.mark.parametrize(
    ("problem", "headers"),
    [
        (
            "wrong secret",
            {
                "X-HubSpot-Signature-v3": base64.b64encode(b"x" * 32).decode(),
                "X-HubSpot-Request-Timestamp": str(int(time.time() * 1000)),
            },
        ),
        ("old timestamp", hubspot_headers("http://localhost" + CARD, age_s=6 * 60)),
        ("other URI", hubspot_headers("http://localhost/api/card/hubspot?associatedObjectId=C1")),
        ("no headers", {}),
    ],
)
def test_the_hubspot_card_refuses_a_bad_signature_or_an_old_timestamp(console, problem, headers):
    answer = Client(console).get(CARD, headers=headers)
    assert answer.status_code == 401, problem
    assert "Okafor" not in answer.text


def test_the_salesforce_card_needs_the_named_credential_token(console):
    client = Client(console)
    path = "/api/card/salesforce?email=maya.okafor@gmail.com"
    ok = client.get(path, headers={"Authorization": f"Bearer {SALESFORCE_TOKEN}"})
    assert ok.status_code == 200 and ok.json["summary"]["contact_id"] == "C000007"
    assert client.get(path, headers={"X-Crmbridge-Token": SALESFORCE_TOKEN}).status_code == 200
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get(path).status_code == 401


def test_the_api_shows_the_same_queue_as_review_list(console, site):
    from click.testing import CliRunner

    from crmbridge.cli import main

    client = Client(console)
    sign_in(client, "sam")
    api = client.get("/api/review?per_page=100").json
    cli = json.loads(
        CliRunner().invoke(main, ["review", "list", "--json", "--config", str(site.file)]).output
    )
    assert [i["id"] for i in api["items"]] == [i["id"] for i in cli["reviews"]]
    assert api["items"][0]["candidates"] == cli["reviews"][0]["candidates"]


def test_the_report_page_covers_the_period_chosen(console):
    client = Client(console)
    sign_in(client, "sam")
    everything = client.get("/console/report?period=all").text
    assert "No conversations in this period." not in everything
    assert '<option value="all" selected>' in everything
    recent = client.get("/console/report?period=7d").text  # the sample data is from 2024
    assert "No conversations in this period." in recent
    assert '<option value="7d" selected>' in recent
    api = client.get("/api/report?days=7").json
    assert api["kpis"]["overall"]["conversations"] == 0 and api["since"]
    assert client.get("/api/report").json["kpis"]["overall"]["conversations"] > 0


def test_serve_mounts_the_console_beside_the_webhooks(site, monkeypatch):
    from crmbridge.config import load_config
    from crmbridge.console import mount
    from crmbridge.webhooks import make_app

    monkeypatch.setenv("X_CONSUMER_SECRET", "x-consumer-secret")
    with site.file.open("a", encoding="utf-8") as handle:
        handle.write(
            "webhooks:\n  x:\n    source: exports\n    consumer_secret: ${X_CONSUMER_SECRET}\n"
        )
    config = load_config(site.file)
    client = Client(mount(config, make_app(config)))
    assert client.get("/healthz").json["endpoints"] == ["x"]
    assert client.get("/webhooks/x?crc_token=abc").status_code == 200
    assert client.get("/console/review").status_code == 303
    assert client.get("/api/review").status_code == 401
