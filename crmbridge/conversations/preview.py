"""Which conversation a sync would put one interaction in, without writing anything.

For tools that explain a decision before a sync (``crmbridge rules test``): the same
loading and threading rules as the pipeline, on one interaction, with nothing committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crmbridge.classify import Analyzer, Classification
from crmbridge.config import ConversationsConfig
from crmbridge.conversations.hook import ConversationHook
from crmbridge.identity.resolver import Resolution
from crmbridge.models import Interaction, Link
from crmbridge.state.store import BatchCommit, StateStore


@dataclass
class _One:
    interaction: Interaction
    resolution: Resolution | None
    previous: Any = None
    classification: Classification | None = None
    conversation: dict[str, Any] | None = None


def preview_conversation(
    store: StateStore,
    interaction: Interaction,
    contact_id: str | None = None,
    config: ConversationsConfig | None = None,
    analyzer: Analyzer | None = None,
) -> tuple[dict[str, Any], Classification | None]:
    """The conversation row after this interaction, and its classification (not stored).

    ``contact_id`` is the contact its author is linked to, if any (the person key).
    """
    resolution = None
    if contact_id:
        link = Link(
            persona_key=interaction.persona_key, contact_id=contact_id, band="auto", rule="preview"
        )
        resolution = Resolution(link)
    previous = store.ledger_rows([interaction.activity_key]).get(interaction.activity_key)
    work = _One(interaction, resolution, previous)
    hook = ConversationHook(store, config or ConversationsConfig(), analyzer)
    hook.apply([work], BatchCommit(source="preview", cursor=None))
    assert work.conversation is not None
    return work.conversation, work.classification
