"""Seeded fault injection at the HTTP layer, for the reliability suites and the benchmark.

A ``FaultInjector`` stands between a client and a fake server and, at a configurable rate,
answers a request the way a real vendor does on a bad day instead of passing it on: 429
with and without ``Retry-After``, 500/502/503, read and connect timeouts, connection resets
(before the server saw the request, or after it did the work: a lost answer), Salesforce
``UNABLE_TO_LOCK_ROW`` (for some records of a collection, or for the whole call) and the
concurrency ``REQUEST_LIMIT_EXCEEDED``. It can also exhaust a daily quota after a number
of calls. Everything it does is counted by kind, and it tracks the longest run of one
identical request sent again and again, so a suite can assert that retries stay bounded.

It wraps ``responses`` callbacks (simple-salesforce, platform connectors: requests) and
werkzeug handlers (the local HubSpot server for hubspot-api-client). Nothing in crmbridge's
own code is patched: the faults are on the wire.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import socket
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import requests

# A responses callback: request -> (status, headers, body).
Answer = tuple[int, dict[str, str], str]
Callback = Callable[[Any], Answer]

COMMON = ("429_retry_after", "429", "500", "502", "503")
WIRE = ("read_timeout", "connect_timeout", "connection_reset", "answer_lost")
SALESFORCE_KINDS = (*COMMON, *WIRE, "lock_row_call", "lock_row_items", "concurrent_limit")
PLATFORM_KINDS = (*COMMON, "read_timeout", "connect_timeout", "connection_reset")
HUBSPOT_KINDS = ("429_burst", "429", "500", "502", "503", "connection_drop", "answer_lost")
JSON = {"Content-Type": "application/json"}
# A per-record refusal (``refuse_items``): a validation rule said no to this record.
REFUSED = {"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "refused by a rule"}
LOCK = "unable to obtain exclusive access to this record or 1 records: {key}"


class FaultInjector:
    """Decides, seeded, which requests fail and how; counts what it injected."""

    def __init__(
        self, rate: float = 0.2, seed: int = 0, kinds: Sequence[str] | None = None
    ) -> None:
        """Fail about ``rate`` of the requests, with kinds drawn from ``kinds``."""
        self.rate = rate
        self.rng = random.Random(seed)
        self.kinds = tuple(kinds) if kinds else None
        self.injected: Counter[str] = Counter()
        self.passed = 0
        self.max_streak = 0
        self.quota_after: int | None = None
        self.quota_hits = 0
        self._last: str | None = None
        self._streak = 0
        self._lock = threading.Lock()

    # --- decisions ---------------------------------------------------------------------

    def exhaust_quota_after(self, calls: int | None) -> None:
        """Answer every request after ``calls`` more passed ones with a daily-quota error."""
        self.quota_after = None if calls is None else self.passed + calls

    def total(self) -> int:
        """Faults injected so far, all kinds."""
        return sum(self.injected.values())

    def summary(self) -> dict[str, Any]:
        """What happened, for a suite's message or the benchmark's table."""
        return {
            "injected": dict(sorted(self.injected.items())),
            "total": self.total(),
            "passed": self.passed,
            "quota_hits": self.quota_hits,
            "max_same_request_streak": self.max_streak,
        }

    def reset_streaks(self) -> None:
        """Forget the last request (call between runs: a rerun may resend it)."""
        with self._lock:
            self._last, self._streak = None, 0

    def _decide(self, signature: str, kinds: Sequence[str]) -> str | None:
        """The fault for this request (None: pass it on); also tracks resend streaks."""
        with self._lock:
            self._streak = self._streak + 1 if signature == self._last else 1
            self._last = signature
            self.max_streak = max(self.max_streak, self._streak)
            if self.quota_after is not None and self.passed >= self.quota_after:
                self.quota_hits += 1
                return "daily_quota"
            allowed = [k for k in kinds if self.kinds is None or k in self.kinds]
            if allowed and self.rng.random() < self.rate:
                kind = self.rng.choice(allowed)
                self.injected[kind] += 1
                return kind
            self.passed += 1
            return None

    # --- responses (requests-based clients) --------------------------------------------

    def wrap(self, callback: Callback, vendor: str = "platform") -> Callback:
        """A ``responses`` callback that fails some requests, else calls ``callback``."""
        kinds = SALESFORCE_KINDS if vendor == "salesforce" else PLATFORM_KINDS

        def faulty(request: Any) -> Answer:
            body = request.body or b""
            body = body.decode() if isinstance(body, bytes) else str(body)
            url = str(request.url)
            items = ("lock_row_items", "refuse_items")
            usable = kinds if _is_collection(request) else [k for k in kinds if k not in items]
            if self.kinds is not None:  # kinds only these suites ask for by name
                usable = [*usable, *(k for k in ("401", "refuse_items") if k in self.kinds)]
                usable = [k for k in usable if _is_collection(request) or k not in items]
            kind = self._decide(f"{request.method} {url} {body}", usable)
            if kind is None:
                return callback(request)
            if kind == "daily_quota":
                return _daily_quota(vendor)
            if kind == "answer_lost":
                callback(request)  # the server did the work; the answer never arrives
                raise requests.exceptions.ConnectionError("Connection reset by peer")
            if kind == "lock_row_items":
                return self._lock_some_rows(request, body, callback)
            if kind == "refuse_items":
                return self._lock_some_rows(request, body, callback, REFUSED)
            return _answer(kind, vendor, url)

        return faulty

    def salesforce(self, mock: Any, org: Any) -> None:
        """Install a fake Salesforce org's routes on ``mock``, every route faulty."""
        inner = type(mock)(assert_all_requests_are_fired=False)
        org.install(inner)
        for route in inner.registered():
            callback = getattr(route, "callback", None)
            if callback is None:
                raise TypeError(f"{route.method} {route.url}: only callback routes can be faulty")
            mock.add_callback(route.method, route.url, self.wrap(callback, "salesforce"))

    def _lock_some_rows(
        self, request: Any, body: str, callback: Callback, error: dict[str, str] | None = None
    ) -> Answer:
        """Pass a collection on without some records, answering those UNABLE_TO_LOCK_ROW.

        With ``error``, those records are refused with it instead (a per-record refusal).
        """
        data = json.loads(body)
        records = data["records"]
        locked = {n for n in range(len(records)) if self.rng.random() < 0.3} or {0}
        kept = [r for n, r in enumerate(records) if n not in locked]
        answers: list[dict[str, Any]] = []
        if kept:
            trimmed = SimpleNamespace(
                method=request.method,
                url=request.url,
                headers=request.headers,
                body=json.dumps({**data, "records": kept}),
            )
            status, _, text = callback(trimmed)
            if status != 200:
                return status, JSON, text
            answers = json.loads(text)
        out, passed = [], iter(answers)
        for n, _record in enumerate(records):
            if n in locked:
                refusal = error or {
                    "statusCode": "UNABLE_TO_LOCK_ROW",
                    "message": LOCK.format(key=n),
                }
                out.append({"success": False, "errors": [refusal]})
            else:
                out.append(next(passed))
        return 200, JSON, json.dumps(out)

    # --- werkzeug (the local HubSpot server) -------------------------------------------

    def hubspot(self, handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """A werkzeug handler that fails some requests HubSpot's way, else calls ``handler``."""
        from werkzeug import Response

        def faulty(request: Any) -> Any:
            signature = f"{request.method} {request.full_path} {request.get_data(as_text=True)}"
            kinds: tuple[str, ...] = HUBSPOT_KINDS
            if self.kinds is not None:
                creating = request.path.endswith("/batch/create")
                extra = [k for k in self.kinds if k == "401" or (k == "refuse_items" and creating)]
                kinds = (*HUBSPOT_KINDS, *extra)
            kind = self._decide(signature, kinds)
            if kind is None:
                return handler(request)
            if kind == "refuse_items":
                return _refuse_some(request, handler, self.rng)
            if kind in ("connection_drop", "answer_lost"):
                if kind == "answer_lost":
                    handler(request)
                _drop(request)
                return Response(b"", 500)  # never reaches the client: the socket is shut
            status, headers, text = _hubspot_answer(kind)
            return Response(text, status, headers, content_type="application/json")

        return faulty


def _is_collection(request: Any) -> bool:
    """A Salesforce sObject Collections write (whose answer is one result per record)."""
    return "/composite/sobjects" in str(request.url) and request.method in ("PATCH", "POST")


def _answer(kind: str, vendor: str, url: str) -> Answer:
    """A whole-call failure of one kind."""
    if kind == "read_timeout":
        raise requests.exceptions.ReadTimeout(f"Read timed out. (read timeout=60) {url}")
    if kind == "connect_timeout":
        raise requests.exceptions.ConnectTimeout(f"Connection to {url} timed out")
    if kind == "connection_reset":
        raise requests.exceptions.ConnectionError(
            "('Connection aborted.', ConnectionResetError(104))"
        )
    if kind == "401":
        error = [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}]
        return 401, JSON, json.dumps(error)
    if kind == "lock_row_call":
        error = [{"errorCode": "UNABLE_TO_LOCK_ROW", "message": LOCK.format(key="003")}]
        return 400, JSON, json.dumps(error)
    if kind == "concurrent_limit":
        error = [
            {
                "errorCode": "REQUEST_LIMIT_EXCEEDED",
                "message": "ConcurrentPerOrgLongTxn Limit exceeded.",
            }
        ]
        return 403, JSON, json.dumps(error)
    if kind.startswith("429"):
        headers = {**JSON, "Retry-After": "1"} if kind == "429_retry_after" else dict(JSON)
        if vendor == "salesforce":  # a throttle in front of the org answers plain text
            return 429, {**headers, "Content-Type": "text/plain"}, "Too Many Requests"
        body: Any = {"title": "Too Many Requests", "status": 429, "type": "about:blank"}
        return 429, headers, json.dumps(body)
    status = int(kind)
    if vendor == "salesforce":
        body = [{"errorCode": "SERVER_UNAVAILABLE", "message": "Server unavailable"}]
    else:
        body = {"title": "Service Unavailable", "status": status}
    return status, JSON, json.dumps(body)


