"""X: a reply post (``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``) or a DM.

A DM answer goes into the customer's own conversation
(``POST /2/dm_conversations/:dm_conversation_id/messages``); a public conversation moved to
private, by the agent's explicit choice, opens one with the author
(``POST /2/dm_conversations/with/:participant_id/messages``). Lookups read the brand's
own timeline (``GET /2/users/:id/tweets`` since the attempt) or the conversation's DM events.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from crmbridge.outbound.base import Sender, after, matches
from crmbridge.outbound.reply import Reply
from crmbridge.outbound.wire import get_json, post_once

MAX_PAGES = 10
_LEADING_MENTIONS = re.compile(r"^(?:@\w+\s+)+")


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


class XSender(Sender):
    """Replies on X as the brand's account."""

    platform = "x"

    def send(self, reply: Reply, mode: str) -> str:
        """Post the reply; the answer's ``data.id`` (or ``data.dm_event_id``) is the id."""
        base, target = self.account.api_base, reply.target
        if mode == "public":
            body = {"text": reply.body, "reply": {"in_reply_to_tweet_id": target.message_id}}
            answer = post_once(
                self.session,
                f"{base}/2/tweets",
                "X post",
                json=body,
                headers=self.headers(),
                timeout=self.timeout,
            )
            return str(answer["data"]["id"])
        url = (
            f"{base}/2/dm_conversations/with/{target.author.id}/messages"
            if mode == "dm_new"
            else f"{base}/2/dm_conversations/{target.conversation_id}/messages"
        )
        answer = post_once(
            self.session,
            url,
            "X DM",
            json={"text": reply.body},
            headers=self.headers(),
            timeout=self.timeout,
        )
        return str(answer["data"]["dm_event_id"])

    def lookup(self, reply: Reply, since: datetime, taken: set[str]) -> str | None:
        """Search the brand's posts (public) or the DM conversation's events (private)."""
        if reply.send_mode in ("dm", "dm_new"):
            return self._lookup_dm(reply, since, taken)
        params: dict[str, Any] = {
            "start_time": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "max_results": 100,
            "tweet.fields": "created_at,referenced_tweets,conversation_id",
        }
        url = f"{self.account.api_base}/2/users/{self.account.user_id}/tweets"
        for post in self._pages(url, params, "X timeline"):
            refs = {r.get("type"): r.get("id") for r in post.get("referenced_tweets") or []}
            text = _LEADING_MENTIONS.sub("", post.get("text") or "")
            if (
                refs.get("replied_to") == reply.target.message_id
                and matches(text, reply.body)
                and post["id"] not in taken
            ):
                return str(post["id"])
        return None

    def _lookup_dm(self, reply: Reply, since: datetime, taken: set[str]) -> str | None:
        target = reply.target
        url = (
            f"{self.account.api_base}/2/dm_conversations/with/{target.author.id}/dm_events"
            if reply.send_mode == "dm_new"
            else f"{self.account.api_base}/2/dm_conversations/{target.conversation_id}/dm_events"
        )
        params = {"dm_event.fields": "id,text,sender_id,created_at,event_type", "max_results": 100}
        for event in self._pages(url, params, "X DM events"):
            if (
                event.get("sender_id") == self.account.user_id
                and event.get("event_type", "MessageCreate") == "MessageCreate"
                and matches(event.get("text"), reply.body)
                and after(_time(event.get("created_at")), since)
                and event["id"] not in taken
            ):
                return str(event["id"])
        return None

    def _pages(self, url: str, params: dict[str, Any], what: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            body = get_json(
                self.session,
                url,
                what,
                params=params,
                headers=self.headers(),
                timeout=self.timeout,
            )
            found.extend(body.get("data") or [])
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                break
            params = {**params, "pagination_token": token}
        return found

    def brand(self) -> dict[str, Any]:
        """The brand's X account."""
        return {"id": self.account.user_id}
