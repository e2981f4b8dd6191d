"""Webhook deliveries of X and Meta turned into interchange records, each with its event id.

The records carry the same ``message_id`` the polling connectors give the same message, so
a webhook event and a later poll make one activity. Deletions and edits arrive only here
(X ``tweet_delete_events``, Meta feed ``verb: remove`` / ``edited``). An event this module
does not know is counted and ignored; one it cannot convert is still handed on, so the
reading side quarantines it with its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]
SCHEMA = "crmbridge.interaction/1"
X_TIME = "%a %b %d %H:%M:%S %z %Y"
VISITOR_ITEMS = frozenset({"post", "status", "photo", "video"})
TWITTER_EPOCH_MS = 1288834974657


@dataclass(frozen=True, slots=True)
class Event:
    """One event of a delivery: its replay id and the record it becomes."""

    id: str
    record: Json


# --- X Account Activity ------------------------------------------------------------------


def x_events(payload: Json, agent: str = "brand", broadcasts: bool = False) -> Iterator[Event]:
    """Events of an X Account Activity delivery (tweets, DMs, deletions).

    The brand's own posts and retweets (not its replies) are left out unless
    ``broadcasts``, as the polling connector leaves them out.
    """
    account = str(payload.get("for_user_id", ""))
    for tweet in payload.get("tweet_create_events", []):
        if not broadcasts and _x_broadcast(tweet, account):
            continue
        yield Event(f"x:tweet:{tweet.get('id_str')}", _x_tweet(tweet, account, agent))
    users = payload.get("users") or {}
    for dm in payload.get("direct_message_events", []):
        if dm.get("type") == "message_create":
            yield Event(f"x:dm:{dm.get('id')}", _x_dm(dm, users, account, agent))
    for gone in payload.get("tweet_delete_events", []):
        status = gone.get("status") or {}
        yield Event(f"x:delete:{status.get('id')}", _x_delete(gone, account))


def _x_broadcast(tweet: Json, account: str) -> bool:
    user = tweet.get("user") or {}
    return str(user.get("id_str") or user.get("id")) == account and not tweet.get(
        "in_reply_to_status_id_str"
    )


def _x_tweet(tweet: Json, account: str, agent: str) -> Json:
    user = tweet.get("user") or {}
    first = (tweet.get("edit_history") or {}).get("initial_tweet_id")
    edit_of = first if first and first != tweet.get("id_str") else None
    created = _x_time(tweet.get("created_at"))
    parent = tweet.get("in_reply_to_status_id_str")
    return _record(
        "x",
        kind=_x_kind(tweet),
        message_id=tweet.get("id_str"),
        # A post that answers none starts its own conversation (its first version's id);
        # a reply's root is not in the payload: the sync takes it from the parent it holds.
        conversation_id=None if parent else (first or tweet.get("id_str")),
        in_reply_to=parent,
        edit_of=edit_of,
        account_id=account,
        outbound=str(user.get("id_str")) == account,
        agent=agent,
        author=_x_user(user),
        text=_x_text(tweet),
        created_at=created,
        edited_at=created if edit_of else None,
        url=f"https://x.com/{user.get('screen_name', 'i')}/status/{tweet.get('id_str')}",
    )


def _x_kind(tweet: Json) -> str:
    """As polled: reply, retweet, quote, else mention."""
    if tweet.get("in_reply_to_status_id_str"):
        return "reply"
    if tweet.get("retweeted_status"):
        return "retweet"
    return "quote" if tweet.get("quoted_status") or tweet.get("is_quote_status") else "mention"


def _x_text(tweet: Json) -> str:
    """The whole text, t.co links expanded; a retweet as ``RT @handle:`` and the original."""
    shared = tweet.get("retweeted_status")
    if isinstance(shared, dict) and (shared.get("user") or {}).get("screen_name"):
        return f"RT @{shared['user']['screen_name']}: {_x_text(shared)}"
    note = tweet.get("note_tweet") or {}
    extended = tweet.get("extended_tweet") or {}
    if note.get("text"):
        text, entities = note["text"], note.get("entities")
    elif extended.get("full_text"):
        text, entities = extended["full_text"], extended.get("entities")
    else:
        text, entities = tweet.get("text", ""), tweet.get("entities")
    for link in (entities or {}).get("urls") or []:
        if link.get("url") and link.get("expanded_url"):
            text = text.replace(link["url"], link["expanded_url"])
    return str(text)


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
    """A deletion: the post's own time (from its id) and the deletion as its new version.

    The payload does not say what the post was; the sync keeps the stored kind and thread.
    """
    status = gone.get("status") or {}
    return _record(
        "x",
        kind="mention",
        message_id=status.get("id"),
        account_id=account,
        author={"id": status.get("user_id")},
        created_at=_snowflake_time(status.get("id")) or _ms(gone.get("timestamp_ms")),
        edited_at=_ms(gone.get("timestamp_ms")),
        deleted=True,
    )


def _x_user(user: Json) -> Json:
    handle = user.get("screen_name")
    links = ((user.get("entities") or {}).get("url") or {}).get("urls") or [{}]
    return {
        "id": user.get("id_str") or user.get("id"),
        "handle": handle,
        "name": user.get("name"),
        "profile_url": f"https://x.com/{handle}" if handle else None,
        "website": links[0].get("expanded_url") or user.get("url"),
        "location": user.get("location"),
        "bio": user.get("description"),
        "verified": user.get("verified"),
        "followers": user.get("followers_count"),
    }


def _snowflake_time(post_id: Any) -> str | None:
    """When an X id was made, to the second (ids carry their millisecond time)."""
    try:
        millis = (int(post_id) >> 22) + TWITTER_EPOCH_MS
    except (TypeError, ValueError):
        return None
    return _ms(millis)


# --- Meta (Pages and Instagram) ----------------------------------------------------------


MentionLookup = Callable[[str, str | None], Json | None]
"""(media id, comment id or None) → the mention's interchange record (Instagram reads it)."""


