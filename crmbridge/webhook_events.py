"""Webhook deliveries of X and Meta turned into interchange records, each with its event id.

The records carry the same ``message_id`` the polling connectors give the same message, so
a webhook event and a later poll make one activity. Deletions and edits arrive only here
(X ``tweet_delete_events``, Meta feed ``verb: remove`` / ``edited``). An event this module
does not know is counted and ignored; one it cannot convert is still handed on, so the
reading side quarantines it with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]
SCHEMA = "crmbridge.interaction/1"
X_TIME = "%a %b %d %H:%M:%S %z %Y"


@dataclass(frozen=True, slots=True)
class Event:
    """One event of a delivery: its replay id and the record it becomes."""

    id: str
    record: Json


# --- X Account Activity ------------------------------------------------------------------


def x_events(payload: Json, agent: str = "brand") -> Iterator[Event]:
    """Events of an X Account Activity delivery (tweets, DMs, deletions)."""
    account = str(payload.get("for_user_id", ""))
    for tweet in payload.get("tweet_create_events", []):
        yield Event(f"x:tweet:{tweet.get('id_str')}", _x_tweet(tweet, account, agent))
    users = payload.get("users") or {}
    for dm in payload.get("direct_message_events", []):
        if dm.get("type") == "message_create":
            yield Event(f"x:dm:{dm.get('id')}", _x_dm(dm, users, account, agent))
    for gone in payload.get("tweet_delete_events", []):
        status = gone.get("status") or {}
        yield Event(f"x:delete:{status.get('id')}", _x_delete(gone, account))


def _x_tweet(tweet: Json, account: str, agent: str) -> Json:
    user = tweet.get("user") or {}
    text = (tweet.get("extended_tweet") or {}).get("full_text") or tweet.get("text", "")
    first = (tweet.get("edit_history") or {}).get("initial_tweet_id")
    edit_of = first if first and first != tweet.get("id_str") else None
    created = _x_time(tweet.get("created_at"))
    parent = tweet.get("in_reply_to_status_id_str")
    return _record(
        "x",
        kind="reply" if parent else "mention",
        message_id=tweet.get("id_str"),
        in_reply_to=parent,
        edit_of=edit_of,
        account_id=account,
        outbound=user.get("id_str") == account,
        agent=agent,
        author=_x_user(user),
        text=text,
        created_at=created,
        edited_at=created if edit_of else None,
        url=f"https://x.com/{user.get('screen_name', 'i')}/status/{tweet.get('id_str')}",
    )


def _x_dm(dm: Json, users: Json, account: str, agent: str) -> Json:
    create = dm.get("message_create") or {}
    sender = str(create.get("sender_id", ""))
    recipient = str((create.get("target") or {}).get("recipient_id", ""))
    pair = sorted((sender, recipient), key=lambda i: int(i) if i.isdigit() else 0)
    return _record(
        "x",
        kind="dm",
        message_id=dm.get("id"),
        conversation_id="-".join(pair),  # X's one-to-one dm_conversation_id, as polled
        account_id=account,
        outbound=sender == account,
        agent=agent,
        is_private=True,
        author=_x_user(users.get(sender) or {"id": sender}),
        text=(create.get("message_data") or {}).get("text", ""),
        created_at=_ms(dm.get("created_timestamp")),
    )


def _x_delete(gone: Json, account: str) -> Json:
    status = gone.get("status") or {}
    return _record(
        "x",
        kind="mention",
        message_id=status.get("id"),
        account_id=account,
        author={"id": status.get("user_id")},
        created_at=_ms(gone.get("timestamp_ms")),
        deleted=True,
    )


def _x_user(user: Json) -> Json:
    handle = user.get("screen_name")
    return {
        "id": user.get("id_str") or user.get("id"),
        "handle": handle,
        "name": user.get("name"),
        "profile_url": f"https://x.com/{handle}" if handle else None,
        "website": user.get("url"),
        "location": user.get("location"),
        "bio": user.get("description"),
        "verified": user.get("verified"),
        "followers": user.get("followers_count"),
    }


# --- Meta (Pages and Instagram) ----------------------------------------------------------


def meta_events(payload: Json, agent: str = "brand") -> Iterator[Event]:
    """Events of a Meta delivery: feed/comments changes and messaging, per entry."""
    platform = "instagram" if payload.get("object") == "instagram" else "facebook"
    for entry in payload.get("entry", []):
        owner, when = str(entry.get("id", "")), _entry_time(entry.get("time"))
        for change in entry.get("changes", []):
            event = _meta_change(platform, owner, when, change, agent)
            if event is not None:
                yield event
        for message in entry.get("messaging", []):
            event = _meta_message(platform, owner, message, agent)
            if event is not None:
                yield event


def _meta_change(platform: str, owner: str, when: str, change: Json, agent: str) -> Event | None:
    value = change.get("value") or {}
    if change.get("field") == "feed" and value.get("item") == "comment":
        return _fb_comment(owner, when, value, agent)
    if change.get("field") == "comments" and platform == "instagram":
        return _ig_comment(owner, when, value, agent)
    return None


def _fb_comment(owner: str, when: str, value: Json, agent: str) -> Event:
    verb, sender = value.get("verb", "add"), value.get("from") or {}
    post, parent = value.get("post_id"), value.get("parent_id")
    created = _seconds(value.get("created_time")) or when
    record = _record(
        "facebook",
        kind="reply" if parent and parent != post else "comment",
        message_id=value.get("comment_id"),
        conversation_id=post,
        in_reply_to=parent or post,
        account_id=owner,
        outbound=str(sender.get("id")) == owner,
        agent=sender.get("name") or agent,
        author={"id": sender.get("id"), "name": sender.get("name")},
        text=value.get("message", ""),
        created_at=created,
        edited_at=when if verb == "edited" else None,
        deleted=verb == "remove",
    )
    return Event(f"facebook:{value.get('comment_id')}:{verb}:{when}", record)


def _ig_comment(owner: str, when: str, value: Json, agent: str) -> Event:
    sender, media = value.get("from") or {}, (value.get("media") or {}).get("id")
    handle = sender.get("username")
    record = _record(
        "instagram",
        kind="reply" if value.get("parent_id") else "comment",
        message_id=value.get("id"),
        conversation_id=media,
        in_reply_to=value.get("parent_id") or media,
        account_id=owner,
        outbound=str(sender.get("id")) == owner,
        agent=agent,
        author={
            "id": sender.get("id"),
            "handle": handle,
            "profile_url": f"https://www.instagram.com/{handle}/" if handle else None,
        },
        text=value.get("text", ""),
        created_at=when,
    )
    return Event(f"instagram:{value.get('id')}:{when}", record)


def _meta_message(platform: str, owner: str, event: Json, agent: str) -> Event | None:
    message = event.get("message") or event.get("message_edit")
    if not isinstance(message, dict) or not message.get("mid"):
        return None  # reads, deliveries, postbacks: nothing to record
    sender = str((event.get("sender") or {}).get("id", ""))
    when = _ms(event.get("timestamp"))
    edited = "message_edit" in event
    record = _record(
        platform,
        kind="dm",
        message_id=message["mid"],
        account_id=owner,
        outbound=bool(message.get("is_echo")) or sender == owner,
        agent=agent,
        is_private=True,
        author={"id": sender},
        text=message.get("text", ""),
        created_at=when,
        edited_at=when if edited else None,
        deleted=bool(message.get("is_deleted")),
    )
    suffix = f":edit:{message.get('num_edit', when)}" if edited else ""
    return Event(f"{platform}:{message['mid']}{suffix}", record)


# --- shared --------------------------------------------------------------------------------


def _record(platform: str, *, outbound: bool = False, agent: str = "", **fields: Any) -> Json:
    """The interchange dict; empty values dropped, ``agent`` only on outbound records."""
    fields["direction"] = "outbound" if outbound else "inbound"
    fields["agent"] = agent if outbound else None
    author = {k: v for k, v in (fields.pop("author") or {}).items() if v not in (None, "")}
    if "id" in author:
        author["id"] = str(author["id"])
    data = {"schema": SCHEMA, "platform": platform, **fields, "author": author}
    return {k: v for k, v in data.items() if v is not None}


def _x_time(value: Any) -> str | None:
    try:
        return _iso(datetime.strptime(str(value), X_TIME))
    except ValueError:
        return None


def _ms(value: Any) -> str | None:
    try:
        return _iso(datetime.fromtimestamp(int(value) / 1000, tz=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def _seconds(value: Any) -> str | None:
    try:
        return _iso(datetime.fromtimestamp(int(value), tz=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def _entry_time(value: Any) -> str:
    """Meta's ``entry.time`` is milliseconds for messaging and seconds for feed changes."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return _iso(datetime.now(UTC))
    return (_ms(number) if number > 10**11 else _seconds(number)) or _iso(datetime.now(UTC))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
