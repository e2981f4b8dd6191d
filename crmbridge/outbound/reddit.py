"""Reddit: ``POST /api/comment`` (``thing_id``, ``text``) and ``POST /api/compose``.

A comment, post or private message is answered with ``/api/comment`` on its fullname (a
``t4_`` message takes a reply in its own thread); a public conversation moved to private
starts a new message with ``/api/compose``, whose answer carries no id, so the id comes
from the brand's sent messages. Reddit reports refusals inside a 200 (``json.errors``).
Lookups read the brand's own comments (``/user/NAME/comments``) or ``/message/sent``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crmbridge.errors import RateLimited
from crmbridge.outbound.base import Sender, after, matches
from crmbridge.outbound.reply import Reply
from crmbridge.outbound.wire import OutcomeUnknown, SendRefused, get_json, post_once

MAX_PAGES = 5
SUBJECT = "Re: your message"


def _errors(answer: Any, what: str) -> None:
    errors = ((answer or {}).get("json") or {}).get("errors") or []
    if not errors:
        return
    code, message = str(errors[0][0]), str(errors[0][1]) if len(errors[0]) > 1 else ""
    if code == "RATELIMIT":
        raise RateLimited(f"{what}: {message}")
    raise SendRefused(f"{what}: {code}: {message}")


class RedditSender(Sender):
    """Replies on Reddit as the brand's user."""

    platform = "reddit"

    def send(self, reply: Reply, mode: str) -> str:
        """Comment (or message reply) on the target; compose when moved to private."""
        base = self.account.api_base
        if mode == "compose":
            to = reply.target.author.handle
            if not to:
                raise SendRefused("reddit: the author has no username to write to")
            answer = post_once(
                self.session,
                f"{base}/api/compose",
                "Reddit compose",
                data={"api_type": "json", "to": to, "subject": SUBJECT, "text": reply.body},
                headers=self.headers(),
                timeout=self.timeout,
            )
            _errors(answer, "Reddit compose")
            found = self.lookup(reply, reply.attempt_at or datetime.now(UTC), set())
            if found is None:
                raise OutcomeUnknown("Reddit compose: sent, but not yet in /message/sent")
            return found
        answer = post_once(
            self.session,
            f"{base}/api/comment",
            "Reddit comment",
            data={"api_type": "json", "thing_id": reply.target.message_id, "text": reply.body},
            headers=self.headers(),
            timeout=self.timeout,
        )
        _errors(answer, "Reddit comment")
        things = (((answer.get("json") or {}).get("data") or {}).get("things")) or []
        if not things:
            raise OutcomeUnknown("Reddit comment: answer names no new thing")
        return str(things[0]["data"]["name"])

    def lookup(self, reply: Reply, since: datetime, taken: set[str]) -> str | None:
        """The brand's comment under the target, or its message in /message/sent."""
        private = reply.send_mode in ("compose", "dm")
        url = (
            f"{self.account.api_base}/message/sent"
            if private
            else f"{self.account.api_base}/user/{self.account.username}/comments"
        )
        params: dict[str, Any] = {"limit": 100, "raw_json": 1}
        if not private:
            params["sort"] = "new"
        for _ in range(MAX_PAGES):
            body = get_json(
                self.session,
                url,
                "Reddit lookup",
                params=params,
                headers=self.headers(),
                timeout=self.timeout,
            )
            listing = body.get("data") or {}
            for child in listing.get("children") or []:
                data = child.get("data") or {}
                if self._is_this(reply, data, since) and data.get("name") not in taken:
                    return str(data["name"])
            if not listing.get("after"):
                return None
            params = {**params, "after": listing["after"]}
        return None

    def _is_this(self, reply: Reply, data: dict[str, Any], since: datetime) -> bool:
        created = data.get("created_utc")
        stamp = datetime.fromtimestamp(float(created), UTC) if created is not None else None
        if not (matches(data.get("body"), reply.body) and after(stamp, since)):
            return False
        if reply.send_mode == "compose":
            return str(data.get("dest", "")).lower() == str(reply.target.author.handle).lower()
        return data.get("parent_id") == reply.target.message_id

    def brand(self) -> dict[str, Any]:
        """The brand's Reddit user."""
        return {"id": f"u/{self.account.username}", "handle": self.account.username}
