"""The rules stage of a sync: one decision per message, one case per conversation.

Before the mapping renders a batch, every message is evaluated (its tags reach the mapping
as ``rules.tags``). Messages new to the ledger then move their conversation's plan — a
``rule_cases`` row: the case to create or raise, its SLA clock, its escalations. After the
activities are written, the batch's changed cases go to the CRM in one ``write_cases``
call; a case the CRM refuses stays ``pending`` and is retried at the start of the next run,
so a failed case never loses its interaction. Webhooks are told last, with the case id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from crmbridge.config import AppConfig
from crmbridge.crm.base import Capability, CrmAdapter
from crmbridge.errors import ConfigError, TransientError
from crmbridge.models import CaseWrite, Interaction
from crmbridge.rules.actions import (
    Decision,
    Notifier,
    case_fields,
    higher,
    notify_payload,
    raise_priority,
)
from crmbridge.rules.case_links import attach, earlier_links
from crmbridge.rules.conditions import RuleContext, format_duration
from crmbridge.rules.engine import RuleSet, load_rules
from crmbridge.state import schema
from crmbridge.state.store import StateStore, as_utc, chunks, upsert, utcnow

log = logging.getLogger("crmbridge.rules")
MAX_ATTEMPTS = 5
BANDS = {"auto": "linked", "review": "review", "unmatched": "unmatched"}


@dataclass
class Plan:
    """One conversation's case and SLA clock (a ``rule_cases`` row in memory)."""

    key: str
    contact_id: str | None = None
    status: str = "none"  # none (no case yet) | pending (to write) | written
    priority: str | None = None
    plan: dict[str, Any] = field(default_factory=dict)
    crm_id: str | None = None
    attempts: int = 0
    error: str | None = None
    sla_due_at: datetime | None = None
    responded_at: datetime | None = None
    sla_escalated_at: datetime | None = None
    escalated_tier: str | None = None
    escalations: int = 0

    @classmethod
    def from_row(cls, row: Any) -> Plan:
        """Read a stored row (times back as aware UTC)."""
        return cls(
            key=row.key,
            contact_id=row.contact_id,
            status=row.status,
            priority=row.priority,
            plan=json.loads(row.plan),
            crm_id=row.crm_id,
            attempts=row.attempts,
            error=row.error,
            sla_due_at=as_utc(row.sla_due_at),
            responded_at=as_utc(row.responded_at),
            sla_escalated_at=as_utc(row.sla_escalated_at),
            escalated_tier=row.escalated_tier,
            escalations=row.escalations,
        )

    def row(self) -> dict[str, Any]:
        """The row to upsert."""
        return {
            "key": self.key,
            "contact_id": self.contact_id,
            "status": self.status,
            "priority": self.priority,
            "plan": json.dumps(self.plan, sort_keys=True, default=str),
            "crm_id": self.crm_id,
            "attempts": self.attempts,
            "error": self.error,
            "sla_due_at": self.sla_due_at,
            "responded_at": self.responded_at,
            "sla_escalated_at": self.sla_escalated_at,
            "escalated_tier": self.escalated_tier,
            "escalations": self.escalations,
            "updated_at": utcnow(),
        }

    def snapshot(self) -> dict[str, Any]:
        """The row without its timestamp, to tell whether a message changed anything."""
        row = self.row()
        row.pop("updated_at")
        return row

    def case(self) -> dict[str, Any]:
        """What ``case_fields`` turns into a CRM's fields."""
        return {**self.plan, "priority": self.priority, "tier": self.escalated_tier}

    def conversation_fields(self) -> dict[str, Any]:
        """The columns this plan sets on the conversation's row (threading's table)."""
        return {
            "case_key": self.key if self.status != "none" else None,
            "case_crm_id": self.crm_id,
            "sla_due_at": self.sla_due_at,
            "escalations": self.escalations,
            "escalated_tier": self.escalated_tier,
        }


DEFAULT_TIER = "sla"


def breached(plan: Plan, at: datetime) -> bool:
    """Whether the plan's SLA ran out before ``at`` unanswered and not escalated yet."""
    return (
        plan.sla_due_at is not None
        and plan.sla_due_at < at
        and plan.responded_at is None
        and plan.sla_escalated_at is None
    )


def breach_details(plan: Plan) -> dict[str, Any]:
    """What an ``sla_breached`` webhook is told about the conversation."""
    return {
        "conversation": plan.key,
        "contact_id": plan.contact_id,
        "escalated_tier": plan.escalated_tier,
        "sla": plan.plan.get("sla"),
        "sla_due_at": plan.sla_due_at.isoformat() if plan.sla_due_at else None,
        "case": {
            "priority": plan.priority,
            "subject": plan.plan.get("subject"),
            "crm_id": plan.crm_id,
        },
    }


