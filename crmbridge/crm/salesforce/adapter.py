"""The ``salesforce`` CRM adapter: contact lookups, activity upserts, history, budgeted.

Writes go out as sObject Collections of up to 200 records, upserted by the crmbridge key
field (``PATCH composite/sobjects/Task/Crmbridge_Key__c``); where the org has no external-id
key, records are created, their ids kept in the ledger, and a query by key before each
create finds what a crashed run already wrote. Lookups for a whole batch of authors take
one call. Every HTTP call is counted, and the run stops cleanly when the org's remaining
daily API allocation falls below the configured reserve.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import quote_plus

import requests
from simple_salesforce import Salesforce

from crmbridge.config import AppConfig, Options
from crmbridge.crm.base import Capability, CrmAdapter, ReplyPoll
from crmbridge.crm.salesforce import rollup, soql
from crmbridge.crm.salesforce.bulk import bulk_query
from crmbridge.crm.salesforce.client import (
    AUTH_HINTS,
    SalesforceConfig,
    SessionExpired,
    classify_code,
    first_error,
    guarded,
    login,
)
from crmbridge.crm.salesforce.schema import check_preset
from crmbridge.crm.salesforce.writes import CollectionWriter
from crmbridge.errors import DataError, QuotaExhausted
from crmbridge.http import make_session, with_retries
from crmbridge.identity.normalize import email_key, handle_key
from crmbridge.models import ActivityWrite, Contact, WriteResult
from crmbridge.rules.mapping import Mapper, load_preset

if TYPE_CHECKING:
    from crmbridge.state.store import StateStore

T = TypeVar("T")
log = logging.getLogger(__name__)
QUERIES_PER_COMPOSITE = 5  # Composite allows at most 5 query subrequests per call.
ROUNDS = 4  # rounds of concurrent collections in one write batch
AUTO_ASSIGN_OBJECTS = frozenset({"Case", "Lead", "Account"})
HISTORY_FIELDS: dict[str, list[str]] = {
    "Task": ["Id", "Subject", "Description", "ActivityDate", "Status", "TaskSubtype"],
    "SocialPost": ["Id", "Name", "Content", "Posted", "Provider", "MessageType", "IsOutbound"],
    "Case": ["Id", "Subject", "Status", "Priority", "Origin"],
}
# The field that ties an activity to its conversation's Case.
CASE_FIELD = {"Task": "WhatId", "SocialPost": "ParentId"}
# Case.Origin: the network the conversation started on (an org adds these picklist values;
# `crmbridge check` lists what the preset needs). Unknown platforms go as written.
ORIGINS = {
    "x": "Twitter",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "reddit": "Reddit",
    "linkedin": "LinkedIn",
    "whatsapp": "WhatsApp",
    "forum": "Forum",
    "review": "Review",
}
HISTORY_CONTACT_FIELD = {"Task": "WhoId", "SocialPost": "WhoId", "Case": "ContactId"}


class SalesforceCrm(CollectionWriter, CrmAdapter):
    """Writes social interactions onto Salesforce contacts through simple-salesforce."""

    name = "salesforce"
    capabilities = frozenset(
        {
            Capability.CASES,
            Capability.REPOINT,
            Capability.ROLLUPS,
            Capability.BULK_MIRROR,
            Capability.ERASE,
            Capability.REPLIES,
        }
    )
    Config: ClassVar[type[Options]] = SalesforceConfig
    default_mapping = "salesforce_task"
    config: SalesforceConfig

    def __init__(self, config: Any, *, dry_run: bool = False) -> None:
        super().__init__(config, dry_run=dry_run)
        self.session: requests.Session | None = None
        self.sf: Salesforce | None = None
        self.usage: tuple[int, int] | None = None
        self.personas_done: set[str] = set()  # persona keys upserted in this run
        self.held_twice: set[str] = set()  # objects with keys held by two records (a 300)
        self._create_only: dict[str, frozenset[str]] = {}  # per object, from its describe
        self._lock = threading.RLock()  # collections go out from several threads at once

    @property
    def max_batch(self) -> int:  # type: ignore[override]
        """Records per write call: ``write_batch``, or ``ROUNDS`` rounds of collections.

        A round is ``concurrency`` collections of ``batch_size`` in flight at once
        (crmbridge.crm.fanout).
        """
        return self.config.write_batch or self.config.batch_size * self.config.concurrency * ROUNDS

    # --- connection --------------------------------------------------------------------

    def open(self) -> None:
        """Build the HTTP session (every response counted); log in on the first call.

        A run with nothing to write makes no call at all, not even a login.
        """
        self.session = make_session(pool=max(10, self.config.concurrency))
        self.session.hooks["response"].append(self._on_response)
        self.sf = None

    def connect(self) -> Salesforce:
        """Log in now rather than on the first call (a login check); returns the client."""
        return self._client()

    def _client(self) -> Salesforce:
        """The logged-in client (logging in now if this is the run's first call)."""
        assert self.session is not None, "adapter used before open()"
        with self._lock:  # one login, however many threads make the run's first calls
            if self.sf is None:
                self.sf = login(self.config, self.session)
            return self.sf

    def rate_budget_left(self) -> float | None:
        """What the last ``Sforce-Limit-Info`` header said is left of the daily allocation."""
        if self.usage is None or not self.usage[1]:
            return None
        return float(self.usage[1] - self.usage[0])

    def close(self) -> None:
        """Drop the session."""
        if self.session is not None:
            self.session.close()
        self.session, self.sf = None, None

    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        with self._lock:  # answers arrive on several threads
            self.api_calls += 1
        info = response.headers.get("Sforce-Limit-Info")
        usage = Salesforce.parse_api_usage(info).get("api-usage") if info else None
        if usage is not None:
            self.usage = (usage.used, usage.total)

    def _check_budget(self) -> None:
        """Stop before a call when the org's remaining allocation is under the reserve."""
        if self.usage is None or not self.usage[1]:
            return
        used, total = self.usage
        if (total - used) / total < self.config.budget_reserve:
            raise QuotaExhausted(
                f"Salesforce API allocation {used}/{total} used; less than "
                f"{self.config.budget_reserve:.0%} left for other integrations",
                hint="the next run resumes where this one stopped; "
                "lower crm.budget_reserve to spend more of the shared allocation",
            )

    def _call(self, what: str, fn: Callable[[Salesforce], T], *, attempts: int = 0) -> T:
        """One client call: budget check, retries, and one re-login on an expired session."""
        self._check_budget()
        retry = with_retries(attempts or self.config.attempts)

        def once() -> T:
            sf = self._client()
            return retry(lambda: guarded(lambda: fn(sf), what))()

        mode = self.config.auth or "session"
        try:
            return once()
        except SessionExpired as exc:
            if mode == "session":  # nothing to renew it with
                raise SessionExpired(exc.message, hint=AUTH_HINTS[mode]) from None
        assert self.session is not None
        self.sf = login(self.config, self.session)  # re-authenticate once, then give up
        try:
            return once()
        except SessionExpired as exc:
            raise SessionExpired(exc.message, hint=AUTH_HINTS[mode]) from None

    # --- contacts ----------------------------------------------------------------------

    def _contact_fields(self, sobject: str) -> list[str]:
        place = ["MailingCity", "MailingCountry"] if sobject == "Contact" else ["City", "Country"]
        fields = ["Id", "FirstName", "LastName", *place, *self.config.email_fields]
        fields += [*self.config.phone_fields, *self.config.handle_fields.values()]
        fields.append("SystemModstamp")
        return list(dict.fromkeys(fields))

    def _contact_objects(self) -> list[str]:
        objects: list[str] = [self.config.contact_object]
        if self.config.include_leads and "Lead" not in objects:
            objects.append("Lead")
        return objects

    def find_contacts(
        self,
        *,
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        handles: dict[str, set[str]] | None = None,
    ) -> list[Contact]:
        """Contacts matching any key, every chunked query of the batch in one call."""
        groups: list[tuple[list[str], set[str]]] = [
            (self.config.email_fields, set(emails)),
            (self.config.phone_fields, set(phones)),
        ]
        for platform, wanted in (handles or {}).items():
            field = self.config.handle_fields.get(platform)
            if field:  # stored with or without the @, compared case-blind by SOQL
                groups.append(([field], {h for v in wanted for h in (v, f"@{v}")}))
        queries: list[str] = []
        for sobject in self._contact_objects():
            head = soql.select(self._contact_fields(sobject), sobject)
            queries += soql.chunked_any(head, groups, self.config.max_query_chars)
        found: dict[str, Contact] = {}
        for record in self._run_queries(queries):
            contact = self._to_contact(record)
            found.setdefault(contact.id, contact)
        return [found[k] for k in sorted(found)]

    def _run_queries(self, queries: list[str]) -> Iterator[dict[str, Any]]:
        """Records of several queries: one GET for one query, Composite for more."""
        if len(queries) == 1:
            yield from self._query(queries[0])
            return
        for start in range(0, len(queries), QUERIES_PER_COMPOSITE):
            group = queries[start : start + QUERIES_PER_COMPOSITE]
            for body in self._composite_queries(group):
                yield from body.get("records", [])
                if not body.get("done", True):
                    yield from self._pages(body["nextRecordsUrl"])

    def _composite_queries(self, queries: list[str]) -> list[dict[str, Any]]:
        base = f"/services/data/v{self.config.api_version}/query?q="
        body = {
            "allOrNone": False,
            "compositeRequest": [
                {"method": "GET", "url": base + quote_plus(q), "referenceId": f"q{n}"}
                for n, q in enumerate(queries)
            ],
        }
        answer = self._call(
            "composite query", lambda sf: sf.restful("composite", method="POST", json=body)
        )
        bodies = []
        for sub in (answer or {}).get("compositeResponse", []):
            status = int(sub.get("httpStatusCode", 200))
            if status >= 300:
                code, message = first_error(sub.get("body"))
                raise classify_code(status, code, message, "composite query")
            bodies.append(sub.get("body") or {})
        return bodies

    def _query(self, query: str) -> Iterator[dict[str, Any]]:
        first = self._call("query", lambda sf: sf.query(query))
        yield from first.get("records", [])
        if not first.get("done", True):
            yield from self._pages(first["nextRecordsUrl"])

    def _pages(self, next_url: str) -> Iterator[dict[str, Any]]:
        url: str | None = next_url
        while url:
            page = self._call("query", _more(url))
            yield from page.get("records", [])
            url = None if page.get("done", True) else page.get("nextRecordsUrl")

    def _to_contact(self, r: dict[str, Any]) -> Contact:
        emails = [str(r[f]) for f in self.config.email_fields if r.get(f)]
        email = emails[0] if emails else None
        phone = next((r.get(f) for f in self.config.phone_fields if r.get(f)), None)
        handles = {
            platform: key
            for platform, field in self.config.handle_fields.items()
            if (key := handle_key(r.get(field)))
        }
        return Contact(
            id=r["Id"],
            first_name=r.get("FirstName"),
            last_name=r.get("LastName"),
            email=email_key(email) or email,
            phone=phone,
            city=r.get("MailingCity") or r.get("City"),
            country=r.get("MailingCountry") or r.get("Country"),
            handles=handles,
            other_emails=emails[1:],
        )

    def contacts_since(self, cursor: str | None) -> Iterator[tuple[Contact, str | None]]:
        """Contacts changed after a ``SystemModstamp``, oldest change first, streamed.

        Each cursor is one second before the row's stamp (SOQL compares whole seconds), so
        resuming inside a group of equal stamps re-reads that group and loses none of it.
        A first load above ``bulk_threshold`` rows goes through one Bulk API 2.0 job per
        object instead; its rows are unordered, so they carry no cursor until the last.
        """
        after = _stamp(cursor) if cursor else None
        objects = self._contact_objects()
        threshold = self.config.bulk_threshold
        if after is None and threshold and sum(self._count(o) for o in objects) > threshold:
            yield from self._bulk_load(objects)
            return
        streams = [self._changed(sobject, after) for sobject in objects]
        # Contacts and Leads interleaved by time, so one cursor resumes both.
        for contact, stamp in heapq.merge(*streams, key=lambda pair: pair[1]):
            yield contact, _before(stamp)

    def _changed(self, sobject: str, after: datetime | None) -> Iterator[tuple[Contact, datetime]]:
        head = soql.select(self._contact_fields(sobject), sobject)
        query = soql.since(head, "SystemModstamp", after, "SystemModstamp, Id")
        for record in self._query(query):
            yield self._to_contact(record), _stamp(str(record["SystemModstamp"]))

    def _count(self, sobject: str) -> int:
        query = soql.format_soql("SELECT COUNT() FROM {:literal}", sobject)
        return int(self._call("count", lambda sf: sf.query(query)).get("totalSize") or 0)

    def _bulk_load(self, objects: list[str]) -> Iterator[tuple[Contact, str | None]]:
        """Every contact through Bulk API 2.0; the cursor comes with the last row."""
        newest: dict[str, datetime] = {}
        held: Contact | None = None
        for sobject in objects:
            fields = self._contact_fields(sobject)
            query = soql.select(fields, sobject)
            for record in bulk_query(self._call, sobject, query, poll_s=self.config.bulk_poll_s):
                stamp = _stamp(str(record["SystemModstamp"]))
                newest[sobject] = max(newest.get(sobject, stamp), stamp)
                if held is not None:
                    yield held, None
                held = self._to_contact(record)
        if held is not None:
            # Each job saw its object as of its own start: resume from the earliest newest.
            yield held, _before(min(newest.values()))

    def write(self, batch: Sequence[ActivityWrite]) -> list[WriteResult]:
        """Upsert the batch (``CollectionWriter``), then move contact roll-ups forward."""
        results = super().write(batch)
        if rollup.fields_of(self).names:
            rollup.update(self, batch, results)
        return results

    def clear_rollups(self, contact_ids: Sequence[str]) -> int:
        """Blank the Contacts' roll-up fields (``forget``): ``rollup.clear``."""
        return rollup.clear(self, contact_ids)

    def case_fields(self, plan: Mapping[str, Any], creating: bool) -> dict[str, Any]:
        """Case.Subject, Priority (High/Medium/Low); on create Description, Origin, OwnerId.

        OwnerId (a user or a queue) only on create, so an update never takes a case from
        the agent working it.
        """
        owner = plan.get("owner") or plan.get("queue")
        fields = {"Subject": plan.get("subject"), "Priority": plan.get("priority") or "Medium"}
        if creating:
            fields["Description"] = plan.get("description")
            fields["Origin"] = ORIGINS.get(str(plan.get("platform")), plan.get("platform"))
            if owner:
                fields["OwnerId"] = owner
        return {k: v for k, v in fields.items() if v is not None}

    def poll_replies(self, app: AppConfig, store: StateStore) -> ReplyPoll:
        """Outbound SocialPosts agents created, through this adapter's login (``replies``)."""
        from crmbridge.crm.salesforce.replies import SocialPostReplies

        return SocialPostReplies(app, store, sf=self.connect()).poll()

    # --- re-pointing after a review decision ----------------------------------------

    def repoint(self, activities: Sequence[dict[str, Any]], contact_id: str | None) -> int:
        """Move Tasks, SocialPosts and Cases crmbridge wrote to another contact (or none).

        One sObject Collections update per 200 records sets ``WhoId`` (``ContactId`` on a
        Case); locked rows go again alone. Records that still fail raise a DataError
        naming the count, and rerunning the same review command moves the rest.
        """
        moves = [
            (a, {HISTORY_CONTACT_FIELD[a["crm_object"]]: contact_id})
            for a in activities
            if a.get("crm_id") and a.get("crm_object") in HISTORY_CONTACT_FIELD
        ]
        results = self.patch_by_id(moves, {"Sforce-Auto-Assign": "FALSE"})
        failed = [r for r in results if not r.ok]
        if failed:
            raise DataError(
                f"Salesforce moved {len(results) - len(failed)} of {len(moves)} records; "
                f"{failed[0].key}: {failed[0].error}",
                hint="the link is recorded; run the same review command again to move the rest",
            )
        return len(results)

    def attach_to_case(self, links: Sequence[tuple[str, dict[str, Any]]]) -> int:
        """Point Tasks (``WhatId``) and SocialPosts (``ParentId``) at their Case, 200 a call."""
        moves = [
            (a, {CASE_FIELD[a["crm_object"]]: case_id})
            for case_id, a in links
            if a.get("crm_id") and a.get("crm_object") in CASE_FIELD
        ]
        results = self.patch_by_id(moves)
        for r in results:
            if not r.ok:
                log.warning("activity %s not linked to its case: %s", r.key, r.error)
        return sum(r.ok for r in results)

    # --- read-back ---------------------------------------------------------------------

    def history(self, contact_id: str, limit: int = 200) -> list[dict[str, Any]]:
        """Records crmbridge wrote for a contact (they carry a key), newest first."""
        rows: list[dict[str, Any]] = []
        key = self.config.key_field
        for sobject in self.config.history_objects:
            fields = [*HISTORY_FIELDS.get(sobject, ["Id"]), key, "CreatedDate"]
            head = soql.select(list(dict.fromkeys(fields)), sobject)
            who = HISTORY_CONTACT_FIELD.get(sobject, "WhoId")
            tail = soql.format_soql(
                "AND {:literal} != null ORDER BY CreatedDate DESC LIMIT {}", key, limit
            )
            query = soql.equals(head, who, contact_id, tail)
            for record in itertools.islice(self._query(query), limit):
                record.pop("attributes", None)
                rows.append({"object": sobject, "key": record.get(key), **record})
        rows.sort(key=lambda r: str(r.get("CreatedDate") or ""), reverse=True)
        return rows[:limit]

    def summary(self) -> dict[str, Any]:
        """API usage as the org last reported it (no extra call)."""
        used, total = self.usage or (None, None)
        return {"api_usage": used, "api_allocation": total, "api_calls": self.api_calls}

    def check(self, mapper: Mapper | None = None) -> list[str]:
        """Problems in the org for a preset (the default one unless given), before writing."""
        return check_preset(self, mapper or load_preset(self.default_mapping))


def _stamp(value: str) -> datetime:
    """A ``SystemModstamp`` (``…+0000``, ``…Z`` or ISO) as an aware datetime."""
    text = value.replace("Z", "+00:00").replace("+0000", "+00:00")
    return datetime.fromisoformat(text)


def _before(stamp: datetime) -> str:
    return (stamp - timedelta(seconds=1)).isoformat()


def _more(url: str) -> Callable[[Salesforce], Any]:
    return lambda sf: sf.query_more(url, identifier_is_url=True)
