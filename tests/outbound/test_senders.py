"""Each platform's reply goes to the documented endpoint with the documented body, in the
channel of the message answered."""

from __future__ import annotations

import pytest

from crmbridge.outbound.policy import Refused
from crmbridge.testing.platforms_fake import PAGE
from tests.outbound.conftest import World, ago, inbound


def only_post(world: World) -> dict:
    posts = world.posts()
    assert len(posts) == 1, posts
    return posts[0]


def test_an_x_mention_is_answered_by_a_reply_post_naming_the_tweet_signed_by_the_agent(world):
    world.sync([inbound(world.fake, "x", "1001", kind="mention", conversation_id="1001")])
    reply = world.reply("x:1001", "Sorry about that, we are on it.", agent="Jane Doe")
    assert reply.status == "pending" and reply.channel == "public"

    summary = world.send()

    post = only_post(world)
    assert post["path"] == "/2/tweets"
    assert post["body"] == {
        "text": "Sorry about that, we are on it. ^Jane D",
        "reply": {"in_reply_to_tweet_id": "1001"},
    }
    sent = world.fake.posted()[0]
    stored = world.reply("x:1001", "Sorry about that, we are on it.", agent="Jane Doe")
    assert summary.sent == 1 and stored.status == "sent" and stored.platform_id == sent.id


def test_an_x_dm_is_answered_inside_its_own_dm_conversation_never_in_public(world):
    world.sync(
        [inbound(world.fake, "x", "dm-1", kind="dm", conversation_id="C-77", is_private=True)]
    )
    reply = world.reply("x:dm-1", "Can you send the order number?")
    assert reply.channel == "dm"

    world.send()

    post = only_post(world)
    assert post["path"] == "/2/dm_conversations/C-77/messages"
    assert post["body"] == {"text": "Can you send the order number? ^Jane D"}


def test_a_facebook_comment_gets_a_reply_comment_with_a_message_field(world):
    world.sync(
        [
            inbound(
                world.fake,
                "facebook",
                "post1_c1",
                kind="comment",
                conversation_id="post1",
                in_reply_to="post1",
            )
        ]
    )
    world.reply("facebook:post1_c1", "Thanks for telling us")

    world.send()

    post = only_post(world)
    assert post["path"] == "/v21.0/post1_c1/comments"
    assert post["body"] == {"message": "Thanks for telling us ^Jane D"}


def messenger(world: World, platform: str, hours: float) -> None:
    world.sync(
        [
            inbound(
                world.fake,
                platform,
                "m1",
                kind="dm",
                conversation_id="t_1",
                is_private=True,
                author={"id": "psid-9"},
                created_at=ago(hours=hours),
            )
        ]
    )


def test_a_messenger_reply_within_24_hours_goes_as_a_response(world):
    messenger(world, "facebook", hours=2)
    world.reply("facebook:m1", "Here to help")

    world.send()

    post = only_post(world)
    assert post["path"] == f"/v21.0/{PAGE}/messages"
    assert post["body"] == {
        "recipient": {"id": "psid-9"},
        "message": {"text": "Here to help ^Jane D"},
        "messaging_type": "RESPONSE",
    }


def test_a_messenger_reply_after_24_hours_is_refused_unless_the_human_agent_tag_is_allowed(world):
    messenger(world, "facebook", hours=30)
    with pytest.raises(Refused, match="outside the 24-hour window"):
        world.reply("facebook:m1", "Sorry for the wait")
    assert world.posts() == []

    config = world.folder / "crmbridge.yaml"
    text = config.read_text().replace(
        f'facebook: {{page_id: "{PAGE}",', f'facebook: {{human_agent: true, page_id: "{PAGE}",'
    )
    config.write_text(text)
    world.reply("facebook:m1", "Sorry for the wait")
    world.send()

    body = only_post(world)["body"]
    assert body["messaging_type"] == "MESSAGE_TAG" and body["tag"] == "HUMAN_AGENT"


def test_a_messenger_reply_after_7_days_is_refused_even_with_the_tag(world):
    config = world.folder / "crmbridge.yaml"
    config.write_text(
        config.read_text().replace(
            f'facebook: {{page_id: "{PAGE}",', f'facebook: {{human_agent: true, page_id: "{PAGE}",'
        )
    )
    messenger(world, "facebook", hours=24 * 8)
    with pytest.raises(Refused, match="no reply after 7 days"):
        world.reply("facebook:m1", "Late answer")
    assert world.posts() == []


def test_a_reply_whose_window_closed_while_it_waited_fails_with_the_reason_unsent(world):
    messenger(world, "instagram", hours=23.99)
    reply = world.reply("instagram:m1", "Still there?")
    # the customer's clock runs on while the reply waits: the send re-checks the window
    from datetime import timedelta

    from crmbridge.outbound.dispatch import Dispatcher
    from crmbridge.state.store import utcnow

    Dispatcher(world.config, world.store, clock=lambda: utcnow() + timedelta(hours=1)).run()

    stored = world.reply("instagram:m1", "Still there?")
    assert stored.id == reply.id and stored.status == "failed"
    assert "24-hour window" in (stored.error or "")
    assert world.posts() == []


