"""Every HubSpot HTTP call crmbridge makes, through hubspot-api-client, and its one error boundary.

HubSpot is moving from ``/crm/v3`` and ``/crm/v4`` paths to date-based ones; keeping every
call in this module makes that move one change. The client is generated OpenAPI code on
urllib3: each ``client.crm....api`` access builds a new connection pool (so the APIs are
cached here), there is no default timeout (so every call passes ``_request_timeout``), and
each sub-package has its own ``ApiException`` (so errors are classified by ``.status``,
``.body`` and ``.headers``, never by class). Retries come only from ``crmbridge.http``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crmbridge.errors import (
    AuthError,
    ConfigError,
    CrmbridgeError,
    DataError,
    QuotaExhausted,
    RateLimited,
    TransientError,
)
from crmbridge.http import retry_after_seconds, with_retries

TOKEN_SETTING = "crm.access_token (the HUBSPOT_TOKEN environment variable)"  # noqa: S105
RATE_PREFIX = "x-hubspot-ratelimit-"
# HubSpot's smallest burst allowance (100 requests per 10 s), until headers say more.
DEFAULT_WINDOW = (100, 10.0)
EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)", re.IGNORECASE)
# Builds each SDK API object once; every access to ``client.crm....`` makes a new pool.
FACTORIES: dict[str, Callable[[Any], Any]] = {
    "objects": lambda c: c.crm.objects.batch_api,
    "search": lambda c: c.crm.objects.search_api,
    "associations": lambda c: c.crm.associations.v4.batch_api,
    "labels": lambda c: c.crm.associations.v4.schema.definitions_api,
    "properties": lambda c: c.crm.properties.core_api,
    "groups": lambda c: c.crm.properties.groups_api,
}


class HubSpotRejected(DataError):
    """HubSpot refused a request as invalid (a 4xx other than auth, scopes and limits)."""

    def __init__(self, message: str, *, status: int, category: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.category = category

    @property
    def existing_id(self) -> str | None:
        """The id of the record a 409 CONFLICT names."""
        return existing_id(self.message)


def existing_id(message: str) -> str | None:
    """The id in a CONFLICT message (HubSpot puts it only in the text: "Existing ID: 123")."""
    found = EXISTING_ID.search(message)
    return found.group(1) if found else None


class RollingWindow:
    """At most ``limit`` requests in any ``interval_s`` seconds.

    HubSpot counts a rolling window, so spacing alone cannot keep under it: a request that
    would make more waits until the oldest one in the window leaves it.
    """

    def __init__(self, limit: int, interval_s: float, clock: Callable[[], float]) -> None:
        self.limit, self.interval_s, self.clock = limit, interval_s, clock
        self.sent: deque[float] = deque()

    def wait(self) -> float:
        """Seconds until one more request fits in the window."""
        now = self.clock()
        while self.sent and self.sent[0] <= now - self.interval_s:
            self.sent.popleft()
        if len(self.sent) < self.limit:
            return 0.0
        return self.sent[len(self.sent) - self.limit] + self.interval_s - now

    def record(self) -> None:
        """One request sent now."""
        self.sent.append(self.clock())


@dataclass
class Budget:
    """What HubSpot's rate-limit headers say is left, and the reserves to keep.

    The headers feed a rolling window of ``max - burst_reserve`` requests per interval
    (100 per 10 s until the first answer says otherwise); searches have their own window
    of ``searches_per_s`` a second, and their answers carry no rate headers.
    """

    daily_reserve: int = 1000
    burst_reserve: int = 5
    remaining: int | None = None
    maximum: int | None = None
    interval_s: float | None = None
    daily_remaining: int | None = None
    searches_per_s: int = 4
    clock: Callable[[], float] = time.monotonic
    window: RollingWindow = field(init=False)
    search_window: RollingWindow = field(init=False)

    def __post_init__(self) -> None:
        self.window = RollingWindow(
            DEFAULT_WINDOW[0] - self.burst_reserve, DEFAULT_WINDOW[1], self.clock
        )
        self.search_window = RollingWindow(self.searches_per_s, 1.0, self.clock)

    def observe(self, headers: Mapping[str, str] | None) -> None:
        """Read ``X-HubSpot-RateLimit-*`` headers from any answer that has them."""
        values = {k.lower(): v for k, v in (headers or {}).items()}

        def number(name: str) -> int | None:
            text = values.get(RATE_PREFIX + name, "")
            return int(text) if text.strip().isdigit() else None

        self.remaining = number("remaining") if number("remaining") is not None else self.remaining
        self.maximum = number("max") or self.maximum
        interval = number("interval-milliseconds")
        self.interval_s = interval / 1000 if interval else self.interval_s
        daily = number("daily-remaining")
        self.daily_remaining = daily if daily is not None else self.daily_remaining
        if self.maximum and self.interval_s:
            self.window.limit = max(1, self.maximum - self.burst_reserve)
            self.window.interval_s = self.interval_s

    def pause(self, search: bool = False) -> float:
        """Seconds to wait before the next call so that no window is overrun."""
        if self.daily_remaining is not None and self.daily_remaining <= self.daily_reserve:
            raise QuotaExhausted(
                f"HubSpot daily allowance is down to {self.daily_remaining} calls",
                hint=f"the reserve is crm.daily_reserve={self.daily_reserve}; "
                "the run stops cleanly and resumes from its cursor next time",
            )
        wait = self.window_wait(search)
        low = self.remaining is not None and self.remaining <= self.burst_reserve
        if low and self.maximum and self.interval_s:  # others share the window: slow down
            wait = max(wait, self.interval_s / self.maximum)
        return wait

    def window_wait(self, search: bool = False) -> float:
        """Seconds until one more call fits in the rolling windows (0: now)."""
        wait = self.window.wait()
        if search:
            wait = max(wait, self.search_window.wait())
        return max(wait, 0.0)

    def record(self, search: bool = False) -> None:
        """One call sent now (counted in the windows)."""
        self.window.record()
        if search:
            self.search_window.record()


class HubSpotWire:
    """The SDK client with cached APIs, call counting, the budget and error translation."""

    def __init__(
        self,
        token: str,
        *,
        host: str | None,
        timeout: tuple[float, float],
        attempts: int,
        budget: Budget,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from hubspot import HubSpot
        from urllib3.util.retry import Retry

        options: dict[str, Any] = {"access_token": token, "retry": Retry(total=0)}
        if host:
            options["host"] = host.rstrip("/")
        # Retry(total=0): the client retries nothing; crmbridge.http's policy decides.
        self.client = HubSpot(**options)
        self.timeout = timeout
        self.attempts = attempts
        self.budget = budget
        self.sleep = sleep
        self.calls = 0
        self._apis: dict[str, Any] = {}
        # Calls go out from several threads (crm.concurrency): one at a time takes its
        # place in the shared windows, so together they never overrun HubSpot's limits.
        self._gate = threading.Lock()

    def api(self, name: str) -> Any:
        """One cached SDK API object."""
        with self._gate:
            if name not in self._apis:
                self._apis[name] = FACTORIES[name](self.client)
            return self._apis[name]

    def call(self, api: str, method: str, *args: Any, idempotent: bool = True) -> Any:
        """Send one request; idempotent ones go through the shared retry policy."""
        if idempotent:
            return with_retries(self.attempts)(self._once)(api, method, *args)
        return self._once(api, method, *args)

    def _once(self, api: str, method: str, *args: Any) -> Any:
        search = api == "search"
        send = getattr(self.api(api), f"{method}_with_http_info")
        with self._gate:
            wait = self.budget.pause(search)
            while wait > 0:  # until the windows have room (a wait may not be enough alone)
                self.sleep(wait)
                wait = self.budget.window_wait(search)
            self.calls += 1
            self.budget.record(search)
        try:
            response = send(*args, _preload_content=False, _request_timeout=self.timeout)
        except Exception as exc:  # the one boundary: classified by attributes below
            self.budget.observe(_headers(getattr(exc, "headers", None)))
            raise classify(exc, f"{api}.{method}") from None
        self.budget.observe(_headers(response.headers))
        data = response.data
        response.release_conn()  # unpreloaded answers go back to the pool by hand
        return _json(data)


def classify(exc: BaseException, where: str) -> CrmbridgeError:
    """Translate anything the client raised into crmbridge's error kinds, by attributes."""
    if isinstance(exc, CrmbridgeError):
        return exc
    status = getattr(exc, "status", None)
    if not isinstance(status, int) or status == 0:
        # urllib3 MaxRetryError, timeouts, resets, or the client's status-0 SSL wrapper.
        pool = getattr(exc, "pool", None)
        host = getattr(pool, "host", None) or "its API host"
        reason = getattr(exc, "reason", None)
        return TransientError(
            f"cannot reach HubSpot at {host} calling {where}: {type(reason or exc).__name__}",
            hint="check the network path and proxy to it (crm.host in the config sets the "
            "API address; unset, it is HubSpot's own)",
        )
    body = _json(getattr(exc, "body", None))
    body = body if isinstance(body, dict) else {}
    headers = _headers(getattr(exc, "headers", None))
    message = str(body.get("message") or getattr(exc, "reason", "") or "")[:500]
    category = body.get("category")
    if status == 401:
        return AuthError(
            f"HubSpot rejected the access token (HTTP 401) calling {where}",
            hint=f"check {TOKEN_SETTING}: the private-app token or service key may be "
            "expired, revoked or from another account",
        )
    if status == 403:
        return _forbidden(body, message, where)
    if status == 429:
        return _limited(body, headers, where)
    if status >= 500:
        return TransientError(f"HubSpot answered HTTP {status} calling {where}")
    return HubSpotRejected(
        f"HubSpot refused {where} (HTTP {status} {category or ''}): {message}".replace(" )", ")"),
        status=status,
        category=category if isinstance(category, str) else None,
    )


