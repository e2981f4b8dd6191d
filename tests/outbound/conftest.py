"""A work folder with inbound messages on five platforms and the fakes on the wire."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from crmbridge.config import AppConfig, load_config
from crmbridge.outbound.dispatch import Dispatcher
from crmbridge.outbound.queue import Queue, find_target
from crmbridge.outbound.reply import Reply
from crmbridge.pipeline import Pipeline
from crmbridge.state.store import StateStore
from crmbridge.testing.platforms_fake import (
    BRAND_X,
    CHANNEL,
    IG_NAME,
    IG_USER,
    PAGE,
    REDDIT_USER,
    TOKEN,
    FakePlatforms,
    Timeout,
)
from tests.conftest import record, write_jsonl

HOSTS = {
    "x": r"https://api\.x\.com/.*",
    "graph": r"https://graph\.facebook\.com/.*",
    "youtube": r"https://www\.googleapis\.com/youtube/v3/.*",
    "reddit": r"https://oauth\.reddit\.com/.*",
}

REPLIES_YAML = f"""
replies:
  signature: "{{{{ text }}}} ^{{{{ agent.short }}}}"
  timeout_s: 0.05
  approval: {{intents: [legal, safety], vip: true, tags: [needs-approval]}}
  x: {{user_id: "{BRAND_X}", access_token: "${{REPLY_TOKEN}}"}}
  facebook: {{page_id: "{PAGE}", access_token: "${{REPLY_TOKEN}}"}}
  instagram: {{page_id: "{PAGE}", ig_user_id: "{IG_USER}", ig_username: {IG_NAME},
              access_token: "${{REPLY_TOKEN}}"}}
  youtube: {{channel_id: {CHANNEL}, access_token: "${{REPLY_TOKEN}}"}}
  reddit: {{username: {REDDIT_USER}, access_token: "${{REPLY_TOKEN}}"}}
"""


def ago(**delta: float) -> str:
    """An RFC 3339 time this long ago."""
    return (datetime.now(UTC) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def inbound(fake: FakePlatforms, platform: str, message_id: str, **over: Any) -> dict[str, Any]:
    """A customer's message as the connectors would yield it, seeded on the fake too."""
    over.setdefault("created_at", ago(hours=1))
    data = record(message_id, platform=platform, **over)
    when = datetime.fromisoformat(data["created_at"].replace("Z", "+00:00"))
    facts: dict[str, Any] = {"created_at": when, "author": data["author"]["id"]}
    if data["kind"] == "dm":
        facts["conversation"] = data["conversation_id"]
        if platform in ("facebook", "instagram"):
            facts["psid"] = data["author"]["id"]
    if data["kind"] == "reply":
        facts["parent"] = data["in_reply_to"]
    fake.seed(platform, message_id, **facts)
    return data


@dataclass
class World:
    """The work folder, its config and the fake platforms behind ``responses``."""

    folder: Path
    fake: FakePlatforms
    wire: responses.RequestsMock

    @property
    def config(self) -> AppConfig:
        """The config as it stands on disk."""
        return load_config(self.folder / "crmbridge.yaml")

    @property
    def store(self) -> StateStore:
        """The state store."""
        return StateStore(self.config.state_url)

    def sync(self, records: list[dict[str, Any]]) -> None:
        """Bring these inbound messages into the ledger through the pipeline."""
        path = self.folder / "interactions.jsonl"
        existing = path.read_text(encoding="utf-8")
        write_jsonl(path, [*[line for line in existing.splitlines() if line], *records])
        Pipeline(self.config).run()

    def reply(self, ref: str, text: str, agent: str = "Jane Doe", **kwargs: Any) -> Reply:
        """Queue a reply as ``crmbridge reply to`` does."""
        store = self.store
        target, conversation, contact = find_target(store, ref)
        return Queue(self.config, store).add(
            target, text, agent, conversation_key=conversation, contact_id=contact, **kwargs
        )

    def send(self) -> Any:
        """One send run."""
        return Dispatcher(self.config, self.store).run()

    def posts(self, method: str = "POST") -> list[dict[str, Any]]:
        """The requests that reached the fakes."""
        return [r for r in self.fake.requests if r["method"] == method]


def _callback(
    fake: FakePlatforms, platform: str
) -> Callable[[Any], tuple[int, dict[str, str], str]]:
    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = request.body or b""
        try:
            result = fake.handle(
                request.method or "GET",
                platform,
                request.url or "",
                request.headers,
                body if isinstance(body, bytes) else body.encode(),
            )
        except Timeout as exc:
            raise requests.ReadTimeout(str(exc)) from None
        headers = {"Content-Type": "application/json", **result.headers}
        return result.status, headers, json.dumps(result.body)

    return answer


@pytest.fixture
def world(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A work folder with a replies block and the five platforms faked at the wire."""
    monkeypatch.setenv("REPLY_TOKEN", TOKEN)
    monkeypatch.setenv("CRMBRIDGE_RETRY_MAX_WAIT", "0.01")
    (workdir / "spool").mkdir()
    config = workdir / "crmbridge.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "sources:\n",
            "sources:\n  - {name: replies, connector: jsonl, path: spool, "
            "pattern: replies.jsonl}\n",
        )
        + REPLIES_YAML,
        encoding="utf-8",
    )
    fake = FakePlatforms()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        for platform, pattern in HOSTS.items():
            for method in ("GET", "POST"):
                wire.add_callback(method, re.compile(pattern), _callback(fake, platform))
        yield World(workdir, fake, wire)
