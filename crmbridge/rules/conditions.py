"""Rule conditions: the ``when`` block of a rule, as validated data (never code).

Each condition is a field of ``When``; every field set must hold for the rule to fire.
A condition is checked against a ``RuleContext`` (the interaction, its classification, its
identity band and its conversation) and answers a ``Check``: whether it held and why, with
the values it compared, so ``crmbridge rules test`` can say exactly which one failed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from crmbridge.models import Direction, Interaction, Kind, Platform

Label = Literal["negative", "neutral", "positive"]
IdentityBand = Literal["linked", "review", "unmatched"]
_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """``30m``, ``4h``, ``2d``, ``1h30m`` (or a number of seconds) as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=float(value))
    text = str(value).strip().lower().replace(" ", "")
    if not text or _DURATION.sub("", text):
        raise ValueError(f"{value!r} is not a duration; write e.g. 90s, 30m, 4h, 2d or 1h30m")
    seconds = sum(int(n) * _UNITS[unit] for n, unit in _DURATION.findall(text))
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """A timedelta in the shortest of the units above (``90m`` -> ``1h30m``)."""
    seconds, parts = int(value.total_seconds()), []
    for unit in "dhms":
        size = _UNITS[unit]
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def _as_list(value: Any) -> Any:
    """Let a one-item list be written as a plain value (``platform: x``)."""
    return [value] if isinstance(value, str | int | float) else value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
OneOrMany = BeforeValidator(_as_list)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SentimentRange(_Data):
    """Sentiment score bounds (``below``/``above`` on -1..1) and/or a list of labels."""

    below: float | None = Field(default=None, ge=-1, le=1)
    above: float | None = Field(default=None, ge=-1, le=1)
    label: Annotated[list[Label] | None, OneOrMany] = None

    @model_validator(mode="after")
    def _something(self) -> SentimentRange:
        if self.below is None and self.above is None and not self.label:
            raise ValueError("give below, above or label")
        if self.below is not None and self.above is not None and self.above >= self.below:
            raise ValueError("above must be lower than below (the range is empty)")
        return self


class AgeRange(_Data):
    """Bounds on a conversation's age when the message came (``at_least``/``at_most``)."""

    at_least: Duration | None = None
    at_most: Duration | None = None

    @model_validator(mode="after")
    def _something(self) -> AgeRange:
        if self.at_least is None and self.at_most is None:
            raise ValueError("give at_least or at_most (e.g. at_least: 2d)")
        return self


class VipSpec(_Data):
    """Who counts as a VIP for the ``vip`` condition (any one of these makes a VIP)."""

    contacts: list[str] = Field(default_factory=list)
    """CRM contact ids."""
    personas: list[str] = Field(default_factory=list)
    """Persona keys ``platform:author_id``."""
    handles: list[str] = Field(default_factory=list)
    """Handles (without ``@``, any case) on any platform."""
    verified: bool = False
    """Treat every verified account as a VIP."""
    followers_at_least: int | None = Field(default=None, ge=0)


@dataclass
class RuleContext:
    """What conditions read about one interaction."""

    interaction: Interaction
    score: float | None = None
    label: str | None = None
    intents: list[str] = field(default_factory=list)
    identity: str = "unmatched"
    contact_id: str | None = None
    conversation: dict[str, Any] | None = None
    vip: VipSpec = field(default_factory=VipSpec)

    @property
    def conversation_age(self) -> timedelta:
        """How old the conversation was when this message came (zero when it opens it)."""
        opened = (self.conversation or {}).get("opened_at")
        if not isinstance(opened, datetime):
            return timedelta(0)
        if opened.tzinfo is None:
            opened = opened.replace(tzinfo=self.interaction.created_at.tzinfo)
        return max(timedelta(0), self.interaction.created_at - opened)

    @property
    def channels(self) -> list[str]:
        """The channels of the conversation so far, this message's included."""
        raw = (self.conversation or {}).get("channels") or []
        seen = list(json.loads(raw) if isinstance(raw, str) else raw)  # threading stores JSON
        if self.interaction.platform not in seen:
            seen.append(self.interaction.platform)
        return seen

    def is_vip(self) -> tuple[bool, str]:
        """Whether the author is a VIP under the rules' ``vip`` settings, and why."""
        a, spec = self.interaction.author, self.vip
        if self.contact_id and self.contact_id in spec.contacts:
            return True, f"contact {self.contact_id} is listed"
        if self.interaction.persona_key in spec.personas:
            return True, f"persona {self.interaction.persona_key} is listed"
        handle = (a.handle or "").lstrip("@").lower()
        if handle and handle in {h.lstrip("@").lower() for h in spec.handles}:
            return True, f"handle {handle} is listed"
        if spec.verified and a.verified:
            return True, "the account is verified"
        if spec.followers_at_least is not None and (a.followers or 0) >= spec.followers_at_least:
            return True, f"{a.followers} followers >= {spec.followers_at_least}"
        return False, "not in the vip contacts, personas or handles"


@dataclass(frozen=True)
class Check:
    """One condition's answer: its name, whether it held, and the values behind it.

    The explanation is built only when read (``rules test``): a sync needs the answer only.
    """

    condition: str
    ok: bool
    why: Callable[[], str]

    @property
    def detail(self) -> str:
        """The values compared, in words."""
        return self.why()


Checker = Callable[["When", RuleContext], Check]


