"""The Instagram connector: contract, comment replies, tags, DMs with outbound replies."""

import copy
from pathlib import Path

import pytest
import requests
import responses
from crmbridge.connectors.instagram import InstagramConnector

from crmbridge.testing import ConnectorContract, fake_response
from tests.connectors.conftest import fixture
from tests.connectors.test_facebook import usage

API = "https://graph.test/v21.0"
IG = "17841400000000001"
MEDIA_ID = "17900000000000001"
MEDIA = f"{API}/{IG}/media"
COMMENTS = f"{API}/{MEDIA_ID}/comments"
TAGS = f"{API}/{IG}/tags"
CONVERSATIONS = f"{API}/{IG}/conversations"


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
    wire.add(responses.GET, TAGS, json=fixture("instagram", "tags.json"))
    wire.add(responses.GET, CONVERSATIONS, json=fixture("instagram", "conversations.json"))


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
