"""The Instagram connector: contract, comment replies, tags, DMs with outbound replies."""

import copy
from pathlib import Path

import pytest
import requests
import responses
from crmbridge.connectors.instagram import InstagramConnector

from crmbridge.models import Interaction, parse_interaction
from crmbridge.testing import ConnectorContract, fake_response, paged
from crmbridge.webhook_events import meta_events
from tests.connectors.conftest import fixture
from tests.connectors.test_facebook import usage

API = "https://graph.test/v21.0"
IG = "17841400000000001"
MEDIA_ID = "17900000000000001"
MEDIA = f"{API}/{IG}/media"
COMMENTS = f"{API}/{MEDIA_ID}/comments"
TAGS = f"{API}/{IG}/tags"
CONVERSATIONS = f"{API}/{IG}/conversations"
REPLIES = f"{API}/17850000000000001/replies"
ACCOUNT = f"{API}/{IG}"


def make_ig(**options) -> InstagramConnector:
    config = InstagramConnector.Config.model_validate(
        {
            "api_base": API,
            "access_token": "ig-secret",
            "ig_user_id": IG,
            "min_interval": 0,
            **options,
        }
    )
    return InstagramConnector(config, "brand-ig")


def serve(wire: responses.RequestsMock, comments: dict | None = None) -> None:
    wire.add(responses.GET, MEDIA, json=fixture("instagram", "media.json"))
    wire.add(responses.GET, COMMENTS, json=comments or fixture("instagram", "comments.json"))
    after = {"QVFIUmRx": fixture("instagram", "replies_page2.json")}
    wire.add_callback(responses.GET, REPLIES, callback=paged(after, "after"))
    wire.add(responses.GET, TAGS, json=fixture("instagram", "tags.json"))
    wire.add(responses.GET, CONVERSATIONS, json=fixture("instagram", "conversations.json"))


def pushed(lookup=None) -> list[Interaction]:
    """The interchange records the Meta webhook makes of the Instagram delivery."""
    events = meta_events(fixture("webhooks", "ig_events.json"), mentions=lookup)
    return [parse_interaction(e.record, "ig_events.json") for e in events]


class TestInstagramContract(ConnectorContract):
    def make(self, tmp_path: Path) -> InstagramConnector:
        return make_ig()

    def arrange(self, wire: responses.RequestsMock, tmp_path: Path, scenario: str) -> None:
        if scenario == "expired":
            wire.add(
                responses.GET, MEDIA, status=400, json=fixture("facebook", "error_expired.json")
            )
            return
        if scenario == "rate_limited":
            wire.add(
                responses.GET,
                MEDIA,
                status=400,
                json=fixture("facebook", "error_rate.json"),
                headers=usage(0),
            )
        comments = fixture("instagram", "comments.json")
        if scenario == "malformed":
            broken = copy.deepcopy(comments["data"][1])
            broken.update(id="17850000000000009", timestamp="yesterday")
            comments["data"].append(broken)
        serve(wire, comments)

    def webhook_copies(self, tmp_path: Path) -> list[Interaction]:
        return pushed()

    def full_texts(self) -> dict[str, str]:
        reply = fixture("instagram", "replies_page2.json")["data"][0]
        return {reply["id"]: reply["text"]}

    def rate_limited_response(self, reset_seconds: float) -> requests.Response:
        body = fixture("facebook", "error_rate.json")
        return fake_response(400, usage(reset_seconds / 60), body, MEDIA)


@pytest.fixture
def items():
    with responses.RequestsMock() as wire:
        serve(wire)
        yield {i.interaction.message_id: i.interaction for i in make_ig().fetch(None)}


def test_comment_replies_form_a_chain_on_the_media(items):
    top, brand, again = (items[f"1785000000000000{n}"] for n in (1, 2, 3))
    assert top.kind == "comment" and top.in_reply_to == MEDIA_ID
    assert brand.in_reply_to == again.in_reply_to == top.message_id
    assert {top.conversation_id, brand.conversation_id, again.conversation_id} == {MEDIA_ID}
    assert brand.direction == "outbound" and again.direction == "inbound"


