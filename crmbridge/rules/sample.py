"""A full sample of everything a mapping template sees, for ``crmbridge check``.

``check`` renders every field of the preset with these values, once per platform override
and once for each direction, so a template that reads ``c.sentiment.label`` or
``conv.channels`` is proved to render before a sync writes anything, and a typo fails
there rather than on the first real record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from crmbridge.classify import Classification
from crmbridge.models import PLATFORMS, Contact, Interaction, Link
from crmbridge.rules.mapping import Mapper

_AT = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)


def sample_interaction(platform: str = "x", direction: str = "inbound") -> Interaction:
    """An interaction with every field filled (outbound ones carry an agent)."""
    outbound = direction == "outbound"
    return Interaction.model_validate(
        {
            "schema": "crmbridge.interaction/1",
            "platform": platform,
            "kind": "reply" if outbound else "mention",
            "message_id": "2" if outbound else "1",
            "conversation_id": "1",
            "in_reply_to": "1" if outbound else None,
            "account_id": "brand",
            "direction": direction,
            "agent": "Sam Agent" if outbound else None,
            "author": {
                "id": "brand" if outbound else "1234567890",
                "handle": "brand" if outbound else "jdoe",
                "name": "Brand" if outbound else "Jane Doe",
                "profile_url": "https://example.com/jdoe",
                "website": "https://janedoe.example",
                "location": "Leeds, UK",
                "bio": "Sample author",
                "verified": False,
                "followers": 120,
                "email": "jane@example.com",
                "phone": "+44 113 496 0000",
            },
            "text": "On it, sorry!" if outbound else "@Brand my order never arrived",
            "created_at": _AT.isoformat(),
            "url": "https://example.com/jdoe/status/1",
        }
    )


SAMPLE_CONTACT = Contact(
    id="C-SAMPLE",
    first_name="Jane",
    last_name="Doe",
    email="jane@example.com",
    phone="+441134960000",
    city="Leeds",
    country="GB",
    handles={"x": "jdoe"},
)
SAMPLE_LINK = Link(
    persona_key="x:1234567890",
    contact_id="C-SAMPLE",
    band="auto",
    rule="email",
    score=1.0,
    evidence={"email": "jane@example.com"},
)
SAMPLE_CLASSIFICATION = Classification(
    sentiment_score=-0.6, label="negative", intents=["complaint", "refund"]
)
SAMPLE_RULES: dict[str, Any] = {"tags": ["complaint"], "fired": ["complaint"], "no_response": False}


def sample_conversation(platform: str) -> dict[str, Any]:
    """A conversation row as the state store holds it (channels as JSON text)."""
    return {
        "key": f"{platform}:1",
        "person_key": "contact:C-SAMPLE",
        "status": "open",
        "channels": json.dumps([platform]),
        "last_channel": platform,
        "opened_at": _AT,
        "last_at": _AT,
        "last_inbound_at": _AT,
        "first_response_at": None,
        "last_outbound_at": None,
        "closed_at": None,
        "messages": 1,
        "inbound": 1,
        "outbound": 0,
        "channel_shifts": 0,
        "reopen_count": 0,
        "escalations": 0,
        "last_sentiment": -0.6,
        "last_label": "negative",
        "last_agent": None,
        "escalated_tier": None,
        "case_key": None,
        "case_crm_id": None,
        "sla_due_at": None,
        "updated_at": _AT,
    }


def render_samples(mapper: Mapper) -> int:
    """Render every field for each platform override and direction; return renders done.

    Raises the mapping's own ConfigError or DataError, which names the file and field.
    """
    overrides = [p for p in mapper.preset.overrides if p in PLATFORMS and p != "x"]
    platforms = ["x", *overrides]
    done = 0
    for platform in platforms:
        for direction in ("inbound", "outbound"):
            interaction = sample_interaction(platform, direction)
            mapper.render(
                interaction,
                SAMPLE_CONTACT,
                SAMPLE_LINK,
                interaction.activity_key,
                classification=SAMPLE_CLASSIFICATION,
                conversation=sample_conversation(platform),
                rules=SAMPLE_RULES,
            )
            done += 1
    return done
