"""What a person does to the outbox: approve a held reply, resolve an unknown outcome."""

from __future__ import annotations

from crmbridge.errors import ConfigError
from crmbridge.outbound.outbox import Outbox
from crmbridge.outbound.reply import Reply
from crmbridge.state.store import StateStore, utcnow


def approve(store: StateStore, reply_id: str, approver: str) -> Reply:
    """Release a held reply: it is sent on the next ``reply send``, holds no longer apply."""
    outbox = Outbox(store)
    reply = outbox.get(reply_id)
    if reply.status != "held":
        raise ConfigError(f"reply {reply_id} is {reply.status}, not held: nothing to approve")
    outbox.move(reply_id, "held", status="pending", approved_by=approver, hold_reason=None)
    return outbox.get(reply_id)


def resolve(store: StateStore, reply_id: str, platform_id: str | None, person: str) -> Reply:
    """Record what a person found on the platform for an unknown outcome."""
    outbox = Outbox(store)
    reply = outbox.get(reply_id)
    if reply.status not in ("unknown", "sending"):
        raise ConfigError(f"reply {reply_id} is {reply.status}: only unknown outcomes resolve")
    note = f"resolved by {person}"
    if platform_id:
        outbox.move(
            reply_id,
            reply.status,
            status="sent",
            platform_id=platform_id,
            sent_at=utcnow(),
            hold_reason=None,
            error=note,
        )
    else:
        outbox.move(
            reply_id, reply.status, status="pending", hold_reason=None, error=note, lookups=0
        )
    return outbox.get(reply_id)
