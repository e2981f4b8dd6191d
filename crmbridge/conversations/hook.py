"""The pipeline's threading step: classify and thread one batch in a few queries.

For a batch it reads, in three set-based queries, the conversations its replies point to,
the platform threads it names, and the recent conversations of its people; then threads
each interaction in time order and leaves on each work item ``classification`` and
``conversation`` (the row after that interaction). The rows it changed go into the batch
commit, so they land in the same transaction as the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from crmbridge.classify import Analyzer, Classification, ServiceAnalyzer
from crmbridge.config import ConversationsConfig
from crmbridge.conversations.storage import (
    CONVERSATION_PREFIX,
    candidate_conversations,
    message_conversations,
    thread_conversations,
)
from crmbridge.conversations.threader import Threader, parent_key, thread_key
from crmbridge.identity.resolver import Resolution
from crmbridge.models import Interaction
from crmbridge.state.store import BatchCommit, StateStore, utcnow


class WorkItem(Protocol):
    """What the hook needs of the pipeline's per-interaction work record."""

    interaction: Interaction
    resolution: Resolution | None
    previous: Any
    classification: Classification | None
    conversation: dict[str, Any] | None


def person_key(interaction: Interaction, resolution: Resolution | None) -> str:
    """``contact:<id>`` when the author is linked to a contact, else the persona key."""
    contact_id = resolution.link.contact_id if resolution is not None else None
    return person_key_for(interaction.persona_key, contact_id)


def person_key_for(persona_key: str, contact_id: str | None) -> str:
    """Whose conversation a message joins: the linked contact's, else the persona's."""
    return f"contact:{contact_id}" if contact_id else persona_key


def classify(analyzer: Analyzer, text: str) -> Classification | None:
    """A text's classification, or None when there is no text."""
    return analyzer.analyze(text) if text.strip() else None


def known_conversation(previous: Any) -> str | None:
    """The conversation an earlier run threaded this interaction into, if any."""
    key = getattr(previous, "conversation_key", None) if previous is not None else None
    return key if isinstance(key, str) and key.startswith(CONVERSATION_PREFIX) else None


class ConversationHook:
    """Classifies and threads the interactions of each batch."""

    def __init__(
        self,
        store: StateStore,
        config: ConversationsConfig,
        analyzer: Analyzer | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.analyzer: Analyzer = analyzer or ServiceAnalyzer()

    def classify(self, text: str) -> Classification | None:
        """The text's classification, or None when there is no text."""
        return classify(self.analyzer, text)

    def apply(self, work: Sequence[WorkItem], commit: BatchCommit) -> None:
        """Thread the batch; set each item's ``classification`` and ``conversation``."""
        if not work:
            return
        ordered = sorted(work, key=lambda w: (w.interaction.created_at, w.interaction.key))
        persons = {id(w): person_key(w.interaction, w.resolution) for w in ordered}
        threader = Threader(self.config.window, self.config.reopen_window, utcnow())
        self._load(threader, ordered, set(persons.values()))
        for w in ordered:
            i = w.interaction
            w.classification = self.classify(i.text)
            row = threader.assign(
                i, persons[id(w)], w.classification, known_conversation(w.previous)
            )
            w.conversation = dict(row)
        commit.conversations.extend(threader.touched_rows())
        commit.conversation_threads.extend(threader.thread_rows())

    def _load(self, threader: Threader, work: Sequence[WorkItem], persons: set[str]) -> None:
        batch_keys = {w.interaction.key for w in work}
        parents = {p for w in work if (p := parent_key(w.interaction))} - batch_keys
        threads = {t for w in work if (t := thread_key(w.interaction))}
        known = {k for w in work if (k := known_conversation(w.previous))}
        earliest = min(w.interaction.created_at for w in work)
        since = earliest - self.config.window - self.config.reopen_window
        with self.store.engine.connect() as conn:
            threader.messages.update(message_conversations(conn, parents) if parents else {})
            threader.threads.update(thread_conversations(conn, threads) if threads else {})
            wanted = known | set(threader.messages.values()) | set(threader.threads.values())
            threader.load(candidate_conversations(conn, wanted, persons, since))
