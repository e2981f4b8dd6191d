"""X (Twitter) API v2: mentions, recent search and DMs of one brand account.

The cursor per stream is the newest post id already yielded (``meta.newest_id`` once the
stream is read through): X ids are time-ordered snowflakes, so ``since_id`` resumes exactly.
Each edit is a new post whose ``edit_history_tweet_ids[0]`` is the original (``edit_of``).

Records are faithful to the post: the whole text of a long post (``note_tweet.text``; the
``text`` field stops at 280 characters), t.co links replaced by their ``expanded_url``,
the kind read from ``referenced_tweets`` (``replied_to`` → reply, ``quoted`` → quote,
``retweeted`` → retweet, else mention) and the brand's own broadcasts and retweets left
out unless ``broadcasts: true`` (its replies are kept, as outbound).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, ClassVar

import requests
from pydantic import Field, SecretStr

from crmbridge.errors import CrmbridgeError, QuotaExhausted
from crmbridge.sources import (
    Json,
    Pending,
    RestConnector,
    RestOptions,
    TokenPaginator,
    reset_in,
)

TWEET_FIELDS = (
    "author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets,"
    "edit_history_tweet_ids,note_tweet,entities"
)
EXPANSIONS = "author_id,referenced_tweets.id,referenced_tweets.id.author_id"
USAGE_CAPPED = "/problems/usage-capped"
USER_FIELDS = "description,location,name,url,username,verified,entities,public_metrics"
MENTIONS_WINDOW = 800
SEARCH_WINDOW_DAYS = 7
DM_WINDOW_DAYS = 30
TWITTER_EPOCH_MS = 1288834974657


class XConfig(RestOptions):
    """Options of an ``x`` source."""

    api_base: str = Field(default="https://api.x.com", description="API host.")
    bearer_token: SecretStr = Field(
        description="OAuth 2 token, ${X_BEARER_TOKEN}; a user token for DMs."
    )
    user_id: str = Field(pattern=r"^\d+$", description="The brand account's numeric id.")
    mentions: bool = Field(default=True, description="Read mentions of the account.")
    search_query: str | None = Field(default=None, description="Recent-search query (7 days).")
    dms: bool = Field(default=False, description="Read DMs (needs a user-context token).")
    timeline: bool = Field(
        default=False,
        description="Read the account's own posts (its replies to customers are outbound).",
    )
    agent: str = Field(default="brand", description="Agent name on the account's own posts.")
    broadcasts: bool = Field(
        default=False,
        description="Also record the brand's own posts and retweets (replies always are).",
    )


class XConnector(RestConnector):
    """Mentions, recent search and DMs from the X API v2."""

    name = "x"
    platform = "x"
    Config: ClassVar[type[XConfig]] = XConfig  # type: ignore[assignment]
    renew_setting = "bearer_token"
    renew_env = "X_BEARER_TOKEN"
    config: XConfig

    def auth_headers(self) -> dict[str, str]:
        """Bearer authentication."""
        return {"Authorization": f"Bearer {self.config.bearer_token.get_secret_value()}"}

    def streams(self) -> list[str]:
        """Mentions, search, the own timeline, then DMs, as configured."""
        names = ["mentions"] if self.config.mentions else []
        if self.config.search_query:
            names.append("search")
        if self.config.timeline:
            names.append("timeline")
        return [*names, "dms"] if self.config.dms else names

    def check(self) -> str:
        """Read one page of the first stream."""
        url = f"{self.config.api_base}/2/users/{self.config.user_id}"
        body = self.get(url, {"user.fields": "username"})
        return f"account @{body.get('data', {}).get('username', '?')}"

    def read_stream(self, stream: str, state: Any) -> Iterator[tuple[Any, Pending]]:
        """Read a stream's delta down to ``since_id``; yield it oldest-first."""
        since = str((state or {}).get("since_id") or "") or None
        records = self._dms(since) if stream == "dms" else self._posts(stream, since)
        current = since
        for record in sorted(records, key=lambda r: int(r.id)):
            if int(record.id) > int(current or 0):
                current = record.id
            yield {"since_id": current}, record

    # posts --------------------------------------------------------------------------------

    def _posts(self, stream: str, since: str | None) -> list[Pending]:
        base = self.config.api_base
        params: Json = {
            "max_results": 100,
            "tweet.fields": TWEET_FIELDS,
            "expansions": EXPANSIONS,
            "user.fields": USER_FIELDS,
        }
        if since:
            params["since_id"] = since
        if stream in ("mentions", "timeline"):
            edge = "mentions" if stream == "mentions" else "tweets"
            url = f"{base}/2/users/{self.config.user_id}/{edge}"
            paginator = TokenPaginator(path=("meta", "next_token"), param="pagination_token")
        else:
            url, params["query"] = f"{base}/2/tweets/search/recent", self.config.search_query
            paginator = TokenPaginator(path=("meta", "next_token"), param="next_token")
        found: dict[str, Pending] = {}
        for body in self.pages(url, params, paginator):
            includes = body.get("includes") or {}
            users = {u.get("id"): u for u in includes.get("users", [])}
            tweets = {t.get("id"): t for t in includes.get("tweets", [])}
            for post in body.get("data", []):
                if self._broadcast(post):
                    continue
                record = self._pending(stream, post, users, tweets, since)
                if record is not None:
                    found[record.id] = record
        self._check_window(stream, since, len(found))
        return list(found.values())

    def _broadcast(self, post: Json) -> bool:
        """The brand's own post or retweet (not a reply), left out unless configured."""
        if self.config.broadcasts or str(post.get("author_id")) != self.config.user_id:
            return False
        return not any(r.get("type") == "replied_to" for r in post.get("referenced_tweets", []))

    def _pending(
        self,
        stream: str,
        post: Json,
        users: dict[Any, Json],
        tweets: dict[Any, Json],
        since: str | None,
    ) -> Pending | None:
        post_id = str(post.get("id", ""))
        if since and post_id.isdigit() and int(post_id) <= int(since):
            return None  # a server that ignores since_id must not make us repeat
        key = post_id if post_id.isdigit() else "0"
        location = f"{self.source}:{stream}:{post_id or '?'}"
        refs = {r.get("type"): r.get("id") for r in post.get("referenced_tweets", [])}
        shared = tweets.get(refs.get("retweeted"))
        raw = {
            "post": post,
            "author": users.get(post.get("author_id")),
            "retweeted": shared,
            "retweeted_author": users.get((shared or {}).get("author_id")),
        }
        return Pending(at=key, id=key, raw=raw, convert=self._post_record, location=location)

    def _post_record(self, raw: Json) -> Json:
        post, user = raw["post"], raw["author"] or {"id": raw["post"]["author_id"]}
        refs = {r["type"]: r["id"] for r in post.get("referenced_tweets", [])}
        history = post.get("edit_history_tweet_ids") or [post["id"]]
        edited = history[0] != post["id"]
        outbound = post["author_id"] == self.config.user_id
        author = x_author(user)
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "x",
            "kind": post_kind(refs),
            "message_id": post["id"],
            "conversation_id": post.get("conversation_id"),
            "in_reply_to": refs.get("replied_to"),
            "edit_of": history[0] if edited else None,
            "account_id": self.config.user_id,
            "direction": "outbound" if outbound else "inbound",
            "agent": self.config.agent if outbound else None,
            "author": author,
            "text": _text(post, raw.get("retweeted"), raw.get("retweeted_author")),
            "created_at": post["created_at"],
            "edited_at": post["created_at"] if edited else None,
            "url": f"https://x.com/{author.get('handle') or 'i'}/status/{post['id']}",
        }

    # DMs ----------------------------------------------------------------------------------

    def _dms(self, since: str | None) -> list[Pending]:
        """DMs have no since_id: page newest-first until the last stored id."""
        params: Json = {
            "max_results": 100,
            "event_types": "MessageCreate",
            "dm_event.fields": "id,text,event_type,created_at,sender_id,dm_conversation_id",
            "expansions": "sender_id",
            "user.fields": USER_FIELDS,
        }
        paginator = TokenPaginator(path=("meta", "next_token"), param="pagination_token")
        found: list[Pending] = []
        reached = since is None
        for body in self.pages(f"{self.config.api_base}/2/dm_events", params, paginator):
            users = {u.get("id"): u for u in body.get("includes", {}).get("users", [])}
            for event in body.get("data", []):
                event_id = str(event.get("id", ""))
                event_id = event_id if event_id.isdigit() else "0"
                if since and int(event_id) <= int(since):
                    reached = True
                    break
                raw = {"event": event, "author": users.get(event.get("sender_id"))}
                location = f"{self.source}:dms:{event_id}"
                found.append(Pending(event_id, event_id, raw, self._dm_record, location))
            if reached:
                break
        if since and ((found and not reached) or _age_days(since) > DM_WINDOW_DAYS):
            self.behind("dms", f"DMs older than {DM_WINDOW_DAYS} days are no longer readable")
        return found

    def _dm_record(self, raw: Json) -> Json:
        event, user = raw["event"], raw["author"] or {"id": raw["event"]["sender_id"]}
        outbound = event["sender_id"] == self.config.user_id
        return {
            "schema": "crmbridge.interaction/1",
            "platform": "x",
            "kind": "dm",
            "message_id": event["id"],
            "conversation_id": event.get("dm_conversation_id"),
            "account_id": self.config.user_id,
            "direction": "outbound" if outbound else "inbound",
            "agent": self.config.agent if outbound else None,
            "is_private": True,
            "author": x_author(user),
            "text": event.get("text", ""),
            "created_at": event["created_at"],
        }

    def _check_window(self, stream: str, since: str | None, count: int) -> None:
        if stream == "mentions" and since and count >= MENTIONS_WINDOW:
            self.behind(stream, f"{count} mentions since the last run; X keeps only 800")
        if stream == "search" and since and _age_days(since) > SEARCH_WINDOW_DAYS:
            self.behind(stream, "the last post read is older than search's 7-day window")

    def window_left(self, response: requests.Response) -> tuple[float, float] | None:
        """``x-rate-limit-remaining`` and ``x-rate-limit-reset`` (Unix seconds)."""
        return _window(response, "x-rate-limit-remaining", "x-rate-limit-reset", epoch=True)

    # errors -------------------------------------------------------------------------------

    def classify(self, response: requests.Response) -> CrmbridgeError | None:
        """X: 401 expired token, 429 until ``x-rate-limit-reset``, usage cap as quota."""
        if response.status_code == 429 and usage_capped(response):
            return QuotaExhausted(
                "x: the project's monthly usage cap is exhausted",
                hint="the source resumes when X resets the cap",
            )
        wait = reset_in(response.headers.get("x-rate-limit-reset"), epoch=True)
        return self.classify_status(response, retry_after=wait)


