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
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from crmbridge.errors import SourceBusy
from crmbridge.rules.actions import notify_payload
from crmbridge.rules.cases import MAX_ATTEMPTS, Plan, RuleStage, breach_details, commit_plans
from crmbridge.rules.conditions import parse_duration
from crmbridge.state import schema
from crmbridge.state.lease import Lease
from crmbridge.state.store import StateStore, as_utc, chunks

log = logging.getLogger("crmbridge.rules")
# A source whose cursor has not moved for this long no longer holds back the SLA clock.
IDLE = timedelta(hours=1)
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


def escalate(stage: RuleStage, plan: Plan) -> str | None:
    """Escalate one overdue conversation (``RuleStage.escalate``); its webhook, if any."""
    return stage.escalate(plan)


def effective_now(store: StateStore, sources: Sequence[str], wall: datetime) -> datetime | None:
    """The time up to which every source's messages are in: SLAs run out against this.

    Each source's newest message time, the oldest of them, never past the wall clock. A
    source never read holds the pass back (None: nothing is overdue yet), so syncing one
    source first cannot escalate a conversation whose reply sits in another; a source read
    but empty does not hold it, nor does one whose cursor has not moved for ``IDLE`` (a
    quiet channel must not stop escalations on the others).
    """
    table, cursors = schema.ledger, schema.cursors
    with store.engine.connect() as conn:
        newest = dict(
            conn.execute(
                select(table.c.source, func.max(table.c.version_at)).group_by(table.c.source)
            ).all()
        )
        moved = dict(conn.execute(select(cursors.c.source, cursors.c.updated_at)).all())
    marks = []
    for name in sources:
        last_move = as_utc(moved.get(name))
        if name not in newest:
            if last_move is None:
                return None  # never read: what it holds is unknown
            continue  # read, and empty so far
        if last_move is not None and wall - last_move > IDLE:
            continue
        marks.append(as_utc(newest[name]))
    return min([wall, *[m for m in marks if m is not None]])


def sla_pass(stage: RuleStage, now: datetime, retry: bool = True) -> PassResult:
    """Escalate overdue conversations and retry pending cases; commit unless a dry run.

    ``retry=False`` (the pass at the end of a run) leaves pending cases for the next run.
    """
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
            url = escalate(stage, plan)
            result.escalated.append(plan.key)
            if url:
                notes.append((plan, url))
        changed[plan.key] = plan
    again = [p for p in pending(stage) if p.key not in changed] if retry else []
    result.retried = len(again)
    changed.update((p.key, p) for p in again)
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
        rule = str(plan.plan.get("sla_rule"))
        stage.notifier.send(rule, url, notify_payload("sla_breached", rule, breach_details(plan)))
    return result


def guarded_pass(
    stage: RuleStage, now: datetime, holder: str, seconds: float, retry: bool = True
) -> PassResult:
    """The pass under a lease: while another worker runs it, this one skips it."""
    if stage.dry_run:
        return sla_pass(stage, now, retry)
    lease = Lease(stage.store, LEASE, holder, seconds)
    try:
        lease.acquire()
    except SourceBusy:
        log.info("another worker runs the SLA pass; skipping it")
        return PassResult()
    try:
        return sla_pass(stage, now, retry)
    finally:
        lease.release()
