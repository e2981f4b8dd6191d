"""Load ``crmbridge.yaml``: safe YAML, ``${VAR}`` secrets, typed options, clear errors.

Errors name the file and the key path (``crmbridge.yaml: sources[1].user_id: …``) and never
echo a value, so a secret that landed in the wrong field is not printed. Relative paths are
relative to the config file. Each connector and CRM adapter validates its own options with
its pydantic ``Config``; the engine knows only the top-level keys of DESIGN.md.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

from crmbridge.errors import ConfigError

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _resolve_path(value: Any, handler: Any, info: ValidationInfo) -> Path:
    path = Path(handler(value)).expanduser()
    base = (info.context or {}).get("base_dir")
    return path if path.is_absolute() or base is None else Path(base) / path


ConfigPath = Annotated[Path, WrapValidator(_resolve_path)]
"""A path in config: relative paths are taken relative to the config file."""


class Options(BaseModel):
    """Base of every connector's and adapter's ``Config``: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class SourceSpec(BaseModel):
    """One entry of ``sources``: a name, a connector and that connector's options."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)
    connector: str
    # For `crmbridge run` and the orchestrator integration: how often this source syncs.
    schedule: ScheduleConfig = Field(default_factory=lambda: ScheduleConfig())

    @property
    def options(self) -> dict[str, Any]:
        """The connector's own options (every key but name and connector)."""
        return dict(self.model_extra or {})


class CrmSpec(BaseModel):
    """The ``crm`` block: an adapter kind and that adapter's options."""

    model_config = ConfigDict(extra="allow")

    kind: str

    @property
    def options(self) -> dict[str, Any]:
        """The adapter's own options (every key but kind)."""
        return dict(self.model_extra or {})


class IdentityConfig(BaseModel):
    """The ``identity`` block: how authors are matched to contacts."""

    model_config = ConfigDict(extra="forbid")

    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    match_email: bool = True
    match_handles: bool = True
    # auto: scored wherever the adapter can list changed contacts (the mirror kept in the
    # state store makes that one full read, then increments); exact where it cannot.
    resolver: Literal["auto", "exact", "scored"] = "auto"
    # The same bands as `crmbridge match` (crmbridge.identity.matcher.Thresholds).
    auto_threshold: float = Field(default=0.99, ge=0.5, le=1.0)
    review_threshold: float = Field(default=0.50, ge=0.0, le=1.0)
    max_block: int = Field(default=50, ge=2)
    # How often a run asks the CRM for changed contacts (the first batch always does);
    # None: the adapter's own default (every batch on the local CRM, 5 minutes remote).
    mirror_refresh_s: float | None = Field(default=None, ge=0)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse_duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError(
            "duration", "expected a duration such as 30m, 72h or 5d (units s, m, h, d)"
        )
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds <= 0:
        raise PydanticCustomError("duration", "a duration must be longer than zero")
    return timedelta(seconds=seconds)


Duration = Annotated[timedelta, BeforeValidator(_parse_duration)]
"""A span of time in config, written ``30m``, ``72h`` or ``5d``."""


class ConversationsConfig(BaseModel):
    """The ``conversations`` block: how interactions are threaded into conversations."""

    model_config = ConfigDict(extra="forbid")

    # A person's next message within this span continues their open conversation.
    window: Duration = timedelta(hours=72)
    # A conversation silent for longer than ``window`` is closed; a message within this
    # span after that close reopens it, later ones start a new conversation.
    reopen_window: Duration = timedelta(days=5)


class ScheduleConfig(BaseModel):
    """A source's ``schedule``: how often ``crmbridge run`` syncs it."""

    model_config = ConfigDict(extra="forbid")

    interval: Duration = timedelta(minutes=5)
    # Up to this much is added at random to each wait, so sources and workers spread out.
    jitter: Duration | None = None
    # After a failed run the wait doubles per consecutive failure, up to this much.
    max_backoff: Duration = timedelta(hours=1)


class ServiceConfig(BaseModel):
    """The ``service`` block: how ``crmbridge serve`` and ``crmbridge run`` behave."""

    model_config = ConfigDict(extra="forbid")

    # On SIGTERM: time for the batch in flight to commit before the process gives up.
    grace_period: Duration = timedelta(seconds=30)
    # How often `serve` looks at the webhook spools (a delivery also wakes it at once).
    drain_interval: Duration = timedelta(seconds=1)
    # /readyz fails for a source whose runs keep failing (or one run hangs) this many of
    # its schedule's intervals.
    stuck_after_intervals: float = Field(default=3.0, gt=1.0)


