"""Shared pieces of the REST connectors: paginators, watermark cursors, a rate-aware client.

A REST connector reads one or more *streams* (mentions, search, DMs…). Its cursor is a dict
of one watermark per stream: the newest timestamp (or platform id) already yielded plus the
ids seen at exactly that instant, never a page cursor (those die with deleted items). The
platforms page newest-first, so each stream reads its delta down to the watermark, then
yields it oldest-first: every item's cursor resumes right after it, without gaps or repeats.
Vendor errors are turned into error kinds by one ``classify(response)`` per platform.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests
from pydantic import Field

from crmbridge.config import Options
from crmbridge.connector import Connector, Cursor, Extent, Item
from crmbridge.errors import (
    AuthError,
    ConfigError,
    CrmbridgeError,
    DataError,
    RateLimited,
    TransientError,
)
from crmbridge.http import DEFAULT_TIMEOUT, make_session, retry_after_seconds, with_retries
from crmbridge.models import parse_interaction

log = logging.getLogger(__name__)

Json = dict[str, Any]


class RestOptions(Options):
    """Options every REST connector takes besides its credentials."""

    api_base: str = Field(description="Base URL of the API (tests point it at a fake host).")
    attempts: int = Field(default=5, ge=1, le=10, description="Tries per request.")
    max_rate_wait: float = Field(
        default=120.0,
        ge=0,
        description="Longest rate-limit reset (seconds) to wait for; longer stops the source.",
    )
    min_interval: float = Field(
        default=0.0, ge=0, le=60, description="Seconds between two calls (a per-second cap)."
    )


# --- time and watermarks -----------------------------------------------------------------


def utc(value: str | float | int) -> str:
    """Normalise a vendor timestamp (RFC 3339, ``+0000`` offsets, Unix seconds) to UTC Z."""
    if isinstance(value, int | float):
        moment = datetime.fromtimestamp(float(value), tz=UTC)
    else:
        text = value.strip().replace("Z", "+00:00")
        if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
            text = f"{text[:-2]}:{text[-2:]}"  # Graph's +0000 → +00:00
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError(f"timestamp {value!r} has no time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Watermark:
    """The newest instant a stream yielded, and the ids seen at exactly that instant."""

    at: str | None = None
    ids: tuple[str, ...] = ()

    @classmethod
    def load(cls, state: Any) -> Watermark:
        """Read a watermark from its cursor form (``None`` is the start)."""
        if not isinstance(state, dict) or not state.get("at"):
            return cls()
        return cls(str(state["at"]), tuple(str(i) for i in state.get("ids", ())))

    def dump(self) -> Json:
        """The cursor form, JSON-serialisable."""
        return {"at": self.at, "ids": list(self.ids)}

    def admits(self, at: str, item_id: str) -> bool:
        """Whether an item stamped ``at`` is newer than the watermark."""
        if self.at is None or at > self.at:
            return True
        return at == self.at and item_id not in self.ids

    def after(self, at: str, item_id: str) -> Watermark:
        """The watermark once the item is yielded (items come oldest-first)."""
        if at == self.at:
            return Watermark(at, (*self.ids, item_id))
        return Watermark(at, (item_id,))


@dataclass(slots=True)
class Pending:
    """One raw record of a stream's delta, waiting to be yielded oldest-first."""

    at: str
    id: str
    raw: Json
    convert: Callable[[Json], Json]
    location: str


def oldest_first(records: Iterable[Pending]) -> list[Pending]:
    """Order a delta by (time, id), dropping repeats of the same id."""
    unique = {r.id: r for r in records}
    return sorted(unique.values(), key=lambda r: (r.at, r.id))


# --- paginators ---------------------------------------------------------------------------


@dataclass(kw_only=True)
class Paginator:
    """Strategy for the next page: ``advance(body)`` reads the page, ``params`` asks for more."""

    finished: bool = False
    params: Json = field(default_factory=dict)

    def advance(self, body: Json) -> None:
        """Read a page body and decide what to ask for next."""
        raise NotImplementedError


@dataclass
class TokenPaginator(Paginator):
    """A next-page token found at ``path`` in the body, sent back as ``param``."""

    path: tuple[str, ...] = ("meta", "next_token")
    param: str = "pagination_token"

    def advance(self, body: Json) -> None:
        """Follow the token; no token means the last page."""
        token = dig(body, self.path)
        self.finished = not token
        self.params = {} if self.finished else {self.param: token}


