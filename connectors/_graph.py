"""Meta Graph API pieces shared by the Facebook and Instagram connectors.

Graph answers errors as ``{"error": {"code", "error_subcode", "message", "fbtrace_id"}}``;
``classify`` maps them onto error kinds, reading how long to back off from the usage headers.
Every answer also carries how much of the rate budget is used (``X-App-Usage``,
``X-Page-Usage``: percentages; ``X-Business-Use-Case-Usage``: percentages per business
object with ``estimated_time_to_regain_access`` in minutes): past ``usage_pause`` percent
the next call waits until access is regained (or the source stops when that is longer than
``max_rate_wait``), so a sync slows down before Meta throttles it.
Conversations (Messenger and Instagram DMs) have the same shape on both platforms.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import requests
from pydantic import Field, SecretStr

from crmbridge.errors import AuthError, ConfigError, CrmbridgeError, RateLimited, TransientError
from crmbridge.sources import GraphPaginator, Json, Pending, RestConnector, RestOptions, utc

GRAPH_VERSION = "v21.0"
GRAPH_BASE = f"https://graph.facebook.com/{GRAPH_VERSION}"
RATE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
AUTH_SUBCODES = {
    463: "the token expired",
    460: "the password changed since the token was issued",
    458: "the app was removed",
    467: "the token is invalid",
}
READABLE_MESSAGES = 20
USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Ad-Account-Usage")
USAGE_COOL_DOWN = 300.0  # seconds: the app and page budgets are rolling one-hour windows
MESSAGE_FIELDS = "messages{id,created_time,from,to,message}"


class GraphOptions(RestOptions):
    """Options shared by the Meta connectors."""

    api_base: str = Field(default=GRAPH_BASE, description="Graph host with a pinned version.")
    min_interval: float = Field(
        default=0.5, ge=0, le=60, description="Seconds between calls (Graph: 2 calls/s per Page)."
    )
    access_token: SecretStr = Field(description="Page access token, ${META_PAGE_TOKEN}.")
    dms: bool = Field(default=True, description="Read direct-message conversations.")
    agent: str = Field(default="brand", description="Agent name when the name is unknown.")
    usage_pause: float = Field(
        default=90.0,
        gt=0,
        le=100,
        description="Percent of Graph's rate budget (usage headers) at which calls wait.",
    )


class GraphConnector(RestConnector):
    """Base of the Meta connectors: auth header, error classification, conversations."""

    renew_env = "META_PAGE_TOKEN"
    config: GraphOptions

    def auth_headers(self) -> dict[str, str]:
        """Graph takes the token as a bearer header (kept out of URLs and logs)."""
        return {"Authorization": f"Bearer {self.config.access_token.get_secret_value()}"}

    def classify(self, response: requests.Response) -> CrmbridgeError | None:
        """Graph error codes: 190 auth, 4/17/32/613/80001-80014 rate, 1/2 transient."""
        error = _graph_error(response)
        if error is None:
            return self.classify_status(response) if response.status_code >= 400 else None
        code, sub = error.get("code"), error.get("error_subcode")
        where = f"{self.platform}: Graph error {code}"
        if code == 190:
            reason = AUTH_SUBCODES.get(int(sub or 0), "the token is not valid")
            return self.auth_error(f"{where}/{sub}: {reason}; renew the Page access token")
        if code in RATE_CODES:
            return RateLimited(f"{where}: rate limited", retry_after=regain_seconds(response))
        if code in (1, 2) or response.status_code >= 500:
            return TransientError(f"{where}: temporary failure")
        if code == 10 or (isinstance(code, int) and 200 <= code < 300):
            return AuthError(f"{where}: permission missing", hint="grant the app the permission")
        return ConfigError(f"{where}: {str(error.get('message', ''))[:200]}")

    def window_left(self, response: requests.Response) -> tuple[float, float] | None:
        """Budget left (percent) from the usage headers; past ``usage_pause``, the wait."""
        used = usage_percent(response)
        if used is None:
            return None
        if used < self.config.usage_pause:
            return 100.0 - used, 0.0
        return 0.0, regain_seconds(response) or USAGE_COOL_DOWN

    def conversations(self, owner: str, platform: str, state: Any) -> Iterator[Pending]:
        """Messages of conversations updated since the watermark, newest conversations first."""
        since = (state or {}).get("at")
        params = {"platform": platform, "fields": f"participants,updated_time,{MESSAGE_FIELDS}"}
        url = f"{self.config.api_base}/{owner}/conversations"
        for body in self.pages(url, params, GraphPaginator()):
            for conversation in body.get("data", []):
                if since and utc(conversation.get("updated_time", since)) < since:
                    return
                yield from self._messages(conversation, since)

    def _messages(self, conversation: Json, since: str | None) -> Iterator[Pending]:
        messages = (conversation.get("messages") or {}).get("data", [])
        stamps = [utc(m["created_time"]) for m in messages if m.get("created_time")]
        if since and len(messages) >= READABLE_MESSAGES and min(stamps, default=since) > since:
            self.behind(
                "dms",
                f"conversation {conversation.get('id')} has more new messages "
                f"than the {READABLE_MESSAGES} Graph lets us read",
            )
        thread = thread_id(conversation)
        for message in messages:
            raw = {"message": message, "conversation_id": thread}
            yield self.pending(
                "dms", message.get("created_time"), message.get("id"), raw, self.message_record
            )

    def message_record(self, raw: Json) -> Json:
        """A Messenger or Instagram message as an interchange record."""
        raise NotImplementedError


def thread_id(conversation: Json) -> str | None:
    """A one-to-one chat as ``<lower id>-<higher id>`` of its two participants.

    The webhook knows only sender and recipient, never Graph's ``t_…`` conversation id:
    both sides name the chat by its participants (as X names its one-to-one DMs), so a
    message threads alike whether it came by webhook or by poll. A group keeps Graph's id.
    """
    people = (conversation.get("participants") or {}).get("data") or []
    ids = [str(p.get("id")) for p in people if isinstance(p, dict) and p.get("id")]
    return pair_id(*ids) if len(ids) == 2 else conversation.get("id")


def pair_id(one: str, other: str) -> str:
    """Two numeric ids, lower first, joined by ``-``."""
    low, high = sorted((one, other), key=lambda i: (len(i), i))
    return f"{low}-{high}"


def _graph_error(response: requests.Response) -> Json | None:
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def usage_percent(response: requests.Response) -> float | None:
    """The highest share of any Graph rate budget used, from the usage headers."""
    shares: list[float] = []
    for name in USAGE_HEADERS:
        shares.extend(_shares(_header_json(response, name)))
    usage = _header_json(response, "X-Business-Use-Case-Usage")
    for entries in usage.values() if isinstance(usage, dict) else []:
        for entry in entries if isinstance(entries, list) else []:
            shares.extend(_shares(entry))
    return max(shares) if shares else None


def _shares(entry: Any) -> list[float]:
    if not isinstance(entry, dict):
        return []
    keys = ("call_count", "total_time", "total_cputime", "acc_id_util_pct")
    return [float(entry[k]) for k in keys if isinstance(entry.get(k), int | float)]


def _header_json(response: requests.Response, name: str) -> Any:
    raw = response.headers.get(name)
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def regain_seconds(response: requests.Response) -> float | None:
    """``estimated_time_to_regain_access`` (minutes) from the Business Use Case header."""
    raw = response.headers.get("X-Business-Use-Case-Usage")
    try:
        usage = json.loads(raw) if raw else {}
    except ValueError:
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access", 0)
        for entries in (usage.values() if isinstance(usage, dict) else [])
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict)
    ]
    return 60.0 * max(minutes) if minutes else None