def load_plans(store: StateStore, keys: Iterable[str]) -> dict[str, Plan]:
    """The stored plans of these conversations."""
    table, found = schema.rule_cases, {}
    with store.engine.connect() as conn:
        for part in chunks(sorted(set(keys))):
            for row in conn.execute(select(table).where(table.c.key.in_(part))):
                found[row.key] = Plan.from_row(row)
    return found


def classification_of(value: Any) -> tuple[float | None, str | None, list[str]]:
    """Score, label and intents of a classification (None: none of them)."""
    if value is None:
        return None, None, []
    return value.sentiment_score, value.label, list(value.intents)


class RuleStage:
    """Evaluates rules in the pipeline and writes the cases they decide."""

    def __init__(
        self,
        rules: RuleSet,
        adapter: CrmAdapter,
        store: StateStore,
        *,
        dry_run: bool = False,
        redact: Callable[[str], str] = str,
        notifier: Notifier | None = None,
        analyzer: Any = None,
    ) -> None:
        self.rules = rules
        self.adapter = adapter
        self.store = store
        self.dry_run = dry_run
        self.redact = redact
        self.notifier = notifier or Notifier()
        self._analyzer: Any = analyzer  # the pipeline's own, else built on first use
        self.plans: dict[str, Plan] = {}
        self.touched: set[str] = set()
        self.notes: list[tuple[str, str, str, dict[str, Any]]] = []
        self.breaches: list[tuple[str, str]] = []  # conversation key, webhook URL
        self.escalated = 0
        check_adapter(rules, adapter)

    # --- facts -----------------------------------------------------------------------

    def analyze(self, interaction: Interaction) -> Any:
        """Classify on the fly when the pipeline did not (the analyser is built once)."""
        if self._analyzer is None:
            from crmbridge.classify import ServiceAnalyzer

            self._analyzer = ServiceAnalyzer()
        return self._analyzer.analyze(interaction.text)

    def context(
        self,
        interaction: Interaction,
        *,
        classification: Any = None,
        band: str = "unmatched",
        contact_id: str | None = None,
        conversation: dict[str, Any] | None = None,
    ) -> RuleContext:
        """The facts conditions read about one message."""
        if classification is None and self.rules.needs_classification:
            classification = self.analyze(interaction)
        return make_context(interaction, classification, band, contact_id, conversation)

    # --- the batch ---------------------------------------------------------------------

    def begin(self, conversation_keys: Iterable[str]) -> None:
        """Start a batch: load the plans of the conversations it touches."""
        self.plans = load_plans(self.store, conversation_keys)
        self.touched, self.notes, self.escalated = set(), [], 0
        self.breaches = []

    def decide(self, ctx: RuleContext, new: bool) -> Decision:
        """Evaluate one message; a message new to the ledger also moves its plan."""
        decision = self.rules.evaluate(ctx).decision
        if not new:
            self._edited(ctx, decision)
            return decision  # a replay or re-render: tags only, no second case or webhook
        key = conversation_key(ctx)
        if not decision.rules and key not in self.plans:
            return decision  # nothing fired and nothing is running here: no row to keep
        plan = self.plans.setdefault(key, Plan(key))
        if self._move(plan, ctx, decision):
            self.touched.add(key)
        details = _details(ctx, decision)
        for rule, url in decision.notify:
            self.notes.append((rule, url, key, details))
        return decision

    def _edited(self, ctx: RuleContext, d: Decision) -> None:
        """An edit of the message that opened a case gives the case its new text.

        As if the edit had come first (in one batch only the newest version is seen): the
        same messages give the same case however the runs split them.
        """
        i = ctx.interaction
        plan = self.plans.get(conversation_key(ctx))
        if plan is None or plan.plan.get("opened_by") != i.activity_key or not d.case:
            return
        text = {"subject": d.subject, "description": i.text[:2000]}
        if any(plan.plan.get(k) != v for k, v in text.items()):
            plan.plan.update(text)
            if plan.status != "none":
                plan.status = "pending"
            self.touched.add(plan.key)

    def _move(self, plan: Plan, ctx: RuleContext, d: Decision) -> bool:
        i = ctx.interaction
        before = plan.snapshot()
        learns = i.direction != "outbound" and ctx.contact_id and plan.contact_id is None
        if learns and plan.status == "written":
            plan.status = "pending"  # the case learns its contact, as it would have at once
        if breached(plan, i.created_at):
            # The deadline passed before this message: escalate first, at the deadline, as
            # the SLA pass would have had it run then. Cases follow the messages' times,
            # not where one run ended and the next began.
            url = self.escalate(plan)
            if url:
                self.breaches.append((plan.key, url))
        if i.direction == "outbound":
            if plan.sla_due_at is not None and plan.responded_at is None:
                plan.responded_at = i.created_at
            return plan.snapshot() != before
        plan.contact_id = plan.contact_id or ctx.contact_id
        if d.case:
            self._case(plan, i, d)
        if d.no_response:
            plan.sla_due_at = None
            plan.plan["no_response"] = True
        elif d.sla is not None and (
            plan.sla_due_at is None
            or plan.responded_at is not None
            or plan.sla_escalated_at is not None
        ):
            plan.sla_due_at = i.created_at + d.sla.within
            plan.responded_at = plan.sla_escalated_at = None
            plan.plan.update(sla=format_duration(d.sla.within), sla_rule=d.sla_rule)
        return plan.snapshot() != before

    def _case(self, plan: Plan, i: Interaction, d: Decision) -> None:
        priority = higher(plan.priority, d.case_priority)
        if d.tier is not None:  # escalation raises what the conversation's case has now
            priority = raise_priority(priority or "Medium", d.escalate_to)
        priority = priority or "Medium"
        if plan.status == "none":
            plan.status = "pending"
            plan.plan.update(
                subject=d.subject,
                owner=d.owner,
                queue=d.queue,
                description=i.text[:2000],
                platform=i.platform,
                opened_by=i.activity_key,
            )
        rules = sorted({*plan.plan.get("rules", []), *d.rules})
        tags = sorted({*plan.plan.get("tags", []), *d.tags})
        if plan.status != "pending" and (
            priority != plan.priority
            or rules != plan.plan.get("rules", [])
            or tags != plan.plan.get("tags", [])
        ):
            # What the case shows changed: write it again, whether or not an SLA pass
            # wrote it in between (the same messages give the same case).
            plan.status = "pending"
        plan.priority = priority
        plan.plan["rules"] = rules
        plan.plan["tags"] = tags
        if d.tier is not None:
            plan.escalated_tier = d.tier
            plan.escalations += 1
            plan.status = "pending"
            self.escalated += 1

    def escalate(self, plan: Plan) -> str | None:
        """Escalate one conversation whose SLA ran out; the webhook to tell, if any.

        The case goes up a priority (or is opened, High, when the rule opened none), at
        the deadline's own time: the same messages give the same escalation.
        """
        rule = self.rules.by_name(plan.plan.get("sla_rule"))
        sla = rule.then.sla if rule is not None else None
        if plan.status == "none":  # the rule set an SLA but opened no case: open one now
            within = plan.plan.get("sla", "its target")
            plan.plan.setdefault("subject", f"No reply within {within}: conversation {plan.key}")
            plan.priority = "High"
        else:
            plan.priority = raise_priority(plan.priority or "Medium")
        plan.status = "pending"
        plan.escalated_tier = sla.escalate if sla is not None else DEFAULT_TIER
        plan.escalations += 1
        plan.sla_escalated_at = plan.sla_due_at
        self.escalated += 1
        return sla.notify if sla is not None else None

    def finish(
        self, conversations: Sequence[dict[str, Any]] = ()
    ) -> tuple[list[dict[str, Any]], int]:
        """Write the batch's pending cases; the rows to commit and how many cases landed.

        ``conversations`` (threading's rows for this batch) get the case columns set.
        """
        touched = [self.plans[k] for k in sorted(self.touched)]
        pending = [p for p in touched if p.status == "pending"]
        written = len(pending) if self.dry_run else self.write(pending)
        for row in conversations:
            plan = self.plans.get(str(row.get("key")))
            if plan is not None:
                row.update(plan.conversation_fields())
        if not self.dry_run:
            self.send_notes()
        return [p.row() for p in touched], written

    def write(self, plans: Sequence[Plan]) -> int:
        """Send cases to the CRM in one call; refused ones stay pending. Returns ok count."""
        if not plans:
            return 0
        writes = [
            CaseWrite(
                key=p.key,
                contact_id=p.contact_id,
                fields=case_fields(self.adapter, p.case(), creating=p.crm_id is None),
                crm_id=p.crm_id,
            )
            for p in plans
        ]
        try:
            results = self.adapter.write_cases(writes)
        except TransientError as exc:  # the interactions are written; cases wait a run
            for p in plans:
                p.attempts += 1
                p.error = self.redact(f"{exc.kind}: {exc}")
            log.warning("case write deferred to the next run (%s)", exc.kind)
            return 0
        ok = 0
        created: dict[str, str] = {}
        for plan, result in zip(plans, results, strict=True):
            if result.ok:
                if plan.crm_id is None and result.crm_id:
                    created[plan.key] = result.crm_id
                plan.status, plan.error, plan.attempts = "written", None, 0
                plan.crm_id = result.crm_id or plan.crm_id
                ok += 1
            else:
                plan.attempts += 1
                plan.error = self.redact(f"{result.error_kind}: {result.error or ''}")
        # A new case gathers its conversation's activities written before it.
        attach(self.adapter, earlier_links(self.store, created))
        return ok

    def send_notes(self) -> None:
        """Tell the webhooks of this batch's fired rules and breached SLAs."""
        for key, url in self.breaches:
            late = self.plans[key]
            rule = str(late.plan.get("sla_rule"))
            self.notifier.send(
                rule, url, notify_payload("sla_breached", rule, breach_details(late))
            )
        for rule, url, key, details in self.notes:
            plan = self.plans.get(key)
            case = (
                {
                    "priority": plan.priority,
                    "subject": plan.plan.get("subject"),
                    "crm_id": plan.crm_id,
                }
                if plan is not None and plan.status != "none"
                else None
            )
            self.notifier.send(
                rule, url, notify_payload("rule_fired", rule, {**details, "case": case})
            )
        self.notes = []

    def preview(self) -> list[dict[str, Any]]:
        """The dry run's list of cases this batch would write."""
        return [
            {
                "action": "case",
                "key": p.key,
                "contact_id": p.contact_id,
                "priority": p.priority,
                "subject": p.plan.get("subject"),
                "rules": p.plan.get("rules", []),
            }
            for k in sorted(self.touched)
            if (p := self.plans[k]).status == "pending"
        ]


