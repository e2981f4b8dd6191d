"""The sync: fetch → validate → resolve → map → write → commit, one batch at a time.

Read this first. Each source streams items; a batch of them is checked against the ledger
(what is already in the CRM, at which version), authors are resolved to contacts, the
mapping renders an activity per interaction, the CRM adapter upserts the batch and answers
per record, and only then are the ledger rows, quarantine rows, identity decisions and the
source's cursor committed in one transaction. A crash anywhere leaves the cursor at the
last committed batch; the rerun's upserts by key make the replay harmless.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from crmbridge import registry
from crmbridge.classify import Classification
from crmbridge.config import AppConfig
from crmbridge.connector import Item
from crmbridge.conversations.hook import ConversationHook
from crmbridge.conversations.threader import parent_key
from crmbridge.copies import as_deleted, inherit_threads, same_message
from crmbridge.crm.base import CrmAdapter, acknowledged
from crmbridge.errors import KINDS, ConfigError, CrmbridgeError, DataError, ExitCode, SourceBusy
from crmbridge.identity.resolver import ExactResolver, Resolution
from crmbridge.identity.scored_resolver import ScoredResolver
from crmbridge.models import ActivityWrite, Contact, Interaction, Link, WriteResult
from crmbridge.ops import open_adapter
from crmbridge.rules.case_links import attach, case_links
from crmbridge.rules.cases import conversation_key, rule_stage, rules_view
from crmbridge.rules.mapping import Mapper, load_preset
from crmbridge.state.lease import DEFAULT_SECONDS as DEFAULT_LEASE_SECONDS
from crmbridge.state.lease import Lease, new_holder
from crmbridge.state.store import BatchCommit, StateStore, as_utc, utcnow
from crmbridge.sync_log import BatchLog


class Progress(Protocol):
    """Told after each batch: the source, records in the batch, and (done, total) if known."""

    def __call__(self, source: str, count: int, extent: tuple[int, int] | None = None) -> None:
        """One batch done."""


log = logging.getLogger("crmbridge.sync")
# Which stop decides the run's status when sources stop for different reasons.
SEVERITY = ["auth", "config", "quota_exhausted", "rate_limited", "transient", "data", "busy"]
PREVIEW_LIMIT = 50
DUPLICATE_REASON = (
    "field message_id: seen before with different content and no newer edited_at; "
    "keeping the first version"
)


@dataclass
class SyncSummary:
    """What a sync did; ``--json`` prints exactly these counters."""

    fetched: int = 0
    written: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    quarantined: int = 0
    review: int = 0
    unmatched: int = 0
    held: int = 0
    replayed: int = 0
    erased: int = 0
    cases: int = 0
    escalated: int = 0
    api_calls: int = 0
    duration_s: float = 0.0
    dry_run: bool = False
    status: str = "ok"
    error: str | None = None
    skipped: list[str] = field(default_factory=list)
    source_errors: dict[str, dict[str, str]] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        """The process exit code this outcome maps to."""
        if self.status in KINDS:
            return KINDS[self.status].exit_code
        if self.skipped:  # a source held by another worker was not synced: say so
            return ExitCode.BUSY
        return ExitCode.PARTIAL if self.failed else ExitCode.OK

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (preview only on dry runs)."""
        data = asdict(self)
        if not self.dry_run:
            data.pop("preview")
        else:
            data["preview_limit"] = PREVIEW_LIMIT  # the preview is cut there; counts are whole
        data["error"] = {"kind": self.status, "message": self.error} if self.error else None
        return data


@dataclass
class _Work:
    """One interaction on its way through a batch."""

    interaction: Interaction
    item: Item
    previous: Any = None
    write: ActivityWrite | None = None
    resolution: Resolution | None = None
    unchanged: bool = False
    write_hash: str | None = None
    classification: Classification | None = None
    conversation: dict[str, Any] | None = None
    rules: Any = None  # the rules' Decision (crmbridge.rules.actions)


