"""Reddit (OAuth API): subreddit search and comments, the inbox and the brand's sent mail.

Streams: per watched subreddit a search and (``comments: true``) every new comment; then
the inbox, split by what Reddit files it under: ``/message/mentions`` (username mentions),
``/message/comments`` (replies to the brand's comments), ``/message/selfreply`` (replies to
the brand's posts), ``/message/messages`` (private messages in) and ``/message/sent`` (the
brand's own messages out); and the brand's own comments and posts elsewhere
(``/user/NAME/overview``). Each thing is read from one stream only: inbox comments of a
subreddit whose comments are read in full come from that stream, and the brand's own
messages from ``sent``.

Listings come newest-first with ``after`` fullnames; the cursor is a ``created_utc``
watermark per stream (fullnames of deleted things cannot anchor ``before``). A body of
``[deleted]`` or ``[removed]`` marks a deletion. Inbox comments carry ``context`` and
``parent_id`` instead of ``permalink`` and ``link_id``: the post's fullname and the URL are
read from ``context``. Personas are keyed by the ``t2_`` account fullname; where a listing
omits ``author_fullname`` it is looked up once per run (``/user/NAME/about``). An item with
no author (deleted account, subreddit or moderator mail) has no persona. Rate headers
``X-Ratelimit-Remaining`` / ``X-Ratelimit-Reset`` (seconds left in a 10-minute window)
drive the back-off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import quote

import requests
from pydantic import Field, SecretStr

from crmbridge.errors import ConfigError, CrmbridgeError
from crmbridge.models import no_author
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
WEB = "https://www.reddit.com"
# Inbox streams: name in the cursor → path under /message/, and the kind of what it holds.
INBOX = {
    "mentions": ("mentions", "mention"),
    "replies": ("comments", "reply"),
    "selfreplies": ("selfreply", "reply"),
    "messages": ("messages", "dm"),
    "sent": ("sent", "dm"),
}
_POST_IN_PATH = re.compile(r"/comments/([a-z0-9]+)/", re.IGNORECASE)


class RedditConfig(RestOptions):
    """Options of a ``reddit`` source."""

    api_base: str = Field(default="https://oauth.reddit.com", description="OAuth API host.")
    access_token: SecretStr = Field(description="OAuth token, ${REDDIT_ACCESS_TOKEN}.")
    user_agent: str = Field(
        min_length=10, description="Descriptive User-Agent: 'platform:app:version (by /u/name)'."
    )
    username: str | None = Field(
        default=None, description="The brand account: its items are outbound, its sent mail read."
    )
    subreddits: list[str] = Field(default_factory=list, description="Subreddits to watch.")
    query: str | None = Field(default=None, description="Search query within the subreddits.")
    comments: bool = Field(default=False, description="Read every new comment of the subs.")
    inbox: bool = Field(
        default=True, description="Read mentions, replies to the brand and messages both ways."
    )
    agent: str = Field(default="brand", description="Agent name on the account's own posts.")


class RedditConnector(RestConnector):
    """Search results, comments, the inbox and sent messages from the Reddit OAuth API."""

    name = "reddit"
    platform = "reddit"
    renew_setting = "access_token"
    renew_env = "REDDIT_ACCESS_TOKEN"
    Config: ClassVar[type[RedditConfig]] = RedditConfig  # type: ignore[assignment]
    config: RedditConfig

    def __init__(self, config: Any, source: str, session: requests.Session | None = None):
        super().__init__(config, source, session)
        self._fullnames: dict[str, str] = {}  # username → t2_ fullname, for this run

    def auth_headers(self) -> dict[str, str]:
        """Bearer token and the required descriptive User-Agent."""
        return {
            "Authorization": f"bearer {self.config.access_token.get_secret_value()}",
            "User-Agent": self.config.user_agent,
        }

    def streams(self) -> list[str]:
        """Per subreddit search and comments, then the inbox streams and the sent mail."""
        names = []
        for sub in self.config.subreddits:
            if self.config.query:
                names.append(f"search:{sub}")
            if self.config.comments:
                names.append(f"comments:{sub}")
        if not self.config.inbox:
            return names
        if not self.config.username:
            return [*names, *(s for s in INBOX if s != "sent")]
        return [*names, *INBOX, "own"]

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
                    if self._owned_here(stream, thing):
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
        if kind == "own":
            return f"/user/{quote(str(self.config.username), safe='')}/overview", params
        return f"/message/{INBOX[kind][0]}", params

    def _owned_here(self, stream: str, thing: Json) -> bool:
        """Whether this stream is the one that yields the thing (each comes from one)."""
        data = thing.get("data") or {}
        if stream in ("mentions", "replies", "selfreplies", "own"):
            if stream == "own" and thing.get("kind") == "t3":
                return True  # the brand's posts: search reads only what matches its query
            sub = str(data.get("subreddit") or "").lower()
            return not (self.config.comments and sub in self._watched())
        if stream == "messages" and self.config.username:
            return not self._is_brand(data.get("author"))  # the brand's come from ``sent``
        if stream == "sent":
            return self._is_brand(data.get("author"))
        return True

    def _watched(self) -> set[str]:
        return {s.lower() for s in self.config.subreddits}

    def _is_brand(self, author: Any) -> bool:
        name = self.config.username
        return bool(name) and isinstance(author, str) and author.lower() == str(name).lower()

    def _pending(self, stream: str, thing: Json) -> Pending:
        data = thing.get("data") or {}
        raw = {"kind": thing.get("kind"), "data": data, "stream": stream}
        return self.pending(stream, data.get("created_utc"), data.get("name"), raw, self._record)

    def _record(self, raw: Json) -> Json:
        kind, data = raw["kind"], raw["data"]
        body = data.get("body") if kind != "t3" else _post_text(data)
        deleted = body in GONE or data.get("author") in GONE
        outbound = self._is_brand(data.get("author"))
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "reddit",
            "kind": self._kind(kind, raw["stream"], data),
            "message_id": data["name"],
            "conversation_id": _conversation(data),
            "in_reply_to": data.get("parent_id"),
            "account_id": self.config.username,
            "direction": "outbound" if outbound else "inbound",
            "agent": self.config.agent if outbound else None,
            "is_private": kind == "t4",
            "author": self._author(data),
            "text": "" if deleted else (body or ""),
            "created_at": _utc(data["created_utc"]),
            "edited_at": _utc(data["edited"]) if data.get("edited") else None,
            "deleted": deleted,
            "url": _url(kind, data),
        }

    def _kind(self, thing: str, stream: str, data: Json) -> str:
        if thing == "t4":
            return "dm"
        if stream in INBOX:
            return INBOX[stream][1]
        if thing == "t3":
            return "post"
        name = self.config.username
        if name and f"u/{name.lower()}" in str(data.get("body") or "").lower():
            return "mention"
        parent = data.get("parent_id")
        return "reply" if parent and str(parent).startswith("t1_") else "comment"

    def _author(self, data: Json) -> Json:
        handle = data.get("author")
        if not handle or handle in GONE:
            return no_author(data["name"])  # deleted account, subreddit or moderator mail
        fullname = data.get("author_fullname") or self._fullname(handle)
        return {
            "id": fullname or f"u/{handle}",
            "handle": handle,
            "profile_url": f"{WEB}/user/{handle}",
        }

    def _fullname(self, handle: str) -> str | None:
        """The account's ``t2_`` fullname, looked up once per run; None if Reddit hides it."""
        if handle not in self._fullnames:
            url = f"{self.config.api_base}/user/{quote(handle, safe='')}/about"
            try:
                about = self.get(url, {"raw_json": 1}).get("data") or {}
            except ConfigError:  # 404: a shadow-banned or vanished account
                about = {}
            self._fullnames[handle] = f"t2_{about['id']}" if about.get("id") else ""
        return self._fullnames[handle] or None

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


def _conversation(data: Json) -> str:
    """The post a comment belongs to (``link_id``, else read from ``context``), or the PM."""
    if data.get("link_id"):
        return str(data["link_id"])
    found = _POST_IN_PATH.search(str(data.get("context") or ""))
    if found:
        return f"t3_{found.group(1)}"
    return str(data.get("first_message_name") or data["name"])


def _url(thing: str, data: Json) -> str | None:
    """The thing's page: ``permalink``, an inbox item's ``context``, or the message."""
    if data.get("permalink"):
        return f"{WEB}{data['permalink']}"
    if data.get("context"):
        return f"{WEB}{str(data['context']).split('?')[0]}"
    if thing == "t4" and data.get("id"):
        return f"{WEB}/message/messages/{data['id']}"
    return None


def _post_text(data: Json) -> str:
    body = data.get("selftext") or ""
    if body in GONE:
        return body
    return f"{data.get('title', '')}\n\n{body}".strip()


def _utc(value: Any) -> str:
    return utc(float(value))
