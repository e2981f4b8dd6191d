"""YouTube Data API v3: comment threads on a channel's videos, with their replies.

``commentThreads.list`` has no "since" filter: threads are paged newest-first (order=time)
until a whole page is older than the ``publishedAt`` watermark (a reply can revive an older
thread, so one old thread does not end the scan); replies beyond the inline five come from
``comments.list?parentId=``. Each call costs quota (1 unit of 10,000/day by default); a
403 ``quotaExceeded`` stops the source until the quota resets at midnight Pacific time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import requests
from pydantic import Field, SecretStr

from crmbridge.errors import CrmbridgeError, QuotaExhausted, RateLimited
from crmbridge.http import retry_after_seconds
from crmbridge.sources import Json, Pending, RestConnector, RestOptions, TokenPaginator, utc

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
AUTH_REASONS = frozenset(
    {"keyInvalid", "keyExpired", "authError", "ipRefererBlocked", "API_KEY_INVALID"}
)


class YouTubeConfig(RestOptions):
    """Options of a ``youtube`` source."""

    api_base: str = Field(default="https://www.googleapis.com/youtube/v3", description="API.")
    api_key: SecretStr = Field(description="API key, ${YOUTUBE_API_KEY}.")
    channel_id: str = Field(min_length=1, description="The brand channel id (UC…).")
    agent: str = Field(default="brand", description="Agent name on the channel's own replies.")


class YouTubeConnector(RestConnector):
    """Comments and replies on every video of one channel."""

    name = "youtube"
    platform = "youtube"
    renew_setting = "api_key"
    renew_env = "YOUTUBE_API_KEY"
    Config: ClassVar[type[YouTubeConfig]] = YouTubeConfig  # type: ignore[assignment]
    config: YouTubeConfig

    def auth_headers(self) -> dict[str, str]:
        """The API key as a header, so it never appears in a URL."""
        return {"X-goog-api-key": self.config.api_key.get_secret_value()}

    def streams(self) -> list[str]:
        """One stream: the channel's comments."""
        return ["comments"]

    def check(self) -> str:
        """Read the channel's title (1 quota unit)."""
        params = {"part": "snippet", "id": self.config.channel_id}
        items = self.get(f"{self.config.api_base}/channels", params).get("items", [])
        return f"channel {items[0]['snippet']['title']}" if items else "channel not found"

    def read_stream(self, stream: str, state: Any) -> Iterator[tuple[Any, Pending]]:
        """Threads newer than the watermark, with their replies, oldest-first."""
        yield from self.watermarked(stream, state, self._threads((state or {}).get("at")))

    def _threads(self, since: str | None) -> Iterator[Pending]:
        params: Json = {
            "part": "snippet,replies",
            "allThreadsRelatedToChannelId": self.config.channel_id,
            "order": "time",
            "maxResults": 100,
            "textFormat": "plainText",
        }
        url = f"{self.config.api_base}/commentThreads"
        for body in self.pages(url, params, TokenPaginator(("nextPageToken",), "pageToken")):
            fresh = False
            for thread in body.get("items", []):
                records = [self._pending(dig_comment(thread)), *self._replies(thread)]
                newest = max(r.at for r in records)
                fresh = fresh or not since or not newest or newest >= since
                yield from records
            if not fresh:
                return  # a whole page older than the watermark: the rest is older still

    def _replies(self, thread: Json) -> Iterator[Pending]:
        inline = (thread.get("replies") or {}).get("comments", [])
        total = (thread.get("snippet") or {}).get("totalReplyCount", 0)
        if total > len(inline):
            inline = list(self._all_replies(str(thread.get("id"))))
        for reply in inline:
            yield self._pending(reply)

    def _all_replies(self, parent_id: str) -> Iterator[Json]:
        params: Json = {
            "part": "snippet",
            "parentId": parent_id,
            "maxResults": 100,
            "textFormat": "plainText",
        }
        url = f"{self.config.api_base}/comments"
        for body in self.pages(url, params, TokenPaginator(("nextPageToken",), "pageToken")):
            yield from body.get("items", [])

    def _pending(self, comment: Json) -> Pending:
        when = (comment.get("snippet") or {}).get("publishedAt")
        return self.pending("comments", when, comment.get("id"), comment, self._record)

    def _record(self, comment: Json) -> Json:
        snippet = comment["snippet"]
        author_id = snippet["authorChannelId"]["value"]
        outbound = author_id == self.config.channel_id
        parent = snippet.get("parentId")
        edited = snippet.get("updatedAt") and snippet["updatedAt"] != snippet["publishedAt"]
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "youtube",
            "kind": "reply" if parent else "comment",
            "message_id": comment["id"],
            "conversation_id": parent or comment["id"],
            "in_reply_to": parent or snippet.get("videoId"),
            "account_id": self.config.channel_id,
            "direction": "outbound" if outbound else "inbound",
            "agent": self.config.agent if outbound else None,
            "author": yt_author(snippet, author_id),
            "text": snippet.get("textOriginal") or snippet.get("textDisplay", ""),
            "created_at": utc(snippet["publishedAt"]),
            "edited_at": utc(snippet["updatedAt"]) if edited else None,
            "url": _comment_url(snippet.get("videoId"), comment["id"]),
        }

    def classify(self, response: requests.Response) -> CrmbridgeError | None:
        """Google error reasons: quota → QuotaExhausted, rate → RateLimited, key → auth."""
        reason = _reason(response)
        if reason in QUOTA_REASONS:
            return QuotaExhausted(
                "youtube: the daily API quota is used up",
                hint="the source resumes after midnight Pacific time, when the quota resets",
            )
        if reason in RATE_REASONS:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return RateLimited("youtube: rate limited", retry_after=wait)
        if reason in AUTH_REASONS:
            return self.auth_error(f"youtube: the API key was refused ({reason})")
        return self.classify_status(response)


def dig_comment(thread: Json) -> Json:
    """The top-level comment of a thread."""
    top = (thread.get("snippet") or {}).get("topLevelComment") or {}
    return top if isinstance(top, dict) else {}


def yt_author(snippet: Json, author_id: str) -> Json:
    """A YouTube comment's author fields as an interchange author."""
    name = snippet.get("authorDisplayName")
    handle = name[1:] if isinstance(name, str) and name.startswith("@") else None
    author = {
        "id": author_id,
        "handle": handle,
        "name": name,
        "profile_url": snippet.get("authorChannelUrl"),
    }
    return {k: v for k, v in author.items() if v is not None}


def _comment_url(video_id: str | None, comment_id: str) -> str | None:
    return f"https://www.youtube.com/watch?v={video_id}&lc={comment_id}" if video_id else None


def _reason(response: requests.Response) -> str | None:
    """The most specific Google error reason: ``details[].reason`` else ``errors[].reason``."""
    if response.status_code < 400:
        return None
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        return None
    for entry in [*(error.get("details") or []), *(error.get("errors") or [])]:
        reason = entry.get("reason") if isinstance(entry, dict) else None
        if reason in QUOTA_REASONS | RATE_REASONS | AUTH_REASONS:
            return str(reason)
    return None
