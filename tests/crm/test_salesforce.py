"""The salesforce adapter against Salesforce's documented REST shapes, faked at the wire."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from responses import matchers

from crmbridge.config import describe
from crmbridge.crm.salesforce import SalesforceCrm, soql
from crmbridge.crm.salesforce.client import SalesforceConfig
from crmbridge.errors import AuthError, ConfigError, QuotaExhausted, RateLimited, TransientError
from crmbridge.models import ActivityWrite, CaseWrite
from crmbridge.rules.mapping import load_preset
from crmbridge.testing.salesforce_org import FakeOrg

FIXTURES = Path(__file__).parent.parent / "fixtures" / "salesforce"
INSTANCE = "https://acme.my.salesforce.com"
BASE = f"{INSTANCE}/services/data/v62.0/"
UPSERT = BASE + "composite/sobjects/Task/Crmbridge_Key__c"
SESSION = "00D000000000001!AQ0AQOLDSESSION"


def fixture(name: str) -> Any:
    text = (FIXTURES / name).read_text()
    return json.loads(text) if name.endswith(".json") else text


def session_config(**extra: Any) -> SalesforceConfig:
    return SalesforceConfig.model_validate(
        {"session_id": SESSION, "instance_url": INSTANCE, "attempts": 2, **extra}
    )


def password_config(**extra: Any) -> SalesforceConfig:
    return SalesforceConfig.model_validate(
        {
            "username": "sync@acme.example",
            "password": "hunter2",
            "security_token": "TOKEN123",
            "attempts": 2,
            **extra,
        }
    )


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def org():
    """The strict fake org on the wire (its routes need not all be called)."""
    fake = FakeOrg([])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield fake


def opened(config: SalesforceConfig) -> SalesforceCrm:
    adapter = SalesforceCrm(config)
    adapter.open()
    adapter.connect()  # open() alone makes no call: a run with nothing to write logs in never
    return adapter


def task(n: int, crm_id: str | None = None, **fields: Any) -> ActivityWrite:
    base = {"Subject": f"X mention {n}", "Status": "Completed", "Priority": "Normal"}
    return ActivityWrite(
        key=f"x:{n}",
        object="Task",
        contact_id="003000000000001AAA",
        fields={**base, "WhoId": "003000000000001AAA", "TaskSubtype": "Task", **fields},
        crm_id=crm_id,
    )


def body_of(call: Any) -> Any:
    return json.loads(call.request.body)


def soql_of(call: Any) -> str:
    return parse_qs(urlparse(call.request.url).query)["q"][0]


# --- config and login ------------------------------------------------------------------


def test_each_auth_mode_is_inferred_from_the_settings_given():
    assert session_config().auth == "session"
    assert password_config().auth == "password"
    jwt = SalesforceConfig(username="u@x", consumer_key="ck", private_key="PEM")
    assert jwt.auth == "jwt"
    cc = SalesforceConfig(consumer_key="ck", consumer_secret="cs", domain="acme.my")
    assert cc.auth == "client_credentials"


def test_an_incomplete_auth_mode_names_the_missing_setting_and_never_the_secret():
    with pytest.raises(ValidationError) as err:
        SalesforceConfig(auth="password", username="u@x", password="s3cr3t-value")
    text = describe(err.value, Path("crmbridge.yaml"), prefix="crm")
    assert "crmbridge.yaml: crm: Value error, auth password needs security_token" in text
    assert "s3cr3t-value" not in text


def test_a_field_name_that_is_not_an_api_name_is_refused():
    with pytest.raises(ValidationError):
        session_config(key_field="Key__c/../../sobjects/User")
    with pytest.raises(ValidationError):
        session_config(handle_fields={"x": "Twitter_Handle__c) OR (Id"})


def test_password_login_sends_soap_credentials_and_uses_the_instance_it_returns(rsps):
    login = rsps.post(
        "https://login.salesforce.com/services/Soap/u/62.0", body=fixture("login_soap.xml")
    )
    adapter = opened(password_config())
    sent = login.calls[0].request.body
    sent = sent.decode() if isinstance(sent, bytes) else sent
    assert "<n1:password>hunter2TOKEN123</n1:password>" in sent
    assert adapter.sf is not None and adapter.sf.base_url == BASE
    assert adapter.sf.headers["Authorization"] == "Bearer 00D000000000001!AQ0AQFRESHSESSION"
    assert adapter.api_calls == 1


def test_a_refused_password_login_is_an_auth_error_naming_the_settings(rsps):
    rsps.post(
        "https://login.salesforce.com/services/Soap/u/62.0",
        body=fixture("login_invalid.xml"),
        status=500,
    )
    with pytest.raises(AuthError) as err:
        opened(password_config())
    assert "crm.security_token" in str(err.value)
    assert "hunter2" not in str(err.value) and "TOKEN123" not in str(err.value)


def test_client_credentials_login_posts_basic_auth_to_my_domain(rsps):
    token = rsps.post(
        "https://acme.my.salesforce.com/services/oauth2/token", json=fixture("token.json")
    )
    adapter = opened(SalesforceConfig(consumer_key="ck", consumer_secret="cs", domain="acme.my"))
    assert token.calls[0].request.headers["Authorization"] == "Basic Y2s6Y3M="
    assert "grant_type=client_credentials" in token.calls[0].request.body
    assert adapter.sf is not None and adapter.sf.base_url == BASE


def test_jwt_login_posts_a_signed_assertion(rsps):
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    token = rsps.post(
        "https://login.salesforce.com/services/oauth2/token", json=fixture("token.json")
    )
    opened(SalesforceConfig(username="sync@acme.example", consumer_key="ck", private_key=pem))
    assert "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in (
        token.calls[0].request.body
    )


# --- writes ----------------------------------------------------------------------------


def test_write_upserts_one_collection_by_the_key_field_with_the_documented_body(rsps):
    answer = [
        {"id": "00T000000000001AAA", "success": True, "errors": [], "created": True},
        {"id": "00T000000000002AAA", "success": True, "errors": [], "created": False},
    ]
    call = rsps.patch(
        UPSERT,
        json=answer,
        match=[matchers.header_matcher({"Authorization": f"Bearer {SESSION}"})],
    )
    adapter = opened(session_config())
    results = adapter.write([task(1), task(2, crm_id="00T000000000002AAA")])
    body = body_of(call.calls[0])
    assert body["allOrNone"] is False
    assert body["records"][0] == {
        "attributes": {"type": "Task"},
        "Subject": "X mention 1",
        "Status": "Completed",
        "Priority": "Normal",
        "WhoId": "003000000000001AAA",
        "TaskSubtype": "Task",
        "Crmbridge_Key__c": "x:1",
    }
    assert "TaskSubtype" not in body["records"][1], "create-only field sent on an update"
    assert "Sforce-Auto-Assign" not in call.calls[0].request.headers
    assert [(r.status, r.crm_id) for r in results] == [
        ("created", "00T000000000001AAA"),
        ("updated", "00T000000000002AAA"),
    ]
    assert adapter.api_calls == 1


def test_write_sends_at_most_200_records_per_collection(rsps):
    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        n = len(json.loads(request.body)["records"])
        items = [
            {"id": f"00T{i:015d}", "success": True, "errors": [], "created": True} for i in range(n)
        ]
        return 200, {}, json.dumps(items)

    rsps.add_callback("PATCH", UPSERT, callback=answer)
    adapter = opened(session_config())
    results = adapter.write([task(n) for n in range(450)])
    sizes = [len(body_of(c)["records"]) for c in rsps.calls]
    assert sorted(sizes) == [50, 200, 200]  # collections in flight at once: any order
    assert len(results) == 450 and all(r.status == "created" for r in results)


def test_per_item_errors_fail_only_their_record_as_data_errors(rsps):
    rsps.patch(UPSERT, json=fixture("upsert_mixed.json"))
    adapter = opened(session_config())
    results = adapter.write([task(n) for n in range(8)])
    assert [r.status for r in results[:2]] == ["created", "updated"]
    failed = results[2:]
    assert all(r.status == "failed" and r.error_kind == "data" for r in failed)
    assert [r.error.split(":")[0] for r in failed if r.error] == [
        "DUPLICATES_DETECTED",
        "STRING_TOO_LONG",
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "REQUIRED_FIELD_MISSING",
        "DUPLICATE_VALUE",
    ]


def test_a_locked_row_is_sent_again_alone_until_it_succeeds(rsps):
    lock = {"success": False, "errors": [{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "busy"}]}
    ok = {"id": "00T000000000001AAA", "success": True, "errors": [], "created": True}
    rsps.patch(UPSERT, json=[ok, lock])
    retry = rsps.patch(UPSERT, json=[{**ok, "id": "00T000000000002AAA"}])
    adapter = opened(session_config())
    results = adapter.write([task(1), task(2)])
    assert [r["Crmbridge_Key__c"] for r in body_of(retry.calls[0])["records"]] == ["x:2"]
    assert [r.crm_id for r in results] == ["00T000000000001AAA", "00T000000000002AAA"]


def test_a_row_still_locked_after_the_retries_fails_as_transient(rsps):
    lock = {"success": False, "errors": [{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "busy"}]}
    rsps.patch(UPSERT, json=[lock])
    rsps.patch(UPSERT, json=[lock])
    adapter = opened(session_config())
    (result,) = adapter.write([task(1)])
    assert result.status == "failed" and result.error_kind == "transient"


def test_http_300_on_upsert_is_settled_by_reading_the_holders_and_updating_the_oldest(org):
    oldest, _ = org.add_duplicate("Task", "x:3", Subject="old")
    adapter = opened(session_config())
    results = adapter.write([task(n) for n in range(4)])
    assert [r.status for r in results] == ["created", "created", "created", "updated"]
    assert results[3].crm_id == oldest and org.of("Task")[oldest]["Subject"] == "X mention 3"
    assert "TaskSubtype" not in org.of("Task")[oldest]  # an update never carries it
    assert org.calls["write"] == 3  # the 300, the update by id, the other three again


def test_keys_held_twice_across_a_write_cost_one_read_never_a_read_and_split_per_collection(
    org,
):
    held = {f"x:{n}" for n in range(0, 1000, 5)}  # 20%: in every collection of 200
    oldest = {key: org.add_duplicate("Task", key, Subject="old")[0] for key in sorted(held)}
    # One collection at a time: collections already in flight each meet the 300 once.
    adapter = opened(session_config(concurrency=1))
    results = adapter.write([task(n) for n in range(1000)])
    assert all(r.ok for r in results)
    assert {r.key: r.crm_id for r in results if r.key in held} == oldest
    assert org.refused["MULTIPLE_CHOICES"] == 1  # one 300, then every key is known
    assert org.calls["composite"] + org.calls["query"] == 1  # one read of the 1,000 keys
    assert org.calls["write"] == 1 + 1 + 4  # the 300, 200 updates by id, 800 upserts
    holders = [r["Crmbridge_Key__c"] for r in org.of("Task").values()]
    assert len(holders) == 1000 + len(held) and set(holders) == {f"x:{n}" for n in range(1000)}


def test_once_keys_were_held_twice_later_writes_read_first_until_a_read_finds_none(org):
    for key in ("x:1", "x:201", "x:401"):
        org.add_duplicate("Task", key, Subject="old")
    adapter = opened(session_config())
    adapter.write([task(n) for n in range(0, 200)])  # the 300, a read, an update, upserts
    adapter.write([task(n) for n in range(200, 400)])  # read first: no 300 to pay for
    adapter.write([task(n) for n in range(400, 600)])
    assert org.refused["MULTIPLE_CHOICES"] == 1
    reads = org.calls["query"] + org.calls["composite"]
    adapter.write([task(n) for n in range(600, 800)])  # a read that finds none held twice
    adapter.write([task(n) for n in range(800, 1000)])  # back to upserts alone
    assert org.calls["query"] + org.calls["composite"] == reads + 1
    assert len(org.by_key("Task")) == 1000


def test_a_300_whose_keys_no_read_finds_held_twice_fails_those_records_and_never_loops(rsps):
    # A holder the integration user cannot see (upserts by a non-unique key need View All
    # Data): Salesforce answers 300, the read finds one holder. The records are parked.
    holders = [f"/services/data/v62.0/sobjects/Task/00T00000000000{n}AAA" for n in (1, 2)]
    rsps.patch(UPSERT, status=300, json=holders)
    seen = {"Id": "00T000000000001AAA", "Crmbridge_Key__c": "x:1", "CreatedDate": "2024"}
    rsps.get(
        re.compile(re.escape(BASE + "query/") + ".*"),
        json={"totalSize": 1, "done": True, "records": [{"attributes": {}, **seen}]},
    )
    adapter = opened(session_config())
    results = adapter.write([task(1), task(2)])
    assert [(r.status, r.error_kind) for r in results] == [("failed", "data")] * 2
    assert "300" in (results[0].error or "")
    assert len(rsps.calls) == 2  # the 300 and one read: no second try, no loop


def test_case_writes_never_reassign_the_owner(rsps):
    ok = {"id": "500000000000001AAA", "success": True, "errors": [], "created": False}
    call = rsps.patch(
        BASE + "composite/sobjects/Case/Crmbridge_Key__c",
        json=[ok],
        match=[matchers.header_matcher({"Sforce-Auto-Assign": "FALSE"})],
    )
    adapter = opened(session_config())
    case = CaseWrite(key="x:conv1", contact_id="003000000000001AAA", fields={"Subject": "Refund"})
    (result,) = adapter.write_cases([case])
    assert body_of(call.calls[0])["records"][0]["ContactId"] == "003000000000001AAA"
    assert result.status == "updated"


def test_without_an_external_id_new_records_are_created_after_a_recovery_query(rsps):
    config = session_config(key_is_external_id=False)
    recovered = {
        "totalSize": 1,
        "done": True,
        "records": [{"Id": "00T000000000002AAA", "Crmbridge_Key__c": "x:2"}],
    }
    query = rsps.get(BASE + "query/", json=recovered)
    update = rsps.patch(
        BASE + "composite/sobjects",
        json=[
            {"id": "00T000000000002AAA", "success": True, "errors": []},
            {"id": "00T000000000003AAA", "success": True, "errors": []},
        ],
    )
    create = rsps.post(
        BASE + "composite/sobjects",
        json=[{"id": "00T000000000001AAA", "success": True, "errors": []}],
    )
    adapter = opened(config)
    results = adapter.write([task(1), task(2), task(3, crm_id="00T000000000003AAA")])
    assert "Crmbridge_Key__c IN ('x:1','x:2')" in soql_of(query.calls[0])
    updates = body_of(update.calls[0])["records"]
    assert [(r["id"], r["Crmbridge_Key__c"]) for r in updates] == [
        ("00T000000000002AAA", "x:2"),
        ("00T000000000003AAA", "x:3"),
    ]
    assert all("TaskSubtype" not in r for r in updates)
    assert [r["Crmbridge_Key__c"] for r in body_of(create.calls[0])["records"]] == ["x:1"]
    assert [(r.status, r.crm_id) for r in results] == [
        ("created", "00T000000000001AAA"),
        ("updated", "00T000000000002AAA"),
        ("updated", "00T000000000003AAA"),
    ]


# --- error classes ---------------------------------------------------------------------


def test_daily_request_limit_stops_cleanly_without_retrying(rsps):
    call = rsps.patch(UPSERT, json=fixture("request_limit_daily.json"), status=403)
    adapter = opened(session_config())
    with pytest.raises(QuotaExhausted):
        adapter.write([task(1)])
    assert call.call_count == 1


def test_concurrent_request_limit_backs_off_and_retries(rsps):
    rsps.get(BASE + "query/", json=fixture("request_limit_concurrent.json"), status=403)
    rsps.get(BASE + "query/", json=fixture("contacts_query.json"))
    adapter = opened(session_config())
    found = adapter.find_contacts(emails={"jane.doe@example.com"})
    assert len(found) == 2


def test_concurrent_request_limit_that_persists_is_rate_limited(rsps):
    rsps.get(BASE + "query/", json=fixture("request_limit_concurrent.json"), status=403)
    rsps.get(BASE + "query/", json=fixture("request_limit_concurrent.json"), status=403)
    adapter = opened(session_config())
    with pytest.raises(RateLimited):
        adapter.find_contacts(emails={"jane.doe@example.com"})


def test_an_expired_session_logs_in_again_once_and_goes_on(rsps):
    soap = "https://login.salesforce.com/services/Soap/u/62.0"
    rsps.post(soap, body=fixture("login_soap.xml"))
    rsps.get(BASE + "query/", json=fixture("invalid_session.json"), status=401)
    rsps.post(soap, body=fixture("login_soap.xml"))
    rsps.get(BASE + "query/", json=fixture("contacts_query.json"))
    adapter = opened(password_config())
    assert len(adapter.find_contacts(emails={"raj@example.org"})) == 2
    assert adapter.api_calls == 4


def test_a_session_refused_after_the_new_login_is_an_auth_error(rsps):
    soap = "https://login.salesforce.com/services/Soap/u/62.0"
    rsps.post(soap, body=fixture("login_soap.xml"))
    rsps.get(BASE + "query/", json=fixture("invalid_session.json"), status=401)
    rsps.post(soap, body=fixture("login_soap.xml"))
    rsps.get(BASE + "query/", json=fixture("invalid_session.json"), status=401)
    adapter = opened(password_config())
    with pytest.raises(AuthError):
        adapter.find_contacts(emails={"raj@example.org"})


def test_an_expired_session_id_tells_the_admin_which_setting_to_fix(rsps):
    rsps.get(BASE + "query/", json=fixture("invalid_session.json"), status=401)
    adapter = opened(session_config())
    with pytest.raises(AuthError) as err:
        adapter.find_contacts(emails={"raj@example.org"})
    assert SESSION not in str(err.value)
    assert "INVALID_SESSION_ID" in str(err.value)
    assert "crm.session_id expired or was revoked" in str(err.value)


def test_server_errors_are_retried_then_transient(rsps):
    rsps.get(BASE + "query/", json=fixture("server_unavailable.json"), status=503)
    rsps.get(BASE + "query/", json=fixture("server_unavailable.json"), status=503)
    adapter = opened(session_config())
    with pytest.raises(TransientError):
        adapter.find_contacts(emails={"raj@example.org"})


@pytest.mark.parametrize("name", ["malformed_query.json", "invalid_field.json"])
def test_query_and_field_mistakes_are_config_errors(rsps, name):
    rsps.get(BASE + "query/", json=fixture(name), status=400)
    adapter = opened(session_config())
    with pytest.raises(ConfigError):
        adapter.find_contacts(emails={"raj@example.org"})


def test_a_mapping_field_every_record_refuses_parks_the_records_and_stops_nothing(rsps):
    bad = {"success": False, "errors": [{"statusCode": "INVALID_FIELD", "message": "No such"}]}
    rsps.patch(UPSERT, json=[bad, bad])
    adapter = opened(session_config())
    results = adapter.write([task(1), task(2)])
    assert [(r.status, r.error_kind) for r in results] == [("failed", "config")] * 2


# --- budget ----------------------------------------------------------------------------


def test_the_run_stops_before_a_call_when_the_daily_reserve_is_reached(rsps):
    rsps.get(
        BASE + "query/",
        json=fixture("contacts_query.json"),
        headers={"Sforce-Limit-Info": "api-usage=4100/5000"},
    )
    adapter = opened(session_config())
    adapter.find_contacts(emails={"raj@example.org"})
    with pytest.raises(QuotaExhausted) as err:
        adapter.write([task(1)])
    assert "4100/5000" in str(err.value)
    assert adapter.api_calls == 1
    assert adapter.summary()["api_usage"] == 4100


def test_a_lower_reserve_lets_the_run_spend_more(rsps):
    rsps.get(
        BASE + "query/",
        json=fixture("contacts_query.json"),
        headers={"Sforce-Limit-Info": "api-usage=4100/5000"},
    )
    rsps.get(BASE + "query/", json=fixture("contacts_query.json"))
    adapter = opened(session_config(budget_reserve=0.1))
    adapter.find_contacts(emails={"raj@example.org"})
    adapter.find_contacts(emails={"raj@example.org"})


# --- lookups ---------------------------------------------------------------------------


def test_find_contacts_asks_one_query_for_a_small_batch(rsps):
    call = rsps.get(BASE + "query/", json=fixture("contacts_query.json"))
    adapter = opened(session_config(handle_fields={"x": "Twitter_Handle__c"}))
    found = adapter.find_contacts(emails={"jane.doe@example.com"}, handles={"x": {"jdoe"}})
    query = soql_of(call.calls[0])
    assert query.startswith("SELECT Id, FirstName, LastName, MailingCity, MailingCountry, Email")
    assert query.endswith(
        "FROM Contact WHERE (Email IN ('jane.doe@example.com')) "
        "OR (Twitter_Handle__c IN ('@jdoe','jdoe'))"
    )
    jane = found[0]
    assert (jane.email, jane.handles, jane.city) == ("jane.doe@example.com", {"x": "jdoe"}, "Leeds")


def test_find_contacts_sends_many_chunks_in_one_composite_call(rsps):
    emails = {f"person{n:04d}.with.a.longish.name@example.com" for n in range(200)}

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        subs = json.loads(request.body)["compositeRequest"]
        out = [
            {
                "body": {"totalSize": 0, "done": True, "records": []},
                "httpHeaders": {},
                "httpStatusCode": 200,
                "referenceId": s["referenceId"],
            }
            for s in subs
        ]
        return 200, {}, json.dumps({"compositeResponse": out})

    rsps.add_callback("POST", BASE + "composite", callback=answer)
    adapter = opened(session_config(max_query_chars=2000))
    adapter.find_contacts(emails=emails)
    assert adapter.api_calls == len(rsps.calls) <= 2
    subs = [s for c in rsps.calls for s in body_of(c)["compositeRequest"]]
    assert 1 < len(subs) <= 10
    assert all(len(s["url"]) <= 2000 + 40 for s in subs)
    sent = set()
    for s in subs:
        q = parse_qs(urlparse(s["url"]).query)["q"][0]
        sent |= set(re.findall(r"'([^']*)'", q))
    assert sent == emails


def test_contacts_since_reads_on_system_modstamp_oldest_first(rsps):
    call = rsps.get(BASE + "query/", json=fixture("contacts_query.json"))
    adapter = opened(session_config())
    rows = list(adapter.contacts_since("2024-01-01T00:00:00+00:00"))
    query = soql_of(call.calls[0])
    assert "WHERE SystemModstamp > 2024-01-01T00:00:00+00:00 ORDER BY SystemModstamp, Id" in query
    # One second before each stamp: resuming inside a group of equal stamps loses none.
    assert [cursor for _, cursor in rows] == [
        "2024-01-15T10:29:59+00:00",
        "2024-01-16T07:59:59+00:00",
    ]


def test_query_pages_are_followed_and_each_page_is_counted(rsps):
    first = {
        "totalSize": 3,
        "done": False,
        "nextRecordsUrl": "/services/data/v62.0/query/01g000000000001-2000",
        "records": fixture("contacts_query.json")["records"][:1],
    }
    rest = {"totalSize": 3, "done": True, "records": fixture("contacts_query.json")["records"][1:]}
    rsps.get(BASE + "query/", json=first)
    rsps.get(BASE + "query/01g000000000001-2000", json=rest)
    adapter = opened(session_config(bulk_threshold=0))
    assert len(list(adapter.contacts_since(None))) == 2
    assert adapter.api_calls == 2


def test_history_reads_back_what_crmbridge_wrote_for_a_contact(rsps):
    page = {
        "totalSize": 1,
        "done": True,
        "records": [
            {
                "attributes": {"type": "Task"},
                "Id": "00T000000000001AAA",
                "Subject": "X mention from @jdoe",
                "Crmbridge_Key__c": "x:1",
                "CreatedDate": "2024-01-15T10:31:00.000+0000",
            }
        ],
    }
    call = rsps.get(BASE + "query/", json=page)
    adapter = opened(session_config())
    (row,) = adapter.history("003000000000001AAA", limit=20)
    query = soql_of(call.calls[0])
    assert "FROM Task WHERE WhoId = '003000000000001AAA' AND Crmbridge_Key__c != null" in query
    assert query.endswith("ORDER BY CreatedDate DESC LIMIT 20")
    assert row["key"] == "x:1" and row["object"] == "Task" and "attributes" not in row


# --- schema check ----------------------------------------------------------------------


def test_check_reports_missing_fields_restricted_values_and_custom_fields_to_create(rsps):
    rsps.get(BASE + "sobjects/Task/describe", json=fixture("describe_task.json"))
    adapter = opened(session_config())
    problems = adapter.check(load_preset("salesforce_task"))
    text = "\n".join(problems)
    assert (
        "Task.Crmbridge_Key__c does not exist: create custom field Crmbridge_Key__c as "
        "Text(255), External ID, Unique" in text
    )
    assert "Task.Status restricted picklist refuses ['Completed', 'Deferred', " in text
    assert "Priority" not in text, "Priority is not a restricted picklist"
    assert "Subject" not in text and "WhoId" not in text


def test_check_says_when_the_object_is_not_enabled(rsps):
    rsps.get(
        BASE + "sobjects/SocialPost/describe",
        json=[{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}],
        status=404,
    )
    rsps.get(
        BASE + "sobjects/SocialPersona/describe",
        json=[{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}],
        status=404,
    )
    adapter = opened(session_config())
    problems = adapter.check(load_preset("salesforce_social"))
    assert problems == [
        "SocialPost: object not found or not enabled for the integration user",
        "SocialPersona: object not found or not enabled for the integration user",
    ]


# --- SOQL safety -----------------------------------------------------------------------

nasty = st.text(
    alphabet=st.sampled_from([*"ab'\"\\%_ ()=OR\n\t@.,;", "\u00e9", "\u2019"]),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(values=st.sets(nasty, min_size=1, max_size=30), limit=st.integers(500, 3000))
def test_no_email_or_handle_can_change_the_soql_it_is_put_into(values, limit):
    head = soql.select(["Id", "Email"], "Contact")
    queries = soql.chunked_any(head, [(["Email"], values), (["Twitter_Handle__c"], values)], limit)
    decoded: list[str] = []
    for query in queries:
        skeleton, literals = soql.split_literals(query)
        assert re.fullmatch(
            r"SELECT Id, Email FROM Contact WHERE "
            r"(\((Email|Twitter_Handle__c) IN \(\?(,\?)*\)\)( OR )?)+",
            skeleton,
        ), skeleton
        decoded += literals
    assert set(decoded) == set(values)


@settings(max_examples=50, deadline=None)
@given(handle=nasty, email=nasty)
def test_a_handle_or_email_reaches_the_wire_only_as_one_quoted_literal(handle, email):
    with responses.RequestsMock() as mock:
        call = mock.get(BASE + "query/", json={"totalSize": 0, "done": True, "records": []})
        adapter = opened(session_config(handle_fields={"x": "Twitter_Handle__c"}))
        adapter.find_contacts(emails={email}, handles={"x": {handle}})
        skeleton, literals = soql.split_literals(soql_of(call.calls[0]))
    assert skeleton.endswith("FROM Contact WHERE (Email IN (?)) OR (Twitter_Handle__c IN (?,?))")
    assert set(literals) == {email, handle, f"@{handle}"}


def test_contacts_and_leads_are_mirrored_in_one_time_order(rsps):
    contacts = fixture("contacts_query.json")
    lead = {
        "attributes": {"type": "Lead"},
        "Id": "00Q000000000001AAA",
        "FirstName": "Ana",
        "LastName": "Silva",
        "City": "Porto",
        "Country": "PT",
        "Email": "ana@example.pt",
        "SystemModstamp": "2024-01-15T12:00:00.000+0000",
    }
    rsps.get(BASE + "query/", json=contacts)
    rsps.get(BASE + "query/", json={"totalSize": 1, "done": True, "records": [lead]})
    adapter = opened(session_config(include_leads=True, bulk_threshold=0))
    rows = list(adapter.contacts_since(None))
    assert [c.id for c, _ in rows] == [
        "003000000000001AAA",
        "00Q000000000001AAA",
        "003000000000002AAA",
    ]
    assert "FROM Lead" in soql_of(rsps.calls[1]) and rows[1][0].city == "Porto"


def test_a_new_case_runs_the_configured_assignment_rule_and_an_update_does_not(rsps):
    ok = {"id": "500000000000001AAA", "success": True, "errors": [], "created": True}
    create = rsps.patch(
        BASE + "composite/sobjects/Case/Crmbridge_Key__c",
        json=[ok],
        match=[matchers.header_matcher({"Sforce-Auto-Assign": "01Q000000000001AAA"})],
    )
    update = rsps.patch(
        BASE + "composite/sobjects/Case/Crmbridge_Key__c",
        json=[{**ok, "created": False}],
        match=[matchers.header_matcher({"Sforce-Auto-Assign": "FALSE"})],
    )
    adapter = opened(session_config(assignment_rule_id="01Q000000000001AAA"))
    results = adapter.write_cases(
        [
            CaseWrite(key="x:c1", contact_id=None, fields={"Subject": "Outage", "Origin": "X"}),
            CaseWrite(key="x:c2", contact_id=None, fields={"Subject": "Refund"}, crm_id="500X"),
        ]
    )
    assert [r.status for r in results] == ["created", "updated"]
    assert create.call_count == 1 and update.call_count == 1


def test_no_soql_is_built_with_an_f_string():
    import crmbridge.crm.salesforce as adapter_module

    folder = Path(adapter_module.__file__).parent
    for path in folder.glob("*.py"):
        source = path.read_text()
        assert not re.search(r"""f["'](SELECT|.*\bWHERE\b.*\{)""", source), path.name


