"""Several deliveries of one message: deletion events, webhook and polled copies, threads.

A platform may deliver one message more than once and by different paths: a webhook event
and a later poll, a deletion event that names only the id, an X webhook reply that names
no conversation. These functions decide what the pipeline keeps: the stored copy marked
deleted (its kind, time and thread kept), two copies that say the same thing as one
message (not a conflicting duplicate), and a thread-less reply in its parent's thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from crmbridge.models import Interaction


def as_deleted(stored_json: str, deletion: Interaction) -> Interaction:
    """The stored message marked deleted at the deletion's time, its kind and time kept.

    A deletion event (X ``tweet_delete_events``, a removed comment) names the message but
    not what it was; the stored copy does. The text goes, as the platforms require.
    """
    try:
        stored = Interaction.model_validate_json(stored_json)
    except ValidationError:
        return deletion
    if stored.key != deletion.key:
        return deletion
    data = stored.model_dump(by_alias=True)
    data.update(deleted=True, text="", edited_at=max(stored.version_at, deletion.version_at))
    return Interaction.model_validate(data)


def thread_of(parent: Interaction) -> str | None:
    """The thread a reply to ``parent`` joins: the parent's, or the parent when it is a root."""
    if parent.conversation_id:
        return parent.conversation_id
    return None if parent.in_reply_to else (parent.edit_of or parent.message_id)


def with_thread(i: Interaction, conversation_id: str) -> Interaction:
    """A copy of ``i`` in the given platform thread."""
    return Interaction.model_validate(
        {**i.model_dump(by_alias=True), "conversation_id": conversation_id}
    )


def same_message(stored_json: str, other: Interaction) -> bool:
    """Whether a stored copy says what ``other`` says: author, text, time, direction, state.

    Two deliveries of one message (webhook and poll) may differ in the author's profile
    or the thread id they carry; they still are the same message.
    """
    try:
        stored = Interaction.model_validate_json(stored_json)
    except ValidationError:
        return False
    return _message_of(stored) == _message_of(other)


def _message_of(i: Interaction) -> tuple[Any, ...]:
    return (i.key, i.author.id, i.text, i.created_at, i.direction, i.deleted, i.is_private)


def inherit_threads(
    interactions: Iterable[Interaction], stored: Callable[[list[str]], dict[str, str]]
) -> dict[str, Interaction]:
    """Thread-less replies placed in their parent's thread, keyed by interaction key.

    ``stored(keys)`` returns the stored payloads of the parents not in ``interactions``
    (one lookup for the batch). A reply whose parent is unknown is left as it is.
    """
    batch = list(interactions)
    orphans = [i for i in batch if i.in_reply_to and not i.conversation_id]
    if not orphans:
        return {}
    known = {i.activity_key: i for i in batch} | {i.key: i for i in batch}
    wanted = sorted({_parent(i) for i in orphans} - set(known))
    for key, payload in (stored(wanted) if wanted else {}).items():
        known.setdefault(key, Interaction.model_validate_json(payload))
    placed: dict[str, Interaction] = {}
    for reply in sorted(orphans, key=lambda i: i.created_at):
        parent = known.get(_parent(reply))
        thread = thread_of(parent) if parent is not None else None
        if thread:
            placed[reply.key] = known[reply.key] = with_thread(reply, thread)
    return placed


def _parent(i: Interaction) -> str:
    return f"{i.platform}:{i.in_reply_to}"
