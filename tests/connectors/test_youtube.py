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