def test_an_upsert_whose_answer_was_lost_is_read_back_by_key_before_it_goes_again(
    rsps, monkeypatch
):
    monkeypatch.setenv("CRMBRIDGE_RETRY_MAX_WAIT", "0.01")
    ok = {"id": "00T000000000001AAA", "success": True, "errors": [], "created": False}
    failed = rsps.patch(UPSERT, json=fixture("server_unavailable.json"), status=503)
    found = {"Id": "00T000000000001AAA", "Crmbridge_Key__c": "x:1"}
    back = rsps.get(BASE + "query/", json={"totalSize": 1, "done": True, "records": [found]})
    rsps.get(BASE + "sobjects/Task/describe", json=fixture_describe("TaskSubtype"))
    again = rsps.patch(UPSERT, json=[ok])
    adapter = opened(session_config(attempts=3))
    assert [r.status for r in adapter.write([task(1)])] == ["updated"]
    assert failed.call_count == 1 and back.call_count == 1
    assert "TaskSubtype" not in body_of(again.calls[0])["records"][0]


def fixture_describe(*create_only: str) -> dict[str, Any]:
    """A describe answer where the named fields are createable but not updateable."""
    names = [*create_only, "Subject", "Crmbridge_Key__c"]
    return {
        "fields": [
            {"name": n, "createable": True, "updateable": n not in create_only} for n in names
        ]
    }