def meta_events(
    payload: Json, agent: str = "brand", mentions: MentionLookup | None = None
) -> Iterator[Event]:
    """Events of a Meta delivery: feed, mention and comment changes, messaging and standby.

    Instagram's ``mentions`` field names a caption or comment @mention by ids only: with
    ``mentions`` (``InstagramConnector.mentioned``) each is read into a record; without
    it they are skipped as unknown events.
    """
    platform = "instagram" if payload.get("object") == "instagram" else "facebook"
    for entry in payload.get("entry", []):
        owner, when = str(entry.get("id", "")), _entry_time(entry.get("time"))
        for change in entry.get("changes", []):
            if change.get("field") == "mentions" and platform == "instagram":
                event = _ig_mention(change.get("value") or {}, mentions)
            else:
                event = _meta_change(platform, owner, when, change, agent)
            if event is not None:
                yield event
        # ``standby``: messages (and the Page's echoes) while another app holds the thread.
        for message in [*entry.get("messaging", []), *entry.get("standby", [])]:
            event = _meta_message(platform, owner, message, agent)
            if event is not None:
                yield event


def _meta_change(platform: str, owner: str, when: str, change: Json, agent: str) -> Event | None:
    value, field = change.get("value") or {}, change.get("field")
    if field == "feed" and value.get("item") == "comment":
        return _fb_comment(owner, when, value, agent)
    if field == "feed" and value.get("item") in VISITOR_ITEMS:
        return _fb_visitor_post(owner, when, value)
    if field == "mention" and platform == "facebook":
        return _fb_mention(owner, when, value)
    if field == "comments" and platform == "instagram":
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
        url=_comment_url(value),
    )
    return Event(f"facebook:{value.get('comment_id')}:{verb}:{when}", record)


