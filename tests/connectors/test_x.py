"""The X connector: contract, edits, replies, DMs, decoys and X's rate and auth errors."""

import copy
import logging
import time
from pathlib import Path

import pytest
import requests
import responses
from crmbridge.connectors.x import XConnector

from crmbridge.copies import inherit_threads
from crmbridge.errors import AuthError, QuotaExhausted, RateLimited
from crmbridge.models import Interaction, parse_interaction
from crmbridge.testing import ConnectorContract, fake_response, paged
from crmbridge.webhook_events import x_events
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


def pushed(*names: str) -> list[Interaction]:
    """The interchange records the X webhook makes of these deliveries."""
    return [
        parse_interaction(event.record, name)
        for name in names
        for event in x_events(fixture("webhooks", name))
    ]


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

    def webhook_copies(self, tmp_path: Path) -> list[Interaction]:
        # X's webhook payload names no conversation for a reply: the sync places it in its
        # parent's (here delivered in the same batch; stored ones: test_x_threads.py).
        copies = pushed("x_activity.json", "x_timeline.json", "x_dm.json")
        placed = inherit_threads(copies, lambda keys: {})
        assert placed, "the deliveries must hold replies"
        return [placed.get(c.key, c) for c in copies]

    def full_texts(self) -> dict[str, str]:
        long = next(t for t in fixture("x", "mentions_page2.json")["data"] if "note_tweet" in t)
        text = long["note_tweet"]["text"].replace(
            "https://t.co/lid5120", "https://photos.example/samkay/lid5120"
        )
        return {long["id"]: text}

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
    assert request.params["expansions"].split(",")[0] == "author_id"
    assert "referenced_tweets.id.author_id" in request.params["expansions"]
    assert {"edit_history_tweet_ids", "note_tweet", "entities"} <= set(
        request.params["tweet.fields"].split(",")
    )
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
    assert len(found) == 8 and found[-1].cursor["search"]["since_id"] == "1750000000000000105"


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


LONG_ID, RETWEET_ID, QUOTE_ID, BROADCAST_ID = (f"17500000000000000{n}" for n in (99, 98, 97, 96))


def test_a_long_post_is_read_whole_from_note_tweet_with_its_links_expanded(items):
    long = items[LONG_ID]
    assert len(long.text) > 280 and not long.text.endswith("…")
    assert "https://photos.example/samkay/lid5120" in long.text and "t.co" not in long.text
    assert long.kind == "mention"


def test_retweets_and_quotes_are_their_own_kinds(items):
    retweet, quote = items[RETWEET_ID], items[QUOTE_ID]
    assert (retweet.kind, quote.kind) == ("retweet", "quote")
    assert retweet.text.startswith("RT @BrandSupport: We're rolling out the lid fix")
    assert retweet.text.endswith("free of charge.")  # the shared post whole, not X's cut
    assert "https://x.com/BrandSupport/status/1749999999999999000" in quote.text


def test_the_brands_own_broadcasts_are_left_out_unless_configured(items):
    assert BROADCAST_ID not in items
    assert items["1750000000000000102"].direction == "outbound"  # its replies are kept
    with responses.RequestsMock() as wire:
        serve(wire, dms=False)
        found = {
            i.interaction.message_id: i.interaction
            for i in make_x(dms=False, broadcasts=True).fetch(None)
        }
    assert found[BROADCAST_ID].direction == "outbound" and found[BROADCAST_ID].agent == "brand"


def test_the_usage_cap_is_recognised_by_the_problem_type_not_its_title():
    body = {**fixture("x", "usage_capped.json"), "title": "Too Many Requests"}
    response = fake_response(429, {}, body, MENTIONS)
    assert isinstance(make_x().classify(response), QuotaExhausted)
    throttled = fake_response(
        429, rate_limited(time.time() + 5), fixture("x", "error_429.json"), MENTIONS
    )
    assert isinstance(make_x().classify(throttled), RateLimited)
    assert not isinstance(make_x().classify(throttled), QuotaExhausted)


def test_the_webhook_gives_the_polled_kind_text_thread_and_expanded_website(items):
    by_id = {i.message_id: i for i in pushed("x_timeline.json")}
    for message_id in (LONG_ID, RETWEET_ID, QUOTE_ID):
        webhook, polled = by_id[message_id], items[message_id]
        assert (webhook.kind, webhook.text, webhook.conversation_id) == (
            polled.kind,
            polled.text,
            polled.conversation_id,
        )
    sam_pushed, sam_polled = by_id[LONG_ID].author, items[LONG_ID].author
    assert sam_pushed.website == sam_polled.website == "https://samkay.example"


def test_the_webhook_leaves_out_the_brands_broadcasts_and_keeps_its_replies():
    ids = {i.message_id for i in pushed("x_timeline.json")}
    assert BROADCAST_ID not in ids and "1750000000000000102" in ids
    every = {
        parse_interaction(e.record, "x").message_id
        for e in x_events(fixture("webhooks", "x_timeline.json"), broadcasts=True)
    }
    assert BROADCAST_ID in every


def test_a_webhook_deletion_carries_the_posts_own_time_and_the_deletion_as_its_version():
    (gone,) = pushed("x_delete.json")
    assert gone.deleted and gone.edited_at is not None
    millis = (int(gone.message_id) >> 22) + 1288834974657
    assert int(gone.created_at.timestamp()) == millis // 1000
    assert gone.version_at == gone.edited_at


def test_the_brands_own_timeline_gives_its_replies_as_outbound_and_leaves_out_broadcasts():
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, f"{API}/2/users/{BRAND}/tweets", json=fixture("x", "timeline.json"))
        found = [
            i.interaction for i in make_x(mentions=False, dms=False, timeline=True).fetch(None)
        ]
    assert [i.message_id for i in found] == ["1750000000000000110"]
    (reply,) = found
    assert reply.direction == "outbound" and reply.kind == "reply" and reply.agent == "brand"
    assert reply.conversation_id == "1750000000000000097"