@dataclass
class GraphPaginator(Paginator):
    """Meta Graph: ``paging.next`` says there is more, ``paging.cursors.after`` is the key."""

    def advance(self, body: Json) -> None:
        """Follow ``after`` only while ``paging.next`` is present."""
        after = dig(body, ("paging", "cursors", "after"))
        self.finished = not dig(body, ("paging", "next")) or not after
        self.params = {} if self.finished else {"after": after}


def dig(body: Any, path: Iterable[str]) -> Any:
    """``body[a][b]…`` or ``None`` when any step is missing."""
    for step in path:
        if not isinstance(body, dict):
            return None
        body = body.get(step)
    return body


# --- the connector base -------------------------------------------------------------------


class RestConnector(Connector):
    """A connector over a JSON REST API: session, retries, classification, streams.

    Subclasses declare ``platform``, ``renew_setting``/``renew_env`` (named in auth errors),
    implement ``streams()``, ``read_stream(stream, state)`` and ``classify(response)``.
    """

    platform: ClassVar[str] = ""
    renew_setting: ClassVar[str] = "access_token"
    renew_env: ClassVar[str] = ""
    config: RestOptions

    def __init__(self, config: Any, source: str, session: requests.Session | None = None):
        super().__init__(config, source)
        self.session = session or make_session()
        self.session.headers.update(self.auth_headers())
        self.calls = 0
        self._not_before = 0.0  # monotonic time before which the next call must wait

    # hooks ------------------------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        """Headers carrying the credentials (never logged)."""
        return {}

    def streams(self) -> list[str]:
        """The streams this source reads, in order."""
        raise NotImplementedError

    def read_stream(self, stream: str, state: Any) -> Iterator[tuple[Any, Pending]]:
        """Yield (state after the record, record) oldest-first for one stream."""
        raise NotImplementedError

    def classify(self, response: requests.Response) -> CrmbridgeError | None:
        """Turn a vendor answer into an error kind, or ``None`` when it is a success."""
        return self.classify_status(response)

    # fetch ------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Iterator[Item]:
        """Yield every stream's new records; each item carries the cursor after it.

        A stream's delta is read whole before its first record is handed on (it comes
        newest first and goes out oldest first), so its size is known: :meth:`extent`
        reports records handed on of the records read so far, for progress with a total.
        """
        state: Cursor = dict(cursor or {})
        self._handed, self._read = 0, 0
        for stream in self.streams():
            delta = list(self.read_stream(stream, state.get(stream)))
            self._read += len(delta)
            for after, record in delta:
                state = {**state, stream: after}
                self._handed += 1
                yield self.to_item(record, state)

    def extent(self, cursor: Cursor) -> Extent | None:
        """Records handed on of the records read so far in this run (grows per stream)."""
        read = getattr(self, "_read", 0)
        return Extent(self._handed, read, "records") if read else None

    def to_item(self, record: Pending, cursor: Cursor) -> Item:
        """Convert one raw record, or quarantine it with the reason."""
        try:
            data = record.convert(record.raw)
            interaction = parse_interaction(data, record.location)
        except DataError as exc:
            return Item.bad(cursor, record.location, exc.message, _raw(record.raw))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            reason = f"unexpected {self.platform} payload: {type(exc).__name__} {exc}"
            return Item.bad(cursor, record.location, reason, _raw(record.raw))
        return Item(cursor, record.location, interaction=interaction)

    def watermarked(
        self, stream: str, state: Any, records: Iterable[Pending]
    ) -> Iterator[tuple[Any, Pending]]:
        """Yield a time-stamped delta oldest-first, each with the watermark after it."""
        mark = Watermark.load(state)
        for record in oldest_first(r for r in records if not r.at or mark.admits(r.at, r.id)):
            if record.at:  # a record without a readable time is quarantined, not a mark
                mark = mark.after(record.at, record.id)
            yield mark.dump(), record

    def pending(self, stream: str, when: Any, item_id: Any, raw: Json, convert: Any) -> Pending:
        """A record keyed by its time stamp; an unreadable stamp sorts first, fails later."""
        try:
            at = utc(when)
        except (TypeError, ValueError, AttributeError, OverflowError, OSError):
            at = ""
        location = f"{self.source}:{stream}:{item_id or '?'}"
        return Pending(at, str(item_id or ""), raw, convert, location)

    def behind(self, stream: str, what: str) -> None:
        """Log that a run fell behind a platform's history window (data may be lost)."""
        log.warning(
            "source %s fell behind the %s %s history window: %s; sync more often or add a webhook",
            self.source,
            self.platform,
            stream,
            what,
        )

    # HTTP -------------------------------------------------------------------------------

    def get(self, url: str, params: Json | None = None) -> Json:
        """GET a JSON document under the retry policy; errors come out classified."""
        response = self.send("GET", url, params=params)
        try:
            body = response.json()
        except ValueError:
            raise TransientError(f"{self.platform}: non-JSON answer from {_path(url)}") from None
        if not isinstance(body, dict):
            raise TransientError(f"{self.platform}: unexpected JSON from {_path(url)}")
        return body

    def send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send a request; waits worth waiting are retried, the rest raised classified."""
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)

        @with_retries(self.config.attempts)
        def attempt() -> tuple[requests.Response | None, CrmbridgeError | None]:
            blocked = self._pace(url)
            if blocked is not None:
                return None, blocked  # outside the retry loop: the source stops
            self.calls += 1
            try:
                response = self.session.request(method, url, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise TransientError(f"{type(exc).__name__} calling {_path(url)}") from exc
            self._plan_next(response)
            error = self.classify(response)
            if isinstance(error, TransientError) and self._worth_waiting(error):
                raise error
            return response, error

        response, error = attempt()
        if error is not None or response is None:
            raise error or TransientError(f"{self.platform}: no answer from {_path(url)}")
        return response

    def window_left(self, response: requests.Response) -> tuple[float, float] | None:
        """(requests left, seconds until the window resets) from the rate headers, if sent."""
        return None

    def _plan_next(self, response: requests.Response) -> None:
        """Space calls by ``min_interval``; after the window's last call, wait for its reset."""
        wait = self.config.min_interval
        window = self.window_left(response) if response.status_code < 400 else None
        if window is not None and window[0] <= 0:
            wait = max(wait, window[1])
        self._not_before = time.monotonic() + wait

    def _pace(self, url: str) -> RateLimited | None:
        """Sleep until the next call is allowed, or say why waiting is too long."""
        wait = self._not_before - time.monotonic()
        if wait > self.config.max_rate_wait:
            return RateLimited(
                f"{self.platform}: rate window used up before {_path(url)}", retry_after=wait
            )
        if wait > 0:
            time.sleep(wait)
        return None

    def _worth_waiting(self, error: TransientError) -> bool:
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after <= self.config.max_rate_wait
        return True

    def pages(self, url: str, params: Json, paginator: Paginator) -> Iterator[Json]:
        """Every page of a listing, following the paginator."""
        while True:
            body = self.get(url, {**params, **paginator.params})
            yield body
            paginator.advance(body)
            if paginator.finished:
                return

    # classification helpers --------------------------------------------------------------

    def classify_status(
        self, response: requests.Response, retry_after: float | None = None
    ) -> CrmbridgeError | None:
        """The default mapping of HTTP statuses onto error kinds."""
        status = response.status_code
        where = f"{self.platform}: HTTP {status} from {_path(response.url)}"
        if status < 400:
            return None
        if status == 401:
            return self.auth_error(f"{where}: the token is expired or revoked")
        if status == 429:
            wait = retry_after if retry_after is not None else _header_retry_after(response)
            return RateLimited(f"{where}: rate limited", retry_after=wait)
        if status >= 500:
            return TransientError(where)
        if status == 403:
            return self.auth_error(f"{where}: access denied")
        return ConfigError(where, hint=f"check the options of source {self.source!r}")

    def auth_error(self, message: str) -> AuthError:
        """An auth error that names the setting and the environment variable to renew."""
        return AuthError(
            message,
            hint=f"renew '{self.renew_setting}' of source {self.source!r} "
            f"(environment variable {self.renew_env} in the example config)",
        )

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()


def reset_in(reset: str | None, *, epoch: bool, now: float | None = None) -> float | None:
    """Seconds until a rate window resets, from Unix-seconds or seconds-left headers."""
    if not reset:
        return None
    try:
        value = float(reset)
    except ValueError:
        return None
    if epoch:
        value -= now if now is not None else time.time()
    return max(0.0, value)


def _header_retry_after(response: requests.Response) -> float | None:
    return retry_after_seconds(response.headers.get("Retry-After"))


def _path(url: str) -> str:
    """A URL without its query string (which may hold a token)."""
    return url.split("?")[0]


def _raw(raw: Json) -> str:
    return json.dumps(raw, ensure_ascii=False, default=str)


__all__ = [
    "GraphPaginator",
    "Paginator",
    "Pending",
    "RestConnector",
    "RestOptions",
    "TokenPaginator",
    "Watermark",
    "dig",
    "oldest_first",
    "reset_in",
    "utc",
]