def test_author_handle_and_profile_come_from_the_comment(items):
    author = items["17850000000000001"].author
    assert (author.id, author.handle) == ("17841400000000111", "jdoe")
    assert author.profile_url == "https://www.instagram.com/jdoe/"


def test_a_look_alike_handle_is_a_different_persona(items):
    assert items["17850000000000001"].persona_key != items["17850000000000004"].persona_key


def test_a_tag_is_a_mention_keyed_by_the_media(items):
    tag = items["18000000000000005"]
    assert tag.kind == "mention" and tag.author.handle == "jdoe" and "@acme" in tag.text


def test_a_dm_thread_keeps_the_accounts_outbound_reply(items):
    inbound, outbound = items["aWdfZAG1faXRlbTox01"], items["aWdfZAG1faXRlbTox02"]
    assert inbound.conversation_id == outbound.conversation_id
    assert (inbound.direction, outbound.direction) == ("inbound", "outbound")
    assert inbound.is_private and outbound.agent == "brand"


def test_replies_beyond_the_first_nested_page_are_paged_in(items):
    late = items["17850000000000007"]
    assert late.kind == "reply" and late.in_reply_to == "17850000000000001"
    assert late.conversation_id == MEDIA_ID and late.url == "https://www.instagram.com/p/C1aBcDeF/"


def test_media_whose_comment_count_has_not_moved_are_not_read_again():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        first = list(make_ig(tags=False, dms=False).fetch(None))
        assert first[-1].cursor["comments"]["counts"] == {MEDIA_ID: 7}
        assert all(i.cursor["comments"]["counts"] == {} for i in first[:-1])
        wire.calls.reset()
        again = list(make_ig(tags=False, dms=False).fetch(first[-1].cursor))
        assert again == []
        assert [c.request.url.split("?")[0] for c in wire.calls] == [MEDIA]


def test_a_moved_comment_count_reads_the_media_again_from_the_watermark():
    media = fixture("instagram", "media.json")
    media["data"][0]["comments_count"] = 8
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        serve(wire)
        first = list(make_ig(tags=False, dms=False).fetch(None))
        wire.replace(responses.GET, MEDIA, json=media)
        wire.calls.reset()
        again = list(make_ig(tags=False, dms=False).fetch(first[-1].cursor))
        assert any(c.request.url.startswith(COMMENTS) for c in wire.calls)
    assert again == []  # nothing newer than the watermark: read, none repeated


def test_instagram_mentions_named_by_the_webhook_are_read_by_their_ids():
    with responses.RequestsMock() as wire:
        wire.add(
            responses.GET,
            ACCOUNT,
            json=fixture("instagram", "mentioned_comment.json"),
            match=[
                responses.matchers.query_param_matcher(
                    {
                        "fields": "mentioned_comment.comment_id(17860000000000042)"
                        "{id,text,timestamp,username,media{id,permalink}}"
                    }
                )
            ],
        )
        wire.add(
            responses.GET,
            ACCOUNT,
            json=fixture("instagram", "mentioned_media.json"),
            match=[
                responses.matchers.query_param_matcher(
                    {
                        "fields": "mentioned_media.media_id(17900000000000078)"
                        "{id,caption,timestamp,username,permalink,media_type}"
                    }
                )
            ],
        )
        connector = make_ig()
        by_id = {i.message_id: i for i in pushed(connector.mentioned)}
    comment, caption = by_id["17860000000000042"], by_id["17900000000000078"]
    assert comment.kind == caption.kind == "mention"
    assert comment.text == "@acme is this the lid you recalled?"
    assert comment.conversation_id == comment.in_reply_to == "17900000000000077"
    assert comment.url == "https://www.instagram.com/p/C2kLmNo/"
    assert (
        caption.author.handle == "lenar" and caption.url == "https://www.instagram.com/p/C2pQrSt/"
    )


def test_without_a_lookup_webhook_mentions_are_skipped_not_recorded_empty():
    assert {i.kind for i in pushed()} == {"reply", "dm"}


def test_a_webhook_dm_threads_like_the_polled_one(items):
    (dm,) = [i for i in pushed() if i.kind == "dm"]
    assert (
        dm.conversation_id
        == items[dm.message_id].conversation_id
        == ("17841400000000001-17841400000000111")
    )
