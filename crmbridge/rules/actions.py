"""Rule actions: the ``then`` block, the merged decision, case fields and webhooks.

Actions are data: a case (priority, subject template, owner or queue), an escalation to a
tier, "no response needed", tags, a webhook to notify and an SLA (target reply time). When
several rules fire on one message their actions are merged into one ``Decision``: the
highest priority wins, tags add up, the shortest SLA wins, "no response needed" clears it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import requests
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from crmbridge.crm.base import CrmAdapter
from crmbridge.errors import CrmbridgeError
from crmbridge.http import make_session, request
from crmbridge.rules.conditions import Duration, OneOrMany, format_duration

log = logging.getLogger("crmbridge.rules")
PRIORITIES = ("Low", "Medium", "High")
DEFAULT_SUBJECT = (
    "{{ i.platform | title }} {{ i.kind }} from "
    "{{ i.author.handle and '@' ~ i.author.handle or i.author.name or i.author.id }}: "
    "{{ i.text | truncate_text(80) }}"
)


def _priority(value: Any) -> Any:
    return value.strip().capitalize() if isinstance(value, str) else value


def _wrap(key: str) -> Any:
    """Let an action with one required option be written as that option's value."""

    def wrap(value: Any) -> Any:
        return {key: value} if isinstance(value, str | int | float) else value

    return BeforeValidator(wrap)


Priority = Annotated[Literal["Low", "Medium", "High"], BeforeValidator(_priority)]


def raise_priority(priority: str | None, to: str | None = None) -> str:
    """One step up (or to ``to`` if that is higher); High stays High."""
    current = PRIORITIES.index(priority) if priority in PRIORITIES else 0
    step = min(current + 1, len(PRIORITIES) - 1) if priority in PRIORITIES else 1
    target = PRIORITIES.index(to) if to in PRIORITIES else step
    return PRIORITIES[max(current, target)]


def higher(a: str | None, b: str | None) -> str | None:
    """The higher of two priorities (None is lowest)."""
    if a is None or b is None:
        return a or b
    return a if PRIORITIES.index(a) >= PRIORITIES.index(b) else b


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseAction(_Data):
    """Create the conversation's case, or update it (one case per conversation)."""

    priority: Priority = "Medium"
    subject: str = Field(default=DEFAULT_SUBJECT, max_length=2000)
    """A template (sandboxed): ``i`` (the interaction), ``sentiment``, ``intents``, ``tags``."""
    owner: str | None = Field(default=None, max_length=64)
    """A CRM user id (Salesforce OwnerId, HubSpot hubspot_owner_id)."""
    queue: str | None = Field(default=None, max_length=64)
    """A queue id (Salesforce queues own cases as OwnerId; local keeps it as queue)."""

    @model_validator(mode="after")
    def _one_owner(self) -> CaseAction:
        if self.owner and self.queue:
            raise ValueError("give owner or queue, not both")
        return self


class EscalateAction(_Data):
    """Escalate to a tier: the case's priority goes up (one step, or to ``priority``)."""

    tier: str = Field(min_length=1, max_length=32)
    priority: Priority | None = None


class NotifyAction(_Data):
    """POST a JSON summary to a webhook (Slack, Teams, a ticket bridge...)."""

    url: str = Field(pattern=r"^https?://\S+$")
    """The webhook URL; write it as ``${ENV_VAR}`` when it holds a token."""


class SlaAction(_Data):
    """A target reply time; without an agent reply by then, the next run escalates."""

    within: Duration
    escalate: str = Field(default="sla", min_length=1, max_length=32)
    """The tier a breach escalates to."""
    notify: str | None = Field(default=None, pattern=r"^https?://\S+$")
    """A webhook told of the breach."""


class Then(_Data):
    """The actions of a rule."""

    case: Annotated[CaseAction | None, BeforeValidator(lambda v: {} if v is True else v)] = None
    escalate: Annotated[EscalateAction | None, _wrap("tier")] = None
    no_response: bool = False
    tag: Annotated[list[str] | None, OneOrMany] = None
    notify: Annotated[NotifyAction | None, _wrap("url")] = None
    sla: Annotated[SlaAction | None, _wrap("within")] = None

    @model_validator(mode="after")
    def _coherent(self) -> Then:
        acts = (self.case, self.escalate, self.no_response, self.tag, self.notify, self.sla)
        if not any(a for a in acts):
            raise ValueError("give at least one action (case, escalate, no_response, ...)")
        if self.no_response and self.sla is not None:
            raise ValueError("no_response and sla contradict each other; keep one")
        return self


