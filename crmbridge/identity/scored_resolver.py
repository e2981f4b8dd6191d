"""The scored resolver: persona links, then exact keys, then Fellegi-Sunter on a contact mirror.

Same contract as ``ExactResolver``. It matches against a mirror of the CRM's match fields,
kept in the state store between runs (``crmbridge.state.mirror``) and refreshed
incrementally from ``adapter.contacts_since(cursor)`` at each batch, so matching costs no
API call per interaction and no run reads the whole CRM again. When the adapter cannot
enumerate contacts it falls back to the exact resolver for good.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from crmbridge.config import IdentityConfig
from crmbridge.crm.base import CrmAdapter
from crmbridge.identity.blocking import ContactIndex
from crmbridge.identity.matcher import Matcher, Thresholds
from crmbridge.identity.resolver import ExactResolver, Resolution, link_of
from crmbridge.identity.review import learn_from_reviews
from crmbridge.identity.scoring import Decision, FellegiSunter, Identity
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
        self.index = ContactIndex(self.region, int(getattr(config, "max_block", 50)))
        self.cursor: str | None = None
        self.mirrored: bool | None = None  # None until the first refresh tells
        self.persisted = ContactMirror(store, adapter.name or "crm")
        self.refresh_s = (
            config.mirror_refresh_s
            if config.mirror_refresh_s is not None
            else adapter.contact_refresh_s
        )
        self.refreshed_at = 0.0
        self.model = FellegiSunter()
        self.learned = learn_from_reviews(store, self.model)
        self.matcher = Matcher(
            self.index,
            self.model,
            thresholds=Thresholds(
                float(getattr(config, "auto_threshold", 0.99)),
                float(getattr(config, "review_threshold", 0.30)),
            ),
            match_email=config.match_email,
            match_handles=config.match_handles,
        )

    def refresh(self) -> int:
        """Pull contacts changed since the last refresh into the mirror; return how many.

        The first refresh of a run loads the mirror the state store kept from earlier runs,
        then asks the CRM only for what changed after its cursor. Changes are saved in
        slices with their cursor, so an interrupted first load resumes where it stopped.
        """
        if self.mirrored is None:
            for contact in self.persisted.load():
                self.index.add(contact)
            self.cursor = self.persisted.cursor()
        changed = 0
        pending: list[Contact] = []
        try:
            for contact, cursor in self.adapter.contacts_since(self.cursor):
                self.index.add(contact)
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
        for key, row in linked.items():
            link = link_of(key, row)
            rec = self.index.records.get(row.contact_id)
            result[key] = Resolution(link, rec.contact if rec else None)
        self._linked_elsewhere(identities, linked, result)
        missing = {r.contact_id for r in linked.values()} - set(self.index.records)
        if missing:
            by_id = {c.id: c for c in self.adapter.get_contacts(missing)}
            for res in result.values():
                if res.contact is None:
                    res.contact = by_id.get(res.link.contact_id or "")
        for key in unknown:
            decision = self.matcher.decide(identities[key])
            result[key] = self._resolution(decision, key in queued)
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
                ("email", idx.by_email.get(ident.email or "")),
                ("phone", idx.by_phone.get(ident.phone or "")),
                ("handle", idx.by_handle.get((ident.platform, ident.handle or ""))),
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
            candidates = [[other, 1.0], [current.contact_id, float(current.score)]]
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
            if i.kind == "dm" and i.text:
                texts.setdefault(key, []).append(i.text)
        return {
            k: Identity.of(platforms[k], a, texts.get(k, []), self.region)
            for k, a in authors.items()
        }

    def _resolution(self, d: Decision, queued: bool) -> Resolution:
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
            rec = self.index.records[d.contact_id]
            row = {
                "persona_key": d.identity_key,
                "contact_id": d.contact_id,
                "rule": d.rule,
                "score": d.score,
                "evidence": json.dumps(evidence, sort_keys=True),
                "approved_by": "auto",
                "created_at": utcnow(),
            }
            return Resolution(link, rec.contact, new_link=row, evidence=evidence)
        if d.band == "review" and not queued:
            reason = str(evidence.get("conflict") or f"score {d.score:.3f} ({d.rule})")
            review = {
                "persona_key": d.identity_key,
                "candidates": json.dumps(
                    [[c, s, d.features[c]] if c in d.features else [c, s] for c, s in d.candidates]
                ),
                "reason": reason,
                "score": d.score,
                "status": "open",
                "created_at": utcnow(),
            }
            return Resolution(link, new_review=review, evidence=evidence)
        return Resolution(link, evidence=evidence)


def _richer(old: Author | None, new: Author) -> Author:
    """The author fields of a persona across a batch: later values, earlier ones kept."""
    if old is None:
        return new
    merged = old.model_dump()
    merged.update({k: v for k, v in new.model_dump().items() if v is not None})
    return Author.model_validate(merged)
