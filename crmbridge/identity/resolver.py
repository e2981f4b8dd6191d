"""The exact-match resolver: persona links first, then email and platform handle.

It works a batch at a time: one state-store query for existing links and one CRM lookup for
every email and handle in the batch. It auto-links only when exactly one contact matches
and nothing contradicts it; two contacts sharing a key, or a contact whose stored handle on
that platform is a different one, go to the review queue with the conflict named.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crmbridge.config import IdentityConfig
from crmbridge.crm.base import CrmAdapter
from crmbridge.identity.normalize import email_key, handle_key
from crmbridge.models import Contact, Interaction, Link
from crmbridge.state.store import StateStore, utcnow


@dataclass
class Resolution:
    """The decision for one persona in a batch, plus what to record of it."""

    link: Link
    contact: Contact | None = None
    new_link: dict[str, Any] | None = None
    new_review: dict[str, Any] | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


class ExactResolver:
    """Deterministic identity resolution on exact, normalised keys."""

    def __init__(self, store: StateStore, adapter: CrmAdapter, config: IdentityConfig) -> None:
        self.store = store
        self.adapter = adapter
        self.config = config

    def resolve(self, interactions: Sequence[Interaction]) -> dict[str, Resolution]:
        """Resolve every persona that wrote one of these interactions."""
        evidence = _evidence(interactions)
        linked = self.store.active_links(list(evidence))
        unknown = [k for k in evidence if k not in linked]
        found = self._lookup(unknown, evidence) if unknown else []
        by_id = {c.id: c for c in found}
        queued = self.store.open_reviews(unknown) if unknown else set()
        extra_ids = {row.contact_id for row in linked.values()} - set(by_id)
        if extra_ids:
            by_id.update({c.id: c for c in self.adapter.get_contacts(extra_ids)})
        result: dict[str, Resolution] = {}
        for key, row in linked.items():
            link = link_of(key, row)
            result[key] = Resolution(link, by_id.get(row.contact_id))
        index = _Index(found)
        for key in unknown:
            result[key] = self._decide(key, evidence[key], index, key in queued)
        return result

    def _lookup(self, keys: list[str], evidence: dict[str, dict[str, Any]]) -> list[Contact]:
        emails = {evidence[k]["email"] for k in keys if evidence[k].get("email")}
        handles: dict[str, set[str]] = {}
        for k in keys:
            if evidence[k].get("handle"):
                handles.setdefault(k.split(":", 1)[0], set()).add(evidence[k]["handle"])
        if not self.config.match_email:
            emails = set()
        if not self.config.match_handles:
            handles = {}
        if not emails and not handles:
            return []
        return self.adapter.find_contacts(emails=emails, handles=handles)

    def _decide(self, key: str, ev: dict[str, Any], index: _Index, queued: bool) -> Resolution:
        platform = key.split(":", 1)[0]
        by_rule: dict[str, set[str]] = {}
        if ev.get("email") and ev["email"] in index.by_email:
            by_rule["email"] = index.by_email[ev["email"]]
        if ev.get("handle") and (platform, ev["handle"]) in index.by_handle:
            by_rule["handle"] = index.by_handle[(platform, ev["handle"])]
        contacts = [index.by_id[i] for i in sorted(set().union(*by_rule.values()))]
        ids = set().union(*by_rule.values()) if by_rule else set()
        rule = "+".join(sorted(by_rule))
        if not ids:
            return Resolution(
                Link(persona_key=key, contact_id=None, band="unmatched", rule="none"), evidence=ev
            )
        conflict = self._conflict(ids, contacts, platform, ev)
        if conflict:
            link = Link(
                persona_key=key,
                contact_id=None,
                band="review",
                rule=rule,
                score=1.0,
                evidence=ev,
                candidates=sorted(ids),
            )
            review = (
                None
                if queued
                else {
                    "persona_key": key,
                    "candidates": json.dumps(sorted(ids)),
                    "reason": conflict,
                    "score": 1.0,
                    "status": "open",
                    "created_at": utcnow(),
                }
            )
            return Resolution(link, new_review=review, evidence=ev)
        (contact_id,) = ids
        contact = next(c for c in contacts if c.id == contact_id)
        link = Link(
            persona_key=key, contact_id=contact_id, band="auto", rule=rule, score=1.0, evidence=ev
        )
        row = {
            "persona_key": key,
            "contact_id": contact_id,
            "rule": rule,
            "score": 1.0,
            "evidence": json.dumps(ev, sort_keys=True),
            "approved_by": "auto",
            "created_at": utcnow(),
        }
        return Resolution(link, contact, new_link=row, evidence=ev)

    @staticmethod
    def _conflict(
        ids: set[str], contacts: list[Contact], platform: str, ev: dict[str, Any]
    ) -> str | None:
        if len(ids) > 1:
            return f"{len(ids)} contacts share this persona's keys: {', '.join(sorted(ids))}"
        contact = next(c for c in contacts if c.id in ids)
        stored = contact.handles.get(platform)
        if ev.get("handle") and stored and stored != ev["handle"]:
            return (
                f"contact {contact.id} has {platform} handle @{stored}, "
                f"the author is @{ev['handle']}"
            )
        if ev.get("email") and contact.email and email_key(contact.email) != ev["email"]:
            return f"contact {contact.id} has a different email than the author"
        return None


def link_of(persona_key: str, row: Any) -> Link:
    """The ``Link`` an active row of the links table stands for."""
    return Link(
        persona_key=persona_key,
        contact_id=row.contact_id,
        band="auto",
        rule=row.rule,
        score=row.score,
        approved_by=row.approved_by,
    )


class _Index:
    """The contacts a batch's lookup found, indexed by each match key once."""

    def __init__(self, contacts: list[Contact]) -> None:
        self.by_id = {c.id: c for c in contacts}
        self.by_email: dict[str, set[str]] = {}
        self.by_handle: dict[tuple[str, str], set[str]] = {}
        for c in contacts:
            email = email_key(c.email)
            if email:
                self.by_email.setdefault(email, set()).add(c.id)
            for platform, handle in c.handles.items():
                self.by_handle.setdefault((platform, handle), set()).add(c.id)


def _evidence(interactions: Sequence[Interaction]) -> dict[str, dict[str, Any]]:
    """Per persona: the strongest identifiers its interactions in this batch show."""
    found: dict[str, dict[str, Any]] = {}
    for i in interactions:
        ev = found.setdefault(i.persona_key, {})
        email = email_key(i.author.email)
        if email:
            ev["email"] = email
        handle = handle_key(i.author.handle)
        if handle:
            ev["handle"] = handle
    return found
