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
INBOX_COMMENTS = f"{API}/message/comments"
SELFREPLY = f"{API}/message/selfreply"
SENT = f"{API}/message/sent"
ABOUT_JDOE = f"{API}/user/jdoe/about"
OVERVIEW = f"{API}/user/AcmeSupport/overview"
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
    wire.add(responses.GET, INBOX_COMMENTS, json=fixture("reddit", "inbox_comments.json"))
    wire.add(responses.GET, SELFREPLY, json=fixture("reddit", "selfreply.json"))
    wire.add(responses.GET, MESSAGES, json=fixture("reddit", "messages.json"))
    wire.add(responses.GET, SENT, json=fixture("reddit", "sent.json"))
    wire.add(responses.GET, ABOUT_JDOE, json=fixture("reddit", "user_about_jdoe.json"))
    wire.add(responses.GET, OVERVIEW, json=fixture("reddit", "overview.json"))


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

    def full_texts(self) -> dict[str, str]:
        reply = fixture("reddit", "selfreply.json")["data"]["children"][1]["data"]
        return {reply["name"]: reply["body"]}

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


def test_a_mention_comes_from_the_inbox_with_its_post_and_url_read_from_context(items):
    mention = items["t1_km1"]
    assert mention.kind == "mention"
    assert mention.conversation_id == "t3_19g7k" and mention.in_reply_to == "t3_19g7k"
    assert mention.url == (
        "https://www.reddit.com/r/gadgets/comments/19g7k/best_blender_for_smoothies/km1/"
    )


def test_two_inbox_mentions_on_one_post_share_its_conversation(items):
    assert items["t1_km1"].conversation_key == items["t1_km2"].conversation_key


def test_replies_to_the_brand_are_read_from_the_inbox(items):
    comment_reply, post_reply = items["t1_kr1"], items["t1_ks1"]
    assert comment_reply.kind == post_reply.kind == "reply"
    assert comment_reply.in_reply_to == "t1_kb9" and comment_reply.conversation_id == "t3_19g7k"
    assert post_reply.in_reply_to == "t3_19h2p" and post_reply.conversation_id == "t3_19h2p"
    assert comment_reply.persona_key == "reddit:t2_samk3"


def test_an_inbox_item_of_a_fully_read_subreddit_comes_once_from_its_comments_stream():
    with responses.RequestsMock() as wire:
        serve(wire)
        keys = [i.interaction.key for i in make_reddit().fetch(None) if i.interaction]
    assert "reddit:t1_kr0" not in keys and "reddit:t1_km3" not in keys
    assert len(keys) == len(set(keys))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        alone = {i.interaction.key for i in make_reddit(comments=False).fetch(None)}
    assert {"reddit:t1_kr0", "reddit:t1_km3"} <= alone


def test_the_brands_sent_messages_are_read_once_as_outbound(items):
    sent, reply = items["t4_pm5"], items["t4_pm2"]
    assert sent.direction == reply.direction == "outbound"
    assert sent.kind == "dm" and sent.is_private and sent.agent == "brand"
    assert reply.conversation_id == "t4_pm1"


def test_sent_mail_is_not_read_without_the_brand_username():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        items = [i.interaction for i in make_reddit(username=None).fetch(None)]
        assert not [c for c in wire.calls if c.request.url.startswith(SENT)]
    assert "t4_pm2" in {i.message_id for i in items}  # nested in the PM thread instead


def test_an_author_missing_from_the_listing_is_keyed_by_the_looked_up_fullname():
    with responses.RequestsMock() as wire:
        serve(wire)
        items = {i.interaction.message_id: i.interaction for i in make_reddit().fetch(None)}
        lookups = [c for c in wire.calls if c.request.url.startswith(ABOUT_JDOE)]
    assert items["t1_km2"].persona_key == items["t1_km1"].persona_key == "reddit:t2_jdoe1"
    assert len(lookups) == 1  # once per run, however many items lack the fullname


def test_a_suspended_author_falls_back_to_the_username():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        wire.replace(responses.GET, ABOUT_JDOE, status=404, json={"message": "Not Found"})
        items = {i.interaction.message_id: i.interaction for i in make_reddit().fetch(None)}
    assert items["t1_km2"].author.id == "u/jdoe"


def test_author_less_items_have_no_persona_and_never_share_one(items):
    gone = [items[k] for k in ("t1_kr2", "t1_ks2", "t4_pm3", "t4_pm4")]
    assert all(not i.has_persona for i in gone)
    assert len({i.persona_key for i in gone}) == len(gone)
    assert items["t4_pm4"].text.startswith("Your post was removed")
    assert items["t1_ks2"].deleted and items["t1_ks2"].text == ""


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


def test_a_comment_in_a_watched_subreddit_naming_the_brand_is_a_mention():
    page2 = fixture("reddit", "comments_page2.json")
    named = copy.deepcopy(page2["data"]["children"][0])
    named["data"].update(
        id="kc9",
        name="t1_kc9",
        author="sam_k",
        author_fullname="t2_samk3",
        body="u/acmesupport the lid is cracked again",
        permalink="/r/acme/comments/18x1a/acme_order_never_arrived/kc9/",
    )
    page2["data"]["children"].append(named)
    page1 = fixture("reddit", "comments_page1.json")
    pages = {None: page1, page1["data"]["after"]: page2}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        wire.remove(responses.GET, COMMENTS)
        wire.add_callback(responses.GET, COMMENTS, callback=paged(pages, "after"))
        found = {i.interaction.message_id: i.interaction for i in make_reddit().fetch(None)}
    assert found["t1_kc9"].kind == "mention" and found["t1_kc9"].direction == "inbound"


def test_the_brands_own_comments_and_posts_elsewhere_are_outbound(items):
    comment, post = items["t1_kb9"], items["t3_19h2p"]
    assert comment.direction == post.direction == "outbound"
    assert (comment.kind, post.kind) == ("comment", "post")
    assert comment.url.endswith("/r/gadgets/comments/19g7k/best_blender_for_smoothies/kb9/")
    assert items["t1_kr1"].in_reply_to == comment.message_id  # a reply to it, from the inbox
