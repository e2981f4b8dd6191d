"""A reply is posted once: unknown outcomes are looked up on the platform before any resend,
and what cannot be decided waits for a person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crmbridge.outbound.dispatch import Dispatcher
from crmbridge.outbound.manage import resolve
from crmbridge.outbound.outbox import Outbox
from crmbridge.state.store import utcnow
from tests.outbound.conftest import World, inbound


def x_mention(world: World, message_id: str = "2001") -> str:
    world.sync([inbound(world.fake, "x", message_id, kind="mention")])
    return f"x:{message_id}"


def test_an_answer_lost_after_the_platform_posted_is_found_by_lookup_not_sent_again(world):
    reply = world.reply(x_mention(world), "On it")
    world.fake.fault_plan = ["lost"]

    summary = world.send()

    assert len(world.fake.posted()) == 1
    stored = Outbox(world.store).get(reply.id)
    assert stored.status == "sent" and stored.platform_id == world.fake.posted()[0].id
    assert summary.found == 1 and summary.resent == 0
    assert [r["path"] for r in world.posts()] == ["/2/tweets"]  # one POST, then a GET


def test_a_5xx_before_posting_is_looked_up_found_absent_and_sent_once(world):
    reply = world.reply(x_mention(world), "On it")
    world.fake.fault_plan = ["5xx"]

    summary = world.send()

    assert len(world.fake.posted()) == 1
    assert Outbox(world.store).get(reply.id).status == "sent"
    assert summary.resent == 1 and len(world.posts()) == 2


def test_a_crash_between_marking_sending_and_the_answer_is_looked_up_before_any_resend(world):
    reply = world.reply(x_mention(world), "On it")
    outbox = Outbox(world.store)
    # The process marked the reply, the platform posted it, then the process died.
    assert outbox.claim(reply, "public") is not None
    world.fake.posted()  # nothing yet
    world.fake.handle(
        "POST",
        "x",
        "https://api.x.com/2/tweets",
        {"Authorization": "Bearer test-token", "Content-Type": "application/json"},
        b'{"text": "On it ^Jane D", "reply": {"in_reply_to_tweet_id": "2001"}}',
    )
    world.fake.requests.clear()

    right_after = Dispatcher(world.config, world.store).run()
    assert right_after.found == 0 and world.posts() == []  # maybe still in flight: wait
    later = Dispatcher(world.config, world.store, clock=lambda: utcnow() + timedelta(minutes=20))
    summary = later.run()

    assert world.posts() == []  # looked up, not posted again
    assert len(world.fake.posted()) == 1 and summary.found == 1
    assert outbox.get(reply.id).platform_id == world.fake.posted()[0].id


def test_a_429_waits_for_the_reset_header_and_posts_once(world):
    reply = world.reply(x_mention(world), "On it")
    world.fake.fault_plan = ["429", "429"]

    world.send()

    assert len(world.fake.posted()) == 1 and len(world.posts()) == 3
    assert Outbox(world.store).get(reply.id).status == "sent"


def test_two_identical_replies_in_one_thread_stay_two_after_lost_answers(world):
    ref = x_mention(world)
    first = world.reply(ref, "Thanks!", reply_id="a")
    world.send()
    second = world.reply(ref, "Thanks!", reply_id="b")
    world.fake.fault_plan = ["5xx"]

    world.send()

    outbox = Outbox(world.store)
    assert len(world.fake.posted()) == 2
    assert outbox.get(first.id).platform_id != outbox.get(second.id).platform_id


def test_an_undecidable_outcome_waits_for_a_person_and_resolve_decides_it(world):
    world.sync(
        [
            inbound(
                world.fake,
                "facebook",
                "p_c9",
                kind="comment",
                conversation_id="p",
                author={"id": "psid-3"},
            )
        ]
    )
    reply = world.reply("facebook:p_c9", "Sent you a DM", private=True, reason="account number")
    world.fake.fault_plan = ["timeout"]  # nothing posted, but we cannot know that

    summary = world.send()

    outbox = Outbox(world.store)
    stored = outbox.get(reply.id)
    assert stored.status == "unknown" and "crmbridge reply resolve" in (stored.hold_reason or "")
    assert summary.waiting_for_person == 1 and world.fake.posted() == []
    world.send()
    assert len(world.posts()) == 1  # still waiting: never resent on its own

    resolve(world.store, reply.id, None, "ops@brand")
    world.send()
    assert len(world.fake.posted()) == 1 and outbox.get(reply.id).status == "sent"


def test_lookups_that_keep_failing_hold_the_reply_for_a_person(world):
    reply = world.reply(x_mention(world), "On it")
    world.fake.fault_plan = ["5xx"]
    world.fake.lookup_faults = ["5xx"] * 50

    for _ in range(3):
        world.send()

    stored = Outbox(world.store).get(reply.id)
    assert (
        stored.status == "unknown" and stored.hold_reason and "lookups failed" in stored.hold_reason
    )
    assert world.fake.posted() == []
    assert len(world.posts()) == 1


def test_a_refused_reply_is_failed_with_the_platforms_reason_and_not_retried(world):
    world.sync([inbound(world.fake, "reddit", "t1_gone", kind="comment")])
    reply = world.reply("reddit:t1_gone", "Hello")
    del world.fake.messages["t1_gone"]  # deleted on the platform since

    world.send()
    world.send()

    stored = Outbox(world.store).get(reply.id)
    assert stored.status == "failed" and "INVALID_ID" in (stored.error or "")
    assert len(world.posts()) == 1


CASES = {
    "x post": ("x", dict(kind="mention")),
    "x dm": ("x", dict(kind="dm", conversation_id="C-1", is_private=True)),
    "facebook comment": ("facebook", dict(kind="comment", conversation_id="p1")),
    "messenger": (
        "facebook",
        dict(kind="dm", conversation_id="t_1", is_private=True, author={"id": "psid-1"}),
    ),
    "instagram comment": ("instagram", dict(kind="comment", conversation_id="media")),
    "instagram dm": (
        "instagram",
        dict(kind="dm", conversation_id="t_2", is_private=True, author={"id": "igsid-1"}),
    ),
    "youtube comment": ("youtube", dict(kind="comment")),
    "reddit comment": ("reddit", dict(kind="comment", conversation_id="t3_p")),
    "reddit message": ("reddit", dict(kind="dm", is_private=True)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_on_every_platform_a_lost_answer_is_found_by_the_lookup_and_posted_once(world, case):
    platform, facts = CASES[case]
    message_id = {"reddit": "t4_m1" if facts.get("is_private") else "t1_c1"}.get(platform, "m-1")
    facts = {**facts, "conversation_id": facts.get("conversation_id") or message_id}
    world.sync([inbound(world.fake, platform, message_id, **facts)])
    reply = world.reply(f"{platform}:{message_id}", "Thanks for your patience")
    world.fake.fault_plan = ["lost"]

    summary = world.send()

    [post] = world.fake.posted()
    stored = Outbox(world.store).get(reply.id)
    assert stored.status == "sent" and stored.platform_id == post.id
    assert summary.found == 1 and len(world.posts()) == 1
