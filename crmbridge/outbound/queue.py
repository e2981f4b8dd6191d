"""Putting a reply in the outbox: find the message answered, pick the channel, hold or not.

A reply is keyed by its id; by default a digest of target, agent and text, so running the
same ``crmbridge reply to`` twice queues one reply, not two.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from crmbridge.config import AppConfig
from crmbridge.errors import ConfigError
from crmbridge.models import Interaction
from crmbridge.outbound.holds import ApprovalCheck, no_response
from crmbridge.outbound.outbox import Outbox
from crmbridge.outbound.policy import (
    Refused,
    channel_for,
    check_length,
    last_inbound,
    render_body,
    send_mode,
)
from crmbridge.outbound.reply import Reply
from crmbridge.outbound.settings import RepliesConfig, replies_config
from crmbridge.outbound.timeline import spool_folder
from crmbridge.state import schema
from crmbridge.state.store import StateStore, utcnow


def find_target(store: StateStore, ref: str) -> tuple[Interaction, str | None, str | None]:
    """The message a reply answers: an interaction key, or a conversation's latest inbound.

    Returns the interaction, its conversation key and its contact id.
    """
    table = schema.ledger
    columns = (table.c.payload, table.c.conversation_key, table.c.contact_id)
    with store.engine.connect() as conn:
        row = conn.execute(select(*columns).where(table.c.key == ref)).first()
        if row is None:
            query = (
                select(*columns)
                .where(table.c.conversation_key == ref)
                .order_by(table.c.version_at.desc())
            )
            for candidate in conn.execute(query):
                if json.loads(candidate.payload).get("direction", "inbound") == "inbound":
                    row = candidate
                    break
    if row is None:
        raise ConfigError(
            f"reply: no message or conversation {ref!r} in the state store",
            hint="give a key as platform:message_id (crmbridge history shows them) "
            "or a conversation key, after a sync has brought the message in",
        )
    target = Interaction.model_validate(json.loads(row.payload))
    return target, row.conversation_key, row.contact_id


def reply_id_for(target: Interaction, agent: str, text: str) -> str:
    """The default id: the same target, agent and text make the same reply."""
    digest = hashlib.sha256(f"{target.key}\n{agent}\n{text}".encode()).hexdigest()
    return f"r-{digest[:20]}"


class Queue:
    """Adds replies to the outbox under the config's rules."""

    def __init__(self, config: AppConfig, store: StateStore) -> None:
        self.config = config
        self.settings: RepliesConfig = replies_config(config)
        self.store = store
        self.outbox = Outbox(store)
        self.approval = ApprovalCheck(config, self.settings.approval, self.settings.private_when)
        spool_folder(config)

    def add(
        self,
        target: Interaction,
        text: str,
        agent: str,
        *,
        private: bool = False,
        reason: str | None = None,
        reply_id: str | None = None,
        conversation_key: str | None = None,
        contact_id: str | None = None,
        origin: str = "cli",
        origin_ref: str | None = None,
        strict: bool = True,
    ) -> Reply:
        """Queue one reply; ``strict`` raises a refusal instead of recording it as failed."""
        if not text.strip() or not agent.strip():
            raise ConfigError("reply: give the reply's text and the agent's name")
        row: dict[str, Any] = {
            "id": reply_id or reply_id_for(target, agent, text),
            "platform": target.platform,
            "channel": "public",
            "target_key": target.key,
            "target": target.to_json(),
            "conversation_key": conversation_key or target.conversation_key,
            "contact_id": contact_id,
            "agent": agent.strip(),
            "text": text,
            "body": text,
            "status": "pending",
            "origin": origin,
            "origin_ref": origin_ref,
        }
        try:
            self._decide(row, target, private, reason)
        except Refused as exc:
            if strict:
                raise
            row.update(status="failed", error=str(exc))
        self.outbox.add(row)
        return self.outbox.get(row["id"])

    def _decide(
        self, row: dict[str, Any], target: Interaction, private: bool, reason: str | None
    ) -> None:
        if not private:
            by_rule = self.approval.private_reason(target, row["text"], row["contact_id"])
            private, reason = by_rule is not None, by_rule
        row["channel"], row["moved_private"] = channel_for(target, private, reason)
        row["body"] = render_body(self.settings, row["text"], row["agent"], target.platform)
        check_length(target.platform, row["channel"], row["body"])
        if getattr(self.settings, target.platform) is None:
            raise Refused(
                f"replies.{target.platform} is not configured: add the brand account and "
                "its token to crmbridge.yaml (docs/replies.md)"
            )
        probe = Reply(
            id=row["id"],
            platform=target.platform,
            channel=row["channel"],
            target=target,
            agent=row["agent"],
            text=row["text"],
            body=row["body"],
            status="pending",
        )
        send_mode(probe, last_inbound(self.store, target), self.settings, utcnow())
        hold = no_response(self.store, row["conversation_key"]) or self.approval.reason(
            target, row["text"], row["contact_id"]
        )
        if hold:
            row.update(status="held", hold_reason=hold)