def _forbidden(body: dict[str, Any], message: str, where: str) -> CrmbridgeError:
    scopes = sorted(_missing_scopes(body))
    if body.get("category") == "MISSING_SCOPES" or scopes:
        named = ", ".join(scopes) or "the scope named in HubSpot's message"
        return ConfigError(
            f"the HubSpot token lacks scope(s) {named} for {where}",
            hint="add them to the private app (or service key) and update "
            f"{TOKEN_SETTING} if HubSpot issued a new token",
        )
    return ConfigError(f"HubSpot refused {where} (HTTP 403): {message}")


def _missing_scopes(body: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for error in body.get("errors") or []:
        context = error.get("context") if isinstance(error, dict) else None
        for name in ("requiredGranularScopes", "requiredScopes", "missingScopes"):
            values = context.get(name) if isinstance(context, dict) else None
            found.update(str(v) for v in values or [])
    return found


def _limited(body: dict[str, Any], headers: dict[str, str], where: str) -> CrmbridgeError:
    policy = str(body.get("policyName") or "")
    if "DAILY" in policy.upper():
        return QuotaExhausted(
            f"HubSpot's daily API allowance is used up ({policy}) calling {where}",
            hint="the run stops cleanly with its cursor safe; it resumes after the daily reset",
        )
    wait = retry_after_seconds(headers.get("retry-after"))
    if wait is None:
        interval = headers.get(RATE_PREFIX + "interval-milliseconds", "")
        wait = (
            int(interval) / 1000 if interval.isdigit() else (1.0 if policy == "SECONDLY" else 10.0)
        )
    return RateLimited(
        f"HubSpot rate limit {policy or 'burst'} hit calling {where}", retry_after=wait
    )


def _headers(raw: Any) -> dict[str, str]:
    if not raw:
        return {}
    return {str(k).lower(): str(v) for k, v in dict(raw).items()}


def _json(raw: Any) -> Any:
    if raw is None or raw == b"" or raw == "":
        return {}
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return {}


def trace_ids(error: dict[str, Any]) -> list[str]:
    """The ``objectWriteTraceId``s a per-record error in a 207 answer names."""
    context = error.get("context") or {}
    found = context.get("objectWriteTraceId") if isinstance(context, dict) else None
    if isinstance(found, str):
        return [found]
    return [str(v) for v in found or []]
