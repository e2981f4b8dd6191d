"""The scored resolver: persona links, then exact keys, then the evidence model.

Same contract as ``ExactResolver``. It matches against the persisted identity index
(``crmbridge.identity.index_store``), kept in the state store beside the contact mirror and
refreshed incrementally from ``adapter.contacts_since(cursor)``, so matching costs no API call
per interaction, no run reads the whole CRM again and no run loads every contact into
memory. When the adapter cannot enumerate contacts it falls back to the exact resolver.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from crmbridge.config import IdentityConfig
from crmbridge.crm.base import CrmAdapter
from crmbridge.identity.blocking import author_keys
from crmbridge.identity.features import Identity
from crmbridge.identity.index_store import StoredIndex
from crmbridge.identity.matcher import Decision, Matcher, Thresholds
from crmbridge.identity.model import Model
from crmbridge.identity.resolver import ExactResolver, Resolution, link_of
from crmbridge.identity.review import learn_from_reviews
from crmbridge.models import Author, Contact, Interaction, Link
from crmbridge.state.mirror import SLICE, ContactMirror
from crmbridge.state.store import StateStore, utcnow


class ScoredResolver:
    """Deterministic and scored identity resolution with three bands."""

    def __init__(
        self,
        store: StateStore,
        adapter: CrmAdapter,
        config: IdentityConfig,
    ) -> None:
        self.store = store
        self.adapter = adapter
        self.config = config
        self.region = config.default_region
        self.exact = ExactResolver(store, adapter, config)
        crm = adapter.name or "crm"
        self.index = StoredIndex(store, crm, self.region, config.max_block)
        self.cursor: str | None = None
        self.mirrored: bool | None = None  # None until the first refresh tells
        self.persisted = ContactMirror(store, crm, self.index)
        self.refresh_s = (
            config.mirror_refresh_s
            if config.mirror_refresh_s is not None
            else adapter.contact_refresh_s
        )
        self.refreshed_at = 0.0
        self.model = Model()
        self.learned = learn_from_reviews(store, self.model)
        self.matcher = Matcher(
            self.index,
            self.model,
            thresholds=Thresholds(config.auto_threshold, config.review_threshold),
            match_email=config.match_email,
            match_handles=config.match_handles,
        )

    def refresh(self) -> int:
        """Pull contacts changed since the last refresh into the mirror and index.

        The first refresh of a run reads the cursor the state store kept from earlier runs
        (and files a mirror an older crmbridge kept without an index), then asks the CRM
        only for what changed after it. Changes are saved in slices with their cursor, so
        an interrupted first load resumes where it stopped.
        """
        if self.mirrored is None:
            self.persisted.index_if_missing()
            self.cursor = self.persisted.cursor()
        changed = 0
        pending: list[Contact] = []
        try:
            for contact, cursor in self.adapter.contacts_since(self.cursor):
                pending.append(contact)
                if cursor is not None:  # None: a bulk first load not yet resumable
                    self.cursor = cursor
                changed += 1
                if len(pending) >= SLICE:
                    self._save(pending)
        except NotImplementedError:
            self.mirrored = False
            return 0
        finally:
            self._save(pending)
        self.mirrored = True
        return changed

    def _save(self, pending: list[Contact]) -> None:
        if pending:
            self.persisted.save(pending, self.cursor)
        pending.clear()

    def resolve(self, interactions: Sequence[Interaction]) -> dict[str, Resolution]:
        """Resolve every persona that wrote one of these interactions."""
        if self.mirrored is None or (
            self.mirrored and time.monotonic() - self.refreshed_at >= self.refresh_s
        ):
            self.refresh()
            self.refreshed_at = time.monotonic()
        if not self.mirrored:
            return self.exact.resolve(interactions)
        identities = self._identities(interactions)
        linked = self.store.active_links(list(identities))
        unknown = [k for k in identities if k not in linked]
        queued = self.store.open_reviews(unknown) if unknown else set()
        result: dict[str, Resolution] = {}
        if unknown:
            self.index.prefetch(set().union(*(author_keys(identities[k]) for k in unknown)))
        decisions = {key: self.matcher.decide(identities[key]) for key in unknown}
        wanted = {r.contact_id for r in linked.values()} | {
            d.contact_id for d in decisions.values() if d.band == "auto" and d.contact_id
        }
        contacts = self.persisted.get(wanted)
        missing = wanted - set(contacts)
        if missing:
            contacts.update({c.id: c for c in self.adapter.get_contacts(missing)})
        for key, row in linked.items():
            result[key] = Resolution(link_of(key, row), contacts.get(row.contact_id))
        self._linked_elsewhere(identities, linked, result)
        for key, decision in decisions.items():
            result[key] = self._resolution(decision, key in queued, contacts)
        return result

    def _linked_elsewhere(
        self,
        identities: dict[str, Identity],
        linked: dict[str, Any],
        result: dict[str, Resolution],
    ) -> None:
        """Queue a review when an auto-linked persona's strong keys now name another contact.

        The link stays (its activities keep going to the linked contact) until a reviewer
        decides; a link a reviewer made is never questioned by a key, and the same
        conflict is raised once, not again after a reviewer rejected it.
        """
        suspects: dict[str, tuple[str, str]] = {}
        idx = self.index
        for key, row in linked.items():
            if row.approved_by != "auto":
                continue
            ident = identities[key]
            keys = (
                ("email", idx.ids("em:" + ident.email) if ident.email else []),
                ("phone", idx.ids("ph:" + ident.phone) if ident.phone else []),
                ("handle", idx.ids(f"hd:{ident.platform}:{ident.handle}") if ident.handle else []),
            )
            for rule, ids in keys:
                if ids and len(ids) == 1 and row.contact_id not in ids:
                    (other,) = ids
                    reason = (
                        f"persona is linked to contact {row.contact_id}, but its {rule} "
                        f"now matches contact {other}"
                    )
                    suspects[key] = (reason, other)
                    break
        if not suspects:
            return
        raised = self.store.review_reasons(list(suspects))
        for key, (reason, other) in suspects.items():
            if reason in raised.get(key, set()):
                continue
            current = linked[key]
            candidates = [
                {"contact_id": other, "score": 1.0, "evidence": []},
                {"contact_id": current.contact_id, "score": float(current.score), "evidence": []},
            ]
            result[key].new_review = {
                "persona_key": key,
                "candidates": json.dumps(candidates),
                "reason": reason,
                "score": 1.0,
                "status": "open",
                "created_at": utcnow(),
            }
            result[key].evidence = {"conflict": reason}

    def _identities(self, interactions: Sequence[Interaction]) -> dict[str, Identity]:
        """One identity per persona, pooling the author fields and DM texts of the batch."""
        authors: dict[str, Author] = {}
        texts: dict[str, list[str]] = {}
        platforms: dict[str, str] = {}
        for i in interactions:
            key = i.persona_key
            authors[key] = _richer(authors.get(key), i.author)
            platforms[key] = i.platform
            if i.text:  # keys written in any message, public or private
                texts.setdefault(key, []).append(i.text)
        return {
            k: Identity.of(platforms[k], a, texts.get(k, []), self.region)
            for k, a in authors.items()
        }

    def _resolution(self, d: Decision, queued: bool, contacts: dict[str, Contact]) -> Resolution:
        evidence: dict[str, Any] = dict(d.evidence)
        link = Link(
            persona_key=d.identity_key,
            contact_id=d.contact_id if d.band == "auto" else None,
            band=d.band,  # type: ignore[arg-type]
            rule=d.rule,
            score=d.score,
            evidence=evidence,
            candidates=[c for c, _ in d.candidates],
        )
        if d.band == "auto" and d.contact_id:
            row = {
                "persona_key": d.identity_key,
                "contact_id": d.contact_id,
                "rule": d.rule,
                "score": d.score,
                "evidence": json.dumps(evidence, sort_keys=True, ensure_ascii=False),
                "approved_by": "auto",
                "created_at": utcnow(),
            }
            return Resolution(link, contacts.get(d.contact_id), new_link=row, evidence=evidence)
        if d.band == "review" and not queued:
            review = {
                "persona_key": d.identity_key,
                "candidates": json.dumps(d.review_candidates(), ensure_ascii=False),
                "reason": reason_of(d),
                "score": d.score,
                "status": "open",
                "created_at": utcnow(),
            }
            return Resolution(link, new_review=review, evidence=evidence)
        return Resolution(link, evidence=evidence)


def reason_of(d: Decision) -> str:
    """Why a decision waits for a person, in plain words."""
    agree = [f for f, lv in d.evidence.items() if lv in ("full", "city", "agree")]
    second = f", runner-up {d.candidates[1][1]:.0%}" if len(d.candidates) > 1 else ""
    shown = ", ".join(agree) or "weak evidence"
    why = d.evidence.get("conflict") or "not enough to link alone"
    if d.rule != "score":
        return str(why)
    return f"{d.score:.0%} likely ({shown} agree{second}); {why}"


def _richer(old: Author | None, new: Author) -> Author:
    """The author fields of a persona across a batch: later values, earlier ones kept."""
    if old is None:
        return new
    merged = old.model_dump()
    merged.update({k: v for k, v in new.model_dump().items() if v is not None})
    return Author.model_validate(merged)
