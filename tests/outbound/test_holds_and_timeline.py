"""Replies wait for approval where the rules or the content ask, stop where no reply is due,
and once sent come back through the pipeline as the agent's outbound activity."""

from __future__ import annotations

import json

import sqlalchemy as sa
from click.testing import CliRunner

from crmbridge.cli import main
from crmbridge.outbound.outbox import Outbox
from crmbridge.state import schema
from tests.outbound.conftest import World, inbound


def add_rules(world: World, text: str) -> None:
    config = world.folder / "crmbridge.yaml"
    config.write_text(config.read_text() + text)


def test_a_reply_on_a_legal_threat_is_held_until_someone_approves_it(world):
    world.sync(
        [inbound(world.fake, "x", "3001", kind="mention", text="I will sue you and call my lawyer")]
    )
    reply = world.reply("x:3001", "Please DM us your order number")
    assert reply.status == "held" and "legal" in (reply.hold_reason or "")

    world.send()
    assert world.posts() == []

    config = str(world.folder / "crmbridge.yaml")
    approved = CliRunner().invoke(
        main, ["reply", "approve", reply.id, "--by", "supervisor@brand", "--config", config]
    )
    assert approved.exit_code == 0, approved.output
    world.send()
    stored = Outbox(world.store).get(reply.id)
    assert stored.status == "sent" and stored.approved_by == "supervisor@brand"
    assert len(world.fake.posted()) == 1


def test_a_reply_to_a_vip_is_held_for_approval(world):
    add_rules(
        world,
        "rules:\n  rules: [{name: tag, when: {platform: x}, then: {tag: seen}}]\n"
        "  vip: {handles: [bigname]}\n",
    )
    world.sync(
        [inbound(world.fake, "x", "3002", kind="mention", author={"id": "9", "handle": "BigName"})]
    )

    reply = world.reply("x:3002", "Thanks for flagging")

    assert reply.status == "held" and "VIP" in (reply.hold_reason or "")


def test_no_response_on_the_conversation_stops_its_queue(world):
    add_rules(
        world, "rules: [{name: thanks, when: {keywords: thanks}, then: {no_response: true}}]\n"
    )
    world.sync([inbound(world.fake, "x", "3003", kind="mention", text="thanks, all sorted")])

    reply = world.reply("x:3003", "Happy to help")
    world.send()

    assert reply.status == "held" and (reply.hold_reason or "").startswith("no_response")
    assert world.posts() == []


def test_a_sent_reply_becomes_the_agents_outbound_activity_in_the_conversation(world):
    world.sync(
        [
            inbound(
                world.fake,
                "x",
                "3004",
                kind="mention",
                conversation_id="3004",
                text="my parcel is late",
            )
        ]
    )
    world.reply("x:3004", "Checking now", agent="Jane Doe")
    world.send()
    platform_id = world.fake.posted()[0].id

    world.sync([])  # the replies source reads the spool

    with world.store.engine.connect() as conn:
        row = conn.execute(
            sa.select(schema.ledger).where(schema.ledger.c.key == f"x:{platform_id}")
        ).one()
        inbound_row = conn.execute(
            sa.select(schema.ledger).where(schema.ledger.c.key == "x:3004")
        ).one()
        conversation = conn.execute(
            sa.select(schema.conversations).where(
                schema.conversations.c.key == inbound_row.conversation_key
            )
        ).one()
    payload = json.loads(row.payload)
    assert payload["direction"] == "outbound" and payload["agent"] == "Jane Doe"
    assert payload["in_reply_to"] == "3004" and payload["text"] == "Checking now ^Jane D"
    assert row.conversation_key == inbound_row.conversation_key
    assert conversation.outbound == 1 and conversation.first_response_at is not None
    assert conversation.last_agent == "Jane Doe"


def test_the_reply_command_queues_lists_and_sends(world):
    world.sync([inbound(world.fake, "youtube", "Ugx7", kind="comment", conversation_id="Ugx7")])
    config = str(world.folder / "crmbridge.yaml")
    runner = CliRunner()

    queued = runner.invoke(
        main,
        [
            "reply",
            "to",
            "youtube:Ugx7",
            "--text",
            "Fixed in 2.2",
            "--agent",
            "Sam Lee",
            "--config",
            config,
            "--json",
        ],
    )
    assert queued.exit_code == 0, queued.output
    sent = runner.invoke(main, ["reply", "send", "--config", config, "--json"])
    listed = runner.invoke(main, ["reply", "list", "--config", config, "--json"])

    assert json.loads(sent.output)["sent"] == 1
    [row] = json.loads(listed.output)
    assert row["status"] == "sent" and row["agent"] == "Sam Lee"
    assert row["body"] == "Fixed in 2.2 ^Sam L"
    again = runner.invoke(
        main,
        [
            "reply",
            "to",
            "youtube:Ugx7",
            "--text",
            "Fixed in 2.2",
            "--agent",
            "Sam Lee",
            "--config",
            config,
            "--json",
        ],
    )
    assert json.loads(again.output)["status"] == "sent"  # the same reply, not a second one
    assert len(world.fake.posted()) == 1


def test_the_reply_command_names_the_fix_for_an_unknown_message(world):
    result = CliRunner().invoke(
        main,
        [
            "reply",
            "to",
            "x:404",
            "--text",
            "hi",
            "--agent",
            "A B",
            "--config",
            str(world.folder / "crmbridge.yaml"),
        ],
    )
    assert result.exit_code == 4
    assert "no message or conversation 'x:404'" in result.output


def test_resolve_takes_exactly_one_decision_and_only_for_unknown_outcomes(world):
    world.sync([inbound(world.fake, "x", "3005", kind="mention")])
    reply = world.reply("x:3005", "Noted")
    config = str(world.folder / "crmbridge.yaml")
    runner = CliRunner()

    both = runner.invoke(
        main,
        [
            "reply",
            "resolve",
            reply.id,
            "--sent",
            "1",
            "--not-sent",
            "--by",
            "ops",
            "--config",
            config,
        ],
    )
    pending = runner.invoke(
        main, ["reply", "resolve", reply.id, "--sent", "1", "--by", "ops", "--config", config]
    )

    assert both.exit_code == 4 and "exactly one of" in both.output
    assert pending.exit_code == 4 and "only unknown outcomes resolve" in pending.output
    assert Outbox(world.store).get(reply.id).status == "pending"