class When(_Data):
    """The conditions of a rule; all that are set must hold (none set: always fires)."""

    platform: Annotated[list[Platform] | None, OneOrMany] = None
    kind: Annotated[list[Kind] | None, OneOrMany] = None
    direction: Direction | None = None
    visibility: Literal["public", "private"] | None = None
    intent: Annotated[list[str] | None, OneOrMany] = None
    sentiment: SentimentRange | None = None
    keywords: Annotated[list[str] | None, OneOrMany] = None
    followers_at_least: int | None = Field(default=None, ge=0)
    verified: bool | None = None
    vip: bool | None = None
    identity: Annotated[list[IdentityBand] | None, OneOrMany] = None
    conversation_age: AgeRange | None = None
    channels_at_least: int | None = Field(default=None, ge=1)

    _keywords: re.Pattern[str] | None = PrivateAttr(default=None)
    _active: list[Checker] = PrivateAttr(default_factory=list)

    @field_validator("keywords")
    @classmethod
    def _non_empty(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not [k for k in value if k.strip()]:
            raise ValueError("give at least one keyword")
        return value

    def model_post_init(self, __context: Any) -> None:
        """Compile the keywords and list the conditions set, once per rule."""
        self._active = [f for name, f in _CHECKERS.items() if getattr(self, name) is not None]
        if self.keywords:
            words = sorted({k.strip() for k in self.keywords if k.strip()}, key=len, reverse=True)
            alternation = "|".join(re.escape(w) for w in words)
            self._keywords = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)

    def checks(self, ctx: RuleContext) -> Iterator[Check]:
        """The answer of each condition set, in the order of the fields."""
        for checker in self._active:
            yield checker(self, ctx)


def _listed(name: str, wanted: list[str], got: str | None) -> Check:
    ok = got in wanted
    return Check(name, ok, lambda: f"{got!r} {'is' if ok else 'is not'} in {wanted}")


def _platform(w: When, ctx: RuleContext) -> Check:
    return _listed("platform", list(w.platform or []), ctx.interaction.platform)


def _kind(w: When, ctx: RuleContext) -> Check:
    return _listed("kind", list(w.kind or []), ctx.interaction.kind)


def _direction(w: When, ctx: RuleContext) -> Check:
    got = ctx.interaction.direction
    return Check("direction", got == w.direction, lambda: f"{got!r}, wanted {w.direction!r}")


def _visibility(w: When, ctx: RuleContext) -> Check:
    got = "private" if ctx.interaction.is_private else "public"
    return Check("visibility", got == w.visibility, lambda: f"{got!r}, wanted {w.visibility!r}")


def _intent(w: When, ctx: RuleContext) -> Check:
    wanted = list(w.intent or [])
    ok = any(i in wanted for i in ctx.intents)
    return Check(
        "intent",
        ok,
        lambda: f"intents {ctx.intents} {'include' if ok else 'include none of'} {wanted}",
    )


def _sentiment(w: When, ctx: RuleContext) -> Check:
    s = w.sentiment
    assert s is not None
    score, label = ctx.score, ctx.label
    if score is None:
        return Check("sentiment", False, lambda: "no sentiment was computed for this message")
    problems = []
    if s.below is not None and not score < s.below:
        problems.append(f"score {score:.3f} is not below {s.below}")
    if s.above is not None and not score > s.above:
        problems.append(f"score {score:.3f} is not above {s.above}")
    if s.label and label not in s.label:
        problems.append(f"label {label!r} is not in {s.label}")
    detail = "; ".join(problems) or f"score {score:.3f}, label {label!r} in range"
    return Check("sentiment", not problems, lambda: detail)


def _keywords(w: When, ctx: RuleContext) -> Check:
    assert w._keywords is not None
    found = w._keywords.search(ctx.interaction.text)
    return Check(
        "keywords",
        found is not None,
        lambda: f"found {found.group(0)!r}" if found else f"none of {w.keywords} in the text",
    )


def _followers(w: When, ctx: RuleContext) -> Check:
    got = ctx.interaction.author.followers
    ok = got is not None and got >= (w.followers_at_least or 0)
    return Check(
        "followers_at_least", ok, lambda: f"{got} followers, wanted >= {w.followers_at_least}"
    )


def _verified(w: When, ctx: RuleContext) -> Check:
    got = bool(ctx.interaction.author.verified)
    return Check("verified", got == w.verified, lambda: f"verified is {got}, wanted {w.verified}")


def _vip(w: When, ctx: RuleContext) -> Check:
    got, why = ctx.is_vip()
    return Check("vip", got == w.vip, lambda: f"vip is {got} ({why}), wanted {w.vip}")


def _identity(w: When, ctx: RuleContext) -> Check:
    return _listed("identity", list(w.identity or []), ctx.identity)


def _age(w: When, ctx: RuleContext) -> Check:
    r = w.conversation_age
    assert r is not None
    age, problems = ctx.conversation_age, []
    if r.at_least is not None and age < r.at_least:
        problems.append(f"age {format_duration(age)} < at_least {format_duration(r.at_least)}")
    if r.at_most is not None and age > r.at_most:
        problems.append(f"age {format_duration(age)} > at_most {format_duration(r.at_most)}")
    detail = "; ".join(problems) or f"age {format_duration(age)} in range"
    return Check("conversation_age", not problems, lambda: detail)


def _channels(w: When, ctx: RuleContext) -> Check:
    got = ctx.channels
    ok = len(got) >= (w.channels_at_least or 0)
    return Check(
        "channels_at_least",
        ok,
        lambda: f"{len(got)} channel(s) {got}, wanted >= {w.channels_at_least}",
    )


_CHECKERS: dict[str, Checker] = {
    "platform": _platform,
    "kind": _kind,
    "direction": _direction,
    "visibility": _visibility,
    "intent": _intent,
    "sentiment": _sentiment,
    "keywords": _keywords,
    "followers_at_least": _followers,
    "verified": _verified,
    "vip": _vip,
    "identity": _identity,
    "conversation_age": _age,
    "channels_at_least": _channels,
}