@dataclass
class Decision:
    """What the rules that fired on one message decided, merged.

    ``priority`` is the message's own view (its case actions, raised by its escalations);
    the conversation's case starts from the priority it already has instead.
    """

    rules: list[str] = field(default_factory=list)
    case: bool = False
    priority: str | None = None
    subject: str | None = None
    owner: str | None = None
    queue: str | None = None
    tier: str | None = None
    no_response: bool = False
    tags: list[str] = field(default_factory=list)
    notify: list[tuple[str, str]] = field(default_factory=list)
    sla: SlaAction | None = None
    sla_rule: str | None = None
    case_priority: str | None = None  # the highest of the case actions alone
    escalate_to: str | None = None  # an escalation's explicit priority, if any

    def add(self, rule: str, then: Then, subject: str | None) -> None:
        """Merge one fired rule's actions into the decision."""
        self.rules.append(rule)
        if then.case is not None:
            self.case = True
            self.priority = higher(self.priority, then.case.priority)
            self.case_priority = higher(self.case_priority, then.case.priority)
            self.subject = self.subject or subject
            self.owner = self.owner or then.case.owner
            self.queue = self.queue or then.case.queue
        if then.escalate is not None:
            self.case = True
            self.tier = then.escalate.tier
            self.priority = raise_priority(self.priority or "Medium", then.escalate.priority)
            self.escalate_to = higher(self.escalate_to, then.escalate.priority)
        self.no_response = self.no_response or then.no_response
        for tag in then.tag or []:
            if tag not in self.tags:
                self.tags.append(tag)
        if then.notify is not None:
            self.notify.append((rule, then.notify.url))
        if then.sla is not None and (self.sla is None or then.sla.within < self.sla.within):
            self.sla, self.sla_rule = then.sla, rule
        if self.no_response:
            self.sla = self.sla_rule = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for ``rules test`` and the sync preview (webhook URLs left out)."""
        return {
            "rules": self.rules,
            "case": (
                {
                    "priority": self.priority,
                    "subject": self.subject,
                    "owner": self.owner,
                    "queue": self.queue,
                }
                if self.case
                else None
            ),
            "escalate": self.tier,
            "no_response": self.no_response,
            "tags": self.tags,
            "notify": [rule for rule, _url in self.notify],
            "sla": format_duration(self.sla.within) if self.sla else None,
        }


# --- case fields -----------------------------------------------------------------------


def case_fields(adapter: CrmAdapter, plan: dict[str, Any], creating: bool) -> dict[str, Any]:
    """The CaseWrite fields of a case plan: each adapter maps them (``case_fields``)."""
    return adapter.case_fields(plan, creating)


# --- notifications ----------------------------------------------------------------------


class Notifier:
    """Sends webhook notifications through the project's session and retry policy.

    A webhook that fails is logged (rule name and status only: webhook URLs often carry a
    token) and counted; it never stops the sync, whose job is the CRM.
    """

    def __init__(self, session: requests.Session | None = None, attempts: int = 3) -> None:
        self.session = session or make_session(pool=2)
        self.attempts = attempts
        self.sent = 0
        self.failed = 0

    def send(self, rule: str, url: str, payload: dict[str, Any]) -> bool:
        """POST ``payload`` as JSON; True when the webhook answered 2xx."""
        try:
            response = request(self.session, "POST", url, json=payload, attempts=self.attempts)
        except CrmbridgeError as exc:
            log.warning("notify for rule %r failed: %s", rule, type(exc).__name__)
            self.failed += 1
            return False
        if not response.ok:
            log.warning("notify for rule %r failed: HTTP %s", rule, response.status_code)
            self.failed += 1
            return False
        self.sent += 1
        return True


def notify_payload(event: str, rule: str, details: dict[str, Any]) -> dict[str, Any]:
    """The JSON a webhook receives; ``text`` makes it readable in Slack-style hooks."""
    what = "fired on" if event == "rule_fired" else "SLA missed in"
    text = f"crmbridge: rule {rule!r} {what} conversation {details.get('conversation')}"
    case = details.get("case") or {}
    if case.get("priority"):
        text += f" (case priority {case['priority']})"
    return {"text": text, "event": event, "rule": rule, **details}
