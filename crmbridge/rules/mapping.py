"""Mapping presets: which CRM object an interaction becomes, and each field's template.

A preset is YAML data (``mappings/*.yaml`` shipped in the package, or a file the admin
points ``mapping:`` at). Fields are templates rendered in the sandbox, then typed,
length-checked and checked against their allowed values, so what reaches the CRM is what
the CRM accepts. Per-platform overrides change fields for one platform only.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crmbridge.config import describe
from crmbridge.errors import ConfigError, DataError
from crmbridge.models import ActivityWrite, Contact, Interaction, Link
from crmbridge.rules.templates import Template, truncate_text

if TYPE_CHECKING:  # the analyser (and its lexicon) loads only where classification runs
    from crmbridge.classify import Classification


class FieldSpec(BaseModel):
    """One CRM field: its template and the constraints the CRM puts on it."""

    model_config = ConfigDict(extra="forbid")

    template: str
    type: Literal["str", "int", "bool", "datetime"] = "str"
    max_length: int | None = Field(default=None, ge=1)
    choices: list[str] | None = None
    omit_empty: bool = True


class Override(BaseModel):
    """Field changes for one platform (or one kind on it)."""

    model_config = ConfigDict(extra="forbid")

    fields: dict[str, FieldSpec | str | None] = Field(default_factory=dict)


class Preset(BaseModel):
    """A mapping preset file."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    object: str
    unmatched: Literal["write", "hold"] = "write"
    review: Literal["write", "hold"] = "write"
    fields: dict[str, FieldSpec | str]
    overrides: dict[str, Override] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_fields(self) -> Preset:
        if not self.fields:
            raise ValueError("a preset needs at least one field")
        return self


def _spec(value: FieldSpec | str) -> FieldSpec:
    return value if isinstance(value, FieldSpec) else FieldSpec(template=value)


class Mapper:
    """Renders interactions into ``ActivityWrite``s with one preset."""

    def __init__(self, preset: Preset, origin: str) -> None:
        self.preset = preset
        self.origin = origin
        self._base = self._compile(preset.fields, "fields")
        self._by_platform = {
            platform: {**self._base, **self._compile(o.fields, f"overrides.{platform}.fields")}
            for platform, o in preset.overrides.items()
        }
        for platform, o in preset.overrides.items():
            for name, value in o.fields.items():
                if value is None:
                    self._by_platform[platform].pop(name, None)
        self._joined = {platform: _join(f, origin) for platform, f in self._by_platform.items()}
        self._joined[""] = _join(self._base, origin)

    def _compile(self, fields: dict[str, Any], where: str) -> dict[str, tuple[FieldSpec, Template]]:
        compiled = {}
        for name, value in fields.items():
            if value is None:
                continue
            spec = _spec(value)
            template = Template(spec.template, f"{self.origin}: {where}.{name}")
            _check_template(template, spec, name)
            compiled[name] = (spec, template)
        return compiled

    def render(
        self,
        interaction: Interaction,
        contact: Contact | None,
        link: Link | None,
        key: str,
        *,
        classification: Classification | None = None,
        conversation: dict[str, Any] | None = None,
        rules: dict[str, Any] | None = None,
    ) -> ActivityWrite:
        """The activity for one interaction (DataError if a value breaks a constraint).

        Templates see ``i`` (the interaction), ``contact``, ``link``, ``key``, ``c`` (the
        classification: ``c.sentiment.score``, ``c.sentiment.label``, ``c.intents``),
        ``conv`` (the conversation row, ``conv.channels`` as a list; ``conv.agent`` is the
        replying agent of an outbound message) and ``rules`` (what the case rules decided:
        ``rules.tags``, ``rules.fired``, ``rules.no_response``).
        """
        context = {
            "i": json.loads(interaction.to_json()),
            "contact": contact.model_dump() if contact else None,
            "link": link.model_dump() if link else None,
            "key": key,
            "c": classification.to_dict() if classification else None,
            "conv": conversation_context(conversation, interaction),
            "rules": rules or NO_RULES,
        }
        fields_ = self._by_platform.get(interaction.platform, self._base)
        joined = self._joined.get(interaction.platform) or self._joined[""]
        try:
            texts = joined.render({**context, "_sep": SEPARATOR}).split(SEPARATOR)
        except ConfigError:
            texts = []
        if len(texts) != len(fields_):
            # A field failed (render one by one so the error names it), or a text held the
            # separator itself: either way the per-field pass is the exact answer.
            texts = [template.render(context) for _spec, template in fields_.values()]
        values: dict[str, Any] = {}
        for (name, (spec, _template)), text in zip(fields_.items(), texts, strict=True):
            value = convert(text, spec, name)
            if value is not None or not spec.omit_empty:
                values[name] = value
        # For contact roll-ups: when and where, and the mood of an inbound message.
        meta: dict[str, Any] = {
            "at": interaction.created_at.isoformat(),
            "channel": interaction.platform,
        }
        if classification is not None and interaction.direction == "inbound":
            meta["sentiment"] = classification.label
        return ActivityWrite(
            key=key,
            object=self.preset.object,
            contact_id=contact.id if contact else None,
            fields=values,
            deleted=interaction.deleted,
            meta=meta,
        )


