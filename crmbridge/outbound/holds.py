"""Holds: replies that wait for a person (approval) and conversations that need none.

The hook into the rules is small and read-only: a conversation whose ``rule_cases`` plan
says ``no_response`` stops its queue; the rules' VIP list and the tags their rules put on
the message answered, with the intents the classifier finds in it or in the draft, decide
whether ``replies.approval`` holds the reply until someone approves it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from crmbridge.config import AppConfig
from crmbridge.models import Interaction
from crmbridge.outbound.settings import Approval, MovePrivate
from crmbridge.rules.cases import make_context
from crmbridge.rules.engine import RuleSet, load_rules
from crmbridge.state import schema
from crmbridge.state.store import StateStore


def no_response(store: StateStore, conversation_key: str | None) -> str | None:
    """Why the conversation needs no reply (the rules said so), or None."""
    if not conversation_key:
        return None
    table = schema.rule_cases
    with store.engine.connect() as conn:
        row = conn.execute(select(table.c.plan).where(table.c.key == conversation_key)).first()
    if row is None or not json.loads(row.plan).get("no_response"):
        return None
    return f"no_response: the rules marked conversation {conversation_key} as needing no reply"


class ApprovalCheck:
    """Decides whether a reply waits for approval (or moves to private), and says why."""

    def __init__(
        self, config: AppConfig, approval: Approval, private_when: MovePrivate | None = None
    ) -> None:
        self.approval = approval
        self.private_when = private_when or MovePrivate()
        self.rules: RuleSet | None = load_rules(config)
        self._analyzer: Any = None

    def _intents(self, text: str) -> list[str]:
        if self._analyzer is None:
            from crmbridge.classify import ServiceAnalyzer

            self._analyzer = ServiceAnalyzer()
        return list(self._analyzer.analyze(text).intents)

    def reason(self, target: Interaction, draft: str, contact_id: str | None) -> str | None:
        """Why this reply needs approval, or None."""
        wanted = set(self.approval.intents)
        found = (
            sorted(wanted & {*self._intents(target.text), *self._intents(draft)}) if wanted else []
        )
        if found:
            return f"approval: intent {', '.join(found)}"
        if self.rules is None:
            return None
        ctx = make_context(target, None, "auto" if contact_id else "unmatched", contact_id, None)
        ctx.vip = self.rules.vip
        if self.approval.vip:
            vip, why = ctx.is_vip()
            if vip:
                return f"approval: VIP ({why})"
        if self.approval.tags:
            tags = set(self.rules.evaluate(ctx).decision.tags) & set(self.approval.tags)
            if tags:
                return f"approval: rule tag {', '.join(sorted(tags))}"
        return None

    def private_reason(self, target: Interaction, draft: str, contact_id: str | None) -> str | None:
        """Why a public message is answered privately by rule (``replies.private_when``)."""
        rule = self.private_when
        if target.is_private or not (rule.intents or rule.tags):
            return None
        found = sorted(set(rule.intents) & {*self._intents(target.text), *self._intents(draft)})
        if found:
            return f"rule: intent {', '.join(found)} (replies.private_when)"
        if rule.tags and self.rules is not None:
            ctx = make_context(
                target, None, "auto" if contact_id else "unmatched", contact_id, None
            )
            ctx.vip = self.rules.vip
            tags = set(self.rules.evaluate(ctx).decision.tags) & set(rule.tags)
            if tags:
                return f"rule: tag {', '.join(sorted(tags))} (replies.private_when)"
        return None
