"""The HubSpot adapter through the real hubspot-api-client against a local HTTP server."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from werkzeug import Response

from crmbridge import registry
from crmbridge.config import load_config
from crmbridge.crm.hubspot import HubSpotConfig, HubSpotCrm
from crmbridge.errors import AuthError, ConfigError, QuotaExhausted, RateLimited, TransientError
from crmbridge.models import ActivityWrite, Interaction
from crmbridge.pipeline import Pipeline
from crmbridge.rules.mapping import load_preset
from crmbridge.testing.hubspot_fake import FakeHubSpot

TOKEN = "pat-na1-0000-secret-token"
ANY = re.compile(".*")


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeHubSpot:
    server = FakeHubSpot(TOKEN)
    httpserver.expect_request(ANY).respond_with_handler(server)
    return server


def adapter(httpserver: HTTPServer, **options: Any) -> HubSpotCrm:
    config = HubSpotConfig(
        access_token=SecretStr(options.pop("token", TOKEN)),
        host=httpserver.url_for("").rstrip("/"),
        **options,
    )
    crm = HubSpotCrm(config)
    crm.open()
    return crm


def note(
    key: str, contact_id: str | None, crm_id: str | None = None, body: str = "hi"
) -> ActivityWrite:
    fields = {"hs_note_body": body, "hs_timestamp": "2024-01-15T10:30:00+00:00"}
    return ActivityWrite(
        key=key, object="notes", contact_id=contact_id, fields=fields, crm_id=crm_id
    )


def body_of(httpserver: HTTPServer, path: str) -> list[dict[str, Any]]:
    return [json.loads(req.get_data()) for req, _ in httpserver.log if req.path == path]


def error(status: int, body: dict[str, Any], **headers: str) -> Response:
    return Response(json.dumps(body), status, headers, content_type="application/json")


# --- writes ------------------------------------------------------------------------------


def test_notes_are_created_in_one_batch_with_the_contact_association_inline(httpserver, fake):
    cid = fake.add_contact(email="jane@example.com")
    crm = adapter(httpserver)

    results = crm.write([note("x:1", cid), note("x:2", cid)])

    assert [r.status for r in results] == ["created", "created"]
    (sent,) = body_of(httpserver, "/crm/v3/objects/notes/batch/create")
    assert sent["inputs"][0] == {
        "properties": {
            "hs_note_body": "hi",
            "hs_timestamp": "2024-01-15T10:30:00Z",
            "crmbridge_key": "x:1",
        },
        "objectWriteTraceId": "x:1",
        "associations": [
            {
                "to": {"id": cid},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}],
            }
        ],
    }
    create = next(r for r, _ in httpserver.log if r.path.endswith("/batch/create"))
    assert create.headers["Authorization"] == f"Bearer {TOKEN}"
    assert crm.api_calls == 3  # association labels, key property, one batch create


def test_whatsapp_messages_become_communications_logged_from_crm(httpserver, fake):
    cid = fake.add_contact(email="jane@example.com")
    interaction = Interaction.model_validate(
        {
            "schema": "crmbridge.interaction/1",
            "platform": "whatsapp",
            "kind": "dm",
            "message_id": "wamid.1",
            "author": {"id": "447700900123"},
            "text": "where is my order?",
            "created_at": "2024-01-15T10:30:00Z",
        }
    )
    write = load_preset("hubspot_communication").render(interaction, None, None, interaction.key)
    write.contact_id = cid

    (result,) = adapter(httpserver).write([write])

    assert result.status == "created"
    (sent,) = body_of(httpserver, "/crm/v3/objects/communications/batch/create")
    props = sent["inputs"][0]["properties"]
    assert props["hs_communication_channel_type"] == "WHATS_APP"
    assert props["hs_communication_logged_from"] == "CRM"
    assert props["hs_communication_body"] == "where is my order?"
    assert sent["inputs"][0]["associations"][0]["types"][0]["associationTypeId"] == 81


def test_a_replay_after_a_crash_updates_the_record_the_conflict_names(httpserver, fake):
    cid = fake.add_contact(email="jane@example.com")
    crm = adapter(httpserver)
    (first,) = crm.write([note("x:1", cid)])

    (again,) = crm.write([note("x:1", cid, body="edited")])  # the ledger never saw the first

    assert again.status == "updated" and again.crm_id == first.crm_id
    assert len(fake.objects["notes"]) == 1
    assert fake.objects["notes"][first.crm_id]["hs_note_body"] == "edited"


def test_a_known_record_is_updated_by_id_and_a_deleted_post_is_marked(httpserver, fake):
    cid = fake.add_contact(email="jane@example.com")
    crm = adapter(httpserver)
    (first,) = crm.write([note("x:1", cid)])
    deleted = note("x:1", cid, crm_id=first.crm_id, body="[deleted] hi")
    deleted.deleted = True

    (result,) = crm.write([deleted])

    assert result.status == "updated"
    (sent,) = body_of(httpserver, "/crm/v3/objects/notes/batch/update")
    assert sent["inputs"][0]["id"] == first.crm_id
    assert fake.objects["notes"][first.crm_id]["hs_note_body"].startswith("[deleted]")


def test_a_partial_batch_failure_fails_only_the_bad_record(httpserver, fake):
    cid = fake.add_contact(email="jane@example.com")
    crm = adapter(httpserver)
    crm.meta("notes")
    bad = {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "message": "Property values were not valid: hs_timestamp",
        "context": {"objectWriteTraceId": ["x:2"]},
    }
    answer = {
        "status": "COMPLETE",
        "results": [{"id": "77", "properties": {"crmbridge_key": "x:1"}}],
        "numErrors": 1,
        "errors": [bad],
    }
    httpserver.expect_oneshot_request("/crm/v3/objects/notes/batch/create").respond_with_json(
        answer, status=207
    )

    ok, failed = crm.write([note("x:1", cid), note("x:2", cid)])

    assert (ok.status, ok.crm_id) == ("created", "77")
    assert failed.status == "failed" and failed.error_kind == "data"
    assert "hs_timestamp" in (failed.error or "")


def test_a_batch_refused_as_a_whole_is_halved_down_to_the_bad_record_never_sent_one_by_one(
    httpserver,
):
    server = FakeHubSpot(TOKEN)
    refused = {"status": "error", "category": "VALIDATION_ERROR", "message": "bad input"}

    def handler(request: Any) -> Response:
        keys = [
            i["properties"].get("crmbridge_key")
            for i in (request.get_json(silent=True) or {}).get("inputs") or []
            if isinstance(i, dict) and "properties" in i
        ]
        if request.path.endswith("/batch/create") and "x:41" in keys:
            return error(400, refused)  # HubSpot refuses the whole batch for one bad record
        return server(request)

    httpserver.expect_request(ANY).respond_with_handler(handler)
    cid = server.add_contact(email="jane@example.com")
    crm = adapter(httpserver)

    results = crm.write([note(f"x:{n}", cid) for n in range(100)])

    assert [r.key for r in results if not r.ok] == ["x:41"]
    assert results[41].error_kind == "data" and "bad input" in (results[41].error or "")
    assert len(server.objects["notes"]) == 99
    creates = body_of(httpserver, "/crm/v3/objects/notes/batch/create")
    assert len(creates) <= 1 + 2 * 7  # halving: two halves per level, never 100 singles


def test_without_a_unique_key_existing_records_are_found_through_associations(httpserver):
    server = FakeHubSpot(TOKEN, unique_key=False)
    httpserver.expect_request(ANY).respond_with_handler(server)
    cid = server.add_contact(email="jane@example.com")
    crm = adapter(httpserver)
    (first,) = crm.write([note("x:1", cid)])

    (again,) = crm.write([note("x:1", cid)])

    assert again.status == "updated" and again.crm_id == first.crm_id
    assert len(server.objects["notes"]) == 1
    assert not [r for r, _ in httpserver.log if r.path.endswith("/search")]


# --- errors ------------------------------------------------------------------------------


def test_a_401_is_an_auth_error_naming_the_setting_and_never_the_token(httpserver, fake):
    crm = adapter(httpserver, token="pat-na1-revoked-secret")

    with pytest.raises(AuthError) as caught:
        crm.find_contacts(emails=["jane@example.com"])

    text = str(caught.value)
    assert "crm.access_token" in text and "HUBSPOT_TOKEN" in text
    assert "pat-na1" not in text and "secret" not in text
    assert len(httpserver.log) == 1  # never retried


def test_missing_scopes_are_a_config_error_naming_the_scope(httpserver):
    body = {
        "status": "error",
        "message": "This app hasn't been granted all required scopes to make this call.",
        "correlationId": "c-403",
        "category": "MISSING_SCOPES",
        "errors": [
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": ["crm.objects.contacts.read"]},
            }
        ],
    }
    httpserver.expect_request(ANY).respond_with_json(body, status=403)

    with pytest.raises(ConfigError, match=r"crm\.objects\.contacts\.read"):
        adapter(httpserver).find_contacts(emails=["jane@example.com"])


def test_a_burst_429_waits_as_the_headers_say(httpserver):
    body = {
        "status": "error",
        "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT",
        "policyName": "TEN_SECONDLY_ROLLING",
    }
    httpserver.expect_request(ANY).respond_with_response(
        error(
            429,
            body,
            **{
                "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                "X-HubSpot-RateLimit-Remaining": "0",
            },
        )
    )

    with pytest.raises(RateLimited) as caught:
        adapter(httpserver, attempts=1).find_contacts(emails=["jane@example.com"])

    assert caught.value.retry_after == 10.0


def test_a_burst_429_is_retried_by_the_shared_policy(httpserver, fake):
    fake.add_contact(email="jane@example.com")
    body = {"status": "error", "policyName": "SECONDLY", "message": "secondly limit"}
    httpserver.expect_oneshot_request(ANY).respond_with_response(
        error(429, body, **{"Retry-After": "0"})
    )

    found = adapter(httpserver, attempts=2).find_contacts(emails=["jane@example.com"])

    assert [c.email for c in found] == ["jane@example.com"]
    assert len(httpserver.log) == 2


def test_a_daily_429_is_quota_exhausted_and_not_retried(httpserver):
    body = {
        "status": "error",
        "message": "You have reached your daily limit.",
        "errorType": "RATE_LIMIT",
        "policyName": "DAILY",
    }
    httpserver.expect_request(ANY).respond_with_json(body, status=429)

    with pytest.raises(QuotaExhausted):
        adapter(httpserver).find_contacts(emails=["jane@example.com"])
    assert len(httpserver.log) == 1


def test_the_run_stops_before_the_daily_reserve_is_spent(httpserver, fake):
    httpserver.expect_oneshot_request(ANY).respond_with_response(
        error(
            200,
            {"status": "COMPLETE", "results": []},
            **{"X-HubSpot-RateLimit-Daily-Remaining": "40"},
        )
    )
    crm = adapter(httpserver, daily_reserve=50)
    crm.find_contacts(emails=["jane@example.com"])

    with pytest.raises(QuotaExhausted, match="daily_reserve"):
        crm.find_contacts(emails=["joe@example.com"])
    assert len(httpserver.log) == 1


def test_a_503_is_retried_and_then_transient(httpserver, fake):
    fake.add_contact(email="jane@example.com")
    httpserver.expect_oneshot_request(ANY).respond_with_json({"status": "error"}, status=503)
    assert adapter(httpserver, attempts=2).find_contacts(emails=["jane@example.com"])

    httpserver.clear()
    httpserver.expect_request(ANY).respond_with_json({"status": "error"}, status=502)
    with pytest.raises(TransientError, match="HTTP 502"):
        adapter(httpserver, attempts=1).find_contacts(emails=["jane@example.com"])


def test_an_unreachable_host_is_transient(httpserver):
    config = HubSpotConfig(access_token=SecretStr(TOKEN), host="http://127.0.0.1:9", attempts=1)
    crm = HubSpotCrm(config)
    crm.open()

    with pytest.raises(TransientError) as caught:
        crm.find_contacts(emails=["jane@example.com"])
    assert TOKEN not in str(caught.value)


def test_a_missing_key_property_is_a_config_error_naming_the_fix(httpserver, fake):
    httpserver.expect_oneshot_request("/crm/v3/properties/notes/crmbridge_key").respond_with_json(
        {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "no property"}, status=404
    )
    with pytest.raises(ConfigError, match="crmbridge setup hubspot"):
        adapter(httpserver).write([note("x:1", "1")])


# --- contacts ----------------------------------------------------------------------------


def test_contacts_are_read_by_email_and_searched_by_handle_with_values_as_data(httpserver, fake):
    jane = fake.add_contact(email="jane@example.com", firstname="Jane", twitterhandle="JDoe")
    crm = adapter(httpserver)

    found = crm.find_contacts(emails=["Jane@Example.com"], handles={"x": {"jdoe", 'x" OR email:*'}})

    assert [(c.id, c.handles) for c in found] == [(jane, {"x": "jdoe"})]
    (read,) = body_of(httpserver, "/crm/v3/objects/contacts/batch/read")
    assert read["idProperty"] == "email" and read["inputs"] == [{"id": "jane@example.com"}]
    (search,) = body_of(httpserver, "/crm/v3/objects/contacts/search")
    assert search["filterGroups"] == [
        {
            "filters": [
                {
                    "propertyName": "twitterhandle",
                    "operator": "IN",
                    "values": ["jdoe", 'x" or email:*'],
                }
            ]
        }
    ]


def test_contact_changes_are_read_after_the_cursor_in_pages(httpserver, fake):
    for n in range(250):
        fake.add_contact(
            email=f"c{n}@example.com", lastmodifieddate=f"2024-01-{1 + n // 10:02d}T00:00:00.000Z"
        )
    crm = adapter(httpserver)

    changed = list(crm.contacts_since("1704067200000"))  # after 2024-01-01T00:00:00Z

    assert len(changed) == 240
    searches = body_of(httpserver, "/crm/v3/objects/contacts/search")
    assert len(searches) == 2 and searches[1]["after"] == "200"
    first = searches[0]["filterGroups"][0]["filters"][0]
    assert first == {"propertyName": "lastmodifieddate", "operator": "GT", "value": "1704067200000"}
    assert changed[-1][1] == "1706140799999"  # 2024-01-25T00:00:00Z in ms, minus one


# --- check, history, registry -------------------------------------------------------------


def test_check_reports_the_missing_key_property_and_a_bad_enumeration(httpserver, tmp_path):
    props = {
        "results": [
            {"name": "hs_note_body", "type": "string"},
            {"name": "hs_timestamp", "type": "datetime"},
            {"name": "hs_communication_body", "type": "string"},
            {
                "name": "hs_communication_logged_from",
                "type": "enumeration",
                "options": [{"value": "CRM"}],
            },
            {
                "name": "hs_communication_channel_type",
                "type": "enumeration",
                "options": [{"value": "SMS"}],
            },
        ]
    }
    httpserver.expect_request(re.compile("/crm/v3/properties/.*")).respond_with_json(props)

    problems = adapter(httpserver).check()

    assert any("notes: custom property crmbridge_key is missing" in p for p in problems)
    assert any("WHATS_APP" in p and "not allowed" in p for p in problems)


def test_history_lists_what_crmbridge_wrote_on_the_contact_newest_first(httpserver, fake):
    cid = fake.add_contact(email="jane@example.com")
    crm = adapter(httpserver)
    old = note("x:1", cid)
    new = note("x:2", cid)
    new.fields["hs_timestamp"] = "2024-02-01T00:00:00+00:00"
    crm.write([old, new])

    assert [h["key"] for h in crm.history(cid)] == ["x:2", "x:1"]


def test_the_adapter_is_registered_and_its_api_objects_are_built_once(httpserver, fake):
    assert registry.crm_adapter("hubspot") is HubSpotCrm
    crm = adapter(httpserver)
    assert crm.wire.api("objects") is crm.wire.api("objects")


# --- through the pipeline ------------------------------------------------------------------


def test_a_rerun_through_the_pipeline_writes_nothing_twice(httpserver, fake, tmp_path, monkeypatch):
    cid = fake.add_contact(email="jane@example.com")
    lines = [
        {
            "schema": "crmbridge.interaction/1",
            "platform": p,
            "kind": "dm",
            "message_id": str(n),
            "author": {"id": "a1", "email": "jane@example.com"},
            "text": f"message {n}",
            "created_at": "2024-01-15T10:30:00Z",
        }
        for n, p in enumerate(["x", "whatsapp", "instagram"])
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    host = httpserver.url_for("").rstrip("/")
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        f"crm: {{kind: hubspot, access_token: '${{HUBSPOT_TOKEN}}', host: '{host}'}}\n"
        "sources: [{name: exports, connector: jsonl, path: in.jsonl}]\n"
    )
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path / "crmbridge.yaml")

    first = Pipeline(config).run()
    writes = fake.writes
    second = Pipeline(config).run()

    assert first.created == 3 and first.failed == 0
    assert len(fake.links["notes"][cid]) == 2 and len(fake.links["communications"][cid]) == 1
    assert fake.writes == writes and second.created == 0


def test_a_sync_that_lost_its_state_store_still_writes_nothing_twice(
    httpserver, fake, tmp_path, monkeypatch
):
    cid = fake.add_contact(email="jane@example.com")
    line = {
        "schema": "crmbridge.interaction/1",
        "platform": "x",
        "kind": "mention",
        "message_id": "9",
        "author": {"id": "a1", "email": "jane@example.com"},
        "text": "hello",
        "created_at": "2024-01-15T10:30:00Z",
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(line) + "\n")
    host = httpserver.url_for("").rstrip("/")
    for state in ("one.db", "two.db"):  # the second run has no ledger: a crash before commit
        (tmp_path / "crmbridge.yaml").write_text(
            f"state: sqlite:///{state}\n"
            f"crm: {{kind: hubspot, access_token: '${{HUBSPOT_TOKEN}}', host: '{host}'}}\n"
            "sources: [{name: exports, connector: jsonl, path: in.jsonl}]\n"
        )
        monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
        monkeypatch.chdir(tmp_path)
        summary = Pipeline(load_config(tmp_path / "crmbridge.yaml")).run()
        assert summary.written == 1 and summary.failed == 0

    assert len(fake.objects["notes"]) == 1 and len(fake.links["notes"][cid]) == 1


# --- tickets, setup, pacing, the search cap -------------------------------------------------


def test_a_ticket_opens_in_the_configured_pipeline_and_stage_on_the_contact(httpserver, fake):
    from crmbridge.models import CaseWrite

    cid = fake.add_contact(email="jane@example.com")
    crm = adapter(httpserver, ticket_pipeline="0", ticket_stage="4", ticket_priority="HIGH")
    case = CaseWrite(key="case:x:1", contact_id=cid, fields={"subject": "Refund", "content": "…"})

    (result,) = crm.write_cases([case])

    assert result.status == "created"
    (sent,) = body_of(httpserver, "/crm/v3/objects/tickets/batch/create")
    item = sent["inputs"][0]
    assert item["properties"] == {
        "hs_pipeline": "0",
        "hs_pipeline_stage": "4",
        "hs_ticket_priority": "HIGH",
        "subject": "Refund",
        "content": "…",
        "crmbridge_key": "case:x:1",
    }
    assert item["associations"][0]["types"][0]["associationTypeId"] == 16


def test_setup_creates_the_unique_key_property_where_it_is_missing(httpserver, fake):
    done = adapter(httpserver).setup()

    assert done == [
        "notes: crmbridge_key already exists",
        "communications: crmbridge_key created",
        "tickets: crmbridge_key created",
    ]
    (object_type, body) = fake.created_properties[0]
    assert object_type == "communications"
    assert body["hasUniqueValue"] is True and body["type"] == "string"
    assert body["fieldType"] == "text" and body["groupName"] == "crmbridge"


def test_keys_already_held_cost_an_upsert_and_a_link_per_batch_never_a_read_and_a_split(
    httpserver, fake
):
    cid = fake.add_contact(email="jane@example.com")
    held = {f"x:{n}" for n in range(0, 300, 5)}  # 20%: in every batch of 100
    for key in sorted(held):
        fake.objects["notes"][str(next(fake.ids))] = {"crmbridge_key": key}  # on no contact
    # One batch at a time: batches already in flight each meet the clash once (at most
    # crm.concurrency 409s per object type), the later ones upsert.
    crm = adapter(httpserver, concurrency=1)

    results = crm.write([note(f"x:{n}", cid) for n in range(300)])

    assert [r.key for r in results if r.status == "updated"] == [f"x:{n}" for n in range(0, 300, 5)]
    assert all(r.status == "created" for r in results if r.key not in held)
    assert len(fake.objects["notes"]) == len(fake.by_key("notes")) == 300  # none twice
    assert fake.links["notes"][cid] == set(fake.objects["notes"])  # held ones too, now
    assert fake.refused["conflict"] == 1  # one 409, then the batches upsert
    calls = {k.split("/crm/")[1]: v for k, v in fake.calls.items() if "/objects/notes" in k}
    assert calls == {
        "v3/objects/notes/batch/create": 1,
        "v3/objects/notes/batch/upsert": 3,
    }
    assert fake.calls["POST /crm/v4/associations/notes/contacts/batch/create"] == 3

    more = crm.write([note(f"x:{n}", cid) for n in range(300, 500)])  # no clash left
    assert all(r.status == "created" for r in more)
    assert fake.calls["POST /crm/v3/objects/notes/batch/upsert"] == 4  # then creates again
    assert fake.calls["POST /crm/v3/objects/notes/batch/create"] == 2


def test_a_single_record_conflict_refused_as_a_whole_becomes_an_update(httpserver, fake):
    cid = fake.add_contact(email="jane@example.com")
    crm = adapter(httpserver)
    crm.meta("notes")
    conflict = {
        "status": "error",
        "category": "CONFLICT",
        "message": "A note with crmbridge_key x:1 already exists. Existing ID: 5555",
        "correlationId": "c-409",
    }
    httpserver.expect_oneshot_request("/crm/v3/objects/notes/batch/create").respond_with_json(
        conflict, status=409
    )

    (result,) = crm.write([note("x:1", cid)])

    assert (result.status, result.crm_id) == ("updated", "5555")
    (sent,) = body_of(httpserver, "/crm/v3/objects/notes/batch/update")
    assert sent["inputs"][0]["id"] == "5555"


def test_calls_are_paced_when_the_burst_window_runs_low(httpserver, fake):
    import time

    low = {
        "X-HubSpot-RateLimit-Max": "10",
        "X-HubSpot-RateLimit-Remaining": "1",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "2000",
    }
    httpserver.expect_oneshot_request(ANY).respond_with_response(
        error(200, {"status": "COMPLETE", "results": []}, **low)
    )
    crm = adapter(httpserver, burst_reserve=2)
    crm.find_contacts(emails=["jane@example.com"])

    started = time.monotonic()
    crm.find_contacts(emails=["joe@example.com"])

    assert time.monotonic() - started >= 0.2  # 2 s window / 10 calls


def test_contact_changes_continue_past_the_10000_result_search_cap(httpserver, fake):
    for n in range(10_100):
        minute = f"2024-02-01T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000Z"
        fake.add_contact(email=f"c{n}@example.com", lastmodifieddate=minute)
    crm = adapter(httpserver, searches_per_s=5)

    ids = [c.id for c, _ in crm.contacts_since(None)]

    assert len(ids) == len(set(ids)) == 10_100
    searches = body_of(httpserver, "/crm/v3/objects/contacts/search")
    assert all(int(s.get("after", 0)) + 200 <= 10_000 for s in searches)
    assert searches[-1]["filterGroups"][0]["filters"][0]["operator"] == "GTE"


def test_a_slow_answer_times_out_as_transient_because_every_call_has_a_timeout(httpserver):
    import time

    def slow(request):
        time.sleep(1.0)
        return Response("{}", 200, content_type="application/json")

    httpserver.expect_request(ANY).respond_with_handler(slow)
    crm = adapter(httpserver, read_timeout=0.2, attempts=1)

    started = time.monotonic()
    with pytest.raises(TransientError, match="cannot reach HubSpot"):
        crm.find_contacts(emails=["jane@example.com"])
    assert time.monotonic() - started < 0.9


def test_no_contact_found_by_email_is_an_empty_answer_even_as_a_404(httpserver, fake):
    missing = {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": "Could not get some CONTACT objects, they may be deleted or not exist.",
    }
    httpserver.expect_oneshot_request("/crm/v3/objects/contacts/batch/read").respond_with_json(
        missing, status=404
    )

    assert adapter(httpserver).find_contacts(emails=["nobody@example.com"]) == []


def test_check_finds_nothing_to_report_on_a_ready_portal(httpserver, fake):
    assert adapter(httpserver).check() == []


def test_contact_roll_ups_move_forward_and_merge_the_channels_seen(httpserver, fake):
    cid = fake.add_contact(email="jane@example.com", crmbridge_channels="facebook")
    crm = adapter(
        httpserver, rollup_last_at="crmbridge_last_social_at", rollup_channels="crmbridge_channels"
    )
    later = note("x:2", cid)
    later.fields["hs_timestamp"] = "2024-02-01T00:00:00Z"
    comm = ActivityWrite(
        key="whatsapp:w1",
        object="notes",
        contact_id=cid,
        fields={"hs_communication_body": "hi", "hs_timestamp": "2024-01-20T00:00:00Z"},
    )

    crm.write([note("x:1", cid), later, comm])

    props = fake.contacts[cid]
    assert props["crmbridge_last_social_at"] == "2024-02-01T00:00:00Z"
    assert props["crmbridge_channels"] == "facebook;whatsapp;x"
    (sent,) = body_of(httpserver, "/crm/v3/objects/contacts/batch/update")
    assert sent["inputs"][0]["id"] == cid


def test_check_and_history_commands_work_on_hubspot(httpserver, fake, tmp_path, monkeypatch):
    from crmbridge import ops

    cid = fake.add_contact(email="jane@example.com")
    line = {"schema": "crmbridge.interaction/1", "platform": "x", "kind": "mention",
            "message_id": "1", "author": {"id": "a1", "email": "jane@example.com"},
            "text": "hello", "created_at": "2024-01-15T10:30:00Z"}  # fmt: skip
    (tmp_path / "in.jsonl").write_text(json.dumps(line) + "\n")
    host = httpserver.url_for("").rstrip("/")
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        f"crm: {{kind: hubspot, access_token: '${{HUBSPOT_TOKEN}}', host: '{host}'}}\n"
        "sources: [{name: exports, connector: jsonl, path: in.jsonl}]\n"
    )
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    config = load_config(tmp_path / "crmbridge.yaml")
    Pipeline(config).run()

    checks = {row["check"]: row for row in ops.check(config)}
    history = ops.history(config, cid)

    assert checks["crm"]["ok"], checks["crm"]
    assert [(h["key"], h["body"]) for h in history] == [("x:1", "X mention from a1: hello")]


def test_the_last_sentiment_roll_up_follows_the_latest_inbound_message_only(httpserver, fake):
    cid = fake.add_contact(
        email="jane@example.com", crmbridge_last_social_at="2024-01-10T00:00:00Z"
    )
    crm = adapter(
        httpserver,
        rollup_last_at="crmbridge_last_social_at",
        rollup_last_sentiment="crmbridge_last_sentiment",
    )
    older, newer = note("x:1", cid), note("x:2", cid)
    older.meta, newer.meta = {"sentiment": "positive"}, {"sentiment": "negative"}
    newer.fields["hs_timestamp"] = "2024-02-01T00:00:00Z"
    reply = note("x:3", cid)  # an agent's reply: no sentiment, even though it is the latest
    reply.fields["hs_timestamp"] = "2024-02-02T00:00:00Z"

    crm.write([newer, older, reply])
    assert fake.contacts[cid]["crmbridge_last_sentiment"] == "negative"
    assert "sentiment" not in json.dumps(body_of(httpserver, "/crm/v3/objects/notes/batch/create"))

    backfill = note("x:0", cid)  # an older message synced late must not move the mood back
    backfill.meta = {"sentiment": "positive"}
    backfill.fields["hs_timestamp"] = "2024-01-20T00:00:00Z"
    crm.write([backfill])
    assert fake.contacts[cid]["crmbridge_last_sentiment"] == "negative"
