"""Reddit (OAuth API): subreddit search and comments, inbox mentions and private messages.

Listings come newest-first with ``after`` fullnames; the cursor is a ``created_utc``
watermark per stream (fullnames of deleted things cannot anchor ``before``). A body of
``[deleted]`` or ``[removed]`` marks a deletion. Rate headers ``X-Ratelimit-Remaining`` /
``X-Ratelimit-Reset`` (seconds left in a 10-minute window) drive the back-off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import requests
from pydantic import Field, SecretStr

from crmbridge.errors import CrmbridgeError
from crmbridge.sources import (
    Json,
    Pending,
    RestConnector,
    RestOptions,
    TokenPaginator,
    reset_in,
    utc,
)

GONE = frozenset({"[deleted]", "[removed]"})
LISTING_WINDOW = 1000


class RedditConfig(RestOptions):
    """Options of a ``reddit`` source."""

    api_base: str = Field(default="https://oauth.reddit.com", description="OAuth API host.")
    access_token: SecretStr = Field(description="OAuth token, ${REDDIT_ACCESS_TOKEN}.")
    user_agent: str = Field(
        min_length=10, description="Descriptive User-Agent: 'platform:app:version (by /u/name)'."
    )
    username: str | None = Field(default=None, description="The brand account (outbound).")
    subreddits: list[str] = Field(default_factory=list, description="Subreddits to watch.")
    query: str | None = Field(default=None, description="Search query within the subreddits.")
    comments: bool = Field(default=False, description="Read every new comment of the subs.")
    inbox: bool = Field(default=True, description="Read username mentions and messages.")
    agent: str = Field(default="brand", description="Agent name on the account's own posts.")


class RedditConnector(RestConnector):
    """Search results, comments, mentions and messages from the Reddit OAuth API."""

    name = "reddit"
    platform = "reddit"
    renew_setting = "access_token"
    renew_env = "REDDIT_ACCESS_TOKEN"
    Config: ClassVar[type[RedditConfig]] = RedditConfig  # type: ignore[assignment]
    config: RedditConfig

    def auth_headers(self) -> dict[str, str]:
        """Bearer token and the required descriptive User-Agent."""
        return {
            "Authorization": f"bearer {self.config.access_token.get_secret_value()}",
            "User-Agent": self.config.user_agent,
        }

    def streams(self) -> list[str]:
        """Per subreddit search and comments, then the inbox."""
        names = []
        for sub in self.config.subreddits:
            if self.config.query:
                names.append(f"search:{sub}")
            if self.config.comments:
                names.append(f"comments:{sub}")
        return [*names, "mentions", "messages"] if self.config.inbox else names

    def check(self) -> str:
        """Read the account behind the token."""
        return f"account u/{self.get(f'{self.config.api_base}/api/v1/me').get('name', '?')}"

    def read_stream(self, stream: str, state: Any) -> Iterator[tuple[Any, Pending]]:
        """One listing's delta down to the watermark, oldest-first."""
        since = (state or {}).get("at")
        yield from self.watermarked(stream, state, self._listing(stream, since))

    def _listing(self, stream: str, since: str | None) -> Iterator[Pending]:
        path, params = self._endpoint(stream)
        seen = 0
        url = f"{self.config.api_base}{path}"
        for body in self.pages(url, params, TokenPaginator(("data", "after"), "after")):
            for child in (body.get("data") or {}).get("children", []):
                for thing in _flatten(child):
                    seen += 1
                    record = self._pending(stream, thing)
                    if since and record.at and record.at < since:
                        return
                    yield record
        if since and seen >= LISTING_WINDOW:
            self.behind(stream, f"listings stop at {LISTING_WINDOW} items")

    def _endpoint(self, stream: str) -> tuple[str, Json]:
        params: Json = {"limit": 100, "raw_json": 1}
        kind, _, sub = stream.partition(":")
        if kind == "search":
            params.update(q=self.config.query, restrict_sr=1, sort="new", type="link")
            return f"/r/{sub}/search", params
        if kind == "comments":
            return f"/r/{sub}/comments", params
        return f"/message/{kind}", params

    def _pending(self, stream: str, thing: Json) -> Pending:
        data = thing.get("data") or {}
        raw = {"kind": thing.get("kind"), "data": data, "stream": stream}
        return self.pending(stream, data.get("created_utc"), data.get("name"), raw, self._record)

    def _record(self, raw: Json) -> Json:
        kind, data = raw["kind"], raw["data"]
        body = data.get("body") if kind != "t3" else _post_text(data)
        deleted = body in GONE or data.get("author") in GONE
        outbound = bool(self.config.username) and data.get("author") == self.config.username
        parent = data.get("parent_id")
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "reddit",
            "kind": _kind(kind, raw["stream"], parent),
            "message_id": data["name"],
            "conversation_id": data.get("link_id")
            or data.get("first_message_name")
            or data["name"],
            "in_reply_to": parent,
            "account_id": self.config.username,
            "direction": "outbound" if outbound else "inbound",
            "agent": self.config.agent if outbound else None,
            "is_private": kind == "t4",
            "author": reddit_author(data),
            "text": "" if deleted else (body or ""),
            "created_at": _utc(data["created_utc"]),
            "edited_at": _utc(data["edited"]) if data.get("edited") else None,
            "deleted": deleted,
            "url": f"https://www.reddit.com{data['permalink']}" if data.get("permalink") else None,
        }

    def window_left(self, response: requests.Response) -> tuple[float, float] | None:
        """``X-Ratelimit-Remaining`` and ``X-Ratelimit-Reset`` (seconds left in the window)."""
        left = response.headers.get("X-Ratelimit-Remaining")
        wait = reset_in(response.headers.get("X-Ratelimit-Reset"), epoch=False)
        try:
            return (float(left), wait) if left is not None and wait is not None else None
        except ValueError:
            return None

    def classify(self, response: requests.Response) -> CrmbridgeError | None:
        """Reddit: 401 expired token, 429 until ``X-Ratelimit-Reset`` seconds from now."""
        wait = reset_in(response.headers.get("X-Ratelimit-Reset"), epoch=False)
        return self.classify_status(response, retry_after=wait)


def _flatten(child: Json) -> Iterator[Json]:
    """A thing and, for messages, the replies nested in it."""
    yield child
    replies = (child.get("data") or {}).get("replies")
    if isinstance(replies, dict):
        for reply in (replies.get("data") or {}).get("children", []):
            yield from _flatten(reply)


def _kind(thing: str, stream: str, parent: str | None) -> str:
    if thing == "t4":
        return "dm"
    if stream == "mentions":
        return "mention"
    if thing == "t3":
        return "post"
    return "reply" if parent and parent.startswith("t1_") else "comment"


def _post_text(data: Json) -> str:
    body = data.get("selftext") or ""
    if body in GONE:
        return body
    return f"{data.get('title', '')}\n\n{body}".strip()


def _utc(value: Any) -> str:
    return utc(float(value))


def reddit_author(data: Json) -> Json:
    """A listing item's author as an interchange author (``t2_`` fullname as the id)."""
    handle = data.get("author")
    if handle in GONE or not handle:
        return {"id": "[deleted]"}
    author = {
        "id": data.get("author_fullname") or f"u/{handle}",
        "handle": handle,
        "profile_url": f"https://www.reddit.com/user/{handle}",
    }
    return author
