"""The X connector: contract, edits, replies, DMs, decoys and X's rate and auth errors."""

import copy
import logging
import time
from pathlib import Path

import pytest
import requests
import responses
from crmbridge.connectors.x import XConnector

from crmbridge.errors import AuthError, QuotaExhausted, RateLimited
from crmbridge.testing import ConnectorContract, fake_response, paged
from tests.connectors.conftest import fixture

API = "https://x.test"
BRAND = "2244994945"
MENTIONS = f"{API}/2/users/{BRAND}/mentions"
DMS = f"{API}/2/dm_events"
TOKEN = "x-secret-token-value"


def make_x(**options) -> XConnector:
    config = XConnector.Config.model_validate(
        {"api_base": API, "bearer_token": TOKEN, "user_id": BRAND, "dms": True, **options}
    )
    return XConnector(config, "brand-x")


def serve(wire: responses.RequestsMock, page1: dict | None = None, dms: bool = True) -> None:
    first = page1 or fixture("x", "mentions_page1.json")
    token = first["meta"]["next_token"]
    pages = {None: first, token: fixture("x", "mentions_page2.json")}
    wire.add_callback(responses.GET, MENTIONS, callback=paged(pages, "pagination_token"))
    if dms:
        wire.add(responses.GET, DMS, json=fixture("x", "dm_events.json"))


def rate_limited(reset: float) -> dict:
    return {
        "x-rate-limit-limit": "450",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(int(reset)),
    }


class TestXContract(ConnectorContract):
    def make(self, tmp_path: Path) -> XConnector:
        return make_x()

    def arrange(self, wire: responses.RequestsMock, tmp_path: Path, scenario: str) -> None:
        if scenario == "expired":
            wire.add(responses.GET, MENTIONS, status=401, json=fixture("x", "error_401.json"))
            return
        if scenario == "rate_limited":
            wire.add(
                responses.GET,
                MENTIONS,
                status=429,
                json=fixture("x", "error_429.json"),
                headers=rate_limited(time.time()),
            )
        page1 = fixture("x", "mentions_page1.json")
        if scenario == "malformed":
            broken = copy.deepcopy(page1["data"][1])
            broken["id"], broken["text"] = "1750000000000000100", "no created_at"
            del broken["created_at"]
            page1["data"].append(broken)
        serve(wire, page1)

    def rate_limited_response(self, reset_seconds: float) -> requests.Response:
        headers = rate_limited(time.time() + reset_seconds)
        return fake_response(429, headers, fixture("x", "error_429.json"), MENTIONS)


@pytest.fixture
def items():
    with responses.RequestsMock() as wire:
        serve(wire)
        found = list(make_x().fetch(None))
        yield {i.interaction.message_id: i.interaction for i in found}


def test_records_come_oldest_first_across_pages_with_newest_id_as_final_cursor():
    with responses.RequestsMock() as wire:
        serve(wire, dms=False)
        found = list(make_x(dms=False).fetch(None))
    ids = [i.interaction.message_id for i in found]
    assert ids == sorted(ids)
    newest = fixture("x", "mentions_page1.json")["meta"]["newest_id"]
    assert found[-1].cursor == {"mentions": {"since_id": newest}}


def test_an_edit_points_at_the_original_and_updates_its_activity(items):
    edit = items["1750000000000000104"]
    assert edit.edit_of == "1750000000000000101"
    assert edit.activity_key == items["1750000000000000101"].activity_key
    assert edit.edited_at is not None
    assert items["1750000000000000101"].edit_of is None


def test_a_reply_chain_keeps_conversation_and_parents(items):
    brand_reply, customer = items["1750000000000000102"], items["1750000000000000105"]
    assert brand_reply.in_reply_to == "1750000000000000101"
    assert customer.in_reply_to == "1750000000000000102"
    assert {brand_reply.conversation_key, customer.conversation_key} == {"x:1750000000000000101"}
    assert customer.kind == "reply"


def test_the_brands_own_reply_is_outbound_with_an_agent(items):
    reply = items["1750000000000000102"]
    assert reply.direction == "outbound" and reply.agent == "brand"
    assert items["1750000000000000101"].direction == "inbound"


def test_a_same_name_decoy_is_a_different_persona(items):
    jane, decoy = items["1750000000000000101"].author, items["1750000000000000103"].author
    assert jane.name == decoy.name == "Jane Doe"
    assert items["1750000000000000101"].persona_key != items["1750000000000000103"].persona_key
    assert (jane.handle, decoy.handle) == ("jdoe", "janedoe_photos")


def test_author_profile_fields_come_from_the_users_expansion(items):
    jane = items["1750000000000000101"].author
    assert jane.model_dump(exclude_none=True) == {
        "id": "111",
        "handle": "jdoe",
        "name": "Jane Doe",
        "profile_url": "https://x.com/jdoe",
        "website": "https://janedoe.example",
        "location": "Leeds, UK",
        "bio": "Tea, trains and tech.",
        "verified": False,
        "followers": 120,
    }