def _daily_quota(vendor: str) -> Answer:
    """The vendor's daily allocation is used up."""
    if vendor == "salesforce":
        error = [
            {"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}
        ]
        return 403, JSON, json.dumps(error)
    return 429, {**JSON, "x-rate-limit-remaining": "0"}, json.dumps({"title": "UsageCapExceeded"})


def _refuse_some(request: Any, handler: Callable[[Any], Any], rng: random.Random) -> Any:
    """A batch create where some inputs are refused (207): the rest go to the server."""
    from werkzeug import Request, Response

    data = json.loads(request.get_data(as_text=True))
    inputs = data["inputs"]
    refused = {n for n in range(len(inputs)) if rng.random() < 0.3} or {0}
    kept = [i for n, i in enumerate(inputs) if n not in refused]
    results: list[Any] = []
    if kept:
        environ = dict(request.environ)
        raw = json.dumps({**data, "inputs": kept}).encode()
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        answer = handler(Request(environ))
        if answer.status_code >= 300:
            return answer
        results = json.loads(answer.get_data(as_text=True)).get("results", [])
    errors = [
        {
            "status": "error",
            "category": "VALIDATION_ERROR",
            "message": "Property values were not valid",
            "context": {"objectWriteTraceId": [inputs[n].get("objectWriteTraceId")]},
        }
        for n in sorted(refused)
    ]
    body = {"status": "COMPLETE", "results": results, "numErrors": len(errors), "errors": errors}
    return Response(json.dumps(body), 207, content_type="application/json")


def _hubspot_answer(kind: str) -> Answer:
    """HubSpot-shaped error answers (rate-limit headers on every one)."""
    headers = {
        "X-HubSpot-RateLimit-Max": "190",
        "X-HubSpot-RateLimit-Remaining": "0" if kind.startswith("429") else "150",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        "X-HubSpot-RateLimit-Daily": "1000000",
        "X-HubSpot-RateLimit-Daily-Remaining": "0" if kind == "daily_quota" else "900000",
    }
    if kind == "401":
        body = {
            "status": "error",
            "message": "Authentication credentials not found.",
            "category": "INVALID_AUTHENTICATION",
        }
        return 401, headers, json.dumps(body)
    if kind == "daily_quota":
        body = {
            "status": "error",
            "message": "You have reached your daily limit.",
            "errorType": "RATE_LIMIT",
            "policyName": "DAILY",
            "correlationId": "c-daily",
        }
        return 429, headers, json.dumps(body)
    if kind.startswith("429"):
        if kind == "429_burst":
            headers["Retry-After"] = "1"
        body = {
            "status": "error",
            "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT",
            "policyName": "TEN_SECONDLY_ROLLING",
            "correlationId": "c-429",
        }
        return 429, headers, json.dumps(body)
    body = {"status": "error", "message": "internal error", "correlationId": f"c-{kind}"}
    return int(kind), headers, json.dumps(body)


def _drop(request: Any) -> None:
    """Shut the client's connection: it sees a reset or an empty answer."""
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
