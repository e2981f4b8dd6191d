"""Records that flow through the pipeline: interactions in, CRM writes out.

``Interaction`` is the interchange format ``crmbridge.interaction/1`` (DESIGN.md); every
connector yields it and the ``jsonl`` connector reads it. The rest are the engine's own
shapes: a persona (one social identity), a CRM contact, a conversation, the write the
mapping renders, and the per-record answer of a CRM adapter.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from crmbridge.errors import DataError

SCHEMA = "crmbridge.interaction/1"
Platform = Literal[
    "x",
    "facebook",
    "instagram",
    "youtube",
    "reddit",
    "linkedin",
    "whatsapp",
    "forum",
    "review",
    "other",
]
PLATFORMS: tuple[str, ...] = Platform.__args__  # type: ignore[attr-defined]
Kind = Literal["mention", "reply", "comment", "dm", "post", "review", "retweet", "quote"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
# The author id of an item the platform gives no author for (deleted account, removed
# post, subreddit or moderator mail): ``~`` plus the item's own id, so two such items never
# share a persona. No platform id starts with ``~``.
NO_AUTHOR = "~"
Direction = Literal["inbound", "outbound"]
MAX_TEXT_CHARS = 100_000
# Nothing social is older than this; a date before it is a unit mistake (ms vs s, 1970).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# Clocks drift; a record more than this far in the future is a bad timestamp.
FUTURE_SLACK = timedelta(days=1)

# Ids end up in keys, URLs and external-id fields: no control characters in them.
_ID = Field(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f\x7f]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Author(_Strict):
    """The person behind an interaction, as the platform shows them."""

    id: str = _ID
    handle: str | None = None
    name: str | None = None
    profile_url: str | None = None
    website: str | None = None
    location: str | None = None
    bio: str | None = None
    verified: bool | None = None
    followers: int | None = Field(default=None, ge=0)
    email: str | None = None
    phone: str | None = None

    @property
    def anonymous(self) -> bool:
        """The platform names no author: the item has no persona and is never linked."""
        return self.id.startswith(NO_AUTHOR)


def no_author(message_id: str) -> dict[str, Any]:
    """The author of an item that has none: unique to the item, never a shared persona."""
    return {"id": f"{NO_AUTHOR}{message_id}"}


class Interaction(_Strict):
    """One social message in the interchange format ``crmbridge.interaction/1``."""

    schema_: Literal["crmbridge.interaction/1"] = Field(alias="schema")
    platform: Platform
    kind: Kind
    message_id: str = _ID
    conversation_id: str | None = None
    in_reply_to: str | None = None
    edit_of: str | None = None
    account_id: str | None = None
    direction: Direction = "inbound"
    is_private: bool = False
    agent: str | None = None
    author: Author
    text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    created_at: AwareDatetime
    edited_at: AwareDatetime | None = None
    deleted: bool = False
    url: str | None = None

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    @field_validator("created_at", "edited_at", mode="before")
    @classmethod
    def _parse_time(cls, value: Any) -> Any:
        # Strict mode refuses strings for datetimes; RFC 3339 text is the wire format.
        if isinstance(value, str):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value

    @field_validator("created_at", "edited_at")
    @classmethod
    def _plausible_time(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        if value < EARLIEST:
            raise ValueError(f"{value.isoformat()} is before {EARLIEST.year}")
        if value > datetime.now(UTC) + FUTURE_SLACK:
            raise ValueError(f"{value.isoformat()} is in the future")
        return value

    @model_validator(mode="after")
    def _outbound_has_agent(self) -> Interaction:
        if self.direction == "outbound" and not self.agent:
            raise ValueError("an outbound interaction needs 'agent' (the replying agent)")
        return self

    @property
    def key(self) -> str:
        """The interaction key ``platform:message_id`` of this very message."""
        return f"{self.platform}:{self.message_id}"

    @property
    def activity_key(self) -> str:
        """The key of the CRM activity: an edit updates the activity of its original."""
        return f"{self.platform}:{self.edit_of or self.message_id}"

    @property
    def persona_key(self) -> str:
        """The persona key ``platform:author.id``."""
        return f"{self.platform}:{self.author.id}"

    @property
    def has_persona(self) -> bool:
        """Whether a real account wrote this (an author-less item is never linked)."""
        return not self.author.anonymous

    @property
    def conversation_key(self) -> str:
        """The platform's own thread: its conversation id, else the message itself."""
        return f"{self.platform}:{self.conversation_id or self.edit_of or self.message_id}"

    @property
    def version_at(self) -> datetime:
        """When this version was made: a later version replaces an earlier one."""
        return self.edited_at or self.created_at

    def to_json(self) -> str:
        """Serialise to one line of the interchange format (computed once per record)."""
        return self._json

    def payload_hash(self) -> str:
        """A digest of the content, to tell a replayed record from a changed one."""
        return self._payload_hash

    @cached_property
    def _json(self) -> str:
        return self.model_dump_json(by_alias=True)

    @cached_property
    def _payload_hash(self) -> str:
        return hashlib.sha256(self._json.encode()).hexdigest()[:32]


