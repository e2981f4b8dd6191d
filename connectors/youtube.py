"""YouTube Data API v3: comment threads on a channel's videos, with their replies.

``commentThreads.list`` has no "since" filter: threads are paged newest-first (order=time,
by the thread's first comment) until a whole page is older than the ``publishedAt``
watermark, and at least ``reply_scan_pages`` pages, since a new reply does not move its
thread up. Replies beyond the inline ones come from ``comments.list?parentId=``, but only
for threads whose ``totalReplyCount`` moved since the last run (the cursor keeps the counts
of the threads scanned): a busy old thread costs nothing until someone answers in it.
``comments.list`` snippets carry no ``videoId``: a reply's URL uses its thread's.

Held-for-review and likely-spam comments (``moderationStatus``) are read only with the
channel owner's OAuth token (``oauth_token``, ``moderation: true``); an API key sees only
published ones. Each call costs quota (1 unit of 10,000/day by default); a 403
``quotaExceeded`` stops the source until the quota resets at midnight Pacific time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import requests
from pydantic import Field, SecretStr, model_validator

from crmbridge.errors import CrmbridgeError, QuotaExhausted, RateLimited
from crmbridge.http import retry_after_seconds
from crmbridge.sources import Json, Pending, RestConnector, RestOptions, TokenPaginator, utc

# Streams: name → moderationStatus asked for.
MODERATION = {"comments": "published", "held": "heldForReview", "spam": "likelySpam"}
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
    reply_scan_pages: int = Field(
        default=2, ge=1, le=50, description="Thread pages always checked for new replies."
    )
    oauth_token: SecretStr | None = Field(
        default=None, description="The channel owner's OAuth token, ${YOUTUBE_OAUTH_TOKEN}."
    )
    moderation: bool = Field(
        default=False, description="Also read held-for-review and likely-spam comments."
    )

    @model_validator(mode="after")
    def _moderation_needs_the_owner(self) -> YouTubeConfig:
        if self.moderation and self.oauth_token is None:
            raise ValueError(
                "moderation: true needs oauth_token (the channel owner's OAuth token, "
                "${YOUTUBE_OAUTH_TOKEN}): an API key sees only published comments"
            )
        return self


class YouTubeConnector(RestConnector):
    """Comments and replies on every video of one channel."""

    name = "youtube"
    platform = "youtube"
    renew_setting = "api_key"
    renew_env = "YOUTUBE_API_KEY"
    Config: ClassVar[type[YouTubeConfig]] = YouTubeConfig  # type: ignore[assignment]
    config: YouTubeConfig

    def auth_headers(self) -> dict[str, str]:
        """The API key as a header (never in a URL), and the owner's token when given."""
        headers = {"X-goog-api-key": self.config.api_key.get_secret_value()}
        if self.config.oauth_token is not None:
            headers["Authorization"] = f"Bearer {self.config.oauth_token.get_secret_value()}"
        return headers

    def streams(self) -> list[str]:
        """The channel's published comments; held and likely-spam ones with ``moderation``."""
        return ["comments", "held", "spam"] if self.config.moderation else ["comments"]

    def check(self) -> str:
        """Read the channel's title (1 quota unit)."""
        params = {"part": "snippet", "id": self.config.channel_id}
        items = self.get(f"{self.config.api_base}/channels", params).get("items", [])
        return f"channel {items[0]['snippet']['title']}" if items else "channel not found"

    def read_stream(self, stream: str, state: Any) -> Iterator[tuple[Any, Pending]]:
        """Threads newer than the watermark, with their new replies, oldest-first.

        The reply counts of this run ride only on the last item's cursor: resuming from
        an earlier one checks those threads again (the watermark drops what was yielded).
        """
        before = dict((state or {}).get("replies") or {})
        now: dict[str, int] = {}
        threads = self._threads(stream, (state or {}).get("at"), before, now)
        delta = list(self.watermarked(stream, state, threads))
        for position, (after, record) in enumerate(delta):
            counts = now if position == len(delta) - 1 else before
            yield {**after, "replies": counts}, record

    def _threads(
        self, stream: str, since: str | None, before: dict[str, int], now: dict[str, int]
    ) -> Iterator[Pending]:
        params: Json = {
            "part": "snippet,replies",
            "allThreadsRelatedToChannelId": self.config.channel_id,
            "order": "time",
            "maxResults": 100,
            "textFormat": "plainText",
        }
        if stream != "comments":
            params["moderationStatus"] = MODERATION[stream]
        url = f"{self.config.api_base}/commentThreads"
        paginator = TokenPaginator(("nextPageToken",), "pageToken")
        for page, body in enumerate(self.pages(url, params, paginator), start=1):
            fresh = False
            for thread in body.get("items", []):
                records = [self._pending(stream, dig_comment(thread), _video(thread))]
                records.extend(self._replies(stream, thread, before, now))
                newest = max(r.at for r in records)
                fresh = fresh or not since or not newest or newest >= since
                yield from records
            if not fresh and page >= self.config.reply_scan_pages:
                return  # whole pages older than the watermark: the rest is older still

    def _replies(
        self, stream: str, thread: Json, before: dict[str, int], now: dict[str, int]
    ) -> Iterator[Pending]:
        thread_id = str(thread.get("id"))
        inline = (thread.get("replies") or {}).get("comments", [])
        total = (thread.get("snippet") or {}).get("totalReplyCount", 0)
        now[thread_id] = total
        if total > len(inline) and before.get(thread_id) != total:
            inline = list(self._all_replies(thread_id))
        for reply in inline:
            yield self._pending(stream, reply, _video(thread))

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

    def _pending(self, stream: str, comment: Json, video_id: str | None) -> Pending:
        when = (comment.get("snippet") or {}).get("publishedAt")
        raw = {"comment": comment, "video_id": video_id}
        return self.pending(stream, when, comment.get("id"), raw, self._record)

    def _record(self, raw: Json) -> Json:
        comment = raw["comment"]
        snippet = comment["snippet"]
        video = snippet.get("videoId") or raw.get("video_id")
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
            "in_reply_to": parent or video,
            "account_id": self.config.channel_id,
            "direction": "outbound" if outbound else "inbound",
            "agent": self.config.agent if outbound else None,
            "author": yt_author(snippet, author_id),
            "text": snippet.get("textOriginal") or snippet.get("textDisplay", ""),
            "created_at": utc(snippet["publishedAt"]),
            "edited_at": utc(snippet["updatedAt"]) if edited else None,
            "url": _comment_url(video, comment["id"]),
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


def _video(thread: Json) -> str | None:
    """The video a thread is on (its replies' snippets do not say)."""
    video = (thread.get("snippet") or {}).get("videoId")
    return str(video) if video else None


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
