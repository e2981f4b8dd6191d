"""A fake Salesforce org behind ``responses``: contacts to query, Tasks upserted by key.

It answers the documented shapes the adapter uses — ``GET query``, ``POST composite`` with
query subrequests, ``PATCH composite/sobjects/{SObject}/{KeyField}`` — counts every call by
kind, and reports usage in ``Sforce-Limit-Info`` like a real org.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlparse

import responses

from crmbridge.crm.salesforce_soql import split_literals

INSTANCE = "https://acme.my.salesforce.com"
BASE = f"{INSTANCE}/services/data/v62.0/"
PAGE = 2000  # rows per REST query page, as Salesforce answers


def literals(query: str) -> list[str]:
    """The decoded string literals of a SOQL query."""
    return split_literals(query)[1]


class FakeOrg:
    """Contacts by email and X handle; Tasks by Crmbridge_Key__c."""

    def __init__(self, contacts: list[dict[str, str]], allocation: int = 1_000_000) -> None:
        self.contacts = contacts
        self.by_email = {c["email"].lower(): c for c in contacts if c.get("email")}
        self.by_handle = {c["x_handle"].lower(): c for c in contacts if c.get("x_handle")}
        self.order = {c["id"]: n for n, c in enumerate(contacts)}
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.calls: Counter[str] = Counter()
        self.allocation = allocation

    def install(self, mock: responses.RequestsMock) -> None:
        """Register the org's routes on a ``responses`` mock."""
        mock.add_callback("GET", re.compile(re.escape(BASE + "query/") + ".*"), self._query)
        mock.add_callback("POST", BASE + "composite", self._composite)
        mock.add_callback(
            "PATCH", re.compile(re.escape(BASE + "composite/sobjects/") + r"\w+/\w+"), self._upsert
        )

    def _headers(self) -> dict[str, str]:
        used = sum(self.calls.values())
        return {"Sforce-Limit-Info": f"api-usage={used}/{self.allocation}"}

    def _records(self, query: str) -> dict[str, Any]:
        if query.startswith("SELECT COUNT() FROM"):
            return {"totalSize": len(self.contacts), "done": True, "records": []}
        if "SystemModstamp" in query.split(" FROM ", 1)[1]:
            return self._changed(query)
        found: dict[str, dict[str, str]] = {}
        for value in literals(query):
            key = value.lower()
            contact = self.by_email.get(key) or self.by_handle.get(key.lstrip("@"))
            if contact:
                found[contact["id"]] = contact
        records = [self._record(c) for c in found.values()]
        return {"totalSize": len(records), "done": True, "records": records}

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
        """``... WHERE SystemModstamp > T ORDER BY SystemModstamp, Id`` in pages of 2,000."""
        after = re.search(r"SystemModstamp > (\S+)", query)
        bound = after.group(1).replace("+00:00", "").replace("Z", "") if after else ""
        rows = [
            self._record(c) for c in self.contacts if not bound or self._stamp(c)[:19] > bound[:19]
        ]
        return self._page(rows, 0)

    def _page(self, rows: list[dict[str, Any]], start: int) -> dict[str, Any]:
        part = rows[start : start + PAGE]
        done = start + PAGE >= len(rows)
        page: dict[str, Any] = {"totalSize": len(rows), "done": done, "records": part}
        if not done:
            token = f"01g{len(self.pending):012d}-{start + PAGE}"
            self.pending[token] = rows
            page["nextRecordsUrl"] = f"/services/data/v62.0/query/{token}"
        return page

    def _query(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.calls["query"] += 1
        path = urlparse(request.url).path.rstrip("/")
        token = path.rsplit("/", 1)[-1]
        if token in self.pending:  # a next page of an earlier query
            start = int(token.rsplit("-", 1)[1])
            return 200, self._headers(), json.dumps(self._page(self.pending[token], start))
        query = parse_qs(urlparse(request.url).query)["q"][0]
        return 200, self._headers(), json.dumps(self._records(query))

    def _composite(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.calls["composite"] += 1
        out = []
        for sub in json.loads(request.body)["compositeRequest"]:
            query = parse_qs(urlparse(sub["url"]).query)["q"][0]
            out.append(
                {
                    "body": self._records(query),
                    "httpHeaders": {},
                    "httpStatusCode": 200,
                    "referenceId": sub["referenceId"],
                }
            )
        return 200, self._headers(), json.dumps({"compositeResponse": out})

    def _upsert(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.calls["write"] += 1
        field = request.url.rstrip("/").rsplit("/", 1)[-1]
        body = json.loads(request.body)
        answers = []
        for record in body["records"][:200]:
            key = record[field]
            created = key not in self.tasks
            task = self.tasks.setdefault(key, {"Id": f"00T{len(self.tasks):015d}"})
            task.update(record)
            answers.append({"id": task["Id"], "success": True, "errors": [], "created": created})
        return 200, self._headers(), json.dumps(answers)