def make_context(
    interaction: Interaction,
    classification: Any,
    band: str,
    contact_id: str | None,
    conversation: dict[str, Any] | None,
) -> RuleContext:
    """A rule context from a message and what the pipeline (or the store) knows of it."""
    score, label, intents = classification_of(classification)
    conversation = conversation or {
        "key": interaction.conversation_key,
        "opened_at": interaction.created_at,
        "channels": [interaction.platform],
    }
    return RuleContext(
        interaction,
        score=score,
        label=label,
        intents=intents,
        identity=BANDS.get(band, band),
        contact_id=contact_id,
        conversation=conversation,
    )


def _details(ctx: RuleContext, d: Decision) -> dict[str, Any]:
    i = ctx.interaction
    return {
        "conversation": conversation_key(ctx),
        "interaction": {
            "key": i.key,
            "platform": i.platform,
            "kind": i.kind,
            "url": i.url,
            "author": i.author.handle or i.author.name or i.author.id,
            "text": i.text[:500],
            "created_at": i.created_at.isoformat(),
        },
        "contact_id": ctx.contact_id,
        "sentiment": {"score": ctx.score, "label": ctx.label},
        "intents": ctx.intents,
        "tags": d.tags,
        "escalated_tier": d.tier,
        "rules": d.rules,
    }


