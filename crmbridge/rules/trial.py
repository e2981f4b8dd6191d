"""``crmbridge rules test``: which rules fire on given messages, and why, writing nothing.

Each message is classified on the fly; what the state store knows (the author's identity
link or review, and the conversation threading would put the message in) is read when the
store exists, else the message is taken as unmatched and opening a fresh conversation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from crmbridge.config import AppConfig
from crmbridge.conversations.preview import preview_conversation
from crmbridge.conversations.threader import parent_key
from crmbridge.errors import ConfigError, DataError
from crmbridge.models import Interaction, parse_interaction
from crmbridge.rules.cases import make_context
from crmbridge.rules.conditions import RuleContext, format_duration
from crmbridge.rules.engine import RuleSet, load_rules
from crmbridge.state.store import StateStore


def trial(config: AppConfig, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One result per interaction line: the facts, each rule's trace, the decision."""
    rules = load_rules(config)
    if rules is None:
        raise ConfigError(
            f"{config.file.name}: no rules to test",
            hint="add a 'rules:' list (or rules: {file: rules.yaml}) to the config",
        )
    from crmbridge.classify import ServiceAnalyzer

    analyzer = ServiceAnalyzer()
    store = _store(config)
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                interaction = parse_interaction(json.loads(line), f"line {number}")
            except json.JSONDecodeError as exc:
                yield {"line": number, "error": f"line {number}: not JSON ({exc.msg})"}
                continue
            except DataError as exc:
                yield {"line": number, "error": str(exc)}
                continue
            ctx = _context(config, store, interaction, analyzer)
            yield _result(number, rules, ctx)
    finally:
        if store is not None:
            store.close()


def _store(config: AppConfig) -> StateStore | None:
    url = config.state_url
    if url.startswith("sqlite:///") and not Path(url[10:]).exists():
        return None
    return StateStore(url, read_only=True)


def _context(
    config: AppConfig, store: StateStore | None, i: Interaction, analyzer: Any
) -> RuleContext:
    if store is None:
        return make_context(i, analyzer.analyze(i.text), "unmatched", None, None)
    band, contact_id = _identity(store, i)
    # Threading's own preview: the conversation the sync would put it in, nothing stored.
    conversation, classification = preview_conversation(
        store, i, contact_id, config.conversations, analyzer
    )
    return make_context(i, classification, band, contact_id, conversation)


def _identity(store: StateStore, i: Interaction) -> tuple[str, str | None]:
    if i.direction == "outbound":  # an agent's reply belongs to the contact it answers
        parent = parent_key(i)
        row = store.ledger_rows([parent]).get(parent) if parent else None
        contact_id = row.contact_id if row is not None else None
        return ("linked" if contact_id else "unmatched"), contact_id
    link = store.active_links([i.persona_key]).get(i.persona_key)
    if link is not None:
        return "linked", link.contact_id
    if store.open_reviews([i.persona_key]):
        return "review", None
    return "unmatched", None


def _result(number: int, rules: RuleSet, ctx: RuleContext) -> dict[str, Any]:
    evaluation = rules.evaluate(ctx, explain=True)
    i = ctx.interaction
    return {
        "line": number,
        "key": i.key,
        "facts": {
            "direction": i.direction,
            "identity": ctx.identity,
            "contact_id": ctx.contact_id,
            "sentiment": {"score": ctx.score, "label": ctx.label},
            "intents": ctx.intents,
            "conversation": (ctx.conversation or {}).get("key"),
            "conversation_age": format_duration(ctx.conversation_age),
            "channels": ctx.channels,
        },
        "rules": [t.as_dict() for t in evaluation.traces],
        "decision": evaluation.decision.as_dict(),
    }


def render_text(result: dict[str, Any]) -> list[str]:
    """Human lines for one result."""
    if "error" in result:
        return [f"error: {result['error']}"]
    f = result["facts"]
    score = f["sentiment"]["score"]
    lines = [
        f"{result['key']} ({f['direction']}, identity {f['identity']}, sentiment "
        f"{'-' if score is None else f'{score:.2f}'} {f['sentiment']['label']}, "
        f"intents {f['intents']}, conversation {f['conversation']} "
        f"age {f['conversation_age']} channels {f['channels']})"
    ]
    width = max((len(r["rule"]) for r in result["rules"]), default=0)
    for r in result["rules"]:
        mark = {True: "FIRED  ", False: "no     ", None: "skipped"}[r["fired"]]
        lines.append(f"  {mark} {r['rule']:<{width}}  {r['note']}")
        if r["fired"]:
            lines.extend(
                f"          {' ' * width}  {c['condition']}: {c['detail']}" for c in r["checks"]
            )
    d = result["decision"]
    actions = []
    if d["case"]:
        actions.append(f"case {d['case']['priority']} {d['case']['subject']!r}")
    if d["escalate"]:
        actions.append(f"escalate {d['escalate']}")
    if d["sla"]:
        actions.append(f"sla {d['sla']}")
    if d["no_response"]:
        actions.append("no response needed")
    if d["tags"]:
        actions.append(f"tags {d['tags']}")
    if d["notify"]:
        actions.append(f"notify ({', '.join(d['notify'])})")
    lines.append("  => " + ("; ".join(actions) if actions else "no action"))
    return lines