def post_kind(refs: dict[str, Any]) -> str:
    """The kind of a post from its ``referenced_tweets`` types (a quoting reply is a reply)."""
    if "replied_to" in refs:
        return "reply"
    if "retweeted" in refs:
        return "retweet"
    return "quote" if "quoted" in refs else "mention"


def full_text(post: Json) -> str:
    """A post's whole text with t.co links expanded (``note_tweet`` for long posts)."""
    note = post.get("note_tweet") or {}
    text = note.get("text") or post.get("text") or ""
    entities = note.get("entities") if note.get("text") else post.get("entities")
    return expand_links(text, (entities or {}).get("urls") or [])


def expand_links(text: str, urls: list[Json]) -> str:
    """Replace each t.co ``url`` in the text by its ``expanded_url``."""
    for link in urls:
        short, long = link.get("url"), link.get("expanded_url")
        if short and long:
            text = text.replace(short, long)
    return text


def _text(post: Json, shared: Json | None, shared_author: Json | None) -> str:
    """A retweet's text is ``RT @handle:`` and the whole shared post (X cuts it)."""
    handle = (shared_author or {}).get("username")
    if shared is None or not handle:
        return full_text(post)
    return f"RT @{handle}: {full_text(shared)}"


def x_author(user: Json) -> Json:
    """An X user object (with ``user.fields``) as an interchange author."""
    handle = user.get("username")
    urls = (user.get("entities") or {}).get("url", {}).get("urls") or [{}]
    author = {
        "id": str(user["id"]),
        "handle": handle,
        "name": user.get("name"),
        "profile_url": f"https://x.com/{handle}" if handle else None,
        "website": urls[0].get("expanded_url") or user.get("url") or None,
        "location": user.get("location"),
        "bio": user.get("description") or None,
        "verified": user.get("verified"),
        "followers": (user.get("public_metrics") or {}).get("followers_count"),
    }
    return {k: v for k, v in author.items() if v is not None}


def _window(
    response: requests.Response, remaining: str, reset: str, *, epoch: bool
) -> tuple[float, float] | None:
    left, wait = response.headers.get(remaining), reset_in(response.headers.get(reset), epoch=epoch)
    try:
        return (float(left), wait) if left is not None and wait is not None else None
    except ValueError:
        return None


def usage_capped(response: requests.Response) -> bool:
    """X's problem ``type`` ``…/problems/usage-capped`` (the title is display text)."""
    try:
        body = response.json()
    except ValueError:
        return False
    problem = str(body.get("type") or "") if isinstance(body, dict) else ""
    return problem.endswith(USAGE_CAPPED)


def _age_days(snowflake: str) -> float:
    """Age of an X id, from the timestamp in its upper bits."""
    millis = (int(snowflake) >> 22) + TWITTER_EPOCH_MS
    return (time.time() * 1000 - millis) / 86_400_000