def test_an_instagram_reply_to_a_reply_goes_under_its_top_level_comment(world):
    world.fake.seed("instagram", "ig_c1")
    world.sync(
        [
            inbound(
                world.fake,
                "instagram",
                "ig_c2",
                kind="reply",
                conversation_id="media1",
                in_reply_to="ig_c1",
            )
        ]
    )
    world.reply("instagram:ig_c2", "Glad you like it")

    world.send()

    post = only_post(world)
    assert post["path"] == "/v21.0/ig_c1/replies"
    assert post["body"] == {"message": "Glad you like it ^Jane D"}


def test_an_instagram_dm_goes_through_the_messenger_send_api_from_the_page(world):
    messenger(world, "instagram", hours=1)
    world.reply("instagram:m1", "Sent you the link")

    world.send()

    post = only_post(world)
    assert post["path"] == f"/v21.0/{PAGE}/messages"
    assert post["body"]["recipient"] == {"id": "psid-9"}
    assert post["body"]["messaging_type"] == "RESPONSE"


def test_a_youtube_reply_is_a_comments_insert_with_the_parent_id(world):
    world.sync(
        [
            inbound(
                world.fake,
                "youtube",
                "Ugz1",
                kind="comment",
                conversation_id="Ugz1",
                in_reply_to="video9",
            )
        ]
    )
    world.reply("youtube:Ugz1", "Try version 2.1")

    world.send()

    post = only_post(world)
    assert post["path"] == "/youtube/v3/comments" and post["query"] == {"part": "snippet"}
    assert post["body"] == {
        "snippet": {"parentId": "Ugz1", "textOriginal": "Try version 2.1 ^Jane D"}
    }


def test_reddit_comments_and_messages_are_answered_with_api_comment_on_their_fullname(world):
    world.sync(
        [
            inbound(world.fake, "reddit", "t1_abc", kind="comment", conversation_id="t3_p"),
            inbound(
                world.fake, "reddit", "t4_msg", kind="dm", conversation_id="t4_msg", is_private=True
            ),
        ]
    )
    world.reply("reddit:t1_abc", "We fixed it")
    world.reply("reddit:t4_msg", "Replied privately")

    world.send()

    bodies = sorted((p["path"], p["body"]["thing_id"], p["body"]["text"]) for p in world.posts())
    assert bodies == [
        ("/api/comment", "t1_abc", "We fixed it ^Jane D"),
        ("/api/comment", "t4_msg", "Replied privately ^Jane D"),
    ]
    assert all(p["body"]["api_type"] == "json" for p in world.posts())


def test_moving_a_public_reddit_thread_to_private_needs_a_reason_and_records_it(world):
    world.sync(
        [
            inbound(
                world.fake,
                "reddit",
                "t1_q",
                kind="comment",
                conversation_id="t3_p",
                author={"id": "t2_u", "handle": "someone"},
            )
        ]
    )
    with pytest.raises(Refused, match="needs a reason"):
        world.reply("reddit:t1_q", "Let's take this to DM", private=True)

    reply = world.reply(
        "reddit:t1_q", "Let's take this to DM", private=True, reason="order details are private"
    )
    world.send()

    post = only_post(world)
    assert post["path"] == "/api/compose"
    assert post["body"] == {
        "api_type": "json",
        "to": "someone",
        "subject": "Re: your message",
        "text": "Let's take this to DM ^Jane D",
    }
    stored = world.reply("reddit:t1_q", "Let's take this to DM", private=True, reason="x")
    assert stored.id == reply.id and stored.status == "sent"
    assert stored.moved_private == "order details are private"
    assert stored.platform_id == world.fake.posted()[0].id  # found in /message/sent


def test_a_reply_longer_than_the_channel_takes_is_refused_before_sending(world):
    world.sync([inbound(world.fake, "x", "1002", kind="mention")])
    with pytest.raises(Refused, match="limit is 280"):
        world.reply("x:1002", "a" * 300)
    assert world.posts() == []


def test_an_instagram_mention_in_someone_elses_media_is_refused_a_public_reply(world):
    world.sync([inbound(world.fake, "instagram", "media-9", kind="mention")])
    with pytest.raises(Refused, match="a mention takes no public reply"):
        world.reply("instagram:media-9", "Thanks for the shout-out")
    assert world.posts() == []


def test_a_rule_moves_a_public_billing_question_to_private_and_says_why(world):
    config = world.folder / "crmbridge.yaml"
    config.write_text(
        config.read_text().replace(
            "  timeout_s: 0.05\n", "  timeout_s: 0.05\n  private_when: {intents: [billing]}\n"
        )
    )
    world.sync(
        [
            inbound(
                world.fake,
                "reddit",
                "t1_bill",
                kind="comment",
                conversation_id="t3_b",
                author={"id": "t2_b", "handle": "payer"},
                text="I was charged twice on my invoice, refund please",
            )
        ]
    )

    reply = world.reply("reddit:t1_bill", "Sending you a message about the charge")
    world.send()

    assert reply.channel == "dm" and "intent billing" in (reply.moved_private or "")
    assert only_post(world)["path"] == "/api/compose"
