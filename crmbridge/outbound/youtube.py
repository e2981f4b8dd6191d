"""YouTube: ``comments.insert`` (``POST /comments?part=snippet``) with ``snippet.parentId``.

Replies go under the top-level comment of the thread (YouTube nests one level only); the
lookup lists that comment's replies (``GET /comments?parentId=…``) for the brand channel's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crmbridge.outbound.base import Sender, after, matches
from crmbridge.outbound.reply import Reply
from crmbridge.outbound.wire import SendRefused, get_json, post_once

MAX_PAGES = 10


def parent_of(reply: Reply) -> str:
    """The top-level comment of the thread (the connector keeps it as conversation_id)."""
    target = reply.target
    if target.kind not in ("comment", "reply"):
        raise SendRefused(f"youtube: a {target.kind} takes no comment reply")
    return target.conversation_id or target.message_id


class YouTubeSender(Sender):
    """Replies under YouTube comments as the brand channel."""

    platform = "youtube"

    def send(self, reply: Reply, mode: str) -> str:
        """Insert the reply comment; its ``id`` is the platform id."""
        body = {"snippet": {"parentId": parent_of(reply), "textOriginal": reply.body}}
        answer = post_once(
            self.session,
            f"{self.account.api_base}/comments",
            "YouTube comments.insert",
            params={"part": "snippet"},
            json=body,
            headers=self.headers(),
            timeout=self.timeout,
        )
        return str(answer["id"])

    def lookup(self, reply: Reply, since: datetime, taken: set[str]) -> str | None:
        """List the thread's replies; the brand channel's with this text is the one."""
        params: dict[str, Any] = {
            "part": "snippet",
            "parentId": parent_of(reply),
            "maxResults": 100,
            "textFormat": "plainText",
        }
        for _ in range(MAX_PAGES):
            body = get_json(
                self.session,
                f"{self.account.api_base}/comments",
                "YouTube comments.list",
                params=params,
                headers=self.headers(),
                timeout=self.timeout,
            )
            for item in body.get("items") or []:
                snippet = item.get("snippet") or {}
                channel = (snippet.get("authorChannelId") or {}).get("value")
                published = snippet.get("publishedAt")
                stamp = (
                    datetime.fromisoformat(published.replace("Z", "+00:00")) if published else None
                )
                if (
                    channel == self.account.channel_id
                    and matches(
                        snippet.get("textOriginal") or snippet.get("textDisplay"), reply.body
                    )
                    and after(stamp, since)
                    and item["id"] not in taken
                ):
                    return str(item["id"])
            token = body.get("nextPageToken")
            if not token:
                return None
            params = {**params, "pageToken": token}
        return None

    def brand(self) -> dict[str, Any]:
        """The brand channel."""
        return {"id": self.account.channel_id}
