"""A state store filled by hand: mirrored contacts, ledger rows, links, review items."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crmbridge.models import Contact
from crmbridge.state.mirror import ContactMirror
from crmbridge.state.schema import ledger, review
from crmbridge.state.store import StateStore

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)

CONTACTS = [
    Contact(
        id="C1",
        first_name="Jane",
        last_name="Doe",
        email="jane@example.com",
        phone="+44 7700 900123",
        city="Leeds",
        country="GB",
        handles={"x": "jdoe"},
    ),
    Contact(
        id="C2",
        first_name="John",
        last_name="Roe",
        email="john@example.com",
        phone="(415) 555-0134",
        city="San Francisco",
        country="US",
    ),
    Contact(
        id="C3",
        first_name="Janet",
        last_name="Doe",
        email="janet@example.org",
        city="York",
        country="GB",
    ),
]


def message(
    n: int,
    persona: str,
    contact: str | None,
    *,
    at: datetime,
    text: str = "",
    conversation: str | None = None,
    **over,
) -> dict:
    platform, _, author_id = persona.partition(":")
    author = {
        "id": author_id,
        "name": over.pop("name", "Jane Doe"),
        "handle": over.pop("handle", None),
        **over.pop("author", {}),
    }
    payload = {
        "schema": "crmbridge.interaction/1",
        "platform": platform,
        "kind": over.pop("kind", "mention"),
        "message_id": f"m{n}",
        "author": author,
        "text": text or f"message {n}",
        "created_at": at.isoformat(),
        "direction": over.pop("direction", "inbound"),
        "agent": over.pop("agent", None),
        "is_private": over.pop("is_private", False),
        "url": over.pop("url", f"https://{platform}.example/{n}"),
    }
    return {
        "key": f"{platform}:m{n}",
        "source": "s",
        "platform": platform,
        "kind": payload["kind"],
        "message_id": f"m{n}",
        "persona_key": persona,
        "contact_id": contact,
        "conversation_key": conversation,
        "status": "written",
        "crm_object": "activity",
        "crm_id": str(n),
        "payload_hash": "h",
        "version_at": at,
        "attempts": 1,
        "payload": json.dumps(payload),
        "created_at": at,
        "updated_at": at,
    }


def queue(persona: str, candidates: list, reason: str = "score 0.700 (scored)") -> dict:
    return {
        "persona_key": persona,
        "candidates": json.dumps(candidates),
        "reason": reason,
        "score": 0.7,
        "status": "open",
        "created_at": T0,
    }


@pytest.fixture
def store(tmp_path):
    s = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    ContactMirror(s, "local").save(CONTACTS, None)
    yield s
    s.close()


def fill(store: StateStore, ledger_rows: list[dict], reviews: list[dict] = ()) -> None:
    with store.engine.begin() as conn:
        if ledger_rows:
            conn.execute(ledger.insert(), ledger_rows)
        for row in reviews:
            conn.execute(review.insert().values(**row))


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)
