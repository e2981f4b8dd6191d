"""One reply as the senders see it: the outbox row, its target message and how it goes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crmbridge.models import Interaction
from crmbridge.state.store import as_utc


@dataclass
class Reply:
    """An outbox row with its target interaction parsed."""

    id: str
    platform: str
    channel: str  # public | dm
    target: Interaction
    agent: str
    text: str
    body: str
    status: str
    attempts: int = 0
    lookups: int = 0
    attempt_at: datetime | None = None
    sent_at: datetime | None = None
    moved_private: str | None = None
    platform_id: str | None = None
    send_mode: str | None = None
    approved_by: str | None = None
    hold_reason: str | None = None
    conversation_key: str | None = None
    contact_id: str | None = None
    origin: str = "cli"
    origin_ref: str | None = None
    error: str | None = None

    @property
    def private(self) -> bool:
        """Whether the reply goes as a direct message."""
        return self.channel == "dm"

    @classmethod
    def from_row(cls, row: Any) -> Reply:
        """Read an outbox row."""
        return cls(
            id=row.id,
            platform=row.platform,
            channel=row.channel,
            target=Interaction.model_validate(json.loads(row.target)),
            agent=row.agent,
            text=row.text,
            body=row.body,
            status=row.status,
            attempts=row.attempts,
            lookups=row.lookups,
            attempt_at=as_utc(row.attempt_at),
            sent_at=as_utc(row.sent_at),
            moved_private=row.moved_private,
            platform_id=row.platform_id,
            send_mode=row.send_mode,
            approved_by=row.approved_by,
            hold_reason=row.hold_reason,
            conversation_key=row.conversation_key,
            contact_id=row.contact_id,
            origin=row.origin,
            origin_ref=row.origin_ref,
            error=row.error,
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for ``reply list --json``."""
        return {
            "id": self.id,
            "platform": self.platform,
            "channel": self.channel,
            "target": self.target.key,
            "conversation": self.conversation_key,
            "agent": self.agent,
            "body": self.body,
            "status": self.status,
            "platform_id": self.platform_id,
            "send_mode": self.send_mode,
            "hold_reason": self.hold_reason,
            "approved_by": self.approved_by,
            "moved_private": self.moved_private,
            "error": self.error,
            "attempts": self.attempts,
            "origin": self.origin,
            "origin_ref": self.origin_ref,
        }