def test_a_dm_thread_keeps_the_outbound_reply(items):
    inbound, outbound = items["1800000000000000202"], items["1800000000000000203"]
    assert inbound.kind == outbound.kind == "dm" and inbound.is_private
    assert inbound.conversation_id == outbound.conversation_id == "111-2244994945"
    assert (inbound.direction, outbound.direction) == ("inbound", "outbound")


def test_requests_carry_the_token_fields_expansions_and_since_id():
    with responses.RequestsMock() as wire:
        serve(wire, dms=False)
        list(make_x(dms=False).fetch({"mentions": {"since_id": "1750000000000000100"}}))
        request = wire.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.params["since_id"] == "1750000000000000100"
    assert request.params["expansions"] == "author_id"
    assert "edit_history_tweet_ids" in request.params["tweet.fields"]
    assert request.params["max_results"] == "100"


def test_a_server_ignoring_since_id_does_not_make_us_repeat():
    with responses.RequestsMock() as wire:
        serve(wire, dms=False)
        found = list(make_x(dms=False).fetch({"mentions": {"since_id": "1750000000000000103"}}))
    assert [i.interaction.message_id for i in found] == [
        "1750000000000000104",
        "1750000000000000105",
    ]


def test_an_expired_token_names_the_setting_and_never_the_token():
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, MENTIONS, status=401, json=fixture("x", "error_401.json"))
        with pytest.raises(AuthError) as caught:
            list(make_x().fetch(None))
    assert "bearer_token" in str(caught.value) and "X_BEARER_TOKEN" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_the_monthly_usage_cap_is_quota_exhausted():
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, MENTIONS, status=429, json=fixture("x", "usage_capped.json"))
        with pytest.raises(QuotaExhausted):
            list(make_x().fetch(None))
        assert len(wire.calls) == 1


def test_a_reset_beyond_max_rate_wait_stops_the_source_without_sleeping():
    with responses.RequestsMock() as wire:
        wire.add(
            responses.GET,
            MENTIONS,
            status=429,
            json=fixture("x", "error_429.json"),
            headers=rate_limited(time.time() + 600),
        )
        started = time.monotonic()
        with pytest.raises(RateLimited) as caught:
            list(make_x(max_rate_wait=60).fetch(None))
        assert time.monotonic() - started < 5 and len(wire.calls) == 1
    assert caught.value.retry_after > 500


def test_a_dm_history_that_never_reaches_the_last_id_is_logged_as_behind(caplog):
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, DMS, json=fixture("x", "dm_events.json"))
        with caplog.at_level(logging.WARNING):
            cursor = {"dms": {"since_id": "1500000000000000000"}}
            list(make_x(mentions=False).fetch(cursor))
    assert any("30 days" in r.getMessage() for r in caplog.records)


def test_recent_search_pages_with_next_token_and_sends_the_query():
    first = fixture("x", "mentions_page1.json")
    token = first["meta"]["next_token"]
    pages = {None: first, token: fixture("x", "mentions_page2.json")}
    with responses.RequestsMock() as wire:
        url = f"{API}/2/tweets/search/recent"
        wire.add_callback(responses.GET, url, callback=paged(pages, "next_token"))
        found = list(make_x(mentions=False, dms=False, search_query="@BrandSupport").fetch(None))
        assert wire.calls[0].request.params["query"] == "@BrandSupport"
        assert wire.calls[1].request.params["next_token"] == token
    assert len(found) == 5 and found[-1].cursor["search"]["since_id"] == "1750000000000000105"


def test_more_mentions_than_the_800_window_are_logged_as_behind(caplog):
    page = fixture("x", "mentions_page1.json")
    template = page["data"][2]
    page["data"] = [dict(template, id=str(1750000000000001000 + n)) for n in range(800)]
    del page["meta"]["next_token"]
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, MENTIONS, json=page)
        with caplog.at_level(logging.WARNING):
            found = list(make_x(dms=False).fetch({"mentions": {"since_id": "1750000000000000100"}}))
    assert len(found) == 800
    assert any("800" in r.getMessage() for r in caplog.records)


def test_after_the_last_call_of_a_window_the_next_waits_for_the_reset_or_stops():
    page1 = fixture("x", "mentions_page1.json")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()) + 600)}
        wire.add(responses.GET, MENTIONS, json=page1, headers=headers)
        with pytest.raises(RateLimited) as caught:
            list(make_x(dms=False, max_rate_wait=60).fetch(None))
        assert len(wire.calls) == 1  # the second page was never asked for
    assert caught.value.retry_after > 500