def test_a_create_without_an_external_id_is_sent_once_and_left_to_the_next_run(rsps):
    rsps.get(BASE + "query/", json={"totalSize": 0, "done": True, "records": []})  # recovery
    call = rsps.post(
        BASE + "composite/sobjects", json=fixture("server_unavailable.json"), status=503
    )
    adapter = opened(session_config(attempts=5, key_is_external_id=False))
    with pytest.raises(TransientError):
        adapter.write([task(1)])
    assert call.call_count == 1  # a lost answer could mean a record: the next run recovers


# --- social posts and personas ---------------------------------------------------------

POSTS = BASE + "composite/sobjects/SocialPost/Crmbridge_Key__c"
PERSONAS = BASE + "composite/sobjects/SocialPersona/Crmbridge_Key__c"


def social_writes() -> list[ActivityWrite]:
    from crmbridge.models import Contact, Interaction

    mapper = load_preset("salesforce_social")
    writes = []
    for n, (author, contact) in enumerate([("u1", "003A"), ("u1", "003A"), ("u2", None)]):
        i = Interaction.model_validate(
            {
                "schema": "crmbridge.interaction/1",
                "platform": "reddit",
                "kind": "comment",
                "message_id": f"m{n}",
                "author": {"id": author, "handle": f"h{author}"},
                "text": "it's broken \\ again",
                "created_at": "2024-01-15T10:30:00Z",
            }
        )
        writes.append(mapper.render(i, Contact(id=contact) if contact else None, None, i.key))
    return writes


