"""Instagram (professional account via Graph): media comments, tags and DMs.

Comments are read from the account's recent media (with their replies), mentions from
``/{ig-user-id}/tags``, DMs from ``conversations?platform=instagram``. The cursor is a
``timestamp``/``created_time`` watermark per stream, never a Graph paging cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from crmbridge.connectors._graph import GraphConnector, GraphOptions
from pydantic import Field

from crmbridge.sources import GraphPaginator, Json, Pending, utc

COMMENT_FIELDS = "id,timestamp,text,username,from,parent_id"
REPLY_FIELDS = f"replies{{{COMMENT_FIELDS}}}"


class InstagramConfig(GraphOptions):
    """Options of an ``instagram`` source."""

    ig_user_id: str = Field(pattern=r"^\d+$", description="The Instagram professional account id.")
    page_id: str | None = Field(
        default=None, description="Facebook Page linked to the account, for DMs (else ig_user_id)."
    )
    username: str | None = Field(default=None, description="The account's username (outbound).")
    comments: bool = Field(default=True, description="Read comments on recent media.")
    tags: bool = Field(default=True, description="Read media the account is tagged in.")
    media_limit: int = Field(default=25, ge=1, le=100, description="Recent media scanned.")


class InstagramConnector(GraphConnector):
    """Comments, tags and DMs of an Instagram professional account."""

    name = "instagram"
    platform = "instagram"
    Config: ClassVar[type[InstagramConfig]] = InstagramConfig  # type: ignore[assignment]
    config: InstagramConfig

    def streams(self) -> list[str]:
        """Comments, tags, then DMs, as configured."""
        flags = {"comments": self.config.comments, "tags": self.config.tags}
        names = [name for name, on in flags.items() if on]
        return [*names, "dms"] if self.config.dms else names

    def check(self) -> str:
        """Read the account's username."""
        body = self.get(f"{self.config.api_base}/{self.config.ig_user_id}", {"fields": "username"})
        return f"account @{body.get('username', '?')}"

    def read_stream(self, stream: str, state: Any) -> Iterator[tuple[Any, Pending]]:
        """Read one stream's delta and yield it oldest-first."""
        if stream == "dms":
            owner = self.config.page_id or self.config.ig_user_id
            records = self.conversations(owner, "instagram", state)
        elif stream == "tags":
            records = self._tags((state or {}).get("at"))
        else:
            records = self._comments()
        yield from self.watermarked(stream, state, records)

    def _comments(self) -> Iterator[Pending]:
        base, account = self.config.api_base, self.config.ig_user_id
        params = {"fields": "id,timestamp,permalink", "limit": self.config.media_limit}
        media = self.get(f"{base}/{account}/media", params).get("data", [])
        for item in media:
            url = f"{base}/{item['id']}/comments"
            fields = {"fields": f"{COMMENT_FIELDS},{REPLY_FIELDS}", "limit": 50}
            for body in self.pages(url, fields, GraphPaginator()):
                for comment in body.get("data", []):
                    yield from self._with_replies(comment, item)

    def _with_replies(self, comment: Json, media: Json) -> Iterator[Pending]:
        replies = (comment.get("replies") or {}).get("data", [])
        for one in [comment, *replies]:
            raw = {"comment": one, "media": media}
            yield self.pending("comments", one.get("timestamp"), one.get("id"), raw, self._comment)

    def _tags(self, since: str | None) -> Iterator[Pending]:
        url = f"{self.config.api_base}/{self.config.ig_user_id}/tags"
        params = {"fields": "id,caption,timestamp,username,permalink", "limit": 50}
        for body in self.pages(url, params, GraphPaginator()):
            for media in body.get("data", []):
                record = self.pending(
                    "tags", media.get("timestamp"), media.get("id"), {"media": media}, self._tag
                )
                if since and record.at and record.at < since:
                    return
                yield record

    def _comment(self, raw: Json) -> Json:
        comment, media = raw["comment"], raw["media"]
        sender = comment.get("from") or {"id": comment["username"], "username": comment["username"]}
        outbound = self._is_account(sender)
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "instagram",
            "kind": "reply" if comment.get("parent_id") else "comment",
            "message_id": comment["id"],
            "conversation_id": media["id"],
            "in_reply_to": comment.get("parent_id") or media["id"],
            "account_id": self.config.ig_user_id,
            "direction": "outbound" if outbound else "inbound",
            "agent": self.config.agent if outbound else None,
            "author": ig_author(sender),
            "text": comment.get("text", ""),
            "created_at": utc(comment["timestamp"]),
            "url": media.get("permalink"),
        }

    def _tag(self, raw: Json) -> Json:
        media = raw["media"]
        handle = media["username"]
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "instagram",
            "kind": "mention",
            "message_id": media["id"],
            "conversation_id": media["id"],
            "account_id": self.config.ig_user_id,
            # Tagged media carry only the username; it stands in for the id (documented).
            "author": ig_author({"id": handle, "username": handle}),
            "text": media.get("caption", ""),
            "created_at": utc(media["timestamp"]),
            "url": media.get("permalink"),
        }

    def message_record(self, raw: Json) -> Json:
        """An Instagram DM; the account's own messages are outbound."""
        message = raw["message"]
        sender = message["from"]
        outbound = self._is_account(sender)
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "instagram",
            "kind": "dm",
            "message_id": message["id"],
            "conversation_id": raw["conversation_id"],
            "account_id": self.config.ig_user_id,
            "direction": "outbound" if outbound else "inbound",
            "agent": self.config.agent if outbound else None,
            "is_private": True,
            "author": ig_author(sender),
            "text": message.get("message", ""),
            "created_at": utc(message["created_time"]),
        }

    def _is_account(self, sender: Json) -> bool:
        ids = {self.config.ig_user_id, self.config.page_id}
        named = self.config.username and sender.get("username") == self.config.username
        return str(sender.get("id")) in ids or bool(named)


def ig_author(sender: Json) -> Json:
    """An Instagram ``from`` object (id, username) as an interchange author."""
    handle = sender.get("username")
    author = {
        "id": str(sender["id"]),
        "handle": handle,
        "profile_url": f"https://www.instagram.com/{handle}/" if handle else None,
    }
    return {k: v for k, v in author.items() if v is not None}
