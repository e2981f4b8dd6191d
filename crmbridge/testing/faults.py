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
            usable = (
                kinds if _is_collection(request) else [k for k in kinds if k != "lock_row_items"]
            )
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

    def _lock_some_rows(self, request: Any, body: str, callback: Callback) -> Answer:
        """Pass a collection on without some records, answering those UNABLE_TO_LOCK_ROW."""
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
                error = {"statusCode": "UNABLE_TO_LOCK_ROW", "message": LOCK.format(key=n)}
                out.append({"success": False, "errors": [error]})
            else:
                out.append(next(passed))
        return 200, JSON, json.dumps(out)

    # --- werkzeug (the local HubSpot server) -------------------------------------------

    def hubspot(self, handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """A werkzeug handler that fails some requests HubSpot's way, else calls ``handler``."""
        from werkzeug import Response

        def faulty(request: Any) -> Any:
            signature = f"{request.method} {request.full_path} {request.get_data(as_text=True)}"
            kind = self._decide(signature, HUBSPOT_KINDS)
            if kind is None:
                return handler(request)
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


def _hubspot_answer(kind: str) -> Answer:
    """HubSpot-shaped error answers (rate-limit headers on every one)."""
    headers = {
        "X-HubSpot-RateLimit-Max": "190",
        "X-HubSpot-RateLimit-Remaining": "0" if kind.startswith("429") else "150",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        "X-HubSpot-RateLimit-Daily": "1000000",
        "X-HubSpot-RateLimit-Daily-Remaining": "0" if kind == "daily_quota" else "900000",
    }
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
