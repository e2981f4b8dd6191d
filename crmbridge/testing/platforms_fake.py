"""Strict fakes of the five platforms' send and lookup endpoints, in one object.

The same ``FakePlatforms`` answers ``responses`` callbacks in tests and a werkzeug server
on 127.0.0.1 in ``benchmarks/replies.py`` (whose posted state must outlive the killed
sender). It keeps what was posted, refuses what the vendors' references refuse (unknown
body fields, missing required ones, a parent that does not exist, a Messenger message
outside its window, ``max_results`` out of range, a missing bearer token) and can inject
faults: a 5xx before posting, a timeout before posting, an answer lost after posting, a 429
with the platform's reset header.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "test-token"
BRAND_X = "2244994945"
PAGE = "111"
IG_USER = "178414"
IG_NAME = "brand"
CHANNEL = "UCbrand"
REDDIT_USER = "brand_support"
FAULTS = ("5xx", "timeout", "lost", "429")


class Timeout(Exception):
    """The answer never comes (the caller maps this to its HTTP client's timeout)."""


@dataclass
class Answer:
    """One HTTP answer."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Post:
    """Something the brand posted."""

    platform: str
    id: str
    parent: str  # the message, comment, conversation or user it went under
    text: str
    kind: str  # reply | dm | compose
    created_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(stamp: datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _bad(detail: str, status: int = 400) -> Answer:
    return Answer(status, {"error": {"message": detail, "code": 100}, "detail": detail})


class FakePlatforms:
    """The five platforms' reply endpoints, with their documented shapes and limits."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.posts: list[Post] = []
        # Seeded messages: id -> {platform, kind, parent, author, created_at, conversation}
        self.messages: dict[str, dict[str, Any]] = {}
        self.last_user_message: dict[str, datetime] = {}  # PSID/IGSID -> when they wrote
        self.requests: list[dict[str, Any]] = []
        self.fault_plan: list[str | None] = []  # consumed one per POST, None = no fault
        self.lookup_faults: list[str | None] = []
        # Asked for a fault (or None) per request once the plans above are used up.
        self.chaos: Callable[[str], str | None] | None = None
        self._ids = itertools.count(9_000_000)

    # --- seeding ----------------------------------------------------------------------

    def seed(self, platform: str, message_id: str, **facts: Any) -> None:
        """Make a customer's message exist (so a reply to it is accepted)."""
        facts.setdefault("created_at", _now() - timedelta(hours=1))
        self.messages[message_id] = {"platform": platform, **facts}
        if facts.get("psid"):
            self.last_user_message[facts["psid"]] = facts["created_at"]

    def posted(self, text_contains: str | None = None) -> list[Post]:
        """What the brand posted (optionally only posts whose text holds a marker)."""
        with self.lock:
            return [p for p in self.posts if text_contains is None or text_contains in p.text]

    # --- dispatch ---------------------------------------------------------------------

    def handle(self, method: str, platform: str, url: str, headers: Any, body: bytes) -> Answer:
        """Answer one request (``platform`` is which fake host it reached)."""
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        auth = headers.get("Authorization") or headers.get("authorization")
        record = {"method": method, "platform": platform, "path": parts.path, "query": query}
        if auth != f"Bearer {TOKEN}":
            return Answer(401, {"error": {"message": "missing or bad bearer token", "code": 190}})
        payload = self._payload(headers, body)
        record["body"] = payload
        with self.lock:
            self.requests.append(record)
            fault = self._fault(method)
        if fault == "429":
            return self._rate_limited(platform)
        if fault in ("5xx", "timeout") and method == "POST":
            if fault == "timeout":
                raise Timeout(parts.path)
            return Answer(503, {"error": {"message": "Service Unavailable", "code": 2}})
        if fault == "5xx":
            return Answer(500, {"error": {"message": "lookup failed", "code": 2}})
        route = getattr(self, f"_{platform}")
        with self.lock:
            answer: Answer = route(method, parts.path, query, payload)
        if fault == "lost":
            raise Timeout(parts.path)  # posted, but the answer never arrives
        return answer

    def _fault(self, method: str) -> str | None:
        plan = self.fault_plan if method == "POST" else self.lookup_faults
        if plan:
            return plan.pop(0)
        return self.chaos(method) if self.chaos is not None else None

    @staticmethod
    def _payload(headers: Any, body: bytes) -> dict[str, Any]:
        if not body:
            return {}
        kind = headers.get("Content-Type") or headers.get("content-type") or ""
        text = body.decode() if isinstance(body, bytes) else str(body)
        if "json" in kind:
            data: dict[str, Any] = json.loads(text)
            return data
        return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}

    @staticmethod
    def _rate_limited(platform: str) -> Answer:
        reset = str(int(_now().timestamp()) + 1)
        headers = {
            "x": {"x-rate-limit-reset": reset, "x-rate-limit-remaining": "0"},
            "reddit": {"x-ratelimit-reset": "1", "x-ratelimit-remaining": "0"},
        }.get(platform, {"Retry-After": "1"})
        return Answer(429, {"error": {"message": "Too Many Requests", "code": 4}}, headers)

    def _new_id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._ids)}"

    def _add(self, platform: str, parent: str, text: str, kind: str, prefix: str = "") -> Post:
        post = Post(platform, self._new_id(prefix), parent, text, kind, _now())
        self.posts.append(post)
        return post

    # --- X ----------------------------------------------------------------------------

    def _x(self, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> Answer:
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["2", "tweets"]:
            return self._x_post(body)
        if method == "POST" and parts[:2] == ["2", "dm_conversations"] and parts[-1] == "messages":
            return self._x_dm(parts, body)
        if method == "GET" and parts[:2] == ["2", "users"] and parts[-1] == "tweets":
            return self._x_timeline(query)
        if method == "GET" and parts[:2] == ["2", "dm_conversations"] and parts[-1] == "dm_events":
            thread = "/".join(parts[2:-1])
            events = [
                {
                    "id": p.id,
                    "text": p.text,
                    "sender_id": BRAND_X,
                    "event_type": "MessageCreate",
                    "created_at": _iso(p.created_at),
                }
                for p in reversed(self.posts)
                if p.platform == "x" and p.parent == thread
            ]
            return Answer(200, {"data": events, "meta": {"result_count": len(events)}})
        return _bad(f"no such X route {method} {path}", 404)

    def _x_post(self, body: dict[str, Any]) -> Answer:
        unknown = set(body) - {"text", "reply", "quote_tweet_id", "reply_settings", "media"}
        text, reply = body.get("text"), body.get("reply")
        if unknown or not isinstance(text, str) or not text or len(text) > 280:
            return Answer(400, {"detail": f"invalid request: fields {sorted(unknown)} / text"})
        if reply is not None:
            parent = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
            if set(reply) - {"in_reply_to_tweet_id", "exclude_reply_user_ids"} or not parent:
                return Answer(400, {"detail": "reply needs in_reply_to_tweet_id"})
            if self.messages.get(parent, {}).get("platform") != "x":
                return Answer(400, {"detail": f"tweet {parent} not found"})
        post = self._add("x", (reply or {}).get("in_reply_to_tweet_id", ""), text, "reply")
        return Answer(201, {"data": {"id": post.id, "text": text}})

    def _x_dm(self, parts: list[str], body: dict[str, Any]) -> Answer:
        if set(body) - {"text", "attachments"} or not body.get("text"):
            return Answer(400, {"detail": "DM needs text (and nothing unknown)"})
        thread = "/".join(parts[2:-1])  # an id, or with/<participant>
        known = {m.get("conversation") for m in self.messages.values() if m["platform"] == "x"}
        known |= {f"with/{m.get('author')}" for m in self.messages.values() if m["platform"] == "x"}
        if thread not in known:
            return Answer(400, {"detail": f"dm conversation {thread} not found"})
        post = self._add("x", thread, body["text"], "dm")
        conversation = thread.removeprefix("with/")
        return Answer(201, {"data": {"dm_conversation_id": conversation, "dm_event_id": post.id}})

    def _x_timeline(self, query: dict[str, str]) -> Answer:
        size = int(query.get("max_results", "10"))
        if not 5 <= size <= 100:
            return Answer(400, {"detail": "max_results must be between 5 and 100"})
        since = datetime.fromisoformat(query["start_time"].replace("Z", "+00:00"))
        mine = [p for p in reversed(self.posts) if p.platform == "x" and p.kind == "reply"]
        mine = [p for p in mine if p.created_at >= since]
        start = int(query.get("pagination_token", "0"))
        page = mine[start : start + size]
        data = [
            {
                "id": p.id,
                "text": p.text,
                "created_at": _iso(p.created_at),
                "referenced_tweets": [{"type": "replied_to", "id": p.parent}],
            }
            for p in page
        ]
        meta: dict[str, Any] = {"result_count": len(data)}
        if start + size < len(mine):
            meta["next_token"] = str(start + size)
        return Answer(200, {"data": data, "meta": meta})

    # --- Graph (Facebook and Instagram) -----------------------------------------------

    def _graph(self, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> Answer:
        parts = path.strip("/").split("/")[1:]  # drop the version
        if len(parts) != 2:
            return _bad(f"unknown Graph path {path}")
        node, edge = parts
        if node == PAGE and edge == "messages" and method == "POST":
            return self._send_api(body)
        message = self.messages.get(node)
        if edge in ("comments", "replies") and method == "POST":
            return self._graph_comment(node, edge, message, {**query, **body})
        if method == "GET" and edge in ("comments", "replies", "messages"):
            if int(query.get("limit", "25")) > 100:
                return _bad("limit must be at most 100")
            kind = "dm" if edge == "messages" else "reply"
            items = [
                {
                    "id": p.id,
                    "message": p.text,
                    "text": p.text,
                    "from": {"id": PAGE if p.platform == "facebook" or kind == "dm" else IG_USER},
                    "username": IG_NAME,
                    "created_time": p.created_at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                    "timestamp": p.created_at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                }
                for p in reversed(self.posts)
                if p.parent == node and p.kind == kind
            ]
            return Answer(200, {"data": items, "paging": {}})
        return _bad(f"unsupported Graph call {method} {path}")

    def _graph_comment(
        self, node: str, edge: str, message: dict[str, Any] | None, fields: dict[str, Any]
    ) -> Answer:
        platform = "instagram" if edge == "replies" else "facebook"
        if message is None or message["platform"] != platform:
            return _bad(f"(#100) object {node} does not exist or is not a {platform} comment")
        if platform == "instagram" and message.get("parent"):
            return _bad("(#100) replies go on top-level comments only")
        if set(fields) - {"message"} or not fields.get("message"):
            return _bad(f"(#100) message is required; unknown {sorted(set(fields) - {'message'})}")
        post = self._add(platform, node, fields["message"], "reply")
        return Answer(200, {"id": post.id})

    def _send_api(self, body: dict[str, Any]) -> Answer:
        unknown = set(body) - {"recipient", "messaging_type", "message", "tag"}
        recipient, kind = body.get("recipient") or {}, body.get("messaging_type")
        text = (body.get("message") or {}).get("text")
        if unknown or kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG") or not text:
            return _bad("(#100) recipient, messaging_type and message.text are required")
        if (kind == "MESSAGE_TAG") != ("tag" in body):
            return _bad("(#100) tag goes with messaging_type MESSAGE_TAG, and only with it")
        if "comment_id" in recipient:
            comment = self.messages.get(recipient["comment_id"])
            if comment is None or _now() - comment["created_at"] > timedelta(days=7):
                return _bad("(#10) private reply outside its 7-day window", 400)
            post = self._add(comment["platform"], "private:" + recipient["comment_id"], text, "dm")
            return Answer(200, {"recipient_id": "psid-new", "message_id": "m_" + post.id})
        psid = recipient.get("id")
        last = self.last_user_message.get(psid or "")
        if last is None:
            return _bad("(#100) No matching user found")
        window = timedelta(days=7) if body.get("tag") == "HUMAN_AGENT" else timedelta(hours=24)
        if _now() - last > window:
            return Answer(
                400,
                {
                    "error": {
                        "message": "(#10) This message is sent outside of allowed window.",
                        "code": 10,
                        "error_subcode": 2018278,
                    }
                },
            )
        conversation = next(
            m["conversation"] for m in self.messages.values() if m.get("psid") == psid
        )
        platform = self.messages_by_psid(psid)
        post = self._add(platform, conversation, text, "dm", prefix="m_")
        return Answer(200, {"recipient_id": psid, "message_id": post.id})

    def messages_by_psid(self, psid: str | None) -> str:
        """The platform a Messenger-platform user id belongs to."""
        return next(m["platform"] for m in self.messages.values() if m.get("psid") == psid)

    # --- YouTube ----------------------------------------------------------------------

    def _youtube(
        self, method: str, path: str, query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        if not path.endswith("/comments"):
            return _bad(f"unknown YouTube path {path}", 404)
        if query.get("part") != "snippet":
            return _bad("part=snippet is required")
        if method == "POST":
            snippet = body.get("snippet") or {}
            if set(body) - {"snippet"} or set(snippet) - {"parentId", "textOriginal"}:
                return _bad("comment resource: only snippet.parentId and snippet.textOriginal")
            parent = snippet.get("parentId")
            if not snippet.get("textOriginal"):
                return _bad("commentTextRequired")
            if self.messages.get(parent or "", {}).get("platform") != "youtube":
                return _bad("parentIdMissing or unknown parent", 404)
            post = self._add("youtube", parent or "", snippet["textOriginal"], "reply")
            return Answer(
                200,
                {
                    "kind": "youtube#comment",
                    "id": post.id,
                    "snippet": {**snippet, "authorChannelId": {"value": CHANNEL}},
                },
            )
        size = int(query.get("maxResults", "20"))
        if not 1 <= size <= 100 or "parentId" not in query:
            return _bad("parentId and maxResults 1..100 are required")
        items = [
            {
                "kind": "youtube#comment",
                "id": p.id,
                "snippet": {
                    "parentId": p.parent,
                    "textOriginal": p.text,
                    "textDisplay": p.text,
                    "authorChannelId": {"value": CHANNEL},
                    "publishedAt": _iso(p.created_at),
                },
            }
            for p in self.posts
            if p.platform == "youtube" and p.parent == query["parentId"]
        ]
        return Answer(200, {"kind": "youtube#commentListResponse", "items": items})

    # --- Reddit -----------------------------------------------------------------------

    def _reddit(
        self, method: str, path: str, query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        if method == "POST" and path.endswith("/api/comment"):
            if body.get("api_type") != "json" or set(body) - {"api_type", "thing_id", "text"}:
                return _bad("api_type=json, thing_id and text only")
            thing = body.get("thing_id", "")
            if self.messages.get(thing, {}).get("platform") != "reddit" or not body.get("text"):
                return Answer(
                    200, {"json": {"errors": [["INVALID_ID", "that thing is gone", "thing_id"]]}}
                )
            kind = "t4" if thing.startswith("t4_") else "t1"
            post = self._add(
                "reddit", thing, body["text"], "dm" if kind == "t4" else "reply", prefix=f"{kind}_"
            )
            data = {"name": post.id, "parent_id": thing, "body": body["text"]}
            return Answer(
                200, {"json": {"errors": [], "data": {"things": [{"kind": kind, "data": data}]}}}
            )
        if method == "POST" and path.endswith("/api/compose"):
            if body.get("api_type") != "json" or set(body) - {"api_type", "to", "subject", "text"}:
                return _bad("api_type=json, to, subject and text only")
            if not (body.get("to") and body.get("subject") and body.get("text")):
                return Answer(
                    200, {"json": {"errors": [["NO_TEXT", "we need something here", "text"]]}}
                )
            self._add("reddit", "to:" + body["to"], body["text"], "compose", prefix="t4_")
            return Answer(200, {"json": {"errors": []}})
        if method == "GET":
            if int(query.get("limit", "25")) > 100:
                return _bad("limit is at most 100")
            sent = path.endswith("/message/sent")
            children = []
            for p in reversed(self.posts):
                if p.platform != "reddit" or (p.kind in ("dm", "compose")) != sent:
                    continue
                data = {
                    "name": p.id,
                    "body": p.text,
                    "created_utc": p.created_at.timestamp(),
                    "author": REDDIT_USER,
                }
                if p.kind == "compose":
                    data["dest"] = p.parent.removeprefix("to:")
                else:
                    data["parent_id"] = p.parent
                children.append({"kind": p.id[:2], "data": data})
            return Answer(200, {"kind": "Listing", "data": {"children": children, "after": None}})
        return _bad(f"unknown Reddit route {method} {path}", 404)
