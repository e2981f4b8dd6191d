"""Review decisions end to end: the state store first, then the CRM's activities moved.

``decide`` is the one path behind ``crmbridge review approve|reject|link|unlink``, the
console's buttons and ``POST /api/review/...``: it refuses unknown ids (exit 2), records
who and when (``audit``), re-points the ledger and re-threads, then moves the activities
in the CRM.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from crmbridge.config import AppConfig
from crmbridge.identity import review
from crmbridge.state.store import StateStore
from crmbridge.views.contact import contacts_exist
from crmbridge.views.people import Fetch

ACTIONS = ("approve", "reject", "link", "unlink")


def crm_fetch(config: AppConfig) -> Fetch:
    """Contacts by id from the configured CRM (one session per call)."""
    from crmbridge.ops import open_adapter

    def fetch(ids: Collection[str]) -> list[Any]:
        with open_adapter(config, dry_run=True) as adapter:
            return adapter.get_contacts(ids)

    return fetch


def decide(
    config: AppConfig, store: StateStore, action: str, actor: str, **kwargs: Any
) -> dict[str, Any]:
    """Take one review decision as ``actor``; return what moved.

    ``approve``: ``review_id`` (and optionally ``contact_id``); ``reject``: ``review_id``;
    ``link``: ``persona``, ``contact_id``; ``unlink``: ``persona``.
    """
    fetch = crm_fetch(config)

    def known(ids: Collection[str]) -> set[str]:
        with store.engine.connect() as conn:
            return contacts_exist(conn, list(ids), fetch)

    conv = config.conversations
    if action == "reject":
        review.reject(store, kwargs["review_id"], actor)
        return {"rejected": kwargs["review_id"], "by": actor}
    if action == "approve":
        moved = review.approve(
            store,
            kwargs["review_id"],
            actor,
            kwargs.get("contact_id"),
            conversations=conv,
            known_contacts=known,
        )
    elif action == "link":
        moved = review.link(
            store,
            kwargs["persona"],
            kwargs["contact_id"],
            actor,
            conversations=conv,
            known_contacts=known,
            known_persona=True,
        )
    elif action == "unlink":
        moved = review.unlink(store, kwargs["persona"], actor, conversations=conv)
    else:
        raise ValueError(f"unknown review action {action!r}; expected one of {ACTIONS}")
    from crmbridge.ops import open_adapter

    with open_adapter(config) as adapter:
        count = adapter.repoint(moved.activities, moved.new_contact_id) if moved.activities else 0
    return {
        "persona": moved.persona_key,
        "from": moved.old_contact_id,
        "to": moved.new_contact_id,
        "activities_moved": count,
        "by": actor,
    }
