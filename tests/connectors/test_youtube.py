"""The YouTube connector: contract, edited comments, reply threads, quota and key errors."""

import copy
from pathlib import Path

import pytest
import requests
import responses
from crmbridge.connectors.youtube import YouTubeConnector

from crmbridge.errors import AuthError, QuotaExhausted
from crmbridge.testing import ConnectorContract, paged
from tests.connectors.conftest import fixture

API = "https://youtube.test/youtube/v3"
CHANNEL = "UCbrand000000000000000001"
THREADS = f"{API}/commentThreads"
REPLIES = f"{API}/comments"
KEY = "AIza-secret-key"


def make_yt(**options) -> YouTubeConnector:
    config = YouTubeConnector.Config.model_validate(
        {"api_base": API, "api_key": KEY, "channel_id": CHANNEL, **options}
    )
    return YouTubeConnector(config, "brand-yt")


def serve(wire: responses.RequestsMock, page1: dict | None = None) -> None:
    first = page1 or fixture("youtube", "threads_page1.json")
    pages = {None: first, first["nextPageToken"]: fixture("youtube", "threads_page2.json")}
    wire.add_callback(responses.GET, THREADS, callback=paged(pages, "pageToken"))
    wire.add(responses.GET, REPLIES, json=fixture("youtube", "replies.json"))


class TestYouTubeContract(ConnectorContract):
    def make(self, tmp_path: Path) -> YouTubeConnector:
        return make_yt()

    def arrange(self, wire: responses.RequestsMock, tmp_path: Path, scenario: str) -> None:
        if scenario == "expired":
            wire.add(
                responses.GET,
                THREADS,
                status=400,
                json=fixture("youtube", "error_key_invalid.json"),
            )
            return
        if scenario == "rate_limited":
            wire.add(
                responses.GET,
                THREADS,
                status=429,
                json=fixture("youtube", "error_rate.json"),
                headers={"Retry-After": "0"},
            )
        page1 = fixture("youtube", "threads_page1.json")
        if scenario == "malformed":
            broken = copy.deepcopy(page1["items"][1])
            broken["id"] = broken["snippet"]["topLevelComment"]["id"] = "UgzBroken"
            del broken["snippet"]["topLevelComment"]["snippet"]["authorChannelId"]
            page1["items"].insert(1, broken)
        serve(wire, page1)

    def full_texts(self) -> dict[str, str]:
        reply = fixture("youtube", "replies.json")["items"][2]
        return {reply["id"]: reply["snippet"]["textOriginal"]}

    def rate_limited_response(self, reset_seconds: float) -> requests.Response | None:
        return None  # YouTube announces no reset; backoff is exponential with jitter


@pytest.fixture
def items():
    with responses.RequestsMock() as wire:
        serve(wire)
        yield {i.interaction.message_id: i.interaction for i in make_yt().fetch(None)}


def test_an_edited_comment_keeps_its_id_and_carries_edited_at(items):
    edited = items["UgzJaneThreadA"]
    assert edited.edit_of is None
    assert edited.edited_at.isoformat() == "2024-01-15T10:45:00+00:00"
    assert edited.version_at > edited.created_at


def test_a_reply_chain_belongs_to_its_thread_and_the_channels_reply_is_outbound(items):
    top, brand, again = (
        items[k] for k in ("UgzJaneThreadA", "UgzJaneThreadA.r1", "UgzJaneThreadA.r2")
    )
    assert brand.in_reply_to == again.in_reply_to == top.message_id
    assert {top.conversation_key, brand.conversation_key, again.conversation_key} == {
        "youtube:UgzJaneThreadA"
    }
    assert brand.direction == "outbound" and again.kind == "reply"


def test_replies_beyond_the_inline_ones_come_from_comments_list():
    with responses.RequestsMock() as wire:
        serve(wire)
        found = [i.interaction.message_id for i in make_yt().fetch(None)]
        replies_call = next(c for c in wire.calls if c.request.url.startswith(REPLIES))
        assert replies_call.request.params["parentId"] == "UgyLongThreadC"
        assert replies_call.request.headers["X-goog-api-key"] == KEY
        assert KEY not in replies_call.request.url
    assert {"UgyLongThreadC.r1", "UgyLongThreadC.r2", "UgyLongThreadC.r3"} <= set(found)
    assert found.count("UgyLongThreadC.r1") == 1