def test_social_posts_point_at_their_author_persona_upserted_once_per_run(rsps):
    ok = {"id": "0SP000000000001AAA", "success": True, "errors": [], "created": True}
    personas = rsps.patch(PERSONAS, json=[{**ok, "id": "0SP0000000000P1AAA"}])
    posts = rsps.patch(POSTS, json=[ok, ok, ok])
    adapter = opened(session_config())
    adapter.write(social_writes())
    (persona,) = body_of(personas.calls[0])["records"]
    assert persona == {
        "attributes": {"type": "SocialPersona"},
        "Name": "hu1",
        "ExternalId": "u1",
        "Provider": "Other",
        "ParentId": "003A",
        "Crmbridge_Key__c": "reddit:u1",
    }
    sent = body_of(posts.calls[0])["records"]
    assert sent[0]["Persona"] == {"Crmbridge_Key__c": "reddit:u1"}
    assert (sent[0]["Provider"], sent[0]["MediaProvider"]) == ("Other", "Reddit")
    assert not any(k.startswith("Persona.") for r in sent for k in r)
    assert "Persona" not in sent[2], "no contact: no persona parent"
    rsps.patch(POSTS, json=[ok, ok, ok])
    adapter.write(social_writes())
    assert personas.call_count == 1, "the persona is not sent again in the same run"


