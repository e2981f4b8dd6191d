"""Instagram (professional account via Graph): media comments, tags and DMs.

Comments are read from the account's recent media (with their replies, every page of
them: the nested ``replies`` edge gives the first page only), mentions from
``/{ig-user-id}/tags``, DMs from ``conversations?platform=instagram``. The cursor is a
``timestamp``/``created_time`` watermark per stream, never a Graph paging cursor; the
comments stream also keeps each media's ``comments_count`` so a run reads the comments only
of media whose count moved (a new comment and a deleted one in the same interval cancel
out: the ``comments`` webhook covers that case). Tagged media name their owner by username
only (Graph returns ``owner`` to the media's creator alone), so a tag's persona is the
username, not the Instagram-scoped id the same person has in comments and DMs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from crmbridge.connectors._graph import GraphConnector, GraphOptions
from pydantic import Field

from crmbridge.models import no_author
from crmbridge.sources import GraphPaginator, Json, Pending, dig, utc

COMMENT_FIELDS = "id,timestamp,text,username,from,parent_id"
REPLY_FIELDS = f"replies{{{COMMENT_FIELDS}}}"
MENTIONED_MEDIA = "id,caption,timestamp,username,permalink,media_type"
MENTIONED_COMMENT = "id,text,timestamp,username,media{id,permalink}"


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
            yield from self._comment_stream(state)
            return
        yield from self.watermarked(stream, state, records)

    def _comment_stream(self, state: Any) -> Iterator[tuple[Any, Pending]]:
        """New comments of the media whose ``comments_count`` moved since the last run.

        The new counts ride only on the last item's cursor: resuming from an earlier one
        reads those media again (the watermark drops what was yielded).
        """
        before = dict((state or {}).get("counts") or {})
        base, account = self.config.api_base, self.config.ig_user_id
        params = {
            "fields": "id,timestamp,permalink,comments_count",
            "limit": self.config.media_limit,
        }
        media = self.get(f"{base}/{account}/media", params).get("data", [])
        now = {str(m["id"]): m.get("comments_count") for m in media if m.get("id")}
        moved = [
            m
            for m in media
            if m.get("comments_count") is None
            or before.get(str(m["id"])) != m.get("comments_count")
        ]
        delta = list(self.watermarked("comments", state, self._comments(moved)))
        for position, (after, record) in enumerate(delta):
            counts = {**before, **now} if position == len(delta) - 1 else before
            yield {**after, "counts": counts}, record

    def _comments(self, media: list[Json]) -> Iterator[Pending]:
        for item in media:
            url = f"{self.config.api_base}/{item['id']}/comments"
            fields = {"fields": f"{COMMENT_FIELDS},{REPLY_FIELDS}", "limit": 50}
            for body in self.pages(url, fields, GraphPaginator()):
                for comment in body.get("data", []):
                    yield from self._with_replies(comment, item)

    def _with_replies(self, comment: Json, media: Json) -> Iterator[Pending]:
        nested = comment.get("replies") or {}
        replies = list(nested.get("data", []))
        after = dig(nested, ("paging", "cursors", "after"))
        if dig(nested, ("paging", "next")) and after:
            url = f"{self.config.api_base}/{comment['id']}/replies"
            params = {"fields": COMMENT_FIELDS, "limit": 50, "after": after}
            for body in self.pages(url, params, GraphPaginator()):
                replies.extend(body.get("data", []))
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

    def mentioned(self, media_id: str, comment_id: str | None = None) -> Json | None:
        """The record of an @mention the ``mentions`` webhook names by ids only.

        A caption mention is read through ``mentioned_media``, a comment mention through
        ``mentioned_comment`` (Graph lists neither: only the webhook says they exist).
        """
        base, account = self.config.api_base, self.config.ig_user_id
        if comment_id:
            fields = f"mentioned_comment.comment_id({comment_id}){{{MENTIONED_COMMENT}}}"
            found = self.get(f"{base}/{account}", {"fields": fields}).get("mentioned_comment")
        else:
            fields = f"mentioned_media.media_id({media_id}){{{MENTIONED_MEDIA}}}"
            found = self.get(f"{base}/{account}", {"fields": fields}).get("mentioned_media")
        if not isinstance(found, dict):
            return None
        return self._mention(found, media_id if comment_id else None)

    def _mention(self, item: Json, media_id: str | None) -> Json:
        media = item.get("media") or {}
        handle = item.get("username")
        text = item.get("text") if media_id else item.get("caption")
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "instagram",
            "kind": "mention",
            "message_id": item["id"],
            "conversation_id": media.get("id") or media_id or item["id"],
            "in_reply_to": media.get("id") or media_id,
            "account_id": self.config.ig_user_id,
            "author": ig_author({"id": handle, "username": handle})
            if handle
            else no_author(item["id"]),
            "text": text or "",
            "created_at": utc(item["timestamp"]),
            "url": media.get("permalink") or item.get("permalink"),
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
