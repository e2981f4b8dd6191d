"""The rule engine: an ordered list of rules, each ``when`` (conditions) → ``then`` (actions).

Rules come from the ``rules:`` key of ``crmbridge.yaml``: a list inline, or ``{file:
rules.yaml}`` (that file holds the list, or ``{rules: [...], vip: {...}}``). They are data
validated by pydantic (unknown keys are errors naming the file, the rule and the field) and
evaluated in order; a rule with ``stop: true`` that fires ends the evaluation. Nothing is
ever evaluated as code: conditions are comparisons, subjects are sandboxed templates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from crmbridge.config import AppConfig, describe, interpolate
from crmbridge.errors import ConfigError
from crmbridge.models import Interaction
from crmbridge.rules.actions import Decision, Then
from crmbridge.rules.conditions import Check, RuleContext, VipSpec, When
from crmbridge.rules.templates import Template

SAMPLE = Interaction.model_validate(
    {
        "schema": "crmbridge.interaction/1",
        "platform": "x",
        "kind": "mention",
        "message_id": "1",
        "author": {"id": "1", "handle": "sample", "name": "Sample"},
        "text": "sample text",
        "created_at": datetime(2024, 1, 1, tzinfo=UTC),
    }
)


class Rule(BaseModel):
    """One rule: a name, its conditions, its actions, and whether it ends the evaluation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    when: When = Field(default_factory=When)
    then: Then
    stop: bool = False

    _subject: Template | None = PrivateAttr(default=None)

    def compile(self, where: str) -> None:
        """Compile the case subject template and try it on a sample message."""
        if self.then.case is not None:
            self._subject = Template(self.then.case.subject, f"{where}.then.case.subject")
            self._subject.render(template_context(RuleContext(SAMPLE), self.name))

    def subject(self, ctx: RuleContext) -> str | None:
        """The case subject for this message, if the rule opens a case."""
        if self._subject is None:
            return None
        return self._subject.render(template_context(ctx, self.name)).strip()[:255]


def template_context(ctx: RuleContext, rule: str) -> dict[str, Any]:
    """What a subject template can read."""
    return {
        "i": json.loads(ctx.interaction.to_json()),
        "sentiment": {"score": ctx.score, "label": ctx.label},
        "intents": list(ctx.intents),
        "identity": ctx.identity,
        "contact_id": ctx.contact_id,
        "conversation": {
            "key": (ctx.conversation or {}).get("key"),
            "channels": ctx.channels,
        },
        "rule": rule,
    }


@dataclass
class RuleTrace:
    """How one rule went: fired, failed (with the checks), or not evaluated."""

    name: str
    fired: bool | None
    checks: list[Check] = field(default_factory=list)
    skipped: str = ""

    @property
    def note(self) -> str:
        """Why, in one line: fired, the first condition that failed, or why it was skipped."""
        if self.fired is None:
            return self.skipped
        failed = next((c for c in self.checks if not c.ok), None)
        return "fired" if failed is None else f"{failed.condition}: {failed.detail}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "rule": self.name,
            "fired": self.fired,
            "note": self.note,
            "checks": [
                {"condition": c.condition, "ok": c.ok, "detail": c.detail} for c in self.checks
            ],
        }


@dataclass
class Evaluation:
    """The traces of every rule and the merged decision of those that fired."""

    traces: list[RuleTrace]
    decision: Decision


