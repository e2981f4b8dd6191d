"""Facebook Page: comments, visitor posts, posts tagging the Page, and Messenger.

Graph paging cursors die with deleted items, so the cursor is a ``created_time`` watermark
per stream. Comments are read newest-first per post down to the watermark; visitor posts
(``/{page}/visitor_posts``: posts people write on the Page) and posts that tag the Page
(``/{page}/tagged``, kind mention) newest-first down to it; messages from conversations
updated since it. The Page's own replies (``from.id`` is the Page) are outbound. Deletions
only arrive by webhook (feed ``verb: remove``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from crmbridge.connectors._graph import GraphConnector, GraphOptions
from pydantic import Field

from crmbridge.sources import GraphPaginator, Json, Pending, utc

COMMENT_FIELDS = "id,created_time,from,message,parent{id},permalink_url"
POST_FIELDS = "id,created_time,from,message,permalink_url"
# Post streams: name → (edge of the Page, kind of what it holds).
POST_STREAMS = {"visitor_posts": ("visitor_posts", "post"), "tagged": ("tagged", "mention")}


class FacebookConfig(GraphOptions):
    """Options of a ``facebook`` source."""

    page_id: str = Field(pattern=r"^\d+$", description="The Page's numeric id.")
    comments: bool = Field(default=True, description="Read comments on the Page's posts.")
    posts_lookback_days: int = Field(
        default=14, ge=1, le=365, description="Posts this recent are scanned for new comments."
    )
    visitor_posts: bool = Field(default=True, description="Read posts people write on the Page.")
    tagged: bool = Field(default=True, description="Read posts that tag or mention the Page.")


class FacebookConnector(GraphConnector):
    """Page comments and Messenger conversations from the Meta Graph API."""

    name = "facebook"
    platform = "facebook"
    renew_setting = "access_token"
    Config: ClassVar[type[FacebookConfig]] = FacebookConfig  # type: ignore[assignment]
    config: FacebookConfig

    def streams(self) -> list[str]:
        """Comments, visitor posts, tagging posts, then Messenger."""
        flags = {
            "comments": self.config.comments,
            "visitor_posts": self.config.visitor_posts,
            "tagged": self.config.tagged,
            "dms": self.config.dms,
        }
        return [name for name, on in flags.items() if on]

    def check(self) -> str:
        """Read the Page's name."""
        body = self.get(f"{self.config.api_base}/{self.config.page_id}", {"fields": "name"})
        return f"page {body.get('name', '?')}"

    def read_stream(self, stream: str, state: Any) -> Iterator[tuple[Any, Pending]]:
        """Read one stream's delta and yield it oldest-first."""
        if stream == "dms":
            records = self.conversations(self.config.page_id, "messenger", state)
        elif stream in POST_STREAMS:
            records = self._posts(stream, (state or {}).get("at"))
        else:
            records = self._comments((state or {}).get("at"))
        yield from self.watermarked(stream, state, records)

    def _comments(self, since: str | None) -> Iterator[Pending]:
        base = self.config.api_base
        start = datetime.now(UTC) - timedelta(days=self.config.posts_lookback_days)
        params: Json = {"fields": "id,created_time", "since": int(start.timestamp())}
        for body in self.pages(f"{base}/{self.config.page_id}/feed", params, GraphPaginator()):
            for post in body.get("data", []):
                yield from self._post_comments(str(post["id"]), since)

    def _post_comments(self, post_id: str, since: str | None) -> Iterator[Pending]:
        params: Json = {
            "filter": "stream",
            "order": "reverse_chronological",
            "fields": COMMENT_FIELDS,
            "limit": 100,
        }
        url = f"{self.config.api_base}/{post_id}/comments"
        for body in self.pages(url, params, GraphPaginator()):
            for comment in body.get("data", []):
                record = self.pending(
                    "comments",
                    comment.get("created_time"),
                    comment.get("id"),
                    {"comment": comment, "post_id": post_id},
                    self._comment_record,
                )
                if since and record.at and record.at < since:
                    return  # reverse chronological: the rest is older
                yield record

    def _posts(self, stream: str, since: str | None) -> Iterator[Pending]:
        """A Page edge of posts by others, newest-first down to the watermark."""
        url = f"{self.config.api_base}/{self.config.page_id}/{POST_STREAMS[stream][0]}"
        params: Json = {"fields": POST_FIELDS, "limit": 100}
        for body in self.pages(url, params, GraphPaginator()):
            for post in body.get("data", []):
                raw = {"post": post, "stream": stream}
                record = self.pending(
                    stream, post.get("created_time"), post.get("id"), raw, self._post_record
                )
                if since and record.at and record.at < since:
                    return
                yield record

    def _post_record(self, raw: Json) -> Json:
        post = raw["post"]
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "facebook",
            "kind": POST_STREAMS[raw["stream"]][1],
            "message_id": post["id"],
            "conversation_id": post["id"],
            "account_id": self.config.page_id,
            "author": fb_author(post["from"]),
            "text": post.get("message", ""),
            "created_at": utc(post["created_time"]),
            "url": post.get("permalink_url"),
        }

    def _comment_record(self, raw: Json) -> Json:
        comment, post_id = raw["comment"], raw["post_id"]
        sender = comment["from"]
        parent = (comment.get("parent") or {}).get("id")
        outbound = str(sender["id"]) == self.config.page_id
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "facebook",
            "kind": "reply" if parent else "comment",
            "message_id": comment["id"],
            "conversation_id": post_id,
            "in_reply_to": parent or post_id,
            "account_id": self.config.page_id,
            "direction": "outbound" if outbound else "inbound",
            "agent": (sender.get("name") or self.config.agent) if outbound else None,
            "author": fb_author(sender),
            "text": comment.get("message", ""),
            "created_at": utc(comment["created_time"]),
            "url": comment.get("permalink_url"),
        }

    def message_record(self, raw: Json) -> Json:
        """A Messenger message; the Page's own messages are outbound."""
        message = raw["message"]
        sender = message["from"]
        outbound = str(sender["id"]) == self.config.page_id
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "facebook",
            "kind": "dm",
            "message_id": message["id"],
            "conversation_id": raw["conversation_id"],
            "account_id": self.config.page_id,
            "direction": "outbound" if outbound else "inbound",
            "agent": (sender.get("name") or self.config.agent) if outbound else None,
            "is_private": True,
            "author": fb_author(sender),
            "text": message.get("message", ""),
            "created_at": utc(message["created_time"]),
        }


def fb_author(sender: Json) -> Json:
    """A Graph ``from`` object (Page-scoped id and name) as an interchange author."""
    author = {"id": str(sender["id"]), "name": sender.get("name")}
    return {k: v for k, v in author.items() if v is not None}
