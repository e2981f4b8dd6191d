"""Writes of the Salesforce adapter: sObject Collections upserts, create mode, lock retries.

Records go out in collections of up to 200 (``allOrNone: false``), upserted by the key
field; each record's own ``success``/``errors`` becomes its ``WriteResult``. Rows locked by
another transaction are sent again alone with backoff; a whole-call data conflict (HTTP
300) is narrowed down by halving. Without an External ID key field, records are created,
their ids kept, and a query by key before each create finds what a crashed run wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from simple_salesforce import Salesforce

from crmbridge.crm.salesforce import soql
from crmbridge.crm.salesforce.client import SalesforceConfig, classify_code, first_error, item_kind
from crmbridge.crm.salesforce.personas import attach_personas
from crmbridge.errors import DataError, TransientError
from crmbridge.http import with_retries
from crmbridge.models import ActivityWrite, CaseWrite, WriteResult

T = TypeVar("T")
AUTO_ASSIGN_OBJECTS = frozenset({"Case", "Lead", "Account"})
Sender = Callable[[list[ActivityWrite]], list[dict[str, Any]]]


class CollectionWriter:
    """The write half of ``SalesforceCrm`` (a mixin: it needs ``config`` and ``_call``)."""

    config: SalesforceConfig
    personas_done: set[str]

    def _call(self, what: str, fn: Callable[[Salesforce], T], *, attempts: int = 0) -> T:
        raise NotImplementedError

    def _run_queries(self, queries: list[str]) -> Any:
        raise NotImplementedError

    def write(self, batch: Sequence[ActivityWrite]) -> list[WriteResult]:
        """Upsert by key in collections of <= 200; one result per input, in order."""
        batch = attach_personas(self, batch)
        results: dict[int, WriteResult] = {}
        groups: dict[tuple[str, str | None], list[int]] = {}
        for n, w in enumerate(batch):
            groups.setdefault((w.object, self._assign_header(w.object, w.crm_id)), []).append(n)
        for (sobject, assign), indexes in groups.items():
            for start in range(0, len(indexes), self.config.batch_size):
                part = indexes[start : start + self.config.batch_size]
                writes = [batch[n] for n in part]
                answers = self._write_part(sobject, writes, self._headers(assign))
                results.update(zip(part, answers, strict=True))
        return [results[n] for n in range(len(batch))]

    def upsert_quietly(self, sobject: str, writes: list[ActivityWrite]) -> list[WriteResult]:
        """Upsert by key; every refusal (even a config one) stays a per-record result."""
        path = f"composite/sobjects/{sobject}/{self.config.key_field}"
        send = self._sender(path, "PATCH", {}, lambda w: self._record(sobject, w))
        try:
            return self._send_with_lock_retries(writes, send, strict=False)
        except DataError as exc:
            return [_failed(w, "data", str(exc)) for w in writes]

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

    def _record(self, sobject: str, w: ActivityWrite) -> dict[str, Any]:
        fields = dict(w.fields)
        if w.crm_id:  # the record exists: create-only fields would fail the update
            for name in self.config.create_only_fields:
                fields.pop(name, None)
        fields[self.config.key_field] = w.key
        return {"attributes": {"type": sobject}, **fields}

    def _write_part(
        self, sobject: str, writes: list[ActivityWrite], headers: dict[str, str]
    ) -> list[WriteResult]:
        if self.config.key_is_external_id:
            path = f"composite/sobjects/{sobject}/{self.config.key_field}"
            send = self._sender(path, "PATCH", headers, lambda w: self._record(sobject, w))
            return self._upsert_splitting(writes, send)
        return self._create_or_update(sobject, writes, headers)

    def _upsert_splitting(
        self, writes: list[ActivityWrite], send: Callable[[list[ActivityWrite]], Any]
    ) -> list[WriteResult]:
        """Upsert; a whole-call data conflict (HTTP 300) is narrowed down by halving."""
        try:
            return self._send_with_lock_retries(writes, send)
        except DataError as exc:
            if len(writes) == 1:
                w = writes[0]
                return [_failed(w, "data", str(exc))]
            half = len(writes) // 2
            return self._upsert_splitting(writes[:half], send) + self._upsert_splitting(
                writes[half:], send
            )

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
            results += self._send_with_lock_retries(writes[start : start + size], send, False)
        return results

    def _send_with_lock_retries(
        self,
        writes: list[ActivityWrite],
        send: Callable[[list[ActivityWrite]], list[dict[str, Any]]],
        created: bool | None = None,
        strict: bool = True,
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
            if strict:
                self._raise_if_all_config(answers)
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

    @staticmethod
    def _raise_if_all_config(answers: list[dict[str, Any]]) -> None:
        codes = [first_error(a.get("errors")) for a in answers if not a.get("success")]
        if codes and len(codes) == len(answers) and all(item_kind(c) == "config" for c, _ in codes):
            code, message = codes[0]
            raise classify_code(400, code, message, "write")

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
# Per-record codes that mean the record is gone already: the erasure is done.
GONE_CODES = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND"})


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
