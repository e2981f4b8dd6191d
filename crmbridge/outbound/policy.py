"""Where and whether a reply may go: channel, platform windows, length, holds, signature.

- The channel follows the message answered: a DM gets a DM, a public message a public
  reply. Public to private happens only when the agent (or a rule) asks, with a reason
  that is recorded; a DM is never answered in public.
- Windows: Messenger and Instagram DMs go as RESPONSE within 24 hours of the customer's
  last message, with the HUMAN_AGENT tag up to 7 days where the app holds that permission,
  never later; a private reply to a comment within 7 days of it; Reddit archives posts
  after six months. A reply outside its window is refused with the reason, never sent late.
- Holds: the rules' ``no_response`` on the conversation stops its queue; legal or safety
  intents, a VIP author or a rule tag listed in ``replies.approval`` wait for approval.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from crmbridge.errors import DataError
from crmbridge.models import Interaction
from crmbridge.outbound.reply import Reply
from crmbridge.outbound.settings import RepliesConfig
from crmbridge.rules.templates import Template
from crmbridge.state import schema
from crmbridge.state.store import StateStore

RESPONSE_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
PRIVATE_REPLY_WINDOW = timedelta(days=7)
# Longest text each channel takes (X counts weighted characters; we count plainly).
MAX_CHARS = {
    ("x", "public"): 280,
    ("x", "dm"): 10_000,
    ("facebook", "public"): 8_000,
    ("facebook", "dm"): 2_000,
    ("instagram", "public"): 2_200,
    ("instagram", "dm"): 1_000,
    ("youtube", "public"): 10_000,
    ("reddit", "public"): 10_000,
    ("reddit", "dm"): 10_000,
}
PLATFORMS = ("x", "facebook", "instagram", "youtube", "reddit")
# What a public reply can go under, per platform (Instagram answers comments only; a
# mention in someone else's media takes no reply from the API).
PUBLIC_KINDS = {
    "x": {"mention", "reply", "post", "comment"},
    "facebook": {"comment", "reply", "post", "mention"},
    "instagram": {"comment", "reply"},
    "youtube": {"comment", "reply"},
    "reddit": {"comment", "reply", "post", "mention"},
}


class Refused(DataError):
    """The reply cannot go out as asked (window closed, wrong channel, too long)."""


def channel_for(target: Interaction, private: bool, reason: str | None) -> tuple[str, str | None]:
    """The channel of a reply and, when a public message is answered privately, why."""
    if target.platform not in PLATFORMS:
        raise Refused(f"{target.platform}: crmbridge cannot reply on this platform")
    if target.is_private:
        return "dm", None
    if not private:
        if target.kind not in PUBLIC_KINDS[target.platform]:
            raise Refused(
                f"{target.platform}: a {target.kind} takes no public reply through the API; "
                "answer privately (--private --reason ...) or on the platform"
            )
        return "public", None
    if target.platform == "youtube":
        raise Refused("youtube has no private messages: answer in the comment thread")
    if not reason:
        raise Refused("moving a public conversation to private needs a reason (--reason)")
    return "dm", reason


def send_mode(reply: Reply, last_inbound: datetime, config: RepliesConfig, now: datetime) -> str:
    """How the reply goes (public, dm, RESPONSE, MESSAGE_TAG:HUMAN_AGENT, ...), or Refused."""
    target, platform = reply.target, reply.platform
    if reply.channel == "public":
        if platform == "reddit" and config.reddit is not None:
            age = now - target.created_at
            if age > timedelta(days=config.reddit.archive_days):
                raise Refused(f"reddit: the thread is {age.days} days old and archived")
        return "public"
    if not target.is_private:  # moved to private by choice
        if platform in ("facebook", "instagram"):
            if now - target.created_at > PRIVATE_REPLY_WINDOW:
                raise Refused(
                    f"{platform}: a private reply to a comment is allowed within 7 days of it"
                )
            return "private_reply"
        return {"x": "dm_new", "reddit": "compose"}[platform]
    if platform not in ("facebook", "instagram"):
        return "dm"
    silence = now - last_inbound
    if silence <= RESPONSE_WINDOW:
        return "RESPONSE"
    account = getattr(config, platform)
    if silence <= HUMAN_AGENT_WINDOW and account is not None and account.human_agent:
        return "MESSAGE_TAG:HUMAN_AGENT"
    hours = silence.total_seconds() / 3600
    if silence <= HUMAN_AGENT_WINDOW:
        raise Refused(
            f"{platform}: the customer last wrote {hours:.0f} h ago, outside the 24-hour "
            f"window (set replies.{platform}.human_agent: true if the app holds the Human "
            "Agent permission, for up to 7 days)"
        )
    raise Refused(
        f"{platform}: the customer last wrote {hours / 24:.1f} days ago; Messenger allows "
        "no reply after 7 days"
    )


def check_length(platform: str, channel: str, body: str) -> None:
    """Refuse a reply longer than its channel takes."""
    limit = MAX_CHARS.get((platform, channel))
    if limit is not None and len(body) > limit:
        raise Refused(f"{platform} {channel}: {len(body)} characters, the limit is {limit}")


def last_inbound(store: StateStore, target: Interaction) -> datetime:
    """When the customer last wrote to the brand in private on this platform."""
    table = schema.ledger
    query = (
        select(table.c.version_at, table.c.payload)
        .where(
            table.c.persona_key == target.persona_key,
            table.c.platform == target.platform,
            table.c.kind == "dm",
        )
        .order_by(table.c.version_at.desc())
        .limit(20)
    )
    latest = target.created_at
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            data = json.loads(row.payload)
            if data.get("direction", "inbound") == "inbound":
                stamp = Interaction.model_validate(data).created_at
                latest = max(latest, stamp)
                break
    return latest


# --- who speaks ---------------------------------------------------------------------------


def agent_names(agent: str) -> dict[str, str]:
    """The agent's name for templates: ``short`` is first name and last initial."""
    parts = agent.split()
    first = parts[0] if parts else agent
    initial = parts[-1][0].upper() if len(parts) > 1 else ""
    return {
        "name": agent,
        "first": first,
        "last_initial": initial,
        "short": f"{first} {initial}".strip(),
    }


def render_body(config: RepliesConfig, text: str, agent: str, platform: str) -> str:
    """The text sent: the agent's words with the signature template around them."""
    template = Template(config.signature, "replies.signature")
    context: dict[str, Any] = {"text": text, "agent": agent_names(agent), "platform": platform}
    return template.render(context).strip()