def _fb_visitor_post(owner: str, when: str, value: Json) -> Event | None:
    """A post someone wrote on the Page (the Page's own posts are broadcasts: left out)."""
    verb, sender = value.get("verb", "add"), value.get("from") or {}
    if str(sender.get("id")) == owner:
        return None
    post = value.get("post_id")
    record = _record(
        "facebook",
        kind="post",
        message_id=post,
        conversation_id=post,
        account_id=owner,
        author={"id": sender.get("id"), "name": sender.get("name")},
        text=value.get("message", ""),
        created_at=_seconds(value.get("created_time")) or when,
        edited_at=when if verb == "edited" else None,
        deleted=verb == "remove",
        url=(value.get("post") or {}).get("permalink_url") or _post_url(post),
    )
    return Event(f"facebook:{post}:{verb}:{when}", record)


def _fb_mention(owner: str, when: str, value: Json) -> Event | None:
    """The Page @mentioned in someone's post or comment (field ``mention``)."""
    post, comment = value.get("post_id"), value.get("comment_id")
    message_id = comment if value.get("item") == "comment" and comment else post
    if not message_id:
        return None
    verb = value.get("verb", "add")
    record = _record(
        "facebook",
        kind="mention",
        message_id=message_id,
        conversation_id=post,
        in_reply_to=post if message_id != post else None,
        account_id=owner,
        author={"id": value.get("sender_id"), "name": value.get("sender_name")},
        text=value.get("message", ""),
        created_at=_seconds(value.get("created_time")) or when,
        deleted=verb == "remove",
        url=_post_url(post) if message_id == post else _comment_url(value),
    )
    return Event(f"facebook:mention:{message_id}:{verb}:{when}", record)


def _comment_url(value: Json) -> str | None:
    """A comment's page: its post's permalink with ``comment_id``, as Graph's permalink_url."""
    comment = str(value.get("comment_id") or "")
    base = (value.get("post") or {}).get("permalink_url") or _post_url(value.get("post_id"))
    if not comment or not base:
        return None
    return f"{base}?comment_id={comment.rsplit('_', 1)[-1]}"


def _post_url(post_id: Any) -> str | None:
    """``https://www.facebook.com/{page}/posts/{post}`` from a ``{page}_{post}`` id."""
    page, _, post = str(post_id or "").partition("_")
    return f"https://www.facebook.com/{page}/posts/{post}" if page and post else None


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


def mention_event_id(media_id: str, comment_id: str | None) -> str:
    """The replay id of an Instagram ``mentions`` event."""
    return f"instagram:mention:{comment_id or media_id}"


def _ig_mention(value: Json, lookup: MentionLookup | None) -> Event | None:
    media, comment = value.get("media_id"), value.get("comment_id")
    if lookup is None or not media:
        return None
    media, comment = str(media), str(comment) if comment else None
    record = lookup(media, comment)
    if record is None:
        return None
    return Event(mention_event_id(media, comment), record)


def _meta_message(platform: str, owner: str, event: Json, agent: str) -> Event | None:
    message = event.get("message") or event.get("message_edit")
    if not isinstance(message, dict) or not message.get("mid"):
        return None  # reads, deliveries, postbacks: nothing to record
    sender = str((event.get("sender") or {}).get("id", ""))
    recipient = str((event.get("recipient") or {}).get("id", ""))
    when = _ms(event.get("timestamp"))
    edited = "message_edit" in event
    record = _record(
        platform,
        kind="dm",
        message_id=message["mid"],
        conversation_id=_pair(sender, recipient),  # the chat's two participants, as polled
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


def _pair(one: str, other: str) -> str | None:
    """A one-to-one chat named by its participants, lower id first (see connectors._graph)."""
    if not one or not other:
        return None
    low, high = sorted((one, other), key=lambda i: (len(i), i))
    return f"{low}-{high}"


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
