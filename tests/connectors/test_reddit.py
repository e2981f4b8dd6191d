"""The Reddit connector: contract, removed posts, edits, reply chains, PM threads, rate headers."""

import copy
from pathlib import Path

import pytest
import requests
import responses
from crmbridge.connectors.reddit import RedditConnector

from crmbridge.errors import AuthError
from crmbridge.testing import ConnectorContract, fake_response, paged
from tests.connectors.conftest import fixture

API = "https://reddit.test"
SEARCH = f"{API}/r/acme/search"
COMMENTS = f"{API}/r/acme/comments"
MENTIONS = f"{API}/message/mentions"
MESSAGES = f"{API}/message/messages"
AGENT = "linux:crmbridge-tests:0.1 (by /u/AcmeSupport)"


def make_reddit(**options) -> RedditConnector:
    config = RedditConnector.Config.model_validate(
        {
            "api_base": API,
            "access_token": "reddit-secret",
            "user_agent": AGENT,
            "username": "AcmeSupport",
            "subreddits": ["acme"],
            "query": "acme",
            "comments": True,
            **options,
        }
    )
    return RedditConnector(config, "brand-reddit")


def serve(wire: responses.RequestsMock, search: dict | None = None) -> None:
    page1 = fixture("reddit", "comments_page1.json")
    pages = {None: page1, page1["data"]["after"]: fixture("reddit", "comments_page2.json")}
    wire.add(responses.GET, SEARCH, json=search or fixture("reddit", "search.json"))
    wire.add_callback(responses.GET, COMMENTS, callback=paged(pages, "after"))
    wire.add(responses.GET, MENTIONS, json=fixture("reddit", "mentions.json"))
    wire.add(responses.GET, MESSAGES, json=fixture("reddit", "messages.json"))


def limits(reset: float) -> dict:
    return {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": "600",
        "x-ratelimit-reset": str(int(reset)),
    }


class TestRedditContract(ConnectorContract):
    def make(self, tmp_path: Path) -> RedditConnector:
        return make_reddit()

    def arrange(self, wire: responses.RequestsMock, tmp_path: Path, scenario: str) -> None:
        if scenario == "expired":
            wire.add(responses.GET, SEARCH, status=401, json=fixture("reddit", "error_401.json"))
            return
        if scenario == "rate_limited":
            wire.add(
                responses.GET,
                SEARCH,
                status=429,
                json=fixture("reddit", "error_429.json"),
                headers=limits(0),
            )
        search = fixture("reddit", "search.json")
        if scenario == "malformed":
            broken = copy.deepcopy(search["data"]["children"][0])
            broken["data"].update(name="t3_18xbad", id="18xbad")
            del broken["data"]["created_utc"]
            search["data"]["children"].append(broken)
        serve(wire, search)

    def rate_limited_response(self, reset_seconds: float) -> requests.Response:
        return fake_response(
            429, limits(reset_seconds), fixture("reddit", "error_429.json"), SEARCH
        )


@pytest.fixture
def items():
    with responses.RequestsMock() as wire:
        serve(wire)
        yield {i.interaction.message_id: i.interaction for i in make_reddit().fetch(None)}


def test_removed_and_deleted_things_are_marked_deleted_without_text(items):
    removed, deleted = items["t3_18x0z"], items["t1_kc1"]
    assert removed.deleted and deleted.deleted
    assert removed.text == deleted.text == ""
    assert items["t3_18x1a"].deleted is False


def test_an_edited_comment_carries_edited_at(items):
    edited = items["t1_kc3"]
    assert edited.edited_at is not None and edited.edited_at > edited.created_at


def test_a_reply_chain_uses_fullnames_and_the_link_as_conversation(items):
    brand, again = items["t1_kc2"], items["t1_kc3"]
    assert brand.in_reply_to == "t3_18x1a" and brand.kind == "comment"
    assert again.in_reply_to == "t1_kc2" and again.kind == "reply"
    assert brand.conversation_id == again.conversation_id == "t3_18x1a"
    assert brand.direction == "outbound"


def test_a_pm_thread_flattens_replies_and_marks_the_outbound_one(items):
    first, reply = items["t4_pm1"], items["t4_pm2"]
    assert first.conversation_id == reply.conversation_id == "t4_pm1"
    assert (first.direction, reply.direction) == ("inbound", "outbound")
    assert first.is_private and reply.kind == "dm"


def test_a_mention_comes_from_the_inbox(items):
    assert items["t1_km1"].kind == "mention"


def test_a_decoy_username_is_a_different_persona(items):
    assert items["t1_kc3"].persona_key == "reddit:t2_jdoe1"
    assert items["t1_kc4"].persona_key == "reddit:t2_decoy2"


def test_requests_carry_the_user_agent_bearer_and_sort_new():
    with responses.RequestsMock() as wire:
        serve(wire)
        list(make_reddit().fetch(None))
        search = wire.calls[0].request
        assert search.headers["User-Agent"] == AGENT
        assert search.headers["Authorization"] == "bearer reddit-secret"
        assert search.params["sort"] == "new" and search.params["restrict_sr"] == "1"


def test_an_expired_token_names_the_setting():
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, SEARCH, status=401, json=fixture("reddit", "error_401.json"))
        with pytest.raises(AuthError) as caught:
            list(make_reddit().fetch(None))
    assert "REDDIT_ACCESS_TOKEN" in str(caught.value)
    assert "reddit-secret" not in str(caught.value)
