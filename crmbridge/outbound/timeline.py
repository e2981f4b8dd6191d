"""Sent replies back onto the history: outbound interactions in the spool the pipeline reads.

Each sent reply becomes an interchange record (``direction: outbound``, ``agent`` set, the
platform's id as ``message_id``, ``in_reply_to`` the message answered) appended to
``<state dir>/spool/<replies.spool_source>.jsonl``, the same spool webhooks feed. A
``jsonl`` source on that file brings them through the pipeline like any message, so the
timeline, threading and first-response times see the agent's answer. When the connector
later reads the brand's own post it has the same key, so the ledger keeps one activity.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from crmbridge.config import AppConfig
from crmbridge.outbound.outbox import Outbox
from crmbridge.outbound.reply import Reply
from crmbridge.outbound.settings import replies_config
from crmbridge.state.store import utcnow
from crmbridge.webhooks import SpoolIntake, state_dir


def outbound_record(reply: Reply, brand: dict[str, Any], sent_at: datetime) -> dict[str, Any]:
    """The interchange record of a sent reply."""
    target = reply.target
    moved = reply.moved_private is not None
    return {
        "schema": "crmbridge.interaction/1",
        "platform": reply.platform,
        "kind": "dm" if reply.private else "reply",
        "message_id": reply.platform_id,
        "conversation_id": None if moved else target.conversation_id,
        "in_reply_to": target.message_id,
        "account_id": target.account_id,
        "direction": "outbound",
        "is_private": reply.private,
        "agent": reply.agent,
        "author": brand,
        "text": reply.body,
        "created_at": sent_at.isoformat(),
    }


def spool_folder(config: AppConfig) -> None:
    """Make the spool folder, so the ``replies`` source finds it before the first reply."""
    (state_dir(config) / "spool").mkdir(parents=True, exist_ok=True)


def spool_sent(config: AppConfig, outbox: Outbox, brand: Callable[[str], dict[str, Any]]) -> int:
    """Append every sent reply not spooled yet; a repeat after a crash is harmless."""
    pending = outbox.unspooled()
    if not pending:
        return 0
    source = replies_config(config).spool_source
    intake = SpoolIntake(state_dir(config) / "spool")
    records = [outbound_record(r, brand(r.platform), r.sent_at or utcnow()) for r in pending]
    intake(source, records)
    for reply in pending:
        outbox.move(reply.id, "sent", spooled=1)
    return len(pending)
