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

from crmbridge.errors import AuthError, ConfigError, RateLimited
from crmbridge.models import Interaction, parse_interaction
from crmbridge.testing import ConnectorContract, fake_response, paged
from crmbridge.webhook_events import meta_events
from tests.connectors.conftest import fixture

API = "https://graph.test/v21.0"
PAGE = "104000000000001"
POST = f"{PAGE}_500000000000001"
FEED = f"{API}/{PAGE}/feed"
COMMENTS = f"{API}/{POST}/comments"
CONVERSATIONS = f"{API}/{PAGE}/conversations"
VISITOR_POSTS = f"{API}/{PAGE}/visitor_posts"
TAGGED = f"{API}/{PAGE}/tagged"
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
    wire.add(responses.GET, VISITOR_POSTS, json=fixture("facebook", "visitor_posts.json"))
    wire.add(responses.GET, TAGGED, json=fixture("facebook", "tagged.json"))
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


def pushed(*names: str) -> list[Interaction]:
    """The interchange records the Meta webhook makes of these deliveries."""
    return [
        parse_interaction(event.record, name)
        for name in names
        for event in meta_events(fixture("webhooks", name))
    ]


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

    def webhook_copies(self, tmp_path: Path) -> list[Interaction]:
        return pushed("meta_feed.json", "meta_messaging.json", "meta_page_mentions.json")

    def full_texts(self) -> dict[str, str]:
        post = fixture("facebook", "visitor_posts.json")["data"][0]
        return {post["id"]: post["message"]}

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
    assert {m.conversation_id for m in thread} == {"104000000000001-7001000000000001"}
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
        found = list(make_fb(dms=False, visitor_posts=False, tagged=False).fetch(cursor))
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
            only_dms = make_fb(comments=False, visitor_posts=False, tagged=False)
            list(only_dms.fetch({"dms": {"at": "2024-01-15T12:00:00Z"}}))
    assert any("20" in r.getMessage() for r in caplog.records)


def test_graph_calls_are_spaced_by_min_interval():
    with responses.RequestsMock() as wire:
        serve(wire)
        started = time.monotonic()
        list(make_fb(min_interval=0.1).fetch(None))
        calls = len(wire.calls)
    assert calls == 6 and time.monotonic() - started >= 0.5


def test_the_default_pace_keeps_under_two_calls_a_second_per_page():
    assert FacebookConnector.Config.model_fields["min_interval"].default == 0.5


def test_visitor_posts_and_posts_tagging_the_page_are_read(items):
    visitor = items["104000000000001_510000000000002"]
    tagged = items["7005000000000005_620000000000001"]
    assert (visitor.kind, tagged.kind) == ("post", "mention")
    assert visitor.direction == tagged.direction == "inbound"
    assert tagged.url == "https://www.facebook.com/7005000000000005/posts/620000000000001"
    assert tagged.persona_key == items["104000000000001_510000000000001"].persona_key


def test_webhook_visitor_posts_and_mentions_match_the_polled_ones(items):
    by_id = {i.message_id: i for i in pushed("meta_page_mentions.json")}
    for message_id in ("104000000000001_510000000000002", "7005000000000005_620000000000001"):
        webhook, polled = by_id[message_id], items[message_id]
        assert (webhook.kind, webhook.text, webhook.conversation_id, webhook.created_at) == (
            polled.kind,
            polled.text,
            polled.conversation_id,
            polled.created_at,
        )
    assert "104000000000001_510000000000009" not in by_id  # the Page's own broadcast


def test_messages_and_echoes_under_standby_are_taken_in():
    by_id = {i.message_id: i for i in pushed("meta_page_mentions.json")}
    echo, answer = by_id["m_AbCdEf04"], by_id["m_AbCdEf05"]
    assert echo.direction == "outbound" and answer.direction == "inbound"
    assert echo.is_private and answer.kind == "dm"


def test_a_webhook_comment_links_to_the_comment_as_the_polled_permalink_does(items):
    by_id = {i.message_id: i for i in pushed("meta_feed.json")}
    assert by_id["500000000000001_901"].url == items["500000000000001_901"].url


def test_graph_usage_headers_pace_the_next_call_before_meta_throttles():
    busy = {
        "X-App-Usage": json.dumps({"call_count": 12, "total_time": 8, "total_cputime": 4}),
        **usage(10),
    }
    entry = json.loads(busy["X-Business-Use-Case-Usage"])
    entry[PAGE][0].update(call_count=96)
    busy["X-Business-Use-Case-Usage"] = json.dumps(entry)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        wire.add(responses.GET, FEED, json=fixture("facebook", "feed.json"), headers=busy)
        started = time.monotonic()
        with pytest.raises(RateLimited) as caught:
            list(make_fb(max_rate_wait=60).fetch(None))
        assert len(wire.calls) == 1  # the next call was not made into a throttle
    assert time.monotonic() - started < 5
    assert caught.value.retry_after is not None and caught.value.retry_after > 500


def test_usage_below_the_pause_threshold_does_not_slow_the_read():
    calm = {"X-App-Usage": json.dumps({"call_count": 40, "total_time": 10, "total_cputime": 5})}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        wire.replace(responses.GET, FEED, json=fixture("facebook", "feed.json"), headers=calm)
        started = time.monotonic()
        found = list(make_fb().fetch(None))
        elapsed = time.monotonic() - started
    assert found and elapsed < 5