TEMPLATE_NAMES = frozenset({"i", "contact", "link", "key", "c", "conv", "rules"})


def _check_template(template: Template, spec: FieldSpec, name: str) -> None:
    """Refuse what no record can fix: an unknown name, a constant the field cannot hold.

    Both would otherwise refuse every record of a sync one by one (parked, exit 0); here
    they stop ``check`` and the sync before anything is written.
    """
    unknown = sorted(template.names() - TEMPLATE_NAMES)
    if unknown:
        raise ConfigError(
            f"{template.where}: unknown name(s) {unknown} "
            f"(templates see {', '.join(sorted(TEMPLATE_NAMES))})"
        )
    if template.constant:
        try:
            convert(template.source, spec, name)
        except DataError as exc:
            raise ConfigError(
                f"{template.where}: the constant {exc.message.split(': ', 1)[1]}",
                hint="change the value or the field's choices",
            ) from None


NO_RULES: dict[str, Any] = {"tags": [], "fired": [], "no_response": False}


def conversation_context(
    conversation: dict[str, Any] | None, interaction: Interaction
) -> dict[str, Any] | None:
    """The conversation as templates see it: channels decoded, the agent of this message."""
    if conversation is None:
        return None
    data = dict(conversation)
    data["channels"] = json.loads(data.get("channels") or "[]")
    data["agent"] = interaction.agent
    return data


# Rendering every field in one template pass is several times cheaper than one pass per
# field; the output is split on a separator that real text does not hold (a NUL between two
# private-use characters); if one ever does, render() notices the count and falls back.
SEPARATOR = "\ue000\x00\ue001"


def _join(fields: dict[str, tuple[FieldSpec, Template]], origin: str) -> Template:
    source = "{{ _sep }}".join(spec.template for spec, _template in fields.values())
    return Template(source, f"{origin}: fields")


# C0 controls but tab, newline and carriage return, and DEL: CRMs refuse or mangle them
# (Salesforce answers INVALID_CHARACTER), and no agent needs to see them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def convert(text: str, spec: FieldSpec, name: str) -> Any:
    """Type a rendered value and apply the field's length and allowed values."""
    text = CONTROL.sub("", text).strip()
    if text in ("", "None"):
        return None
    if spec.type == "bool":
        return text.lower() in ("true", "1", "yes")
    if spec.type == "int":
        try:
            return int(float(text))
        except (ValueError, OverflowError):  # "abc", "nan"; "inf" and "1e400" overflow
            raise DataError(f"mapping field {name}: {text[:40]!r} is not a number") from None
    if spec.type == "datetime":
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
        except ValueError:
            raise DataError(f"mapping field {name}: {text[:40]!r} is not a time") from None
    if spec.choices is not None and text not in spec.choices:
        raise DataError(f"mapping field {name}: {text!r} is not one of {spec.choices}")
    if spec.max_length is not None:
        text = truncate_text(text, spec.max_length)
    return text


def load_preset(name_or_path: str, base_dir: Path | None = None) -> Mapper:
    """A preset by name (``mappings/NAME.yaml`` in the package) or by file path."""
    path = Path(name_or_path)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    if path.suffix in (".yaml", ".yml") and path.is_file():
        text, origin = path.read_text(encoding="utf-8"), path.name
    else:
        package = resources.files("crmbridge.mappings")
        candidate = package / f"{name_or_path}.yaml"
        if not candidate.is_file():
            known = sorted(p.name[:-5] for p in package.iterdir() if p.name.endswith(".yaml"))
            raise ConfigError(f"mapping: no preset or file {name_or_path!r} (presets: {known})")
        text, origin = candidate.read_text(encoding="utf-8"), f"mappings/{name_or_path}.yaml"
    try:
        data = yaml.safe_load(text)
        return Mapper(Preset.model_validate(data), origin)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        raise ConfigError(describe(exc, Path(origin))) from None