class RetryConfig(BaseModel):
    """The ``retry`` block: how often a sync replays a failed ledger row by itself."""

    model_config = ConfigDict(extra="forbid")

    # Each sync replays a source's failed rows (transient, rate limited, data) first, until
    # they have failed this many times; then they wait for `crmbridge failures retry`.
    max_attempts: int = Field(default=3, ge=1, le=100)


class PrivacyConfig(BaseModel):
    """The ``privacy`` block: what ``crmbridge forget`` does to the CRM's activities."""

    model_config = ConfigDict(extra="forbid")

    erase_mode: Literal["delete", "anonymise"] = "delete"


class ConsoleUser(BaseModel):
    """One console user: a name, a role and an argon2 password hash (never the password)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")
    role: Literal["reviewer", "agent", "admin"]
    # ``python -c "from argon2 import PasswordHasher; print(PasswordHasher().hash('…'))"``
    password_hash: SecretStr


class ConsoleConfig(BaseModel):
    """The ``console`` block: who may sign in to ``/console/`` and how CRM cards are checked.

    Secrets come from the environment: ``secret_key`` signs session cookies; ``token`` is
    a single shared sign-in for small teams; ``hubspot_client_secret`` checks HubSpot's
    ``X-HubSpot-Signature-v3``; ``salesforce_token`` is what the Named Credential sends.
    """

    model_config = ConfigDict(extra="forbid")

    secret_key: SecretStr = Field(min_length=32)
    users: list[ConsoleUser] = Field(default_factory=list)
    token: SecretStr | None = Field(default=None, min_length=16)
    token_role: Literal["reviewer", "agent", "admin"] = "agent"  # noqa: S105 (a role name)
    session_minutes: int = Field(default=480, ge=5, le=10080)
    secure_cookies: bool = True
    signin_attempts: int = Field(default=5, ge=1, le=100)
    signin_window_s: int = Field(default=300, ge=10)
    # The https://host[:port] HubSpot calls (behind a proxy the app sees another host).
    public_url: str | None = None
    hubspot_client_secret: SecretStr | None = None
    salesforce_token: SecretStr | None = Field(default=None, min_length=16)


class AppConfig(BaseModel):
    """The whole ``crmbridge.yaml``."""

    model_config = ConfigDict(extra="forbid")

    state: str = "sqlite:///crmbridge-state.db"
    crm: CrmSpec
    sources: list[SourceSpec] = Field(min_length=1)
    webhooks: dict[str, dict[str, Any]] = Field(default_factory=dict)
    identity: IdentityConfig = Field(default_factory=IdentityConfig)
    conversations: ConversationsConfig = Field(default_factory=ConversationsConfig)
    mapping: str | None = None
    # A list of rules, {file: rules.yaml}, or a path; crmbridge.rules.engine validates it.
    rules: list[Any] | dict[str, Any] | str | None = None
    retry: RetryConfig = Field(default_factory=RetryConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    console: ConsoleConfig | None = None
    # Replies back to the platforms; crmbridge.outbound.settings validates the block.
    replies: dict[str, Any] = Field(default_factory=dict)

    # Filled by load_config, not by the file.
    file: Path = Field(default=Path("crmbridge.yaml"), exclude=True)
    secrets: frozenset[str] = Field(default=frozenset(), exclude=True)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceSpec]) -> list[SourceSpec]:
        seen: set[str] = set()
        for source in sources:
            if source.name in seen:
                raise PydanticCustomError(
                    "duplicate", "source name {name!r} is used twice", {"name": source.name}
                )
            seen.add(source.name)
        return sources

    @property
    def base_dir(self) -> Path:
        """The folder relative paths are taken from."""
        return self.file.parent

    @property
    def state_url(self) -> str:
        """The state store URL, a relative SQLite path made absolute."""
        prefix = "sqlite:///"
        if self.state.startswith(prefix) and not self.state.startswith(prefix + "/"):
            rest = self.state[len(prefix) :]
            if rest and rest != ":memory:":
                return prefix + str((self.base_dir / rest).resolve())
        return self.state

    def source(self, name: str) -> SourceSpec:
        """The source called ``name``, or a ConfigError listing the names there are."""
        for spec in self.sources:
            if spec.name == name:
                return spec
        known = ", ".join(s.name for s in self.sources)
        raise ConfigError(f"{self.file.name}: no source named {name!r} (sources: {known})")

    def options_for(self, model: type[BaseModel], raw: dict[str, Any], where: str) -> Any:
        """Validate a connector's or adapter's options against its ``Config`` model.

        A ``${VAR}`` left unset in them (see ``load_config``) is the error here, where the
        command uses the block, naming the key and the variable.
        """
        missing = unset_variable(raw)
        if missing is not None:
            name, path = missing
            raise ConfigError(
                f"{self.file.name}: {path}: environment variable {name} is not set",
                hint=f"export {name}=... before running crmbridge",
            )
        try:
            options = model.model_validate(raw, context={"base_dir": self.base_dir})
        except ValidationError as exc:
            raise ConfigError(describe(exc, self.file, prefix=where)) from None
        refuse_weak_secrets(options, self.file, where)
        return options

    def redact(self, text: str) -> str:
        """Mask every secret value this config read from the environment."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


