"""``crmbridge reply``: answer a message in its own channel, under the agent's name, once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from crmbridge.cli import config_option, handles_errors, json_option
from crmbridge.config import load_config
from crmbridge.errors import ConfigError


def _agent_default() -> str | None:
    return os.environ.get("CRMBRIDGE_AGENT")


def _reply() -> None:
    """Replies back to the platforms: queue, send, approve, resolve (docs/replies.md).

    A reply goes in the channel of the message answered (a DM gets a DM), signed with the
    agent's name by the replies.signature template. It waits in the outbox of the state
    store until `crmbridge reply send` posts it; a send whose outcome was lost is looked up
    on the platform before any resend, and waits for `reply resolve` if that cannot tell.
    """


# Declared, not inferred: cli.py imports this module back, and mypy needs the type here.
reply_group: click.Group = click.group("reply")(_reply)


@reply_group.command("to")
@click.argument("ref")
@click.option("--text", required=True, help="What the agent writes (the signature is added).")
@click.option(
    "--agent",
    default=_agent_default,
    help="The agent's name, as the customer should see it (default $CRMBRIDGE_AGENT).",
)
@click.option("--private", is_flag=True, help="Answer a public message by private message.")
@click.option("--reason", help="Why the conversation moves to private (required with --private).")
@config_option
@json_option
@handles_errors
def reply_to(
    ref: str,
    text: str,
    agent: str | None,
    private: bool,
    reason: str | None,
    config_path: Path,
    as_json: bool,
) -> None:
    """Queue a reply to REF: a message key (x:1301573587187331074) or a conversation key.

    A conversation key answers its latest inbound message. The reply is refused at once,
    with the reason, when the platform's window is closed; it is held when the rules say
    the conversation needs no reply or replies.approval asks for an approval.
    """
    if not agent:
        raise ConfigError("reply to: give --agent NAME (or set CRMBRIDGE_AGENT)")
    config = load_config(config_path)
    from crmbridge.outbound.queue import Queue, find_target
    from crmbridge.state.store import StateStore

    store = StateStore(config.state_url)
    target, conversation, contact = find_target(store, ref)
    reply = Queue(config, store).add(
        target,
        text,
        agent,
        private=private,
        reason=reason,
        conversation_key=conversation,
        contact_id=contact,
    )
    if as_json:
        click.echo(json.dumps(reply.as_dict()))
        return
    note = f" ({reply.hold_reason})" if reply.hold_reason else ""
    click.echo(f"{reply.id}: {reply.status} {reply.platform} {reply.channel}{note}")


@reply_group.command("send")
@click.option("--limit", default=1000, show_default=True, help="Replies worked per run.")
@config_option
@json_option
@handles_errors
def reply_send(limit: int, config_path: Path, as_json: bool) -> None:
    """Send the due replies; settle unknown outcomes by lookup before any resend."""
    config = load_config(config_path)
    from crmbridge.outbound.dispatch import Dispatcher
    from crmbridge.state.store import StateStore

    summary = Dispatcher(config, StateStore(config.state_url)).run(limit)
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
        return
    data = summary.as_dict()
    click.echo(
        ", ".join(f"{k}={v}" for k, v in data.items() if v not in (None, [], 0)) or "nothing due"
    )


@reply_group.command("list")
@click.option("--status", "statuses", multiple=True, help="Only these states (repeatable).")
@click.option("--limit", default=100, show_default=True)
@config_option
@json_option
@handles_errors
def reply_list(statuses: tuple[str, ...], limit: int, config_path: Path, as_json: bool) -> None:
    """List the outbox: pending, held, sending, sent, failed, unknown."""
    config = load_config(config_path)
    from crmbridge.outbound.outbox import Outbox
    from crmbridge.state.store import StateStore

    replies = Outbox(StateStore(config.state_url)).find(statuses or None, limit)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in replies]))
        return
    for r in replies:
        why = r.hold_reason or r.error or r.platform_id or ""
        click.echo(f"{r.id}  {r.status:<8} {r.platform}:{r.channel:<6} {r.agent}  {why}")


@reply_group.command("approve")
@click.argument("reply_id")
@click.option("--by", "approver", required=True, help="Who approves (kept on the reply).")
@config_option
@json_option
@handles_errors
def reply_approve(reply_id: str, approver: str, config_path: Path, as_json: bool) -> None:
    """Release a held reply (approval, or a no_response conversation) for sending."""
    config = load_config(config_path)
    from crmbridge.outbound.manage import approve
    from crmbridge.state.store import StateStore

    reply = approve(StateStore(config.state_url), reply_id, approver)
    click.echo(json.dumps(reply.as_dict()) if as_json else f"{reply.id}: {reply.status}")


@reply_group.command("resolve")
@click.argument("reply_id")
@click.option("--sent", "platform_id", help="It was posted: the platform's id of the post.")
@click.option("--not-sent", is_flag=True, help="It was not posted: send it again.")
@click.option("--by", "person", required=True, help="Who checked the platform.")
@config_option
@json_option
@handles_errors
def reply_resolve(
    reply_id: str,
    platform_id: str | None,
    not_sent: bool,
    person: str,
    config_path: Path,
    as_json: bool,
) -> None:
    """Decide an unknown outcome the lookup could not: --sent ID or --not-sent."""
    if bool(platform_id) == not_sent:
        raise ConfigError("reply resolve: give exactly one of --sent PLATFORM_ID or --not-sent")
    config = load_config(config_path)
    from crmbridge.outbound.manage import resolve
    from crmbridge.state.store import StateStore

    reply = resolve(StateStore(config.state_url), reply_id, platform_id, person)
    click.echo(json.dumps(reply.as_dict()) if as_json else f"{reply.id}: {reply.status}")


@reply_group.command("poll")
@config_option
@json_option
@handles_errors
def reply_poll(config_path: Path, as_json: bool) -> None:
    """Take replies agents wrote in the CRM into the outbox; report sent ones back.

    Salesforce: outbound SocialPosts created from a case (IsOutbound, awaiting sending,
    ReplyTo a post crmbridge wrote) are queued; sent and failed replies update their post's
    Status and ExternalPostId. HubSpot: notes whose crmbridge_reply_to property names the
    message answered are queued; their crmbridge_reply_status tells the outcome. Run it
    before and after `crmbridge reply send`.
    """
    config = load_config(config_path)
    from crmbridge.crm.base import Capability
    from crmbridge.ops import open_adapter
    from crmbridge.state.store import StateStore

    adapter = open_adapter(config)
    if not adapter.can(Capability.REPLIES):
        raise ConfigError(
            f"{config.file.name}: crm.kind {config.crm.kind!r} holds no agent replies to poll",
            hint="agents using this CRM reply with `crmbridge reply` or the console",
        )
    with adapter:
        summary = adapter.poll_replies(config, StateStore(config.state_url))
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
        return
    click.echo(", ".join(f"{k}={v}" for k, v in summary.as_dict().items()))