class Pipeline:
    """Runs a sync over the configured sources."""

    def __init__(
        self,
        config: AppConfig,
        *,
        dry_run: bool = False,
        adapter: CrmAdapter | None = None,
        store: StateStore | None = None,
        progress: Progress | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        stop: threading.Event | None = None,
    ) -> None:
        self.config = config
        # Set from another thread (a SIGTERM handler): the batch in flight commits, then the
        # run stops before the next one; the leases are released as on any other end.
        self.stop = stop or threading.Event()
        self.dry_run = dry_run
        self.holder = new_holder()
        self.lease_seconds = lease_seconds
        self.lease: Lease | None = None
        self.progress = progress
        self.summary = SyncSummary(dry_run=dry_run)
        self.adapter = adapter or open_adapter(config, dry_run=dry_run)
        self.store = store or StateStore(config.state_url, read_only=dry_run)
        self.mapper: Mapper = load_preset(
            config.mapping or self.adapter.default_mapping, config.base_dir
        )
        choice = config.identity.resolver
        if choice == "auto":
            choice = "scored" if self.adapter.lists_contacts() else "exact"
        resolver = ScoredResolver if choice == "scored" else ExactResolver
        self.threading = ConversationHook(self.store, config.conversations)
        # One resolver per run: the scored one keeps its contact copy across batches.
        self.resolver: ExactResolver | ScoredResolver = resolver(
            self.store, self.adapter, config.identity
        )
        self.rules = rule_stage(config, self.adapter, self.store, dry_run, self.threading.analyzer)

    def run(self, only: str | None = None) -> SyncSummary:
        """Sync every source (or the one named); the summary says what was done.

        A stop (auth, config, quota, persistent transient errors) is raised after the
        summary has recorded its kind and message, and the run is recorded as such.
        """
        started = time.monotonic()
        try:
            specs = [self.config.source(only)] if only else self.config.sources
        except CrmbridgeError as exc:
            self.summary.status, self.summary.error = exc.kind, str(exc)
            raise
        run_id = self.store.start_run([s.name for s in specs], self.dry_run)
        try:
            with self.adapter:
                self._sla_pass()
                for spec in specs:
                    if self.stop.is_set():
                        break
                    self._sync_source(spec.name, spec.connector, spec.options)
                self._sla_pass(retry=False)  # what this run's messages let run out
            if specs and len(self.summary.skipped) == len(specs):
                self.summary.status = "busy"
        except CrmbridgeError as exc:
            self.summary.status = exc.kind
            self.summary.error = self.config.redact(str(exc))
            raise
        finally:
            self.summary.api_calls = self.adapter.api_calls
            self.summary.duration_s = round(time.monotonic() - started, 3)
            self.store.finish_run(
                run_id, self.summary.status, self.summary.as_dict(), self.summary.error
            )
        return self.summary

    def _sync_source(self, name: str, connector_name: str, options: dict[str, Any]) -> None:
        cls = registry.connector(connector_name, self.config.file)
        connector = cls(self.config.options_for(cls.Config, options, f"source {name}"), name)
        self.lease = None
        if not self.dry_run:
            lease = Lease(self.store, name, self.holder, self.lease_seconds)
            try:
                lease.acquire()
            except SourceBusy as exc:
                log.warning("%s", exc)
                self.summary.skipped.append(name)
                return
            self.lease = lease
        stopped: list[CrmbridgeError] = []
        try:
            if not self.dry_run:
                self._retry_failed(name)
            cursor = self.store.cursor(name)
            items = _until_error(connector.fetch(cursor), stopped)
            source_log = BatchLog(name, self.summary, self.adapter)
            for batch in _batched(items, self.adapter.max_batch):
                source_log.start()
                self.process(name, batch)
                source_log.batch()
                if self.progress:
                    self.progress(name, len(batch), connector.extent(batch[-1].cursor))
                if self.stop.is_set():
                    log.warning("source %s: stop requested; the last batch is committed", name)
                    break
            source_log.done()
            if stopped:
                self._source_stopped(name, stopped[0])
        except SourceBusy as exc:  # the lease was lost mid-run: stop this source only
            log.warning("%s", exc)
            self.summary.skipped.append(name)
        finally:
            connector.close()
            if self.lease is not None:
                self.lease.release()

    def _source_stopped(self, name: str, error: CrmbridgeError) -> None:
        """A source's own failure (expired token, daily quota) stops it, not the others.

        What it yielded before the failure is already committed, cursor included, so the
        next run resumes right there. The CRM's errors are not caught here: the CRM is
        shared by every source, so they stop the run.
        """
        message = self.config.redact(str(error))
        log.warning("source %s stopped (%s): %s", name, error.kind, message)
        self.summary.source_errors[name] = {"kind": error.kind, "message": message}
        if self.summary.status == "ok" or SEVERITY.index(error.kind) < SEVERITY.index(
            self.summary.status
        ):
            self.summary.status = error.kind

    # --- one batch -------------------------------------------------------------------

    def _retry_failed(self, source: str) -> None:
        """Replay this source's retryable failed ledger rows once, before new records."""
        from crmbridge.failures import due_for_retry

        items = due_for_retry(
            self.store, source, self.config.retry.max_attempts, self.adapter.max_batch
        )
        if items:
            log.info("source %s: replaying %d failed record(s)", source, len(items))
            self.replay(source, items)

    def replay(self, source: str, items: Sequence[Item]) -> list[BatchCommit]:
        """Run given items (parked or failed records) through a batch; the cursor stays."""
        return [
            self.process(source, batch, replay=True)
            for batch in _batched(iter(items), self.adapter.max_batch)
        ]

    def process(self, source: str, items: Sequence[Item], *, replay: bool = False) -> BatchCommit:
        """Take one batch from validation to the committed ledger and cursor.

        A replay counts its items as ``replayed``, not ``fetched``, and moves no cursor.
        """
        if replay:
            self.summary.replayed += len(items)
        else:
            self.summary.fetched += len(items)
        cursor = None if replay or not items else items[-1].cursor
        commit = BatchCommit(source=source, cursor=cursor)
        # A batch that stops before its commit is rolled back: so are its counters, or a
        # failed run would report records parked or written that the next run does again.
        before = {k: v for k, v in asdict(self.summary).items() if type(v) is int}
        try:
            work = self._admit(source, items, commit)
            self._resolve(work, commit)
            self.threading.apply(work, commit)
            self._apply_rules(work, commit)
            writes = self._render(work, commit)
            try:
                results = self._write(writes) if writes and not self.dry_run else []
            except CrmbridgeError as exc:  # a stop mid-batch: keep what the CRM acknowledged
                self._keep_acknowledged(source, work, acknowledged(exc), commit)
                raise
            self._record(source, work, results, commit)
            self._write_cases(work, commit)
            if not self.dry_run:
                self.store.commit(commit, self.lease.renew if self.lease else None)
        except BaseException:
            for name, value in before.items():
                if name not in ("fetched", "replayed", "cases", "escalated"):
                    setattr(self.summary, name, value)
            raise
        if not replay:
            _stop_if_mapping_refused_all(source, work, commit)
        return commit

    def _admit(self, source: str, items: Sequence[Item], commit: BatchCommit) -> list[_Work]:
        """Quarantine bad records; keep the newest version of each activity key."""
        newest: dict[str, _Work] = {}
        for item in items:
            if item.interaction is None:
                self._quarantine(source, item, item.error or "invalid record", commit)
                continue
            i = item.interaction
            seen = newest.get(i.activity_key)
            if seen is not None and _conflicts(
                seen.interaction.message_id,
                seen.interaction.version_at,
                seen.interaction.payload_hash(),
                i,
                seen.interaction.to_json(),
            ):
                self._quarantine(source, item, DUPLICATE_REASON, commit)
                continue
            if seen is None or i.version_at >= seen.interaction.version_at:
                newest[i.activity_key] = _Work(i, item)
            # Superseded in this very batch, or repeated as it is: nothing to send for it.
            self.summary.unchanged += seen is not None
        ledger = self.store.ledger_rows(list(newest))
        admitted: list[_Work] = []
        for key, w in newest.items():
            row = ledger.get(key)
            if row is not None and row.status == "erased":
                self.summary.erased += 1  # `crmbridge forget` erased it: never write it again
                continue
            if row is not None:
                w.previous = row
                if w.interaction.deleted and row.payload:
                    # A deletion event knows only the id: keep the stored kind, time, thread.
                    w.interaction = as_deleted(row.payload, w.interaction)
                stored_at = as_utc(row.version_at)
                if stored_at and w.interaction.version_at < stored_at:
                    self.summary.unchanged += 1  # an older version of what we hold
                    continue
                if _conflicts(
                    row.message_id, stored_at, row.payload_hash, w.interaction, row.payload
                ):
                    self._quarantine(source, w.item, DUPLICATE_REASON, commit)
                    continue
            admitted.append(w)
        self._inherit_threads(admitted)
        return admitted

    def _inherit_threads(self, work: list[_Work]) -> None:
        """A reply that names no thread (an X webhook reply) joins its parent's thread."""

        def stored(keys: list[str]) -> dict[str, str]:
            return {k: row.payload for k, row in self.store.ledger_rows(keys).items()}

        placed = inherit_threads((w.interaction for w in work), stored)
        for w in work:
            w.interaction = placed.get(w.interaction.key, w.interaction)

    def _resolve(self, work: list[_Work], commit: BatchCommit) -> None:
        # An author-less item has no persona: it is never resolved, linked or counted.
        inbound = [
            w.interaction
            for w in work
            if w.interaction.direction == "inbound" and w.interaction.has_persona
        ]
        resolutions = self.resolver.resolve(inbound) if inbound else {}
        for w in work:
            if w.interaction.direction == "inbound" and w.interaction.has_persona:
                w.resolution = resolutions.get(w.interaction.persona_key)
        parents = self._reply_parents(work)
        for w in work:
            i = w.interaction
            if i.direction == "outbound":
                w.resolution = parents.get(parent_key(i) or "")
        for r in resolutions.values():
            if r.new_link:
                commit.links.append(r.new_link)
            if r.new_review:
                commit.reviews.append(r.new_review)
        new = {w.interaction.key for w in work if w.previous is None}
        commit.personas.extend(_persona_rows(inbound, new))

    def _reply_parents(self, work: list[_Work]) -> dict[str, Resolution]:
        """An agent's reply belongs to the contact of the message it answers."""
        keys = {
            key
            for w in work
            if w.interaction.direction == "outbound" and (key := parent_key(w.interaction))
        }
        if not keys:
            return {}
        found: dict[str, Resolution] = {}
        for w in work:  # the parent may be in this very batch
            link = w.resolution.link if w.resolution else None
            if w.interaction.key in keys and link is not None and link.contact_id:
                found[w.interaction.key] = _reply_to(link.persona_key, link.contact_id)
        missing = sorted(keys - set(found))
        for key, row in self.store.ledger_rows(missing).items() if missing else ():
            if row.contact_id:
                found[key] = _reply_to(row.persona_key, row.contact_id)
        return found

    def _render(self, work: list[_Work], commit: BatchCommit) -> list[ActivityWrite]:
        writes: list[ActivityWrite] = []
        for w in work:
            r = w.resolution
            link = r.link if r else None
            contact = r.contact if r else None
            if contact is None and link is not None and link.contact_id:
                contact = Contact(id=link.contact_id)
            try:
                write = self.mapper.render(
                    w.interaction,
                    contact,
                    link,
                    w.interaction.activity_key,
                    classification=w.classification,
                    conversation=w.conversation,
                    rules=rules_view(w.rules),
                )
            except DataError as exc:
                if w.previous is not None and w.previous.status == "failed":
                    # A failed row replayed: it stays in the failure ledger, one more attempt.
                    self.summary.failed += 1
                    commit.ledger.append(_failed_again(w.previous, exc.message))
                else:
                    self._quarantine(commit.source, w.item, exc.message, commit)
                continue
            prev = w.previous
            if prev is not None and prev.crm_id:
                write.crm_id = prev.crm_id
            w.write = write
            w.write_hash = write.content_hash()
            if prev is not None and prev.status == "written" and prev.write_hash == w.write_hash:
                w.unchanged = True
                self.summary.unchanged += 1
                continue
            band = link.band if link else "unmatched"
            policy = {
                "review": self.mapper.preset.review,
                "unmatched": self.mapper.preset.unmatched,
            }.get(band, "write")
            if policy == "hold":
                continue
            writes.append(write)
        return writes

    def _keep_acknowledged(
        self, source: str, work: list[_Work], results: list[WriteResult], commit: BatchCommit
    ) -> None:
        """Commit the ledger rows of what the CRM wrote before a stop; the cursor stays.

        The resume re-reads the batch from the old cursor, finds these rows written and
        sends only the rest (cursor after acknowledgement holds: it has not moved).
        """
        done = {r.key: r for r in results if r.ok}
        kept = [
            w
            for w in work
            if w.write is not None and w.write.key in done and not self._moved_a_case(w)
        ]
        if not kept or self.dry_run:
            return
        partial = BatchCommit(source=source, cursor=None)
        partial.links, partial.reviews = commit.links, commit.reviews
        partial.conversations = commit.conversations
        partial.conversation_threads = commit.conversation_threads
        inbound = [w.interaction for w in kept if w.interaction.direction == "inbound"]
        new = {w.interaction.key for w in kept if w.previous is None}
        partial.personas = _persona_rows(inbound, new)
        self._record(source, kept, list(done.values()), partial)
        self.store.commit(partial, self.lease.renew if self.lease else None)
        log.info("source %s: kept %d record(s) written before the stop", source, len(kept))

    def _moved_a_case(self, w: _Work) -> bool:
        """Whether a message moved its conversation's case or fired a webhook in this batch.

        Such a message is not kept at a stop: its case or webhook would never come (a
        resume sees it written, no longer new), so it goes again and is decided again.
        """
        if self.rules is None:
            return False
        key = conversation_key(w)
        return key in self.rules.touched or any(note[2] == key for note in self.rules.notes)

    def _apply_rules(self, work: list[_Work], commit: BatchCommit) -> None:
        """Each message's rule decision (its tags reach the mapping) and its case plan."""
        if self.rules is None:
            return
        self.rules.begin(conversation_key(w) for w in work)
        for w in sorted(work, key=lambda w: w.interaction.created_at):
            link = w.resolution.link if w.resolution else None
            ctx = self.rules.context(
                w.interaction,
                classification=w.classification,
                band=link.band if link else "unmatched",
                contact_id=link.contact_id if link else None,
                conversation=w.conversation,
            )
            # Only a first sight moves cases and webhooks: the plan of a message whose
            # activity failed or was held was committed with its batch all the same.
            w.rules = self.rules.decide(ctx, new=w.previous is None)

    def _write_cases(self, work: list[_Work], commit: BatchCommit) -> None:
        """One write_cases call for the batch, after its activities (see rules/cases.py)."""
        if self.rules is None:
            return
        preview = self.rules.preview() if self.dry_run else []
        plans, written = self.rules.finish(commit.conversations)
        if not self.dry_run:
            case_ids = {k: p.crm_id for k, p in self.rules.plans.items() if p.crm_id}
            # This batch's activities, tied to their conversation's case.
            attach(self.adapter, case_links(commit.ledger, case_ids))
        self.summary.cases += written
        self.summary.escalated += self.rules.escalated
        commit.cases.extend(plans)
        # Cases have their own share of the preview: activities must not crowd them out.
        room = PREVIEW_LIMIT - sum(p["action"] == "case" for p in self.summary.preview)
        self.summary.preview.extend(preview[: max(0, room)])

    def _sla_pass(self, retry: bool = True) -> None:
        """Escalate conversations whose SLA ran out; retry cases an earlier run left."""
        if self.rules is None:
            return
        from crmbridge.rules.sla import effective_now, guarded_pass

        names = [s.name for s in self.config.sources]
        now = effective_now(self.store, names, utcnow())
        if now is None:
            return  # a source was never read: no deadline can be judged yet
        result = guarded_pass(self.rules, now, self.holder, self.lease_seconds, retry)
        self.summary.escalated += len(result.escalated)
        self.summary.cases += result.written
        self.summary.preview.extend(result.preview[:PREVIEW_LIMIT])

    def _write(self, writes: list[ActivityWrite]) -> list[WriteResult]:
        results = self.adapter.write(writes)
        if len(results) != len(writes):
            raise CrmbridgeError(
                f"adapter {self.adapter.name} answered {len(results)} results "
                f"for {len(writes)} records"
            )
        return results

    def _record(
        self, source: str, work: list[_Work], results: list[WriteResult], commit: BatchCommit
    ) -> None:
        """Turn each interaction's outcome into counters and its ledger row."""
        by_key = {r.key: r for r in results}
        now = utcnow()
        for w in work:
            if w.write is None:
                continue
            prev, result = w.previous, by_key.get(w.write.key)
            if w.unchanged:
                if prev.payload_hash == w.interaction.payload_hash():
                    continue  # nothing new at all: leave the ledger row as it is
                row = self._ledger_row(source, w, "written", prev.attempts, now)
                commit.ledger.append(row)
                continue
            band = w.resolution.link.band if w.resolution else "unmatched"
            self.summary.review += band == "review"
            self.summary.unmatched += band == "unmatched"
            attempts = prev.attempts if prev is not None else 0
            if self.dry_run:
                self._preview(w, prev)
                continue
            if result is None:
                self.summary.held += 1
                commit.ledger.append(self._ledger_row(source, w, "held", attempts, now))
            elif result.ok:
                self.summary.written += 1
                self.summary.created += result.status == "created"
                self.summary.updated += result.status == "updated"
                w.write.crm_id = result.crm_id or w.write.crm_id
                commit.ledger.append(self._ledger_row(source, w, "written", attempts, now))
            else:
                self.summary.failed += 1
                row = self._ledger_row(source, w, "failed", attempts + 1, now)
                row["error_kind"] = result.error_kind or "data"
                row["error_message"] = self.config.redact(result.error or "")
                commit.ledger.append(row)

    def _ledger_row(
        self, source: str, w: _Work, status: str, attempts: int, now: Any
    ) -> dict[str, Any]:
        i, write = w.interaction, w.write
        assert write is not None
        return {
            "key": write.key,
            "source": source,
            "platform": i.platform,
            "kind": i.kind,
            "message_id": i.message_id,
            "persona_key": i.persona_key,
            "contact_id": write.contact_id,
            "conversation_key": w.conversation["key"] if w.conversation else i.conversation_key,
            "status": status,
            "crm_object": write.object,
            "crm_id": write.crm_id,
            "payload_hash": i.payload_hash(),
            "write_hash": w.write_hash if status == "written" else None,
            "version_at": i.version_at,
            "attempts": attempts,
            "error_kind": None,
            "error_message": None,
            "payload": i.to_json(),
            "created_at": now,
            "updated_at": now,
        }

    def _preview(self, w: _Work, prev: Any) -> None:
        assert w.write is not None
        action = "update" if prev is not None and prev.status == "written" else "create"
        if action == "create":
            self.summary.created += 1
        else:
            self.summary.updated += 1
        if len(self.summary.preview) < PREVIEW_LIMIT:
            self.summary.preview.append(
                {
                    "action": action,
                    "key": w.write.key,
                    "contact_id": w.write.contact_id,
                    "subject": w.write.fields.get("subject"),
                }
            )

    def _quarantine(self, source: str, item: Item, reason: str, commit: BatchCommit) -> None:
        self.summary.quarantined += 1
        raw = (
            item.raw
            if item.raw is not None
            else (item.interaction.to_json() if item.interaction else "")
        )
        commit.quarantine.append(
            {
                "source": source,
                "fingerprint": quarantine_fingerprint(source, item.location, raw),
                "location": item.location,
                "reason": reason,
                "raw": raw,
            }
        )


