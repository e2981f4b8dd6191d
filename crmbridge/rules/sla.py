"""SLA escalation: the pass at the start of each sync over conversations waiting too long.

A rule's ``sla`` starts a clock on the conversation when a message fires it; an agent's
reply stops it (an outbound message in the conversation, or threading's
``last_outbound_at`` after the clock started). A conversation whose clock ran out is
escalated once per SLA: its case goes up a priority (or is opened, High, if the rule
opened none), ``escalated_tier`` is set, ``escalations`` counts up, and the rule's webhook
is told. The same pass retries cases the CRM refused on an earlier run. ``now`` is passed
in, so tests use fixed clocks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from crmbridge.errors import SourceBusy
from crmbridge.rules.actions import notify_payload, raise_priority
from crmbridge.rules.cases import MAX_ATTEMPTS, Plan, RuleStage, commit_plans
from crmbridge.rules.conditions import parse_duration
from crmbridge.state import schema
from crmbridge.state.lease import Lease
from crmbridge.state.store import as_utc, chunks

log = logging.getLogger("crmbridge.rules")
DEFAULT_TIER = "sla"
# Workers of one sync share the store; one at a time runs the pass, so none escalates twice.
LEASE = "~rules-sla"


@dataclass
class PassResult:
    """What the start-of-run pass did."""

    escalated: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    retried: int = 0
    written: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)


def overdue(stage: RuleStage, now: datetime) -> list[Plan]:
    """Conversations whose SLA ran out before ``now`` with no reply and no escalation yet."""
    table = schema.rule_cases
    query = select(table).where(
        table.c.sla_due_at.is_not(None),
        table.c.sla_due_at < now,
        table.c.responded_at.is_(None),
        table.c.sla_escalated_at.is_(None),
    )
    with stage.store.engine.connect() as conn:
        return [Plan.from_row(row) for row in conn.execute(query)]


def pending(stage: RuleStage) -> list[Plan]:
    """Cases an earlier run could not write (retried a bounded number of times)."""
    table = schema.rule_cases
    query = select(table).where(table.c.status == "pending", table.c.attempts < MAX_ATTEMPTS)
    with stage.store.engine.connect() as conn:
        return [Plan.from_row(row) for row in conn.execute(query)]


def replied(stage: RuleStage, plans: Sequence[Plan]) -> dict[str, datetime]:
    """Agent replies threading saw after each SLA started (its ``last_outbound_at``).

    The rules stage stops a clock itself when it sees the reply; this catches replies
    it did not see, such as one threaded into the conversation after a re-link.
    """
    table = schema.conversations
    found: dict[str, datetime] = {}
    starts = {p.key: _started(p) for p in plans}
    with stage.store.engine.connect() as conn:
        for part in chunks(sorted(starts)):
            query = select(table.c.key, table.c.last_outbound_at).where(
                table.c.key.in_(part), table.c.last_outbound_at.is_not(None)
            )
            for key, at in conn.execute(query):
                at = as_utc(at)
                start = starts[key]
                if at is not None and (start is None or at >= start):
                    found[key] = at
    return found


def _started(plan: Plan) -> datetime | None:
    within = plan.plan.get("sla")
    if plan.sla_due_at is None or not within:
        return None
    return plan.sla_due_at - parse_duration(within)


def escalate(stage: RuleStage, plan: Plan, now: datetime) -> str | None:
    """Escalate one overdue conversation; the webhook URL to tell, if its rule has one."""
    rule = stage.rules.by_name(plan.plan.get("sla_rule"))
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
    plan.sla_escalated_at = now
    return sla.notify if sla is not None else None


def sla_pass(stage: RuleStage, now: datetime) -> PassResult:
    """Escalate overdue conversations and retry pending cases; commit unless a dry run."""
    result = PassResult()
    late = overdue(stage, now)
    answered = replied(stage, late)
    notes: list[tuple[Plan, str]] = []
    changed: dict[str, Plan] = {}
    for plan in late:
        if plan.key in answered:
            plan.responded_at = answered[plan.key]
            result.answered.append(plan.key)
        else:
            url = escalate(stage, plan, now)
            result.escalated.append(plan.key)
            if url:
                notes.append((plan, url))
        changed[plan.key] = plan
    retry = [p for p in pending(stage) if p.key not in changed]
    result.retried = len(retry)
    changed.update((p.key, p) for p in retry)
    to_write = [p for p in changed.values() if p.status == "pending"]
    if stage.dry_run:
        result.preview = [
            {"action": "escalate", "key": k, "tier": changed[k].escalated_tier}
            for k in result.escalated
        ]
        return result
    result.written = stage.write(to_write)
    commit_plans(stage.store, list(changed.values()))
    for plan, url in notes:
        details = {
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
        rule = str(plan.plan.get("sla_rule"))
        stage.notifier.send(rule, url, notify_payload("sla_breached", rule, details))
    return result


def guarded_pass(stage: RuleStage, now: datetime, holder: str, seconds: float) -> PassResult:
    """The pass under a lease: while another worker runs it, this one skips it."""
    if stage.dry_run:
        return sla_pass(stage, now)
    lease = Lease(stage.store, LEASE, holder, seconds)
    try:
        lease.acquire()
    except SourceBusy:
        log.info("another worker runs the SLA pass; skipping it")
        return PassResult()
    try:
        return sla_pass(stage, now)
    finally:
        lease.release()