def test_a_same_name_decoy_is_a_different_persona(items):
    jane, decoy = items["UgzJaneThreadA"], items["UgxDecoyThreadB"]
    assert jane.author.handle == "jdoe" and decoy.author.name == "Jane Doe"
    assert jane.persona_key != decoy.persona_key


def test_quota_exceeded_stops_the_source_until_midnight_pacific():
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, THREADS, status=403, json=fixture("youtube", "error_quota.json"))
        with pytest.raises(QuotaExhausted) as caught:
            list(make_yt().fetch(None))
        assert len(wire.calls) == 1
    assert "Pacific" in str(caught.value)


def test_an_invalid_key_names_the_setting_to_renew():
    with responses.RequestsMock() as wire:
        wire.add(
            responses.GET, THREADS, status=400, json=fixture("youtube", "error_key_invalid.json")
        )
        with pytest.raises(AuthError) as caught:
            list(make_yt().fetch(None))
    assert "api_key" in str(caught.value) and "YOUTUBE_API_KEY" in str(caught.value)
    assert KEY not in str(caught.value)


def test_a_reply_read_through_comments_list_links_to_its_threads_video(items):
    reply = items["UgyLongThreadC.r2"]
    assert reply.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgyLongThreadC.r2"


def test_a_thread_whose_reply_count_has_not_moved_is_not_paged_again():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        first = list(make_yt().fetch(None))
        assert first[-1].cursor["comments"]["replies"]["UgyLongThreadC"] == 3
        wire.calls.reset()
        assert list(make_yt().fetch(first[-1].cursor)) == []
        assert not [c for c in wire.calls if c.request.url.startswith(REPLIES)]


def test_a_moved_reply_count_pages_the_threads_replies_again():
    page1 = fixture("youtube", "threads_page1.json")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        first = list(make_yt().fetch(None))
        page1["items"][0]["snippet"]["totalReplyCount"] = 4
        pages = {None: page1, page1["nextPageToken"]: fixture("youtube", "threads_page2.json")}
        wire.remove(responses.GET, THREADS)
        wire.add_callback(responses.GET, THREADS, callback=paged(pages, "pageToken"))
        wire.calls.reset()
        list(make_yt().fetch(first[-1].cursor))
        assert [c.request.params["parentId"] for c in wire.calls if REPLIES in c.request.url] == [
            "UgyLongThreadC"
        ]


def test_a_new_reply_on_an_older_thread_past_an_all_old_page_is_seen():
    page2 = fixture("youtube", "threads_page2.json")
    late = copy.deepcopy(page2["items"][0]["replies"]["comments"][1])
    late["id"], late["snippet"]["publishedAt"] = "UgzJaneThreadA.r3", "2024-01-16T09:00:00Z"
    late["snippet"]["updatedAt"] = "2024-01-16T09:00:00Z"
    page2["items"][0]["replies"]["comments"].append(late)
    page2["items"][0]["snippet"]["totalReplyCount"] = 3
    page1 = fixture("youtube", "threads_page1.json")
    pages = {None: page1, page1["nextPageToken"]: page2}
    cursor = {"comments": {"at": "2024-01-15T23:00:00Z", "ids": []}}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        wire.add_callback(responses.GET, THREADS, callback=paged(pages, "pageToken"))
        wire.add(responses.GET, REPLIES, json=fixture("youtube", "replies.json"))
        found = [i.interaction.message_id for i in make_yt().fetch(cursor)]
    assert found == ["UgzJaneThreadA.r3"]


def test_held_and_likely_spam_comments_are_read_with_the_owners_token():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        list(make_yt(oauth_token="ya29.owner-token", moderation=True).fetch(None))
        asked = [c.request for c in wire.calls if c.request.url.startswith(THREADS)]
    statuses = {r.params.get("moderationStatus") for r in asked}
    assert {"heldForReview", "likelySpam"} <= statuses
    assert all(r.headers["Authorization"] == "Bearer ya29.owner-token" for r in asked)


def test_moderation_without_the_owners_token_is_a_config_error_naming_it():
    with pytest.raises(ValueError, match="oauth_token"):
        make_yt(moderation=True)
