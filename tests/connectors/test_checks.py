"""``crmbridge check`` asks each connector one cheap question and reports what it found."""

import responses

from tests.connectors import test_facebook, test_instagram, test_reddit, test_x, test_youtube


def test_x_check_names_the_account():
    with responses.RequestsMock() as wire:
        wire.add(
            responses.GET,
            f"{test_x.API}/2/users/{test_x.BRAND}",
            json={"data": {"id": test_x.BRAND, "name": "Brand", "username": "BrandSupport"}},
        )
        assert test_x.make_x().check() == "account @BrandSupport"


def test_facebook_check_names_the_page():
    with responses.RequestsMock() as wire:
        wire.add(
            responses.GET,
            f"{test_facebook.API}/{test_facebook.PAGE}",
            json={"name": "Acme Support", "id": test_facebook.PAGE},
        )
        assert test_facebook.make_fb().check() == "page Acme Support"


def test_instagram_check_names_the_account():
    with responses.RequestsMock() as wire:
        wire.add(
            responses.GET,
            f"{test_instagram.API}/{test_instagram.IG}",
            json={"username": "acme", "id": test_instagram.IG},
        )
        assert test_instagram.make_ig().check() == "account @acme"


def test_youtube_check_names_the_channel():
    body = {
        "kind": "youtube#channelListResponse",
        "items": [
            {
                "kind": "youtube#channel",
                "id": test_youtube.CHANNEL,
                "snippet": {"title": "Acme", "description": ""},
            }
        ],
    }
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, f"{test_youtube.API}/channels", json=body)
        assert test_youtube.make_yt().check() == "channel Acme"


def test_reddit_check_names_the_token_account():
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, f"{test_reddit.API}/api/v1/me", json={"name": "AcmeSupport"})
        assert test_reddit.make_reddit().check() == "account u/AcmeSupport"