MAPPING_REFUSAL = "mapping field "
MIN_UNIFORM_REFUSALS = 3


def _stop_if_mapping_refused_all(source: str, work: list[_Work], commit: BatchCommit) -> None:
    """A batch whose every record the mapping refused for one reason is a config mistake.

    Parking record after record and exiting 0 would hide it from the scheduler: the batch
    is committed (parked, replayable with ``crmbridge failures retry`` once fixed) and the
    run stops with the config exit code. A handful of records is too few to tell a
    mapping mistake from bad data, so small batches go on as before.
    """
    reasons = {q["reason"] for q in commit.quarantine if q["reason"].startswith(MAPPING_REFUSAL)}
    refused = sum(q["reason"].startswith(MAPPING_REFUSAL) for q in commit.quarantine)
    if len(reasons) == 1 and refused == len(work) and refused >= MIN_UNIFORM_REFUSALS:
        raise ConfigError(
            f"source {source}: the mapping refused all {refused} records of a batch: "
            f"{reasons.pop()}",
            hint="fix the mapping (crmbridge check renders it), then "
            f"`crmbridge failures retry --all --source {source}` replays the parked records",
        )


def _failed_again(row: Any, message: str) -> dict[str, Any]:
    """A failed ledger row after one more failed attempt (the mapping refused it now)."""
    again = dict(row._mapping)
    again.update(
        attempts=row.attempts + 1, error_kind="data", error_message=message, updated_at=utcnow()
    )
    return again


