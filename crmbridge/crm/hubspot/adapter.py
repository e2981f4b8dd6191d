"""The ``hubspot`` CRM adapter: notes and communications on the contact timeline, in batches.

Writes are batch creates of up to 100 records with the contact association inline and a
``crmbridge_key`` property holding the interaction key. With that property unique (as
``crmbridge setup hubspot`` creates it) a replay after a crash, or any key some record
already holds, answers CONFLICT: that batch and the next ones go as upserts by the key
(``conflicts.py``): no path writes twice. Where the portal will not make it unique, the
keys already on the batch's contacts are read back through associations before creating
(never through search, which lags behind writes).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, SecretStr

from crmbridge.config import AppConfig, Options, secret_value
from crmbridge.crm.base import Capability, CrmAdapter, ReplyPoll, keep_progress
from crmbridge.crm.fanout import fan_out
from crmbridge.crm.hubspot import conflicts, erase, rollup
from crmbridge.crm.hubspot import contacts as hs_contacts
from crmbridge.crm.hubspot.schema import ObjectMeta, check_preset, object_meta, setup
from crmbridge.crm.hubspot.wire import (
    Budget,
    HubSpotRejected,
    HubSpotWire,
    existing_id,
    trace_ids,
)
from crmbridge.errors import ConfigError, CrmbridgeError
from crmbridge.models import ActivityWrite, CaseWrite, Contact, WriteResult

if TYPE_CHECKING:
    from crmbridge.rules.mapping import Mapper
    from crmbridge.state.store import StateStore

log = logging.getLogger(__name__)
Status = Literal["created", "updated", "failed"]
UTC_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")
HISTORY_PROPERTIES = (
    "hs_timestamp",
    "hs_note_body",
    "hs_communication_body",
    "hs_communication_channel_type",
    "subject",
    "hs_pipeline_stage",
)


class HubSpotConfig(Options):
    """Options of the ``hubspot`` CRM adapter."""

    access_token: SecretStr = Field(
        description="Bearer token (private-app token, service key or OAuth access token); "
        "set it as ${HUBSPOT_TOKEN}."
    )
    host: str | None = Field(default=None, description="API base URL (tests: a local server).")
    batch_size: int = Field(default=100, ge=1, le=100, description="Inputs per HubSpot batch.")
    write_batch: int = Field(
        default=500,
        ge=1,
        le=1000,
        description="Records per pipeline batch; split per object type into HubSpot batches.",
    )
    concurrency: int = Field(
        default=5,
        ge=1,
        le=10,
        description="HubSpot batch calls in flight at once, within the shared rate windows "
        "(a write batch holds at least batch_size x concurrency records); 1: one by one.",
    )
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=60.0, gt=0)
    attempts: int = Field(default=5, ge=1, le=10)
    key_property: str = Field(default="crmbridge_key", pattern=r"^[a-z][a-z0-9_]*$")
    handle_properties: dict[str, str] = Field(
        default_factory=lambda: {"x": "twitterhandle"},
        description="Contact property holding each platform's handle.",
    )
    phone_properties: list[str] = Field(default_factory=lambda: ["phone", "mobilephone"])
    additional_emails: bool = Field(
        default=True, description="Read hs_additional_emails into the contact mirror."
    )
    modified_property: str = "lastmodifieddate"
    search_lag_s: int = Field(
        default=120, ge=0, description="Search lags behind writes; read changes up to now-lag."
    )
    association_types: dict[str, int] = Field(
        default_factory=dict, description="Override the association type id to contacts."
    )
    mapping: str = Field(default="hubspot_communication", description="Preset `check` reads.")
    ticket_pipeline: str = Field(default="0", description="Pipeline id of new tickets.")
    ticket_stage: str = Field(default="1", description="Stage id (not label) of new tickets.")
    ticket_priority: str | None = Field(default=None, description="LOW, MEDIUM or HIGH.")
    ticket_owner: str | None = Field(default=None, description="hubspot_owner_id of tickets.")
    daily_reserve: int = Field(default=1000, ge=0)
    burst_reserve: int = Field(default=5, ge=0)
    rollup_last_at: str | None = Field(
        default=None, description="Contact property for the last social interaction's time."
    )
    rollup_channels: str | None = Field(
        default=None, description="Contact multi-select property for the channels seen."
    )
    rollup_last_sentiment: str | None = Field(
        default=None,
        description="Contact property for the sentiment (negative, neutral, positive) of the "
        "latest inbound message.",
    )
    searches_per_s: int = Field(
        default=4, ge=1, le=5, description="Searches in any one second (HubSpot allows 5)."
    )


class HubSpotCrm(CrmAdapter):
    """Social interactions as HubSpot notes and communications."""

    name = "hubspot"
    capabilities = frozenset(
        {
            Capability.CASES,
            Capability.SETUP,
            Capability.REPOINT,
            Capability.ROLLUPS,
            Capability.BULK_MIRROR,
            Capability.ERASE,
            Capability.REPLIES,
        }
    )
    Config: ClassVar[type[Options]] = HubSpotConfig
    default_mapping = "hubspot_communication"
    config: HubSpotConfig

    @property
    def max_batch(self) -> int:  # type: ignore[override]
        """Records per write call; each object type's share goes out in batches of 100."""
        return max(self.config.write_batch, self.config.batch_size * self.config.concurrency)

    @property
    def api_calls(self) -> int:  # type: ignore[override]
        """Every HTTP request sent to HubSpot so far."""
        wire = getattr(self, "wire", None)
        return wire.calls if wire is not None else 0

    @api_calls.setter
    def api_calls(self, value: int) -> None:
        if value:
            raise AttributeError("api_calls is counted by the wire")

    def open(self) -> None:
        """Build the client; association types and the key property are read on first use."""
        token = secret_value(self.config.access_token)
        if not token:
            raise ConfigError("crm.access_token is empty", hint="export HUBSPOT_TOKEN")
        budget = Budget(
            self.config.daily_reserve,
            self.config.burst_reserve,
            searches_per_s=self.config.searches_per_s,
        )
        self.wire = HubSpotWire(
            token,
            host=self.config.host,
            timeout=(self.config.connect_timeout, self.config.read_timeout),
            attempts=self.config.attempts,
            budget=budget,
        )
        self._meta: dict[str, ObjectMeta] = {}
        self.upserting: set[str] = set()  # object types whose keys clash: batches upsert
        self._meta_lock = threading.Lock()

    def rate_budget_left(self) -> float | None:
        """The daily allowance HubSpot's rate-limit headers last reported."""
        wire = getattr(self, "wire", None)
        left = wire.budget.daily_remaining if wire is not None else None
        return float(left) if left is not None else None

    def close(self) -> None:
        """Nothing to release: the client's pools close with the process."""

    def meta(self, object_type: str) -> ObjectMeta:
        """Association type id and key property of an object type (two calls, once)."""
        with self._meta_lock:  # read once, however many batches are in flight
            if object_type not in self._meta:
                self._meta[object_type] = object_meta(
                    self.wire, object_type, self.config.key_property, self.config.association_types
                )
            return self._meta[object_type]

    # --- contacts ----------------------------------------------------------------------

    def find_contacts(
        self,
        *,
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        handles: dict[str, set[str]] | None = None,
    ) -> list[Contact]:
        """Batch read by email (``idProperty=email``), one search for phones and handles."""
        return hs_contacts.find(self.wire, self.config, emails, phones, handles or {})

    def contacts_since(self, cursor: str | None) -> Iterator[tuple[Contact, str]]:
        """Contacts modified after the cursor (epoch ms), oldest first, past the search cap."""
        return hs_contacts.since(self.wire, self.config, cursor)

    # --- activities --------------------------------------------------------------------

    def write(self, batch: Sequence[ActivityWrite]) -> list[WriteResult]:
        """Create or update each record; one result per input, in order."""
        results: dict[str, WriteResult] = {}
        groups: dict[str, list[ActivityWrite]] = {}
        for w in batch:
            w.object = object_type_of(w)  # the ledger records the type actually written
            groups.setdefault(w.object, []).append(w)
        size = self.config.batch_size
        parts: list[tuple[str, bool, list[ActivityWrite]]] = []
        for object_type, writes in groups.items():
            known = [w for w in writes if w.crm_id]
            creates = [w for w in writes if not w.crm_id]
            parts += [(object_type, True, known[n : n + size]) for n in range(0, len(known), size)]
            parts += [
                (object_type, False, creates[n : n + size]) for n in range(0, len(creates), size)
            ]

        def send(part: tuple[str, bool, list[ActivityWrite]]) -> list[WriteResult]:
            object_type, update, chunk = part
            if update:
                done = self._update(object_type, chunk, {w.key: w.crm_id for w in chunk})
            elif object_type in self.upserting:  # keys clash: settle in the batch
                done = conflicts.upsert(self, object_type, chunk)
            else:
                done = self._create(object_type, chunk)
            return list(done.values())

        # Batches in flight at once; a stop keeps what any of them acknowledged.
        try:
            for answered in fan_out(parts, send, self.config.concurrency):
                results.update((r.key, r) for r in answered)
        except CrmbridgeError as exc:  # a stop (quota, 401, …): keep what was written
            raise keep_progress(exc, results.values()) from None
        ordered = [results[w.key] for w in batch]
        rollup.update(self.wire, self.config, batch, ordered)
        return ordered

    def write_cases(self, cases: Sequence[CaseWrite]) -> list[WriteResult]:
        """Create or update tickets, associated to the contact; new ones get pipeline defaults."""
        return self.write([self._ticket(c) for c in cases])

    def case_fields(self, plan: Mapping[str, Any], creating: bool) -> dict[str, Any]:
        """Ticket subject, content, hs_ticket_priority (HIGH/MEDIUM/LOW), hubspot_owner_id.

        Content and owner only on create: an update never takes a ticket from its agent.
        """
        owner = plan.get("owner") or plan.get("queue")
        priority = str(plan.get("priority") or "Medium")
        fields = {"subject": plan.get("subject"), "hs_ticket_priority": priority.upper()}
        if creating:
            fields["content"] = plan.get("description")
            if owner:
                fields["hubspot_owner_id"] = owner
        return {k: v for k, v in fields.items() if v is not None}

    def _ticket(self, case: CaseWrite) -> ActivityWrite:
        defaults: dict[str, Any] = {}
        if case.crm_id is None:  # an update never moves a ticket an agent has worked on
            defaults = {
                "hs_pipeline": self.config.ticket_pipeline,
                "hs_pipeline_stage": self.config.ticket_stage,
                "hs_ticket_priority": self.config.ticket_priority,
                "hubspot_owner_id": self.config.ticket_owner,
            }
        fields = {**defaults, **case.fields}
        return ActivityWrite(
            key=case.key,
            object="tickets",
            contact_id=case.contact_id,
            fields=fields,
            crm_id=case.crm_id,
        )

    def repoint(self, activities: Sequence[dict[str, Any]], contact_id: str | None) -> int:
        """Move notes, communications and tickets to another contact (or to none).

        Per object type, in batches of 100: the association to the contact they were on is
        archived (v4 ``batch/archive``) and one to the new contact created (v4
        ``batch/create``, the type id confirmed from the portal's labels). Both are
        idempotent, so rerunning a review command after a failure settles the rest.
        """
        groups: dict[str, list[dict[str, Any]]] = {}
        for a in activities:
            if a.get("crm_id") and a.get("crm_object") in ("notes", "communications", "tickets"):
                groups.setdefault(a["crm_object"], []).append(a)
        moved = 0
        for object_type, rows in groups.items():
            for start in range(0, len(rows), self.config.batch_size):
                chunk = rows[start : start + self.config.batch_size]
                self._unassociate([a for a in chunk if a.get("contact_id")], object_type)
                if contact_id:
                    self._associate(chunk, object_type, contact_id)
                moved += len(chunk)
        return moved

    def _unassociate(self, rows: list[dict[str, Any]], object_type: str) -> None:
        if not rows:
            return
        inputs = [{"from": {"id": a["crm_id"]}, "to": [{"id": a["contact_id"]}]} for a in rows]
        self.wire.call("associations", "archive", object_type, "contacts", {"inputs": inputs})

    def _associate(self, rows: list[dict[str, Any]], object_type: str, contact_id: str) -> None:
        kind = self.meta(object_type).contact_type
        inputs = [
            {"from": {"id": a["crm_id"]}, "to": {"id": contact_id}, "types": [kind]} for a in rows
        ]
        data = self.wire.call("associations", "create", object_type, "contacts", {"inputs": inputs})
        errors = (data or {}).get("errors") or []
        if errors:
            raise HubSpotRejected(
                f"HubSpot refused {len(errors)} association(s) to contact {contact_id}: "
                f"{str(errors[0].get('message'))[:200]}",
                status=400,
                category=errors[0].get("category"),
            )

    def attach_to_case(self, links: Sequence[tuple[str, dict[str, Any]]]) -> int:
        """Associate tickets to their conversation's notes and communications (v4 default)."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for ticket_id, a in links:
            if a.get("crm_id") and a.get("crm_object") in ("notes", "communications"):
                pair = {"from": {"id": ticket_id}, "to": {"id": a["crm_id"]}}
                groups.setdefault(a["crm_object"], []).append(pair)
        done = 0
        for object_type, pairs in groups.items():
            for start in range(0, len(pairs), self.config.batch_size):
                inputs = pairs[start : start + self.config.batch_size]
                try:
                    self.wire.call(
                        "associations", "create_default", "tickets", object_type, {"inputs": inputs}
                    )
                except HubSpotRejected as exc:
                    log.warning("tickets not associated to their %s: %s", object_type, exc.message)
                    continue
                done += len(inputs)
        return done

    def properties(self, w: ActivityWrite) -> dict[str, Any]:
        """The HubSpot properties of one write, with the interaction key."""
        props = {k: _wire_value(v) for k, v in w.fields.items() if v is not None}
        props[self.config.key_property] = w.key
        return props

    def _create(self, object_type: str, chunk: list[ActivityWrite]) -> dict[str, WriteResult]:
        meta = self.meta(object_type)
        existing = {} if meta.unique else self._existing_keys(object_type, chunk)
        fresh = [w for w in chunk if w.key not in existing]
        inputs = [self._create_input(w, meta) for w in fresh]
        results: dict[str, WriteResult] = {}
        if existing:
            stale = [w for w in chunk if w.key in existing]
            results.update(self._update(object_type, stale, existing))
        if not inputs:
            return results
        try:
            data = self.wire.call("objects", "create", object_type, {"inputs": inputs})
        except HubSpotRejected as exc:
            results.update(self._create_rejected(object_type, fresh, exc))
            return results
        conflicts: dict[str, str] = {}
        results.update(self._read_batch(data, fresh, "created", conflicts))
        if conflicts:
            again = [w for w in fresh if w.key in conflicts]
            results.update(self._update(object_type, again, conflicts))
        return results

    def _create_input(self, w: ActivityWrite, meta: ObjectMeta) -> dict[str, Any]:
        item: dict[str, Any] = {"properties": self.properties(w), "objectWriteTraceId": w.key}
        if w.contact_id:
            item["associations"] = [
                {
                    "to": {"id": w.contact_id},
                    "types": [meta.contact_type],
                }
            ]
        return item

    def _create_rejected(
        self, object_type: str, chunk: list[ActivityWrite], exc: HubSpotRejected
    ) -> dict[str, WriteResult]:
        """A whole batch refused: a key clash goes as an upsert, anything else is halved.

        HubSpot refuses a whole batch create when one key is already held (409 naming only
        the first holder, or a 400 naming the key property but no holder): with the key
        property unique, this batch and the next ones of this type go as upserts by key
        (``hubspot.conflicts``). Any other refusal is halved down to the records refused.
        """
        if len(chunk) == 1 and exc.status == 409 and exc.existing_id:  # its holder is named
            return self._update(object_type, chunk, {chunk[0].key: exc.existing_id})
        clash = exc.status == 409 or self.config.key_property in exc.message
        if exc.status in (400, 409) and clash and self.meta(object_type).unique:
            self.upserting.add(object_type)
            return conflicts.upsert(self, object_type, chunk)
        return conflicts.halve(lambda part: self._create(object_type, part), chunk, exc)

    def _update(
        self, object_type: str, chunk: list[ActivityWrite], ids: dict[str, Any]
    ) -> dict[str, WriteResult]:
        inputs = [
            {"id": str(ids[w.key]), "properties": self.properties(w), "objectWriteTraceId": w.key}
            for w in chunk
        ]
        try:
            data = self.wire.call("objects", "update", object_type, {"inputs": inputs})
        except HubSpotRejected as exc:
            return conflicts.halve(lambda part: self._update(object_type, part, ids), chunk, exc)
        return self._read_batch(data, chunk, "updated", {}, ids)

    def _read_batch(
        self,
        data: dict[str, Any],
        chunk: list[ActivityWrite],
        status: Status,
        conflicts: dict[str, str],
        ids: dict[str, Any] | None = None,
    ) -> dict[str, WriteResult]:
        """Per-record outcome of a 200/207 batch answer, tied back by trace id or key."""
        by_id = {str(v): k for k, v in (ids or {}).items()}
        results: dict[str, WriteResult] = {}
        for row in data.get("results") or []:
            props = row.get("properties") or {}
            key = (
                row.get("objectWriteTraceId")
                or props.get(self.config.key_property)
                or by_id.get(str(row.get("id")))
            )
            if key:
                results[key] = WriteResult(key=key, status=status, crm_id=str(row.get("id")))
        for error in data.get("errors") or []:
            message = str(error.get("message") or "rejected by HubSpot")[:500]
            for key in trace_ids(error):
                existing = existing_id(message)
                if error.get("category") == "CONFLICT" and existing:
                    conflicts[key] = existing
                else:
                    results[key] = _failed(key, f"HubSpot: {error.get('category')}: {message}")
        for w in chunk:
            if w.key not in results and w.key not in conflicts:
                results[w.key] = _failed(w.key, "HubSpot returned no result", kind="transient")
        return results

    def _existing_keys(self, object_type: str, chunk: list[ActivityWrite]) -> dict[str, str]:
        """Keys already written for these contacts, read through associations."""
        contact_ids = sorted({w.contact_id for w in chunk if w.contact_id})
        found = self.associated(object_type, contact_ids, [self.config.key_property])
        wanted = {w.key for w in chunk}
        key_prop = self.config.key_property
        return {
            row["properties"][key_prop]: str(row["id"])
            for row in found
            if (row.get("properties") or {}).get(key_prop) in wanted
        }

    def associated(
        self, object_type: str, contact_ids: list[str], properties: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Records of a type associated to contacts: v4 association batch read, batch read."""
        ids: list[str] = []
        pending: list[dict[str, Any]] = [{"id": c} for c in contact_ids]
        while pending:  # a contact with many records answers in pages: follow each `after`
            more: list[dict[str, Any]] = []
            for start in range(0, len(pending), 100):
                inputs = {"inputs": pending[start : start + 100]}
                data = self.wire.call("associations", "get_page", "contacts", object_type, inputs)
                for row in data.get("results") or []:
                    ids.extend(str(t["toObjectId"]) for t in row.get("to") or [])
                    after = ((row.get("paging") or {}).get("next") or {}).get("after")
                    if after:
                        more.append({"id": str(row["from"]["id"]), "after": str(after)})
            pending = more
        rows: list[dict[str, Any]] = []
        unique = sorted(set(ids))
        for start in range(0, len(unique), 100):
            body = {
                "inputs": [{"id": i} for i in unique[start : start + 100]],
                "properties": list(properties),
            }
            rows.extend(self.wire.call("objects", "read", object_type, body).get("results") or [])
        return rows

    def history(self, contact_id: str, limit: int = 200) -> list[dict[str, Any]]:
        """Notes, communications and tickets crmbridge wrote on a contact, newest first."""
        key_prop = self.config.key_property
        items: list[dict[str, Any]] = []
        for object_type in ("notes", "communications", "tickets"):
            for row in self.associated(object_type, [contact_id], [key_prop, *HISTORY_PROPERTIES]):
                props = row.get("properties") or {}
                if not props.get(key_prop):
                    continue
                body = (
                    props.get("hs_note_body")
                    or props.get("hs_communication_body")
                    or props.get("subject")
                )
                items.append(
                    {
                        "id": str(row.get("id")),
                        "key": props[key_prop],
                        "object": object_type,
                        "occurred_at": props.get("hs_timestamp") or row.get("createdAt"),
                        "channel": props.get("hs_communication_channel_type"),
                        "body": body,
                    }
                )
        items.sort(key=lambda r: r["occurred_at"] or "", reverse=True)
        return items[:limit]

    def poll_replies(self, app: AppConfig, store: StateStore) -> ReplyPoll:
        """Notes agents marked for sending, through this adapter's wire (``replies``)."""
        from crmbridge.crm.hubspot.replies import NoteReplies

        return NoteReplies(app, store, wire=self.wire).poll()

    def setup(self) -> list[str]:
        """Create the unique key property on notes, communications and tickets (``setup``)."""
        object_types = ("notes", "communications", "tickets")
        return setup(self.wire, object_types, self.config.key_property)

    def check(self, mapper: Mapper | None = None) -> list[str]:
        """Problems with the portal's properties for a preset (default: ``crm.mapping``)."""
        from crmbridge.rules.mapping import load_preset

        chosen = (mapper or load_preset(self.config.mapping)).preset
        return check_preset(self.wire, chosen, self.config)

    # --- erasure (``crmbridge forget``) ------------------------------------------------

    def delete_activities(self, rows: Sequence[dict[str, Any]], mode: str) -> int:
        """Archive (``batch/archive``) or blank the body (``batch/update``) of what we wrote.

        The ledger knows ids and keys, not whether each record became a note or a
        communication, so the ids are read back first (batch read, 100 a call): only a
        record whose ``crmbridge_key`` is the ledger's key is touched, and one found under
        neither type is already gone.
        """
        wanted = {str(r["crm_id"]): r["key"] for r in rows if r.get("crm_id")}
        done = 0
        for object_type, ids in self._ours(wanted).items():
            for start in range(0, len(ids), self.config.batch_size):
                part = ids[start : start + self.config.batch_size]
                if mode == "delete":
                    body: dict[str, Any] = {"inputs": [{"id": i} for i in part]}
                    self.wire.call("objects", "archive", object_type, body)
                else:
                    blank = {ERASED_PROPERTY[object_type]: "[erased]"}
                    body = {"inputs": [{"id": i, "properties": blank} for i in part]}
                    self.wire.call("objects", "update", object_type, body)
                done += len(part)
        return done

    def erase_cases(self, rows: Sequence[dict[str, Any]], mode: str) -> int:
        """Archive or blank the tickets crmbridge opened (``hubspot.erase``)."""
        return erase.erase_tickets(self.wire, self.config, rows, mode)

    def clear_rollups(self, contact_ids: Sequence[str]) -> int:
        """Blank the contacts' roll-up properties (``hubspot.erase``)."""
        return erase.clear_rollups(self.wire, self.config, contact_ids)

    def _ours(self, wanted: dict[str, str]) -> dict[str, list[str]]:
        """Which of these ids are notes and which communications, keys checked."""
        key_prop = self.config.key_property
        found: dict[str, list[str]] = {}
        left = dict(wanted)
        for object_type in ERASED_PROPERTY:
            ids = sorted(left)
            for start in range(0, len(ids), 100):
                body = {
                    "inputs": [{"id": i} for i in ids[start : start + 100]],
                    "properties": [key_prop],
                }
                try:
                    data = self.wire.call("objects", "read", object_type, body)
                except HubSpotRejected as exc:
                    if exc.status == 404:  # none of these ids is of this type
                        continue
                    raise
                for row in data.get("results") or []:
                    oid = str(row.get("id"))
                    key = (row.get("properties") or {}).get(key_prop)
                    if oid in left and key == left[oid]:
                        found.setdefault(object_type, []).append(oid)
                        del left[oid]
        return found


# The body property ``forget --mode anonymise`` blanks, per object type crmbridge writes.
ERASED_PROPERTY = {"notes": "hs_note_body", "communications": "hs_communication_body"}


def object_type_of(w: ActivityWrite) -> str:
    """Notes or communications, from the properties the preset rendered for this platform."""
    if any(name.startswith("hs_communication_") for name in w.fields):
        return "communications"
    if "hs_note_body" in w.fields:
        return "notes"
    return w.object


def _wire_value(value: Any) -> Any:
    """UTC times as HubSpot's documented ``…Z`` form; everything else as rendered."""
    if isinstance(value, str) and UTC_ISO.match(value):
        return value[: -len("+00:00")] + "Z"
    return value


def _failed(key: str, message: str, kind: str = "data") -> WriteResult:
    return WriteResult(key=key, status="failed", error_kind=kind, error=message)
