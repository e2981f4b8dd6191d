"""Writes of the Salesforce adapter: sObject Collections upserts, create mode, lock retries.

Records go out in collections of up to 200 (``allOrNone: false``), upserted by the key
field; each record's own ``success``/``errors`` becomes its ``WriteResult``. Rows locked by
another transaction are sent again alone with backoff. A collection refused whole with HTTP
300 (a key two records hold) costs one read of the holders of every key left in the write;
those keys then go as updates of their oldest holder by id, in collections of their own.
Without an External ID key field, records are created, their ids kept, and a query by key
before each create finds what a crashed run wrote.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from simple_salesforce import Salesforce

from crmbridge.crm.base import keep_progress
from crmbridge.crm.fanout import fan_out
from crmbridge.crm.salesforce import soql
from crmbridge.crm.salesforce.client import (
    KeysHeldTwice,
    SalesforceConfig,
    first_error,
    item_kind,
)
from crmbridge.crm.salesforce.personas import attach_personas
from crmbridge.errors import CrmbridgeError, DataError, TransientError
from crmbridge.http import with_retries
from crmbridge.models import ActivityWrite, CaseWrite, WriteResult

T = TypeVar("T")
log = logging.getLogger(__name__)
AUTO_ASSIGN_OBJECTS = frozenset({"Case", "Lead", "Account"})
Sender = Callable[[list[ActivityWrite]], list[dict[str, Any]]]
Indexed = tuple[int, ActivityWrite]  # a record and its place in the write's batch


class CollectionWriter:
    """The write half of ``SalesforceCrm`` (a mixin: it needs ``config`` and ``_call``)."""

    config: SalesforceConfig
    personas_done: set[str]
    held_twice: set[str]  # objects whose keys this run found held by two records
    _create_only: dict[str, frozenset[str]]
    _lock: threading.RLock

    def _call(self, what: str, fn: Callable[[Salesforce], T], *, attempts: int = 0) -> T:
        raise NotImplementedError

    def _run_queries(self, queries: list[str]) -> Any:
        raise NotImplementedError

    def write(self, batch: Sequence[ActivityWrite]) -> list[WriteResult]:
        """Upsert by key in collections of <= 200; one result per input, in order."""
        batch = attach_personas(self, batch)
        results: dict[int, WriteResult] = {}
        groups: dict[tuple[str, str | None], list[Indexed]] = {}
        for n, w in enumerate(batch):
            group = (w.object, self._assign_header(w.object, w.crm_id))
            groups.setdefault(group, []).append((n, w))
        try:
            for (sobject, assign), items in groups.items():
                self._write_group(sobject, items, self._headers(assign), results)
        except CrmbridgeError as exc:  # a stop: what was written before it is kept
            raise keep_progress(exc, results.values()) from exc.__cause__
        return [results[n] for n in range(len(batch))]

    def upsert_quietly(self, sobject: str, writes: list[ActivityWrite]) -> list[WriteResult]:
        """Upsert by key; every refusal stays a per-record result (personas use it)."""
        results: dict[int, WriteResult] = {}
        try:
            self._write_group(sobject, list(enumerate(writes)), {}, results)
        except DataError as exc:
            results.update((n, _failed(w, "data", str(exc))) for n, w in enumerate(writes))
        return [results[n] for n in range(len(writes))]

    def write_cases(self, cases: Sequence[CaseWrite]) -> list[WriteResult]:
        """Create or update Cases by key, never re-owning an existing one."""
        writes = [
            ActivityWrite(
                key=c.key,
                object="Case",
                contact_id=c.contact_id,
                fields={**c.fields, **({"ContactId": c.contact_id} if c.contact_id else {})},
                crm_id=c.crm_id,
            )
            for c in cases
        ]
        return self.write(writes)

    def _assign_header(self, sobject: str, crm_id: str | None) -> str | None:
        if sobject not in AUTO_ASSIGN_OBJECTS:
            return None
        rule = self.config.assignment_rule_id
        return rule if rule and sobject == "Case" and crm_id is None else "FALSE"

    def _headers(self, assign: str | None) -> dict[str, str]:
        headers = {"Sforce-Auto-Assign": assign} if assign else {}
        if self.config.allow_duplicates:
            headers["Sforce-Duplicate-Rule-Header"] = "allowSave=true"
        return headers

    def _record(self, sobject: str, w: ActivityWrite, exists: bool = False) -> dict[str, Any]:
        """The collection record; a record known to exist carries no create-only field."""
        fields = dict(w.fields)
        if w.crm_id or exists:  # create-only fields would fail the update
            for name in self.create_only(sobject):
                fields.pop(name, None)
        fields[self.config.key_field] = w.key
        return {"attributes": {"type": sobject}, **fields}

    def _write_group(
        self,
        sobject: str,
        items: list[Indexed],
        headers: dict[str, str],
        results: dict[int, WriteResult],
    ) -> None:
        """One object's records in collections; ``results`` fills as each call is answered.

        A collection answered 300 (a key held by two records) makes one read of every key
        still to send in this write; the keys held twice then go as updates of their oldest
        holder by id, packed in collections of their own, and the rest as upserts: one read
        per write, never a read and a split per collection. Once an object has met keys
        held twice, each later write of it reads its keys first (no 300 to pay for) until a
        read finds none.
        """
        size = self.config.batch_size
        queue = list(items)
        if self.config.key_is_external_id and sobject in self.held_twice:
            queue = self._update_held_twice(sobject, queue, headers, results)
        while queue:
            # A round of collections in flight at once (crm.concurrency); a stop keeps
            # what any of them acknowledged (crmbridge.crm.fanout).
            width = max(1, self.config.concurrency)
            parts = [queue[i : i + size] for i in range(0, min(len(queue), width * size), size)]
            queue = queue[sum(len(p) for p in parts) :]
            held: dict[int, _HeldTwice] = {}

            def send(part: list[Indexed], held: dict[int, _HeldTwice] = held) -> list[WriteResult]:
                writes = [w for _, w in part]
                try:
                    if not self.config.key_is_external_id:
                        return self._create_or_update(sobject, writes, headers)
                    return self._upsert_settled(sobject, writes, headers)
                except _HeldTwice as clash:
                    held[id(part)] = clash
                    return list(clash.settled)

            # A stop raised here carries this round's acknowledged results; write() adds
            # the earlier rounds' (``results``) to it.
            answers = fan_out(parts, send, width)
            unsent: list[Indexed] = []
            for part, answered in zip(parts, answers, strict=True):
                error = held.get(id(part))
                if error is None:
                    results.update(zip((n for n, _ in part), answered, strict=True))
                    continue
                settled = {r.key: r for r in error.settled}
                results.update((n, settled[w.key]) for n, w in part if w.key in settled)
                unsent += [(n, w) for n, w in part if w.key not in settled]
            if unsent:
                first = next(e for e in held.values())
                self.held_twice.add(sobject)
                queue = self._update_held_twice(sobject, unsent + queue, headers, results)
                refused = {n for n, _ in unsent}
                if refused <= {n for n, _ in queue}:  # none held twice after all: no loop
                    results.update((n, _failed(w, "data", str(first.error))) for n, w in unsent)
                    queue = [(n, w) for n, w in queue if n not in refused]

    def _update_held_twice(
        self,
        sobject: str,
        items: list[Indexed],
        headers: dict[str, str],
        results: dict[int, WriteResult],
    ) -> list[Indexed]:
        """Read the holders of these keys; update the oldest of each key held twice by id.

        Returns the records left to upsert by key.
        """
        oldest = self._oldest_holders(sobject, [w.key for _, w in items])
        if not oldest:
            self.held_twice.discard(sobject)
            return items
        log.warning(
            "Salesforce %s: %d key(s) held by two records; updating the oldest",
            sobject,
            len(oldest),
        )
        moves = [
            (n, w.model_copy(update={"crm_id": oldest[w.key]})) for n, w in items if w.key in oldest
        ]
        send = self._sender(
            "composite/sobjects",
            "PATCH",
            headers,
            lambda w: {**self._record(sobject, w), "id": w.crm_id},
        )
        size = self.config.batch_size
        for start in range(0, len(moves), size):
            chunk = moves[start : start + size]
            answers = self._send_with_lock_retries([w for _, w in chunk], send, created=False)
            results.update(zip((n for n, _ in chunk), answers, strict=True))
        return [(n, w) for n, w in items if w.key not in oldest]

    def _oldest_holders(self, sobject: str, keys: list[str]) -> dict[str, str]:
        """The oldest record's id of each key that two or more records hold (one read)."""
        field = self.config.key_field
        head = soql.select(["Id", field, "CreatedDate"], sobject)
        queries = soql.chunked_in(head, [field], keys, self.config.max_query_chars)
        holders: dict[str, list[tuple[str, str]]] = {}
        for r in self._run_queries(queries):
            holders.setdefault(r[field], []).append((str(r.get("CreatedDate") or ""), r["Id"]))
        return {k: min(v)[1] for k, v in holders.items() if len(v) > 1}

    def _upsert_settled(
        self, sobject: str, writes: list[ActivityWrite], headers: dict[str, str]
    ) -> list[WriteResult]:
        """Upsert a collection by key until every record has a settled answer.

        A call whose answer was lost may have been committed: before it goes again, the
        keys are read back, and the records found go as updates (no create-only field). A
        record refused for a create-only field exists already (a kill after a commit):
        it goes again without them. Locked rows go again. Records still unsettled after
        the attempts fail as transient, for the next run. A call answered 300 (a key two
        records hold) raises ``_HeldTwice`` with what was settled before it.
        """
        settle = _Settling(writes)
        path = f"composite/sobjects/{sobject}/{self.config.key_field}"

        def attempt() -> None:
            pending = settle.pending()
            if not pending:
                return
            body = [self._record(sobject, w, w.key in settle.exists) for w in pending]
            try:
                answers = self._send_records(path, "PATCH", headers, body, attempts=1)
            except KeysHeldTwice as exc:  # nothing of this call was written
                raise _HeldTwice(exc, [r for r in settle.results.values()]) from None
            except TransientError:  # the answer is unknown: read back before sending again
                settle.exists.update(self.recover([w.key for w in pending], sobject))
                raise
            settle.answer(pending, answers)
            if settle.pending():
                raise TransientError(f"{len(settle.pending())} record(s) to send again")

        try:
            with_retries(self.config.attempts)(attempt)()
        except TransientError as exc:
            if not settle.results and not settle.last:
                raise  # no answer at all: the whole call keeps failing
            log.info("Salesforce %s: %s", sobject, exc)
        except _HeldTwice:
            raise
        except CrmbridgeError as exc:  # a stop (quota, auth) with some records settled
            raise keep_progress(exc, [r for r in settle.results.values() if r.ok]) from None
        return settle.finish()

    def _send_records(
        self,
        path: str,
        method: str,
        headers: dict[str, str],
        records: list[dict[str, Any]],
        attempts: int = 0,
    ) -> list[dict[str, Any]]:
        body = {"allOrNone": False, "records": records}
        answer = self._call(
            f"{method} {path}",
            lambda sf: sf.restful(path, method=method, json=body, headers=headers),
            attempts=attempts,
        )
        if not isinstance(answer, list) or len(answer) != len(records):
            raise TransientError(f"Salesforce {path}: unexpected answer shape")
        return answer

    def create_only(self, sobject: str) -> frozenset[str]:
        """Fields the org lets us set on create but not on update (its describe, once)."""
        with self._lock:  # one describe, however many collections are in flight
            return self._create_only_locked(sobject)

    def _create_only_locked(self, sobject: str) -> frozenset[str]:
        known = self._create_only.get(sobject)
        if known is None:
            try:
                described = self._call(
                    "describe", lambda sf: getattr(sf, sobject).describe(), attempts=1
                )
                fields = described.get("fields", [])
                known = frozenset(
                    f["name"] for f in fields if f.get("createable") and not f.get("updateable")
                )
            except CrmbridgeError as exc:
                if exc.kind in ("quota_exhausted", "auth"):
                    raise
                known = frozenset(self.config.create_only_fields)
            self._create_only[sobject] = known
        return known

    def _sender(
        self,
        path: str,
        method: str,
        headers: dict[str, str],
        build: Callable[[ActivityWrite], dict[str, Any]],
    ) -> Callable[[list[ActivityWrite]], list[dict[str, Any]]]:
        def send(writes: list[ActivityWrite]) -> list[dict[str, Any]]:
            body = {"allOrNone": False, "records": [build(w) for w in writes]}
            answer = self._call(
                f"{method} {path}",
                lambda sf: sf.restful(path, method=method, json=body, headers=headers),
                # A PATCH (upsert by key, update by id) lands once however often it is
                # sent, so it goes through the retry policy; a POST create is sent once,
                # and a lost answer is settled by the recovery query before the next one.
                attempts=1 if method == "POST" else 0,
            )
            if not isinstance(answer, list) or len(answer) != len(writes):
                raise TransientError(f"Salesforce {path}: unexpected answer shape")
            return answer

        return send

    def patch_by_id(
        self,
        moves: Sequence[tuple[dict[str, Any], dict[str, Any]]],
        headers: dict[str, str] | None = None,
    ) -> list[WriteResult]:
        """Set fields on records by id (``crm_object``, ``crm_id``, ``key``), 200 a call.

        sObject Collections updates with locked rows sent again alone; one result per move.
        """
        writes = [
            ActivityWrite(
                key=a["key"], object=a["crm_object"], contact_id=None, fields=f, crm_id=a["crm_id"]
            )
            for a, f in moves
        ]
        send = self._sender(
            "composite/sobjects",
            "PATCH",
            headers or {},
            lambda w: {"attributes": {"type": w.object}, "id": w.crm_id, **w.fields},
        )
        size = self.config.batch_size
        results: list[WriteResult] = []
        for start in range(0, len(writes), size):
            results += self._send_with_lock_retries(writes[start : start + size], send)
        return results

    def _send_with_lock_retries(
        self,
        writes: list[ActivityWrite],
        send: Callable[[list[ActivityWrite]], list[dict[str, Any]]],
        created: bool | None = None,
    ) -> list[WriteResult]:
        """Send a collection; records that hit UNABLE_TO_LOCK_ROW go again, alone."""
        results: dict[str, WriteResult] = {}
        pending = list(writes)

        def attempt() -> None:
            nonlocal pending
            try:
                answers = send(pending)
            except TransientError as exc:  # the whole call failed: the pipeline retries it
                raise _CallFailed(exc) from None
            locked = []
            for w, item in zip(pending, answers, strict=True):
                result = _result(w, item, created)
                if result.error_kind == "transient":
                    locked.append(w)
                results[w.key] = result
            pending = locked
            if pending:
                raise TransientError(f"UNABLE_TO_LOCK_ROW on {len(pending)} record(s)")

        try:
            with_retries(self.config.attempts)(attempt)()
        except _CallFailed as failed:
            if not results:
                raise failed.error from None
        except TransientError:
            pass  # still locked after the retries: those records fail as transient
        return [results[w.key] for w in writes]

    # --- create mode: no external-id key field -----------------------------------------

    def _create_or_update(
        self, sobject: str, writes: list[ActivityWrite], headers: dict[str, str]
    ) -> list[WriteResult]:
        known = {w.key: w.crm_id for w in writes if w.crm_id}
        missing = [w.key for w in writes if not w.crm_id]
        known.update(self.recover(missing, sobject) if missing else {})
        updates = [w.model_copy(update={"crm_id": known[w.key]}) for w in writes if w.key in known]
        creates = [w for w in writes if w.key not in known]
        results: dict[str, WriteResult] = {}
        if updates:
            send = self._sender(
                "composite/sobjects",
                "PATCH",
                headers,
                lambda w: {**self._record(sobject, w), "id": w.crm_id},
            )
            for r in self._send_with_lock_retries(updates, send, created=False):
                results[r.key] = r
        if creates:
            send = self._sender(
                "composite/sobjects", "POST", headers, lambda w: self._record(sobject, w)
            )
            for r in self._send_with_lock_retries(creates, send, created=True):
                results[r.key] = r
        return [results[w.key] for w in writes]

    def recover(self, keys: Sequence[str], sobject: str = "Task") -> dict[str, str]:
        """Ids of records already written under these keys (after a crash), by key."""
        field = self.config.key_field
        head = soql.select(["Id", field], sobject)
        queries = soql.chunked_in(head, [field], keys, self.config.max_query_chars)
        return {r[field]: r["Id"] for r in self._run_queries(queries) if r.get(field)}

    # --- erasure (``crmbridge forget``) ------------------------------------------------

    def delete_activities(self, rows: Sequence[dict[str, Any]], mode: str) -> int:
        """Delete by id (``DELETE composite/sobjects?ids=``) or blank the text (``PATCH``).

        Up to 200 ids a call with ``allOrNone=false``; a record already deleted counts as
        done. Any other refusal raises DataError naming the ids, so ``forget`` leaves the
        state store as it is and can be run again. SocialPersona rows come by persona key
        (no id): their ids are found by key first, and they go after the posts.
        """
        personas = [r for r in rows if r.get("crm_object") == PERSONA and not r.get("crm_id")]
        found = self.recover([r["key"] for r in personas], PERSONA) if personas else {}
        known = [r for r in rows if r.get("crm_id")]
        known += [{**r, "crm_id": found[r["key"]]} for r in personas if r["key"] in found]
        done, refused = 0, []
        for start in range(0, len(known), 200):
            part = known[start : start + 200]
            answers = self._erase_part(part, mode)
            for row, item in zip(part, answers, strict=True):
                code, message = first_error(item.get("errors"))
                if item.get("success") or code in GONE_CODES:
                    done += 1
                else:
                    refused.append(f"{row['crm_id']} ({code}: {message})")
        if refused:
            raise DataError(
                f"Salesforce refused to erase {len(refused)} record(s): {'; '.join(refused[:5])}",
                hint="fix the cause (permissions, validation rules) and run forget again",
            )
        return done

    def _erase_part(self, part: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        ids = [str(r["crm_id"]) for r in part]
        if mode == "delete":
            params = {"ids": ",".join(ids), "allOrNone": "false"}
            answer = self._call(
                "DELETE composite/sobjects",
                lambda sf: sf.restful("composite/sobjects", params=params, method="DELETE"),
            )
        else:
            records = [
                {
                    "attributes": {"type": r["crm_object"]},
                    "id": str(r["crm_id"]),
                    **ANONYMISED.get(r["crm_object"], ANONYMISED["Task"]),
                }
                for r in part
            ]
            body = {"allOrNone": False, "records": records}
            answer = self._call(
                "PATCH composite/sobjects",
                lambda sf: sf.restful("composite/sobjects", method="PATCH", json=body),
            )
        if not isinstance(answer, list) or len(answer) != len(part):
            raise TransientError("Salesforce composite/sobjects: unexpected answer shape")
        return answer


# What ``forget --mode anonymise`` writes over an activity's person-identifying fields.
ANONYMISED: dict[str, dict[str, Any]] = {
    "Task": {"Subject": "[erased]", "Description": "[erased]"},
    "SocialPost": {"Name": "[erased]", "Content": "[erased]", "Handle": None, "PostUrl": None},
    "SocialPersona": {"Name": "[erased]", "RealName": None, "ProfileUrl": None},
}
PERSONA = "SocialPersona"
# A record refused for a field the user may not set: on an upsert, a create-only field
# sent to a record that exists (a write committed before its answer was lost).
CREATE_ONLY_REFUSED = "INVALID_FIELD_FOR_INSERT_UPDATE"
# Per-record codes that mean the record is gone already: the erasure is done.
GONE_CODES = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND"})


class _Settling:
    """Where each record of an upsert stands: settled, or to send again."""

    def __init__(self, writes: list[ActivityWrite]) -> None:
        self.writes = writes
        self.results: dict[str, WriteResult] = {}  # settled answers
        self.last: dict[str, WriteResult] = {}  # the latest answer of one still pending
        self.exists: dict[str, str] = {w.key: w.crm_id for w in writes if w.crm_id}

    def pending(self) -> list[ActivityWrite]:
        """Records without a settled answer yet."""
        return [w for w in self.writes if w.key not in self.results]

    def add(self, results: list[WriteResult]) -> None:
        """Settled answers from elsewhere (the updates of keys held twice)."""
        self.results.update((r.key, r) for r in results)

    def answer(self, sent: list[ActivityWrite], answers: list[dict[str, Any]]) -> None:
        """Read one collection answer: settle, or keep for another attempt."""
        for w, item in zip(sent, answers, strict=True):
            result = _result(w, item, None)
            code, _ = first_error(item.get("errors"))
            if code == CREATE_ONLY_REFUSED and w.key not in self.exists:
                self.exists[w.key] = ""  # it exists: the next attempt is an update
                self.last[w.key] = result
            elif result.error_kind == "transient":
                self.last[w.key] = result
            else:
                self.results[w.key] = result

    def finish(self) -> list[WriteResult]:
        """One result per record, in order; unsettled ones fail as transient."""
        return [
            self.results.get(w.key)
            or self.last.get(w.key)
            or _failed(w, "transient", "no answer from Salesforce after the retries")
            for w in self.writes
        ]


class _HeldTwice(Exception):
    """A collection answered 300: nothing in that call was written (``settled`` came before)."""

    def __init__(self, error: KeysHeldTwice, settled: list[WriteResult]) -> None:
        super().__init__(str(error))
        self.error = error
        self.settled = settled


class _CallFailed(Exception):
    """A whole collection call failed while retrying locked rows (not retried here)."""

    def __init__(self, error: TransientError) -> None:
        super().__init__(str(error))
        self.error = error


def _result(w: ActivityWrite, item: dict[str, Any], created: bool | None) -> WriteResult:
    """One record's answer in a collection response."""
    if item.get("success"):
        was_created = item.get("created", False) if created is None else created
        crm_id = item.get("id") or w.crm_id
        if was_created:
            return WriteResult(key=w.key, status="created", crm_id=crm_id)
        return WriteResult(key=w.key, status="updated", crm_id=crm_id)
    code, message = first_error(item.get("errors"))
    return _failed(w, item_kind(code), f"{code}: {message}".strip(": "))


def _failed(w: ActivityWrite, kind: str, error: str) -> WriteResult:
    return WriteResult(key=w.key, status="failed", crm_id=w.crm_id, error_kind=kind, error=error)
