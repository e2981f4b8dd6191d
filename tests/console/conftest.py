"""A console over the synced quickstart: users ana (reviewer), sam (agent), root (admin)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from werkzeug.test import Client

from crmbridge.config import AppConfig, load_config
from crmbridge.pipeline import Pipeline
from crmbridge.state.schema import review
from crmbridge.state.store import StateStore

QUICKSTART = Path(__file__).parent.parent.parent / "examples" / "quickstart"
PASSWORD = "correct horse battery"
SECRET_KEY = "console-signing-key-" + "x" * 24
HUBSPOT_SECRET = "hubspot-client-secret-1234"
SALESFORCE_TOKEN = "named-credential-token-5678"
TEAM_TOKEN = "team-token-abcdefghijkl"
# Unmatched authors of the quickstart, queued for review with a candidate each (in the
# identity model's shape), so the queue holds items whatever the model decides alone.
SEEDED = {
    "youtube:UC61398b30fba6ca09413312": ("C000010", 0.35),  # Amy Lin, 4 messages
    "reddit:t2_4977o6o0": ("C000021", 0.62),  # Hannah B, 3 messages
    "facebook:5550892011297432": ("C000025", 0.41),  # Lucy Ward, 2 messages
}


@pytest.fixture(scope="session")
def password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


def make_site(folder: Path, password_hash: str, monkeypatch: pytest.MonkeyPatch) -> AppConfig:
    for name in ("crmbridge.yaml", "contacts.csv", "interactions.jsonl"):
        shutil.copy(QUICKSTART / name, folder / name)
    monkeypatch.setenv("CONSOLE_SECRET", SECRET_KEY)
    monkeypatch.setenv("HUBSPOT_CLIENT_SECRET", HUBSPOT_SECRET)
    monkeypatch.setenv("SF_CARD_TOKEN", SALESFORCE_TOKEN)
    monkeypatch.setenv("CONSOLE_TOKEN", TEAM_TOKEN)
    monkeypatch.setenv("USER_HASH", password_hash)
    with (folder / "crmbridge.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "console:\n"
            "  secret_key: ${CONSOLE_SECRET}\n"
            "  secure_cookies: false\n"
            "  token: ${CONSOLE_TOKEN}\n"
            "  hubspot_client_secret: ${HUBSPOT_CLIENT_SECRET}\n"
            "  salesforce_token: ${SF_CARD_TOKEN}\n"
            "  users:\n"
            "    - {name: ana, role: reviewer, password_hash: '${USER_HASH}'}\n"
            "    - {name: sam, role: agent, password_hash: '${USER_HASH}'}\n"
            "    - {name: root, role: admin, password_hash: '${USER_HASH}'}\n"
        )
    config = load_config(folder / "crmbridge.yaml")
    pipeline = Pipeline(config)
    try:
        pipeline.run(None)
    finally:
        pipeline.store.close()
    seed_reviews(config)
    return config


def seed_reviews(config: AppConfig) -> None:
    store = StateStore(config.state_url)
    with store.engine.begin() as conn:
        for persona, (contact_id, score) in SEEDED.items():
            candidates = [{"contact_id": contact_id, "score": score, "evidence": []}]
            conn.execute(
                review.insert().values(
                    persona_key=persona,
                    candidates=json.dumps(candidates),
                    reason=f"score {score:.3f} (scored)",
                    score=score,
                    status="open",
                    created_at=datetime.now(UTC),
                )
            )
    store.close()


def review_ids(config: AppConfig, status: str = "open") -> dict[str, int]:
    """Review item id by persona."""
    from sqlalchemy import select

    store = StateStore(config.state_url)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(review.c.persona_key, review.c.id).where(review.c.status == status)
            )
            return dict(rows.all())
    finally:
        store.close()


@pytest.fixture
def site(tmp_path, password_hash, monkeypatch) -> AppConfig:
    return make_site(tmp_path, password_hash, monkeypatch)


@pytest.fixture
def console(site):
    from crmbridge.console import Console

    app = Console(site)
    yield app
    app.store.close()


def sign_in(client: Client, name: str, password: str = PASSWORD) -> str:
    """Sign in through the form; return the session's CSRF token (read from a page)."""
    form = client.get("/console/signin")
    pre = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    done = client.post("/console/signin", data={"csrf": pre, "name": name, "password": password})
    assert done.status_code == 303, done.text
    page = client.get("/console/search")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