def test_an_existing_persona_is_updated_without_its_create_only_fields(rsps):
    refused = {
        "success": False,
        "errors": [{"statusCode": "INVALID_FIELD_FOR_INSERT_UPDATE", "message": "Provider"}],
    }
    ok = {"id": "0SP000000000001AAA", "success": True, "errors": [], "created": False}
    rsps.patch(PERSONAS, json=[refused])
    rsps.get(
        BASE + "sobjects/SocialPersona/describe", json=fixture_describe("Provider", "ParentId")
    )
    again = rsps.patch(PERSONAS, json=[ok])
    posts = rsps.patch(POSTS, json=[ok, ok, ok])
    adapter = opened(session_config())
    adapter.write(social_writes())
    (persona,) = body_of(again.calls[0])["records"]
    assert "Provider" not in persona and "ParentId" not in persona
    assert body_of(posts.calls[0])["records"][0]["Persona"] == {"Crmbridge_Key__c": "reddit:u1"}


def test_a_persona_the_org_refuses_leaves_its_post_without_persona(rsps):
    refused = {
        "success": False,
        "errors": [{"statusCode": "REQUIRED_FIELD_MISSING", "message": "x"}],
    }
    ok = {"id": "0SP000000000001AAA", "success": True, "errors": [], "created": True}
    rsps.patch(PERSONAS, json=[refused])
    posts = rsps.patch(POSTS, json=[ok, ok, ok])
    adapter = opened(session_config())
    results = adapter.write(social_writes())
    assert all(r.ok for r in results)
    assert not any("Persona" in r for r in body_of(posts.calls[0])["records"])


