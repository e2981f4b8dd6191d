"""What a webhook takes from the poll source it feeds, so both paths make the same record.

``webhooks.x.source`` and ``webhooks.meta.source`` name sources of ``crmbridge.yaml``. When
that source is a platform connector, its options decide what the webhook records, as they
decide what the poll records:

- X: ``broadcasts`` (the brand's own posts and retweets, left out unless set) and
  ``agent`` (the name on the account's own posts), read from the source's raw options, so
  ``crmbridge serve`` never needs the source's API token for them;
- Meta: the ``mentions`` field names an Instagram caption or comment @mention by ids only;
  a connector with a ``mentioned(media_id, comment_id)`` lookup (``instagram``) reads it.
  That needs the source's access token, as polling does.

A webhook whose source is a plain ``jsonl`` source keeps the defaults (no broadcasts, agent
``brand``, mentions skipped) unless the webhook block sets them itself.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from pydantic import TypeAdapter, ValidationError

from crmbridge import registry
from crmbridge.config import AppConfig, SourceSpec
from crmbridge.errors import ConfigError, CrmbridgeError
from crmbridge.webhook_events import Json, MentionLookup

DEFAULT_AGENT = "brand"
# A mention Graph refuses for good (deleted since, not visible to the account) is skipped:
# failing the delivery for it would make the platform redeliver its other events for
# a day and a half, then drop them. Auth, rate and outage errors fail it (redelivered).
SKIPPED_KINDS = frozenset({"config", "data"})
log = logging.getLogger(__name__)


def source_option(config: AppConfig, source: str, option: str, kind: type[Any]) -> Any:
    """The poll source's ``option`` when its connector declares it, else ``None``.

    Only the one option is validated (its type from the connector's ``Config``), so the
    source's other settings, its token included, are not needed here.
    """
    spec = _spec(config, source)
    if spec is None or option not in spec.options:
        return None
    cls = registry.connector(spec.connector, config.file)
    if option not in cls.Config.model_fields:
        return None
    try:
        return TypeAdapter(kind).validate_python(spec.options[option])
    except ValidationError:
        raise ConfigError(
            f"{config.file.name}: source {source}: {option}: expected a {kind.__name__}, "
            f"found {spec.options[option]!r}"
        ) from None


def x_settings(config: AppConfig, source: str, broadcasts: bool | None, agent: str | None) -> Json:
    """``broadcasts`` and ``agent`` for the X webhook: its own, else its source's, else defaults."""
    if broadcasts is None:
        broadcasts = source_option(config, source, "broadcasts", bool)
    if agent is None:
        agent = source_option(config, source, "agent", str)
    return {"broadcasts": bool(broadcasts), "agent": agent or DEFAULT_AGENT}


def meta_agent(config: AppConfig, source: str, agent: str | None) -> str:
    """The Meta webhook's agent name: its own, else its source's, else ``brand``."""
    return agent or source_option(config, source, "agent", str) or DEFAULT_AGENT


def mention_lookup(
    config: AppConfig, source: str, *, required: bool = False
) -> MentionLookup | None:
    """The ``mentioned`` lookup of the source's connector, or ``None`` when it has none.

    ``required`` (``webhooks.meta.mentions_source`` named it): a source that is missing or
    cannot look mentions up is a config error. Calls are serialised: the connector paces
    its calls and keeps one HTTP session.
    """
    spec = _spec(config, source)
    cls = registry.connector(spec.connector, config.file) if spec is not None else None
    if spec is None or cls is None or not callable(getattr(cls, "mentioned", None)):
        if required:
            raise ConfigError(
                f"{config.file.name}: webhooks.meta.mentions_source: {source!r} is not a "
                "source whose connector reads mentions by id",
                hint="name an instagram source of `sources`",
            )
        return None
    options = config.options_for(cls.Config, spec.options, f"source {spec.name}")
    connector = cls(options, spec.name)
    lock = threading.Lock()

    def lookup(media_id: str, comment_id: str | None) -> Json | None:
        with lock:
            try:
                record: Json | None = connector.mentioned(media_id, comment_id)  # type: ignore[attr-defined]
            except CrmbridgeError as exc:
                if exc.kind not in SKIPPED_KINDS:
                    raise  # worth a redelivery: the webhook answers 503
                log.warning(
                    "source %s: mention %s cannot be read, skipped: %s",
                    spec.name,
                    comment_id or media_id,
                    exc,
                )
                return None
            return record

    return lookup


def _spec(config: AppConfig, source: str | None) -> SourceSpec | None:
    return next((s for s in config.sources if s.name == source), None)
