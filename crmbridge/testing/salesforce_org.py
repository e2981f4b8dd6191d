"""A strict fake Salesforce org behind ``responses``: contacts to query, activities by key.

It answers the documented shapes the adapter uses — ``GET query`` (paged, 2,000 rows a
page by default), ``POST composite`` with at most 5 query subrequests, sObject Collections
(``PATCH composite/sobjects/{SObject}/{KeyField}`` upserts, ``PATCH``/``POST``/``DELETE
composite/sobjects``) of at most 200 records, ``GET sobjects/{SObject}/describe`` — and it
is strict where Salesforce is:

- a collection of more than 200 records is refused whole (``EXCEEDED_ID_LIMIT``);
- an update (an upsert that matches, or an update by id) that carries a create-only field
  (``Task.TaskSubtype``, ``SocialPost.Provider``, ``SocialPersona.Provider``) is refused
  for that record (``INVALID_FIELD_FOR_INSERT_UPDATE``);
- an upsert whose key matches two records is refused whole with HTTP 300 (a key field that
  is External ID but not Unique; seed such rows with :meth:`FakeOrg.add_duplicate`);
- every call counts against the daily allocation reported in ``Sforce-Limit-Info``; past
  it, every call is refused with 403 ``REQUEST_LIMIT_EXCEEDED`` (TotalRequests).

Lost answers, 5xx and locked rows come from :mod:`crmbridge.testing.faults` around it.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlparse

import responses

from crmbridge.crm.salesforce.soql import split_literals

INSTANCE = "https://acme.my.salesforce.com"
BASE = f"{INSTANCE}/services/data/v62.0/"
PAGE = 2000  # rows per REST query page, as Salesforce answers
COLLECTION_LIMIT = 200
COMPOSITE_QUERY_LIMIT = 5
KEY = "Crmbridge_Key__c"
# Fields the integration user may set on create but never on update.
CREATE_ONLY = {"Task": {"TaskSubtype"}, "SocialPost": {"Provider"}, "SocialPersona": {"Provider"}}
PREFIXES = {"Task": "00T", "SocialPost": "0ST", "SocialPersona": "0SP", "Case": "500"}
Answer = tuple[int, dict[str, str], str]


def literals(query: str) -> list[str]:
    """The decoded string literals of a SOQL query."""
    return split_literals(query)[1]


class FakeOrg:
    """Contacts by email and X handle; Tasks, SocialPosts, personas and Cases by key."""

    def __init__(
        self,
        contacts: list[dict[str, str]],
        allocation: int = 1_000_000,
        page: int = PAGE,
        *,
        latency_s: float = 0.0,
    ) -> None:
        self.contacts = contacts
        # Every call is answered this long after it arrives, its processing included
        # (benchmarks of concurrent writes); calls are processed one at a time, as one
        # org's records change atomically per call.
        self.latency_s = latency_s
        self._lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0  # calls being answered at once
        self._gauge = threading.Lock()
        self.by_email = {c["email"].lower(): c for c in contacts if c.get("email")}
        self.by_handle = {c["x_handle"].lower(): c for c in contacts if c.get("x_handle")}
        self.order = {c["id"]: n for n, c in enumerate(contacts)}
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.records: dict[str, dict[str, dict[str, Any]]] = {}
        self.calls: Counter[str] = Counter()
        self.allocation = allocation
        self.used = 0
        self.page = page
        self.refused: Counter[str] = Counter()
        self._ids = itertools.count(1)
        self._keys: dict[str, tuple[int, dict[str, list[str]]]] = {}

    # --- data --------------------------------------------------------------------------

    def of(self, sobject: str) -> dict[str, dict[str, Any]]:
        """Records of one object by id."""
        return self.records.setdefault(sobject, {})

    def by_key(self, sobject: str = "Task") -> dict[str, dict[str, Any]]:
        """Records of one object by key (the first one where two hold a key)."""
        found: dict[str, dict[str, Any]] = {}
        for record in self.of(sobject).values():
            if record.get(KEY):
                found.setdefault(record[KEY], record)
        return found

    @property
    def tasks(self) -> dict[str, dict[str, Any]]:
        """Tasks by key."""
        return self.by_key("Task")

    def holders(self, sobject: str, key: str) -> list[str]:
        """Ids of the records holding a key, oldest first."""
        store = self.of(sobject)
        cached = self._keys.get(sobject)
        if cached is None or cached[0] != len(store):
            index: dict[str, list[str]] = {}
            for rid, record in store.items():
                if record.get(KEY):
                    index.setdefault(record[KEY], []).append(rid)
            cached = self._keys[sobject] = (len(store), index)
        return list(cached[1].get(key, []))

    def add_duplicate(self, sobject: str, key: str, **fields: Any) -> list[str]:
        """Two records holding one key (possible where the key is not Unique)."""
        for _ in range(2):
            self._new(sobject, {KEY: key, **fields})
        return self.holders(sobject, key)

    def _new(self, sobject: str, fields: dict[str, Any]) -> dict[str, Any]:
        rid = f"{PREFIXES.get(sobject, '0XX')}{next(self._ids):015d}"
        record = {"Id": rid, **fields}
        self.holders(sobject, "")  # the index is current before this record joins it
        self.of(sobject)[rid] = record
        cached = self._keys[sobject]
        if record.get(KEY):
            cached[1].setdefault(record[KEY], []).append(rid)
        self._keys[sobject] = (cached[0] + 1, cached[1])
        return record

    # --- routes ------------------------------------------------------------------------

    def install(self, mock: responses.RequestsMock) -> None:
        """Register the org's routes on a ``responses`` mock."""
        collections = re.escape(BASE + "composite/sobjects")
        routes = [
            ("GET", re.compile(re.escape(BASE + "query/") + ".*"), self._query),
            ("POST", re.compile(re.escape(BASE + "composite") + r"/?$"), self._composite),
            ("PATCH", re.compile(collections + r"/\w+/\w+/?$"), self._upsert),
            ("PATCH", re.compile(collections + r"/?$"), self._update),
            ("POST", re.compile(collections + r"/?$"), self._create),
            ("DELETE", re.compile(collections + r"/?(\?.*)?$"), self._delete),
            ("GET", re.compile(re.escape(BASE + "sobjects/") + r"\w+/describe/?$"), self._describe),
        ]
        for method, url, handler in routes:
            mock.add_callback(method, url, self._counted(handler))

    def _counted(self, handler: Any) -> Any:
        def answer(request: Any) -> Answer:
            with self._gauge:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                return locked(request)
            finally:
                with self._gauge:
                    self.in_flight -= 1

        def locked(request: Any) -> Answer:
            arrived = time.monotonic()
            try:
                return handle(request)
            finally:  # answered ``latency_s`` after it arrived, its processing included
                left = self.latency_s - (time.monotonic() - arrived)
                if left > 0:
                    time.sleep(left)

        def handle(request: Any) -> Answer:
            with self._lock:
                self.used += 1
                if self.used > self.allocation:
                    error = {
                        "errorCode": "REQUEST_LIMIT_EXCEEDED",
                        "message": "TotalRequests Limit exceeded.",
                    }
                    return 403, self._headers(), json.dumps([error])
                return handler(request)

        return answer

    def _headers(self) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Sforce-Limit-Info": f"api-usage={min(self.used, self.allocation)}/{self.allocation}",
        }

    def _ok(self, data: Any, status: int = 200) -> Answer:
        return status, self._headers(), json.dumps(data)

    # --- queries -----------------------------------------------------------------------

    def _records(self, query: str) -> dict[str, Any]:
        head, _, tail = query.partition(" FROM ")
        sobject = tail.split(" ", 1)[0]
        if query.startswith("SELECT COUNT() FROM"):
            return {"totalSize": len(self.contacts), "done": True, "records": []}
        if sobject not in ("Contact", "Lead"):
            return self._page(self._by_fields(sobject, head, tail), 0)
        if sobject == "Lead":
            return self._page([], 0)
        if "SystemModstamp" in tail:
            return self._changed(query)
        if re.search(r"\bId IN ", tail):
            wanted = set(literals(query))
            rows = [self._record(c) for c in self.contacts if c["id"] in wanted]
            return self._page(rows, 0)
        found: dict[str, dict[str, str]] = {}
        for value in literals(query):
            key = value.lower()
            contact = self.by_email.get(key) or self.by_handle.get(key.lstrip("@"))
            if contact:
                found[contact["id"]] = contact
        return self._page([self._record(c) for c in found.values()], 0)

    def _by_fields(self, sobject: str, head: str, tail: str) -> list[dict[str, Any]]:
        """``SELECT fields FROM X WHERE F IN ('a', …)`` (or ``F = 'a'``) over stored records."""
        names = [n.strip() for n in head.removeprefix("SELECT ").split(",")]
        where = re.search(r"WHERE \(?(\w+) (?:IN|=)", tail)
        wanted = set(literals(tail))
        if where is not None and where.group(1) == KEY:  # by the key index
            store = self.of(sobject)
            ids = [i for k in sorted(wanted) for i in self.holders(sobject, k)]
            return [
                {"attributes": {"type": sobject}, **{n: store[i].get(n) for n in names}}
                for i in ids
            ]
        rows = [
            {"attributes": {"type": sobject}, **{n: r.get(n) for n in names}}
            for r in self.of(sobject).values()
            if where is None or r.get(where.group(1)) in wanted
        ]
        return rows

    def _stamp(self, contact: dict[str, str]) -> str:
        """Contacts changed one second apart, in list order."""
        n = self.order[contact["id"]]
        return f"2024-01-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000+0000"

    def _record(self, c: dict[str, str]) -> dict[str, Any]:
        return {
            "attributes": {"type": "Contact"},
            "Id": c["id"],
            "FirstName": c["first_name"],
            "LastName": c["last_name"],
            "MailingCity": c.get("city"),
            "MailingCountry": c.get("country"),
            "Email": c.get("email"),
            "Phone": c.get("phone"),
            "MobilePhone": None,
            "Twitter_Handle__c": c.get("x_handle"),
            "SystemModstamp": self._stamp(c),
        }

    def _changed(self, query: str) -> dict[str, Any]:
        """``... WHERE SystemModstamp > T ORDER BY SystemModstamp, Id``, paged."""
        after = re.search(r"SystemModstamp > (\S+)", query)
        bound = after.group(1).replace("+00:00", "").replace("Z", "") if after else ""
        rows = [
            self._record(c) for c in self.contacts if not bound or self._stamp(c)[:19] > bound[:19]
        ]
        return self._page(rows, 0)

    def _page(self, rows: list[dict[str, Any]], start: int) -> dict[str, Any]:
        part = rows[start : start + self.page]
        done = start + self.page >= len(rows)
        page: dict[str, Any] = {"totalSize": len(rows), "done": done, "records": part}
        if not done:
            token = f"01g{len(self.pending):012d}-{start + self.page}"
            self.pending[token] = rows
            page["nextRecordsUrl"] = f"/services/data/v62.0/query/{token}"
        return page

    def _query(self, request: Any) -> Answer:
        self.calls["query"] += 1
        path = urlparse(request.url).path.rstrip("/")
        token = path.rsplit("/", 1)[-1]
        if token in self.pending:  # a next page of an earlier query
            start = int(token.rsplit("-", 1)[1])
            return self._ok(self._page(self.pending[token], start))
        query = parse_qs(urlparse(request.url).query)["q"][0]
        return self._ok(self._records(query))

    def _composite(self, request: Any) -> Answer:
        self.calls["composite"] += 1
        subs = json.loads(request.body)["compositeRequest"]
        if len(subs) > COMPOSITE_QUERY_LIMIT:
            return self._refuse("composite", 400, "INVALID_QUERY", "at most 5 queries")
        out = []
        for sub in subs:
            query = parse_qs(urlparse(sub["url"]).query)["q"][0]
            out.append(
                {
                    "body": self._records(query),
                    "httpHeaders": {},
                    "httpStatusCode": 200,
                    "referenceId": sub["referenceId"],
                }
            )
        return self._ok({"compositeResponse": out})

    def _describe(self, request: Any) -> Answer:
        self.calls["describe"] += 1
        sobject = urlparse(request.url).path.rstrip("/").split("/")[-2]
        only = CREATE_ONLY.get(sobject, set())
        names = {n for r in self.of(sobject).values() for n in r} | only | {KEY, "Id"}
        fields = [
            {
                "name": n,
                "type": "string",
                "length": 255,
                "createable": n != "Id",
                "updateable": n not in only and n != "Id",
                "externalId": n == KEY,
            }
            for n in sorted(names)
        ]
        return self._ok({"name": sobject, "fields": fields})

    # --- writes ------------------------------------------------------------------------

    def _refuse(self, what: str, status: int, code: str, message: str) -> Answer:
        self.refused[code] += 1
        return status, self._headers(), json.dumps([{"errorCode": code, "message": message}])

    def _collection(self, request: Any) -> list[dict[str, Any]] | None:
        records = json.loads(request.body)["records"]
        return None if len(records) > COLLECTION_LIMIT else records

    def _too_many(self) -> Answer:
        message = "record limit reached. cannot submit more than 200 records in this operation"
        return self._refuse("write", 400, "EXCEEDED_ID_LIMIT", message)

    def _upsert(self, request: Any) -> Answer:
        self.calls["write"] += 1
        parts = urlparse(request.url).path.rstrip("/").split("/")
        sobject, field = parts[-2], parts[-1]
        records = self._collection(request)
        if records is None:
            return self._too_many()
        clashes = [r[field] for r in records if len(self.holders(sobject, r[field])) > 1]
        if clashes:  # the documented answer: 300, nothing written, the candidates listed
            self.refused["MULTIPLE_CHOICES"] += 1
            urls = [
                f"/services/data/v62.0/sobjects/{sobject}/{i}"
                for i in self.holders(sobject, clashes[0])
            ]
            return 300, self._headers(), json.dumps(urls)
        answers = []
        for record in records:
            fields = self._fields(record)
            ids = self.holders(sobject, record[field])
            if ids:
                answers.append(self._apply(sobject, self.of(sobject)[ids[0]], fields))
            else:
                answers.append(self._insert(sobject, fields))
        return self._ok(answers)

    def _fields(self, record: dict[str, Any]) -> dict[str, Any]:
        fields = {k: v for k, v in record.items() if k != "attributes"}
        persona = fields.pop("Persona", None)
        if isinstance(persona, dict):  # a relationship by the persona's key
            found = self.by_key("SocialPersona").get(str(persona.get(KEY)))
            fields["PersonaId"] = found["Id"] if found else None
        return fields

    def _apply(
        self, sobject: str, existing: dict[str, Any], fields: dict[str, Any]
    ) -> dict[str, Any]:
        refused = sorted(set(fields) & CREATE_ONLY.get(sobject, set()))
        if refused:
            self.refused["INVALID_FIELD_FOR_INSERT_UPDATE"] += 1
            message = (
                f"Unable to create/update fields: {', '.join(refused)}. "
                "Please check the security settings of this field."
            )
            error = {
                "statusCode": "INVALID_FIELD_FOR_INSERT_UPDATE",
                "message": message,
                "fields": refused,
            }
            return {"success": False, "errors": [error]}
        existing.update({k: v for k, v in fields.items() if k != "id"})
        return {"id": existing["Id"], "success": True, "errors": [], "created": False}

    def _insert(self, sobject: str, fields: dict[str, Any]) -> dict[str, Any]:
        record = self._new(sobject, fields)
        return {"id": record["Id"], "success": True, "errors": [], "created": True}

    def _update(self, request: Any) -> Answer:
        self.calls["write"] += 1
        records = self._collection(request)
        if records is None:
            return self._too_many()
        answers = []
        for record in records:
            sobject = record["attributes"]["type"]
            fields = self._fields(record)
            rid = fields.pop("id")
            existing = self.of(sobject).get(rid) or self._contact(sobject, rid)
            if existing is None:
                error = {"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted"}
                answers.append({"id": rid, "success": False, "errors": [error]})
            else:
                answers.append(self._apply(sobject, existing, fields))
        return self._ok(answers)

    def _contact(self, sobject: str, rid: str) -> dict[str, Any] | None:
        if sobject != "Contact" or rid not in self.order:
            return None
        return self.of("Contact").setdefault(rid, {"Id": rid})

    def _create(self, request: Any) -> Answer:
        self.calls["write"] += 1
        records = self._collection(request)
        if records is None:
            return self._too_many()
        return self._ok([self._insert(r["attributes"]["type"], self._fields(r)) for r in records])

    def _delete(self, request: Any) -> Answer:
        self.calls["write"] += 1
        ids = parse_qs(urlparse(request.url).query)["ids"][0].split(",")
        if len(ids) > COLLECTION_LIMIT:
            return self._too_many()
        answers = []
        for rid in ids:
            gone = next((o for o in self.records.values() if o.pop(rid, None) is not None), None)
            if gone is None:
                error = {"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted"}
                answers.append({"id": rid, "success": False, "errors": [error]})
            else:
                answers.append({"id": rid, "success": True, "errors": []})
        return self._ok(answers)