def test_a_timeout_is_transient_and_retried(rsps):
    import requests

    rsps.get(BASE + "query/", body=requests.ReadTimeout("read timed out"))
    rsps.get(BASE + "query/", json=fixture("contacts_query.json"))
    adapter = opened(session_config())
    assert len(adapter.find_contacts(emails={"raj@example.org"})) == 2


def test_secrets_do_not_show_in_the_config_or_its_repr():
    config = password_config()
    assert "hunter2" not in repr(config) and "TOKEN123" not in str(config.model_dump())


def test_history_also_reads_social_posts_when_configured(rsps):
    empty = {"totalSize": 0, "done": True, "records": []}
    post = {
        "attributes": {"type": "SocialPost"},
        "Id": "0ST000000000001AAA",
        "Name": "Reddit comment from @hu1",
        "Crmbridge_Key__c": "reddit:m0",
        "CreatedDate": "2024-01-15T10:31:00.000+0000",
    }
    rsps.get(BASE + "query/", json=empty)
    social = rsps.get(BASE + "query/", json={"totalSize": 1, "done": True, "records": [post]})
    adapter = opened(session_config(history_objects=["Task", "SocialPost"]))
    (row,) = adapter.history("003A")
    assert "FROM SocialPost WHERE WhoId = '003A'" in soql_of(social.calls[0])
    assert (row["object"], row["key"]) == ("SocialPost", "reddit:m0")