# --- secrets -----------------------------------------------------------------------------

MIN_SECRET_LENGTH = 8
_SECRET_KEY = re.compile(r"(secret|token|password|api_key|private_key)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"(change[-_ ]?me|secret|password|passw0rd|token|api[-_ ]?key|todo|tbd|fixme|placeholder"
    r"|example|dummy|test|none|null|undefined|redacted|x+|\*+|\.+|<[^>]*>|your[-_ ].*"
    r"|\$\{[^}]*\})",
    re.IGNORECASE,
)


def weak_secret(value: str) -> str | None:
    """Why ``value`` cannot be a secret (empty, too short, a placeholder), or None.

    The reason never repeats the value: a real secret pasted in the wrong place stays unseen.
    """
    if not value.strip():
        return "is empty (set its environment variable to the real secret)"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters (set the real secret)"
    if _PLACEHOLDER.fullmatch(value.strip()) or len(set(value)) == 1:
        return "is a placeholder, not a secret (set the real secret)"
    return None


def refuse_weak_secrets(options: BaseModel, file: Path, where: str) -> None:
    """ConfigError naming the first secret field of ``options`` that is weak."""
    for name in type(options).model_fields:
        value = getattr(options, name)
        if isinstance(value, SecretStr):
            problem = weak_secret(value.get_secret_value())
            if problem:
                raise ConfigError(f"{file.name}: {where}.{name}: {problem}")


def refuse_weak_webhook_secrets(config: AppConfig) -> None:
    """ConfigError naming a weak secret of the ``webhooks`` block.

    Checked at load, not only when ``serve`` builds its app: ``check`` and ``sync`` refuse a
    webhook secret anyone could sign with, before a forged delivery is ever spooled.
    """
    for name, block in config.webhooks.items():
        for key, value in block.items() if isinstance(block, dict) else ():
            if _SECRET_KEY.search(str(key)) and isinstance(value, str) and UNSET not in value:
                problem = weak_secret(value)  # (a variable left unset waits for `serve`)
                if problem:
                    raise ConfigError(f"{config.file.name}: webhooks.{name}.{key}: {problem}")


def describe(exc: ValidationError, file: Path, prefix: str = "") -> str:
    """Render a pydantic error as ``file: key.path: reason`` lines, values never shown."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        path = prefix
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
        reason = err["msg"]
        if err["type"] == "extra_forbidden":
            reason = "unknown key (check the spelling against the README's config reference)"
        lines.append(f"{file.name}: {path or '(top level)'}: {reason}")
    return "\n".join(lines)


# A variable a command may not need: kept as this marker until the block is used, where
# ``AppConfig.options_for`` turns it into the usual "variable is not set" error.
UNSET = "\x00crmbridge-unset\x00"
# Blocks whose secrets only some commands use (the engine reads them through options_for).
DEFERRED = ("crm", "sources", "webhooks")


def interpolate(node: Any, path: str, file: Path, secrets: set[str], *, defer: bool = False) -> Any:
    """Replace ``${VAR}`` (or ``${VAR:-default}``) in every string, recording values used.

    A missing variable is an error, or with ``defer`` a marker naming it and its key.
    """
    if isinstance(node, dict):
        return {
            k: interpolate(v, f"{path}.{k}" if path else str(k), file, secrets, defer=defer)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [
            interpolate(v, f"{path}[{i}]", file, secrets, defer=defer) for i, v in enumerate(node)
        ]
    if not isinstance(node, str) or "${" not in node:
        return node

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = os.environ.get(name)
        if value is None:
            if default is not None:
                return default
            if defer:
                return f"{UNSET}{name}{UNSET}{path}{UNSET}"
            raise ConfigError(
                f"{file.name}: {path}: environment variable {name} is not set",
                hint=f"export {name}=... before running crmbridge",
            )
        if value:
            secrets.add(value)
        return value

    return _VAR.sub(substitute, node)


def _require_names(data: dict[str, Any], file: Path) -> None:
    """What every command reads (the CRM kind, source names and connectors) must be set."""
    crm = data.get("crm")
    sources = data.get("sources")
    named = [crm.get("kind") if isinstance(crm, dict) else None]
    for spec in sources if isinstance(sources, list) else []:
        if isinstance(spec, dict):
            named += [spec.get("name"), spec.get("connector")]
    missing = unset_variable(named)
    if missing is not None:
        name, path = missing
        raise ConfigError(
            f"{file.name}: {path}: environment variable {name} is not set",
            hint=f"export {name}=... before running crmbridge",
        )


def unset_variable(node: Any) -> tuple[str, str] | None:
    """The first (variable, key path) left unset in a deferred block, if any."""
    if isinstance(node, dict):
        node = list(node.values())
    if isinstance(node, list):
        for value in node:
            if found := unset_variable(value):
                return found
        return None
    if isinstance(node, str) and UNSET in node:
        _before, name, path, *_rest = node.split(UNSET)
        return name, path
    return None


def load_config(
    path: str | os.PathLike[str] = "crmbridge.yaml", *, webhooks: bool = False
) -> AppConfig:
    """Read, interpolate and validate a config file (plugins' options are checked too).

    Each command needs only the secrets it uses: a variable missing in the ``crm``,
    ``sources`` or ``webhooks`` block is an error only when that block is used (a report
    does not need a source's token; only ``crmbridge serve``, which passes ``webhooks``,
    needs the webhook secrets up front).
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(
            f"{file}: config file not found",
            hint="pass --config PATH, or run in the folder holding crmbridge.yaml",
        )
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise ConfigError(f"{file.name}: {where}: not valid YAML") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{file.name}: expected a mapping of keys at the top level")
    secrets: set[str] = set()
    deferred = {key: raw.pop(key) for key in DEFERRED if key in raw}
    data = interpolate(raw, "", file, secrets)
    for key, block in deferred.items():
        strict = key == "webhooks" and webhooks
        data[key] = interpolate(block, key, file, secrets, defer=not strict)
    _require_names(data, file)
    try:
        config = AppConfig.model_validate(data, context={"base_dir": file.parent.resolve()})
    except ValidationError as exc:
        raise ConfigError(describe(exc, file)) from None
    config = config.model_copy(update={"file": file.resolve(), "secrets": frozenset(secrets)})
    refuse_weak_webhook_secrets(config)
    from crmbridge.logs import add_secrets

    add_secrets(secrets)  # masked in every log line, whichever handler prints it
    validate_plugins(config)
    return config


def validate_plugins(config: AppConfig) -> None:
    """Check that every connector and adapter named exists and accepts its options."""
    from crmbridge import registry

    adapter = registry.crm_adapter(config.crm.kind, config.file)
    if unset_variable(config.crm.options) is None:  # else checked where the CRM is used
        config.options_for(adapter.Config, config.crm.options, "crm")
    for i, spec in enumerate(config.sources):
        connector = registry.connector(spec.connector, config.file, f"sources[{i}]")
        if unset_variable(spec.options) is None:
            config.options_for(connector.Config, spec.options, f"sources[{i}]")


def secret_value(secret: SecretStr | None) -> str | None:
    """The plain value of an optional secret, for the one place that must send it."""
    return secret.get_secret_value() if secret is not None else None


SourceSpec.model_rebuild()
