"""The ``replies`` block of ``crmbridge.yaml``: accounts that send, signature, holds.

Each platform names the brand account replies go out as and the credential with the write
scope that platform requires (see docs/replies.md); tokens come from the environment as
``${VAR}`` and are never printed. ``api_base`` exists for proxies and for tests.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr

from crmbridge.config import AppConfig, Options

DEFAULT_SIGNATURE = "{{ text }} ^{{ agent.short }}"


class XAccount(Options):
    """``replies.x``: posts and DMs as the brand's X account (OAuth 2.0 user token)."""

    user_id: str = Field(description="The brand account's numeric user id.")
    access_token: SecretStr = Field(
        description="User-context token with tweet.write and dm.write, ${X_USER_TOKEN}."
    )
    api_base: str = "https://api.x.com"


class GraphAccount(Options):
    """``replies.facebook`` / ``replies.instagram``: the Page (and its Instagram account)."""

    page_id: str = Field(description="The Facebook Page id (Messenger sends from it).")
    ig_user_id: str | None = Field(default=None, description="Instagram professional account.")
    ig_username: str | None = None
    access_token: SecretStr = Field(
        description="Page token with pages_messaging and pages_manage_engagement "
        "(instagram_manage_comments, instagram_manage_messages), ${META_PAGE_TOKEN}."
    )
    human_agent: bool = Field(
        default=False,
        description="Allow the HUMAN_AGENT tag (the app must hold the Human Agent permission): "
        "DMs up to 7 days after the customer's last message instead of 24 hours.",
    )
    api_base: str = "https://graph.facebook.com/v21.0"


class YouTubeAccount(Options):
    """``replies.youtube``: the brand channel (OAuth scope youtube.force-ssl)."""

    channel_id: str
    access_token: SecretStr = Field(description="OAuth token, ${YOUTUBE_TOKEN}.")
    api_base: str = "https://www.googleapis.com/youtube/v3"


class RedditAccount(Options):
    """``replies.reddit``: the brand's Reddit user (OAuth scopes submit, privatemessages)."""

    username: str
    access_token: SecretStr = Field(description="OAuth bearer token, ${REDDIT_TOKEN}.")
    api_base: str = "https://oauth.reddit.com"
    archive_days: int = Field(
        default=180, ge=1, description="Reddit archives posts after six months: no replies."
    )


class Approval(Options):
    """``replies.approval``: replies that wait for a person's approval before sending."""

    intents: list[str] = Field(default_factory=lambda: ["legal", "safety"])
    vip: bool = True
    tags: list[str] = Field(default_factory=list)


class MovePrivate(Options):
    """``replies.private_when``: public conversations answered privately, by rule."""

    intents: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class RepliesConfig(Options):
    """The whole ``replies`` block."""

    signature: str = DEFAULT_SIGNATURE
    spool_source: str = Field(
        default="replies",
        description="The jsonl source whose spool file receives sent replies as outbound "
        "interactions (<state dir>/spool/<name>.jsonl).",
    )
    approval: Approval = Field(default_factory=Approval)
    private_when: MovePrivate = Field(default_factory=MovePrivate)
    lookup_attempts: int = Field(
        default=3, ge=1, le=20, description="Failed lookups before an unknown send waits."
    )
    timeout_s: float = Field(default=30.0, gt=0, le=300)
    sending_lease_s: float = Field(
        default=900.0,
        ge=0,
        description="A reply left 'sending' this long is taken for abandoned (the sender "
        "died) and looked up; longer than any send with its retries can take.",
    )
    x: XAccount | None = None
    facebook: GraphAccount | None = None
    instagram: GraphAccount | None = None
    youtube: YouTubeAccount | None = None
    reddit: RedditAccount | None = None


def replies_config(config: AppConfig) -> RepliesConfig:
    """Validate ``replies`` (errors name the file and key, never a value)."""
    raw: dict[str, Any] = dict(config.replies or {})
    result: RepliesConfig = config.options_for(RepliesConfig, raw, "replies")
    return result
