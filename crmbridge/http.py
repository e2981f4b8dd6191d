"""One HTTP session factory and one retry policy for every connector and adapter.

Retries happen here and only here (never inside a client library): 429 and 5xx, timeouts
and connection resets are retried with exponential backoff and full jitter, honouring a
``Retry-After`` the server sent, a bounded number of times; everything else is raised to
the caller's boundary, which translates it into an error kind.
"""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from tenacity import (
    RetryCallState,
    retry,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from crmbridge.errors import RateLimited, TransientError

T = TypeVar("T")
USER_AGENT = "crmbridge/0.1"
DEFAULT_TIMEOUT = (10.0, 60.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 900.0
# Caps every wait between retries (seconds); fault suites and benchmarks set it low.
MAX_WAIT_ENV = "CRMBRIDGE_RETRY_MAX_WAIT"


def make_session(pool: int = 10) -> requests.Session:
    """A ``requests.Session`` with a connection pool and no hidden retries of its own."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=pool, pool_maxsize=pool, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header (seconds or an HTTP date) into seconds to wait."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def raise_for_retry(response: requests.Response) -> None:
    """Turn a 429 or 5xx answer into the retriable error kinds."""
    if response.status_code == 429:
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        raise RateLimited(f"HTTP 429 from {response.url.split('?')[0]}", retry_after=wait)
    if response.status_code in RETRY_STATUSES:
        raise TransientError(f"HTTP {response.status_code} from {response.url.split('?')[0]}")


def max_wait() -> float:
    """The cap on one wait between retries: ``CRMBRIDGE_RETRY_MAX_WAIT`` or 900 s."""
    text = os.environ.get(MAX_WAIT_ENV, "").strip()
    try:
        return min(max(float(text), 0.0), MAX_RETRY_AFTER) if text else MAX_RETRY_AFTER
    except ValueError:
        return MAX_RETRY_AFTER


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        return min(exc.retry_after, max_wait())
    return min(float(wait_random_exponential(multiplier=0.5, max=30)(state)), max_wait())


def _retriable(exc: BaseException) -> bool:
    return isinstance(exc, TransientError | requests.ConnectionError | requests.Timeout)


def with_retries(
    attempts: int = 5, max_seconds: float = 600.0, sleep: Callable[[float], None] = time.sleep
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorate a call to retry transient failures; the last error is re-raised.

    ``sleep`` waits between attempts (tests pass a fake clock's, to see every wait).
    """
    return retry(
        retry=retry_if_exception(_retriable),
        wait=_wait,
        stop=stop_after_attempt(attempts) | stop_after_delay(max_seconds),
        reraise=True,
        sleep=sleep,
    )


def request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    attempts: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> requests.Response:
    """Send one request under the retry policy; 429/5xx are retried, the rest returned."""
    kwargs.setdefault("timeout", DEFAULT_TIMEOUT)

    @with_retries(attempts, sleep=sleep)
    def send() -> requests.Response:
        try:
            response = session.request(method, url, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientError(f"{type(exc).__name__} calling {url.split('?')[0]}") from exc
        raise_for_retry(response)
        return response

    return send()