def parse_interaction(data: Any, location: str) -> Interaction:
    """Validate one decoded record, or raise ``DataError`` naming location and field."""
    if not isinstance(data, dict):
        raise DataError(f"expected a JSON object, got {type(data).__name__}", location=location)
    if data.get("schema") != SCHEMA:
        raise DataError(
            f"field schema: expected {SCHEMA!r}, got {data.get('schema')!r}", location=location
        )
    try:
        return Interaction.model_validate(data)
    except ValidationError as exc:
        raise DataError(describe_validation_error(exc), location=location) from None


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem, ``field a.b: reason``, never echoing the offending value."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(p) for p in err["loc"]) or "(record)"
        parts.append(f"field {path}: {err['msg']}")
    return "; ".join(parts)


class Persona(BaseModel):
    """One social identity, ``(platform, author id)``, with what it has shown of itself."""

    platform: str
    author_id: str
    handle: str | None = None
    name: str | None = None

    @property
    def key(self) -> str:
        """The persona key ``platform:author_id``."""
        return f"{self.platform}:{self.author_id}"

    @classmethod
    def of(cls, interaction: Interaction) -> Persona:
        """The persona that wrote an interaction."""
        a = interaction.author
        return cls(platform=interaction.platform, author_id=a.id, handle=a.handle, name=a.name)


class Contact(BaseModel):
    """A CRM contact's match fields, as an adapter reads them."""

    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    city: str | None = None
    country: str | None = None
    handles: dict[str, str] = Field(default_factory=dict)
    # Further addresses (HubSpot's hs_additional_emails, more Salesforce email fields):
    # exact keys for the deterministic tier, like ``email``.
    other_emails: list[str] = Field(default_factory=list)

    @property
    def name(self) -> str:
        """Display name."""
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class Link(BaseModel):
    """An identity decision: which contact a persona belongs to, and why."""

    persona_key: str
    contact_id: str | None
    band: Literal["auto", "review", "unmatched"]
    rule: str
    score: float = 0.0
    evidence: dict[str, Any] = Field(default_factory=dict)
    approved_by: str = "auto"
    candidates: list[str] = Field(default_factory=list)


class ActivityWrite(BaseModel):
    """One activity to upsert in the CRM, keyed by the interaction key."""

    key: str
    object: str
    contact_id: str | None
    fields: dict[str, Any]
    deleted: bool = False
    crm_id: str | None = None  # known from the ledger when this is an update
    # What adapters may use beside the fields (the inbound message's sentiment label for a
    # contact roll-up); never sent as a field and not part of the content hash.
    meta: dict[str, Any] = Field(default_factory=dict)

    def content_hash(self) -> str:
        """Digest of what would land in the CRM: equal hash, nothing to write."""
        body = json.dumps(
            [self.object, self.contact_id, self.fields, self.deleted], sort_keys=True, default=str
        )
        return hashlib.sha256(body.encode()).hexdigest()[:32]


class CaseWrite(BaseModel):
    """A case to create or update for a conversation, by rule."""

    key: str
    contact_id: str | None
    fields: dict[str, Any]
    crm_id: str | None = None


class WriteResult(BaseModel):
    """A CRM adapter's answer for one record of a batch."""

    key: str
    status: Literal["created", "updated", "failed"]
    crm_id: str | None = None
    error_kind: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the record is in the CRM."""
        return self.status != "failed"
