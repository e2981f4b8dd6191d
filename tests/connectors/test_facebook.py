"""The Facebook connector: contract, Page comment chains, Messenger, Graph errors."""

import copy
import json
import logging
import time
from pathlib import Path

import pytest
import requests
import responses
from crmbridge.connectors.facebook import FacebookConnector

from crmbridge.errors import AuthError, ConfigError
from crmbridge.testing import ConnectorContract, fake_response, paged
from tests.connectors.conftest import fixture

API = "https://graph.test/v21.0"
PAGE = "104000000000001"
POST = f"{PAGE}_500000000000001"
FEED = f"{API}/{PAGE}/feed"
COMMENTS = f"{API}/{POST}/comments"
CONVERSATIONS = f"{API}/{PAGE}/conversations"
TOKEN = "EAAG-page-token-secret"


def make_fb(**options) -> FacebookConnector:
    config = FacebookConnector.Config.model_validate(
        {"api_base": API, "access_token": TOKEN, "page_id": PAGE, "min_interval": 0, **options}
    )
    return FacebookConnector(config, "brand-fb")


def serve(wire: responses.RequestsMock, page1: dict | None = None) -> None:
    first = page1 or fixture("facebook", "comments_page1.json")
    pages = {
        None: first,
        first["paging"]["cursors"]["after"]: fixture("facebook", "comments_page2.json"),
    }
    wire.add(responses.GET, FEED, json=fixture("facebook", "feed.json"))
    wire.add_callback(responses.GET, COMMENTS, callback=paged(pages, "after"))
    wire.add(responses.GET, CONVERSATIONS, json=fixture("facebook", "conversations.json"))


def usage(minutes: float) -> dict:
    entry = {
        "type": "pages",
        "call_count": 100,
        "total_cputime": 30,
        "total_time": 40,
        "estimated_time_to_regain_access": minutes,
    }
    return {"X-Business-Use-Case-Usage": json.dumps({PAGE: [entry]})}


class TestFacebookContract(ConnectorContract):
    def make(self, tmp_path: Path) -> FacebookConnector:
        return make_fb()

    def arrange(self, wire: responses.RequestsMock, tmp_path: Path, scenario: str) -> None:
        if scenario == "expired":
            wire.add(
                responses.GET, FEED, status=400, json=fixture("facebook", "error_expired.json")
            )
            return
        if scenario == "rate_limited":
            wire.add(
                responses.GET,
                FEED,
                status=429,
                json=fixture("facebook", "error_rate.json"),
                headers=usage(0),
            )
        page1 = fixture("facebook", "comments_page1.json")
        if scenario == "malformed":
            broken = copy.deepcopy(page1["data"][0])
            broken.update(id="500000000000001_999", created_time="2024-01-15T10:50:00+0000")
            del broken["from"]
            page1["data"].insert(1, broken)
        serve(wire, page1)

    def rate_limited_response(self, reset_seconds: float) -> requests.Response:
        body = fixture("facebook", "error_rate.json")
        return fake_response(400, usage(reset_seconds / 60), body, FEED)


@pytest.fixture
def items():
    with responses.RequestsMock() as wire:
        serve(wire)
        yield {i.interaction.message_id: i.interaction for i in make_fb().fetch(None)}


def test_a_reply_chain_on_a_post_keeps_parents_and_the_post_as_conversation(items):
    first, page_reply, again = (items[f"500000000000001_90{n}"] for n in (1, 2, 3))
    assert first.kind == "comment" and first.in_reply_to == POST
    assert page_reply.in_reply_to == again.in_reply_to == first.message_id
    assert {first.conversation_id, page_reply.conversation_id, again.conversation_id} == {POST}


def test_the_pages_own_comment_is_outbound_with_the_page_as_agent(items):
    reply = items["500000000000001_902"]
    assert reply.direction == "outbound" and reply.agent == "Acme Support"


def test_a_same_name_decoy_is_a_different_persona(items):
    jane, decoy = items["500000000000001_901"], items["500000000000001_904"]
    assert jane.author.name == decoy.author.name
    assert jane.persona_key != decoy.persona_key


def test_a_messenger_thread_keeps_the_pages_outbound_reply(items):
    thread = [items[f"m_AbCdEf0{n}"] for n in (1, 2, 3)]
    assert {m.conversation_id for m in thread} == {"t_10160000000000001"}
    assert [m.direction for m in thread] == ["inbound", "inbound", "outbound"]
    assert all(m.is_private and m.kind == "dm" for m in thread)


def test_graph_times_become_utc_and_requests_carry_stream_order_and_bearer():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        found = list(make_fb(dms=False).fetch(None))
        comments_call = next(c for c in wire.calls if "/comments" in c.request.url)
        assert comments_call.request.params["filter"] == "stream"
        assert comments_call.request.params["order"] == "reverse_chronological"
        assert comments_call.request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in comments_call.request.url
    assert found[0].interaction.created_at.isoformat() == "2024-01-15T10:30:00+00:00"


def test_comment_paging_stops_at_the_watermark():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        cursor = {"comments": {"at": "2024-01-15T10:40:00Z", "ids": []}}
        found = list(make_fb(dms=False).fetch(cursor))
        assert sum("/comments" in c.request.url for c in wire.calls) == 1
    assert [i.interaction.message_id for i in found] == ["500000000000001_903"]


def test_an_expired_page_token_names_the_subcode_and_what_to_renew():
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, FEED, status=400, json=fixture("facebook", "error_expired.json"))
        with pytest.raises(AuthError) as caught:
            list(make_fb().fetch(None))
    assert "190/463" in str(caught.value) and "access_token" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_an_unknown_graph_error_is_a_config_error():
    body = {
        "error": {
            "message": "Unsupported get request.",
            "type": "GraphMethodException",
            "code": 100,
            "error_subcode": 33,
            "fbtrace_id": "X",
        }
    }
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, FEED, status=400, json=body)
        with pytest.raises(ConfigError):
            list(make_fb().fetch(None))


def test_a_full_messenger_window_newer_than_the_watermark_is_logged(caplog):
    conversations = fixture("facebook", "conversations.json")
    messages = conversations["data"][0]["messages"]["data"]
    template = messages[1]
    messages[:] = [
        dict(template, id=f"m_{n:02d}", created_time=f"2024-01-15T13:{n:02d}:00+0000")
        for n in range(20)
    ]
    conversations["data"][0]["updated_time"] = "2024-01-15T13:19:00+0000"
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, CONVERSATIONS, json=conversations)
        with caplog.at_level(logging.WARNING):
            list(make_fb(comments=False).fetch({"dms": {"at": "2024-01-15T12:00:00Z"}}))
    assert any("20" in r.getMessage() for r in caplog.records)


def test_graph_calls_are_spaced_by_min_interval():
    with responses.RequestsMock() as wire:
        serve(wire)
        started = time.monotonic()
        list(make_fb(min_interval=0.1).fetch(None))
        calls = len(wire.calls)
    assert calls == 4 and time.monotonic() - started >= 0.3


def test_the_default_pace_keeps_under_two_calls_a_second_per_page():
    assert FacebookConnector.Config.model_fields["min_interval"].default == 0.5
