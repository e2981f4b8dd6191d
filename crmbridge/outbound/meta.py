"""Facebook and Instagram through the Graph API: comment replies and Messenger-platform DMs.

Facebook: a reply comment is ``POST /{comment-id}/comments`` (``message``); Instagram:
``POST /{ig-comment-id}/replies`` (``message``; only top-level comments take replies, so
an answer to a reply goes under its parent). DMs on both go through the Send API,
``POST /{page-id}/messages`` with ``recipient.id``, ``messaging_type`` RESPONSE inside the
24-hour window, or MESSAGE_TAG with ``tag: HUMAN_AGENT`` up to 7 days (``policy.py``
decides which). A public comment moved to private goes as a private reply
(``recipient.comment_id``). Lookups read the comment's replies or the DM conversation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crmbridge.outbound.base import Sender, after, matches
from crmbridge.outbound.reply import Reply
from crmbridge.outbound.wire import SendRefused, Undecidable, get_json, post_once

MAX_PAGES = 10


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z")


def thread_comment(reply: Reply) -> str:
    """The comment a public answer goes under: a reply's parent, else the message itself."""
    target = reply.target
    if target.kind == "reply" and target.in_reply_to:
        return target.in_reply_to
    return target.message_id


class GraphSender(Sender):
    """The parts Facebook and Instagram share: the Send API and Graph paging."""

    comment_edge = "comments"
    text_field = "message"
    commentable = frozenset({"comment", "reply", "post", "mention"})

    def send(self, reply: Reply, mode: str) -> str:
        """Comment reply, DM (RESPONSE or HUMAN_AGENT tag) or private reply."""
        if mode == "public":
            return self._comment(reply)
        recipient = (
            {"comment_id": reply.target.message_id}
            if mode == "private_reply"
            else {"id": reply.target.author.id}
        )
        body: dict[str, Any] = {"recipient": recipient, "message": {"text": reply.body}}
        if mode == "MESSAGE_TAG:HUMAN_AGENT":
            body.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        else:
            body["messaging_type"] = "RESPONSE"
        answer = post_once(
            self.session,
            f"{self.account.api_base}/{self.account.page_id}/messages",
            f"{self.platform} Send API",
            json=body,
            headers=self.headers(),
            timeout=self.timeout,
        )
        return str(answer["message_id"])

    def _comment(self, reply: Reply) -> str:
        if reply.target.kind not in self.commentable:
            raise SendRefused(
                f"{self.platform}: a {reply.target.kind} takes no comment reply; answer by DM"
            )
        answer = post_once(
            self.session,
            f"{self.account.api_base}/{thread_comment(reply)}/{self.comment_edge}",
            f"{self.platform} comment reply",
            data={"message": reply.body},
            headers=self.headers(),
            timeout=self.timeout,
        )
        return str(answer["id"])

    def lookup(self, reply: Reply, since: datetime, taken: set[str]) -> str | None:
        """Find the brand's answer under the comment or in the DM conversation."""
        if reply.send_mode == "private_reply":
            raise Undecidable(
                f"{self.platform}: a private reply opens a conversation crmbridge does not "
                "know yet; check the Page inbox"
            )
        if reply.send_mode == "public":
            url = f"{self.account.api_base}/{thread_comment(reply)}/{self.comment_edge}"
            params = {"fields": self.comment_fields, "limit": 100}
            text_field = self.text_field
        else:
            url = f"{self.account.api_base}/{reply.target.conversation_id}/messages"
            params = {"fields": "id,created_time,from,message", "limit": 100}
            text_field = "message"
        for item in self._pages(url, params):
            if (
                self.is_brand(item)
                and matches(item.get(text_field), reply.body)
                and after(_time(item.get("created_time") or item.get("timestamp")), since)
                and str(item["id"]) not in taken
            ):
                return str(item["id"])
        return None

    comment_fields = "id,message,from,created_time"

    def is_brand(self, item: dict[str, Any]) -> bool:
        """Whether the Page wrote this comment or message."""
        return str((item.get("from") or {}).get("id")) == self.account.page_id

    def _pages(self, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        next_url: str | None = url
        for _ in range(MAX_PAGES):
            if next_url is None:
                break
            body = get_json(
                self.session,
                next_url,
                f"{self.platform} lookup",
                params=params,
                headers=self.headers(),
                timeout=self.timeout,
            )
            found.extend(body.get("data") or [])
            next_url, params = (body.get("paging") or {}).get("next"), {}
        return found

    def brand(self) -> dict[str, Any]:
        """The Page."""
        return {"id": self.account.page_id}


class FacebookSender(GraphSender):
    """Facebook Page comments and Messenger."""

    platform = "facebook"


class InstagramSender(GraphSender):
    """Instagram comment replies and DMs (Messenger platform, sent from the Page)."""

    platform = "instagram"
    commentable = frozenset({"comment", "reply"})
    comment_edge = "replies"
    text_field = "text"
    comment_fields = "id,text,username,timestamp,from"

    def is_brand(self, item: dict[str, Any]) -> bool:
        """The Instagram account wrote it (comments), or the Page did (DMs)."""
        author = str((item.get("from") or {}).get("id"))
        mine = {self.account.page_id, self.account.ig_user_id}
        username = item.get("username")
        return author in mine or (username is not None and username == self.account.ig_username)

    def brand(self) -> dict[str, Any]:
        """The Instagram professional account."""
        return {
            "id": self.account.ig_user_id or self.account.page_id,
            "handle": self.account.ig_username,
        }
