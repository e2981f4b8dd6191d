"""Sending once on the wire: what may be retried, and what leaves the outcome unknown.

Platforms take no idempotency keys, so a send is retried (under the project's one retry
policy, ``crmbridge.http.with_retries``) only when the platform cannot have posted: a 429
(it refused the call; the wait comes from ``Retry-After`` or the platform's reset header)
or a connection that was never opened. A timeout after the request left, a connection
dropped mid-answer or a 5xx may hide a post that was made: those raise ``OutcomeUnknown``
and the caller looks on the platform before it ever sends again.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from crmbridge.errors import AuthError, CrmbridgeError, DataError, RateLimited, TransientError
from crmbridge.http import retry_after_seconds, with_retries

SEND_ATTEMPTS = 4
LOOKUP_ATTEMPTS = 4


class OutcomeUnknown(CrmbridgeError):
    """The request may have reached the platform: whether it posted is not known."""

    kind = "unknown"


class SendRefused(DataError):
    """The platform answered and refused the reply (4xx): nothing was posted."""


class Undecidable(CrmbridgeError):
    """The platform offers no way to find out whether this reply was posted."""

    kind = "unknown"


def rate_wait(response: requests.Response, now: float | None = None) -> float | None:
    """Seconds to wait after a 429: ``Retry-After``, else the platform's reset header.

    X sends ``x-rate-limit-reset`` (epoch seconds when the window resets); Reddit sends
    ``x-ratelimit-reset`` (seconds until it resets).
    """
    headers = response.headers
    wait = retry_after_seconds(headers.get("Retry-After"), now)
    if wait is not None:
        return wait
    now = time.time() if now is None else now
    epoch = headers.get("x-rate-limit-reset")
    if epoch and epoch.strip().isdigit():
        return max(0.0, float(epoch) - now)
    seconds = headers.get("x-ratelimit-reset")
    try:
        return max(0.0, float(seconds)) if seconds else None
    except ValueError:
        return None


def _never_connected(exc: requests.ConnectionError) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError) or isinstance(exc.args[0], NewConnectionError)


def refusal(response: requests.Response, what: str) -> CrmbridgeError:
    """A 4xx answer as an error kind: auth, rate limited, or a refused reply."""
    detail = _detail(response)
    if response.status_code in (401, 403) and not _graph_code(response):
        return AuthError(
            f"{what}: HTTP {response.status_code}: {detail}",
            hint="check the token and its write scopes (docs/replies.md)",
        )
    if _graph_code(response) in (4, 17, 32, 613):
        return RateLimited(f"{what}: Graph rate limit: {detail}", retry_after=rate_wait(response))
    if _graph_code(response) == 190:
        return AuthError(f"{what}: Graph token rejected: {detail}", hint="renew META_PAGE_TOKEN")
    return SendRefused(f"{what}: HTTP {response.status_code}: {detail}")


def _graph_code(response: requests.Response) -> int | None:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    return error.get("code") if isinstance(error, dict) else None


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or "no detail"
    if isinstance(body, dict):
        error = body.get("error") or body.get("errors") or body.get("detail") or body
        if isinstance(error, dict):
            return str(error.get("message") or error.get("detail") or error)[:300]
        return str(error)[:300]
    return str(body)[:300]


def post_once(
    session: requests.Session,
    url: str,
    what: str,
    *,
    timeout: float,
    attempts: int = SEND_ATTEMPTS,
    **kwargs: Any,
) -> Any:
    """POST a reply; return the JSON answer, or raise what happened.

    Raises ``OutcomeUnknown`` (maybe posted), ``RateLimited`` (still limited after the
    retries: not posted), ``AuthError`` or ``SendRefused`` (not posted).
    """

    @with_retries(attempts)
    def send() -> requests.Response:
        try:
            response = session.post(url, timeout=(min(timeout, 10.0), timeout), **kwargs)
        except requests.ConnectionError as exc:
            if _never_connected(exc):
                raise TransientError(f"{what}: could not connect") from exc
            raise OutcomeUnknown(f"{what}: connection lost after sending") from exc
        except requests.Timeout as exc:
            raise OutcomeUnknown(f"{what}: no answer within {timeout:g}s") from exc
        if response.status_code == 429:
            raise RateLimited(f"{what}: HTTP 429", retry_after=rate_wait(response))
        if response.status_code >= 500:
            raise OutcomeUnknown(f"{what}: HTTP {response.status_code}")
        return response

    response = send()
    if response.status_code >= 400:
        raise refusal(response, what)
    try:
        return response.json()
    except ValueError as exc:
        raise OutcomeUnknown(f"{what}: answer is not JSON") from exc


def get_json(
    session: requests.Session,
    url: str,
    what: str,
    *,
    timeout: float,
    attempts: int = LOOKUP_ATTEMPTS,
    **kwargs: Any,
) -> Any:
    """GET under the retry policy (reads are safe to repeat); 4xx raise their kind."""

    @with_retries(attempts)
    def read() -> requests.Response:
        try:
            response = session.get(url, timeout=(min(timeout, 10.0), timeout), **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientError(f"{what}: {type(exc).__name__}") from exc
        if response.status_code == 429:
            raise RateLimited(f"{what}: HTTP 429", retry_after=rate_wait(response))
        if response.status_code >= 500:
            raise TransientError(f"{what}: HTTP {response.status_code}")
        return response

    response = read()
    if response.status_code >= 400:
        raise refusal(response, what)
    try:
        return response.json()
    except ValueError as exc:
        raise TransientError(f"{what}: answer is not JSON") from exc