def test_a_social_post_carries_the_service_aware_sentiment_and_a_reply_none():
    from crmbridge.classify import ServiceAnalyzer
    from crmbridge.models import Contact, Interaction

    mapper = load_preset("salesforce_social")
    analyzer = ServiceAnalyzer()
    base = {
        "schema": "crmbridge.interaction/1",
        "platform": "x",
        "kind": "mention",
        "author": {"id": "u1", "handle": "ana"},
        "created_at": "2024-01-15T10:30:00Z",
    }
    complaint = Interaction.model_validate(
        {**base, "message_id": "1", "text": "still waiting for my refund, 3 hours on hold"}
    )
    reply = Interaction.model_validate(
        {**base, "message_id": "2", "direction": "outbound", "agent": "Sam", "text": "Sorry!"}
    )
    fields = [
        mapper.render(
            i, Contact(id="003A"), None, i.key, classification=analyzer.analyze(i.text)
        ).fields
        for i in (complaint, reply)
    ]
    assert fields[0]["Sentiment"] == "Negative"
    assert "Sentiment" not in fields[1]


def test_contact_roll_ups_move_forward_in_one_query_and_one_collection(rsps):
    from crmbridge.models import Contact, Interaction

    jane = "003000000000001AAA"
    current = {
        "totalSize": 1,
        "done": True,
        "records": [
            {
                "attributes": {"type": "Contact"},
                "Id": jane,
                "Last_Social_At__c": "2024-01-20T00:00:00.000+0000",
                "Social_Channels__c": "facebook",
                "Last_Sentiment__c": "positive",
            }
        ],
    }
    ok = {"id": "00T000000000001AAA", "success": True, "errors": [], "created": True}
    rsps.patch(UPSERT, json=[ok, {**ok, "id": "00T000000000002AAA"}])
    read = rsps.get(BASE + "query/", json=current)
    roll = rsps.patch(BASE + "composite/sobjects", json=[{"id": jane, "success": True}])
    adapter = opened(
        session_config(
            rollup_last_at="Last_Social_At__c",
            rollup_channels="Social_Channels__c",
            rollup_last_sentiment="Last_Sentiment__c",
        )
    )
    mapper = load_preset("salesforce_task")
    from crmbridge.classify import ServiceAnalyzer

    writes = []
    for n, (when, text) in enumerate(
        [("2024-01-10T09:00:00Z", "thanks, love it"), ("2024-02-01T09:00:00Z", "refund never came")]
    ):
        i = Interaction.model_validate(
            {"schema": "crmbridge.interaction/1", "platform": "x", "kind": "mention",
             "message_id": str(n), "author": {"id": "u1"}, "text": text, "created_at": when}
        )  # fmt: skip
        c = ServiceAnalyzer().analyze(text)
        writes.append(mapper.render(i, Contact(id=jane), None, i.key, classification=c))

    assert all(r.ok for r in adapter.write(writes))

    assert "WHERE (Id IN ('003000000000001AAA'))" in soql_of(read.calls[0])
    (record,) = json.loads(roll.calls[0].request.body)["records"]
    assert record == {
        "attributes": {"type": "Contact"},
        "id": jane,
        "Last_Social_At__c": "2024-02-01T09:00:00Z",
        "Social_Channels__c": "facebook;x",
        "Last_Sentiment__c": "negative",
    }


def test_a_case_write_moves_no_contact_roll_up(rsps):
    ok = {"id": "500000000000001AAA", "success": True, "errors": [], "created": True}
    rsps.patch(BASE + "composite/sobjects/Case/Crmbridge_Key__c", json=[ok])
    adapter = opened(session_config(rollup_last_at="Last_Social_At__c"))
    results = adapter.write_cases(
        [CaseWrite(key="conv:x:1", contact_id="003000000000001AAA", fields={"Subject": "S"})]
    )
    assert [r.status for r in results] == ["created"]  # and no query or update was sent