def check_adapter(rules: RuleSet, adapter: CrmAdapter | type[CrmAdapter]) -> None:
    """Refuse, before any write, rules that open cases on an adapter that cannot."""
    cls = adapter if isinstance(adapter, type) else type(adapter)
    if rules.writes_cases and not cls.can(Capability.CASES):
        raise ConfigError(
            f"rules open cases but the {adapter.name} adapter cannot write cases",
            hint="remove the case and escalate actions, or use local, salesforce or hubspot",
        )


def commit_plans(store: StateStore, plans: Sequence[Plan]) -> None:
    """Store plans outside a batch (the start-of-run pass), mirrored on conversations."""
    if not plans:
        return
    with store.engine.begin() as conn:
        upsert(conn, schema.rule_cases, [p.row() for p in plans], ["key"])
        table = schema.conversations
        for p in plans:
            conn.execute(
                table.update().where(table.c.key == p.key).values(**p.conversation_fields())
            )


def rule_stage(
    config: AppConfig,
    adapter: CrmAdapter,
    store: StateStore,
    dry_run: bool,
    analyzer: Any = None,
) -> RuleStage | None:
    """The pipeline's rules stage, or None when the config has no rules."""
    rules = load_rules(config)
    if rules is None:
        return None
    return RuleStage(
        rules, adapter, store, dry_run=dry_run, redact=config.redact, analyzer=analyzer
    )


def conversation_key(work: Any) -> str:
    """The conversation of a batch item or a rule context: threading's, else the platform's."""
    conversation = getattr(work, "conversation", None) or {}
    return str(conversation.get("key") or work.interaction.conversation_key)


def rules_view(decision: Decision | None) -> dict[str, Any] | None:
    """What the mapping sees of a decision as ``rules``."""
    if decision is None:
        return None
    return {"tags": decision.tags, "fired": decision.rules, "no_response": decision.no_response}