def quarantine_fingerprint(source: str, location: str, raw: str) -> str:
    """The identity of a parked record: the same record parked twice is one row."""
    return hashlib.sha256(json.dumps([source, location, raw]).encode()).hexdigest()[:32]


def _reply_to(persona_key: str, contact_id: str) -> Resolution:
    """A reply's link: its parent's contact, the same whichever batch held the parent."""
    link = Link(persona_key=persona_key, contact_id=contact_id, band="auto", rule="reply_to")
    return Resolution(link)


def _conflicts(
    message_id: str, version_at: Any, payload_hash: str, i: Interaction, payload: str | None
) -> bool:
    """The same message id and version time, but different content: a conflicting duplicate.

    Copies of one message that differ only in what surrounds it (a webhook copy and a
    polled one: the author's profile, the thread id) are not a conflict; the later wins.
    """
    if message_id != i.message_id or version_at != i.version_at:
        return False
    if i.deleted:  # a deletion carries no content to disagree with (a failed one replayed)
        return False
    return payload_hash != i.payload_hash() and not (payload and same_message(payload, i))


def _persona_rows(interactions: Sequence[Interaction], new: set[str]) -> list[dict[str, Any]]:
    """Persona upserts for a batch; only interactions not seen before add to the count."""
    rows: dict[str, dict[str, Any]] = {}
    for i in interactions:
        row = rows.get(i.persona_key)
        if row is None:
            rows[i.persona_key] = {
                "key": i.persona_key,
                "platform": i.platform,
                "author_id": i.author.id,
                "handle": i.author.handle,
                "name": i.author.name,
                "first_seen": i.created_at,
                "last_seen": i.created_at,
                "interactions": int(i.key in new),
            }
        else:
            row["interactions"] += i.key in new
            row["first_seen"] = min(row["first_seen"], i.created_at)
            row["last_seen"] = max(row["last_seen"], i.created_at)
    return list(rows.values())


def _until_error(items: Iterator[Item], errors: list[CrmbridgeError]) -> Iterator[Item]:
    """Yield a connector's items; on its error, stop cleanly and keep the error."""
    try:
        yield from items
    except CrmbridgeError as exc:
        errors.append(exc)


def _batched(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def sync(
    config: AppConfig,
    *,
    source: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> SyncSummary:
    """Run one sync with the configured adapter and state store."""
    pipeline = Pipeline(config, dry_run=dry_run, progress=progress)
    try:
        return pipeline.run(source)
    finally:
        pipeline.store.close()