class RuleSet:
    """The ordered rules of a config, and who counts as a VIP."""

    def __init__(self, rules: list[Rule], vip: VipSpec | None = None, origin: str = "") -> None:
        self.rules = rules
        self.vip = vip or VipSpec()
        self.origin = origin

    @property
    def needs_classification(self) -> bool:
        """Whether any rule reads sentiment or intents (or a subject might)."""
        return any(
            r.when.sentiment is not None or r.when.intent is not None or r.then.case
            for r in self.rules
        )

    @property
    def writes_cases(self) -> bool:
        """Whether any rule opens or escalates a case (SLAs escalate into cases too)."""
        return any(r.then.case or r.then.escalate or r.then.sla for r in self.rules)

    def by_name(self, name: str | None) -> Rule | None:
        """The rule called ``name``, if the config still has it."""
        return next((r for r in self.rules if r.name == name), None)

    def evaluate(self, ctx: RuleContext, explain: bool = False) -> Evaluation:
        """Run the rules in order on one message; ``explain`` checks every condition."""
        ctx.vip = self.vip
        decision, traces = Decision(), []
        stopped_by: str | None = None
        for rule in self.rules:
            if stopped_by is not None:
                traces.append(
                    RuleTrace(rule.name, None, skipped=f"not evaluated: {stopped_by!r} stopped")
                )
                continue
            checks = list(rule.when.checks(ctx)) if explain else _first_failure(rule.when, ctx)
            fired = all(c.ok for c in checks)
            traces.append(RuleTrace(rule.name, fired, checks))
            if fired:
                # The first case rule's subject is the case's: render only that one.
                subject = rule.subject(ctx) if decision.subject is None else None
                decision.add(rule.name, rule.then, subject)
                if rule.stop:
                    stopped_by = rule.name
        return Evaluation(traces, decision)


def _first_failure(when: When, ctx: RuleContext) -> list[Check]:
    checks = []
    for check in when.checks(ctx):
        checks.append(check)
        if not check.ok:
            break
    return checks


def parse_rules(data: Any, file: Path, prefix: str = "rules") -> list[Rule]:
    """Validate a list of rules; errors name the file, the rule (index and name), the field."""
    if not isinstance(data, list):
        raise ConfigError(f"{file.name}: {prefix}: expected a list of rules")
    rules: list[Rule] = []
    names: set[str] = set()
    for index, raw in enumerate(data):
        name = raw.get("name") if isinstance(raw, dict) else None
        where = f"{prefix}[{index}]" + (f" ({name})" if name else "")
        try:
            rule = Rule.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(describe(exc, file, prefix=where)) from None
        if rule.name in names:
            raise ConfigError(f"{file.name}: {where}.name: the name {rule.name!r} is used twice")
        names.add(rule.name)
        rule.compile(f"{file.name}: {where}")
        rules.append(rule)
    return rules


def load_rules(config: AppConfig) -> RuleSet | None:
    """The config's rules, or None when it has none."""
    raw, file = config.rules, config.file
    if raw is None:
        return None
    vip: Any = None
    if isinstance(raw, dict):
        unknown = sorted(set(raw) - {"file", "rules", "vip"})
        if unknown or ("file" in raw) == ("rules" in raw):
            raise ConfigError(
                f"{file.name}: rules: expected a list, or {{file: rules.yaml}} or "
                f"{{rules: [...]}} with an optional vip block (got keys {sorted(raw)})"
            )
        vip = raw.get("vip")
        raw = raw.get("rules", raw.get("file"))
    if isinstance(raw, str):
        file, raw, vip = _read_file(config, raw, vip)
    rules = parse_rules(raw, file)
    try:
        vip_spec = VipSpec.model_validate(vip or {})
    except ValidationError as exc:
        raise ConfigError(describe(exc, file, prefix="vip")) from None
    return RuleSet(rules, vip_spec, file.name)


def _read_file(config: AppConfig, name: str, vip: Any) -> tuple[Path, Any, Any]:
    path = Path(name)
    path = path if path.is_absolute() else config.base_dir / path
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"{config.file.name}: rules: cannot read {path} ({exc.strerror})"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise ConfigError(f"{path.name}: {where}: not valid YAML") from None
    secrets: set[str] = set()
    data = interpolate(data, "", path, secrets)
    if secrets:  # webhook URLs read from the environment are masked like any secret
        config.secrets = config.secrets | frozenset(secrets)
    if isinstance(data, dict):
        unknown = sorted(set(data) - {"rules", "vip"})
        if unknown:
            raise ConfigError(f"{path.name}: unknown top-level key(s) {unknown} (rules, vip)")
        return path, data.get("rules"), data.get("vip", vip)
    return path, data, vip
