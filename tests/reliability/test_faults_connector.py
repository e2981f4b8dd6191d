"""An X source read through faults at 20%: every mention lands once, retries bounded."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import responses

from crmbridge.config import load_config
from crmbridge.pipeline import Pipeline
from crmbridge.testing import paged
from crmbridge.testing.faults import FaultInjector
from tests.conftest import CONTACTS
from tests.reliability.conftest import converge

API = "https://x.test"
BRAND = "2244994945"
MENTIONS = f"{API}/2/users/{BRAND}/mentions"
PAGES, PER_PAGE, ATTEMPTS = 40, 20, 5  # X may answer fewer than max_results


def mention_pages() -> tuple[dict[str | None, Any], set[str]]:
    """X mentions, newest first, 100 a page, linked by ``meta.next_token``."""
    ids = [str(1750000000000000000 + n) for n in range(PAGES * PER_PAGE)][::-1]
    pages: dict[str | None, Any] = {}
    token: str | None = None
    for p in range(PAGES):
        chunk = ids[p * PER_PAGE : (p + 1) * PER_PAGE]
        authors = sorted({str(100 + int(i) % 40) for i in chunk})
        body: dict[str, Any] = {
            "data": [
                {
                    "id": i,
                    "text": f"@BrandSupport order {i[-4:]} is late",
                    "author_id": str(100 + int(i) % 40),
                    "conversation_id": i,
                    "created_at": "2024-01-15T10:30:00.000Z",
                    "edit_history_tweet_ids": [i],
                }
                for i in chunk
            ],
            "includes": {
                "users": [{"id": a, "name": f"User {a}", "username": f"u{a}"} for a in authors]
            },
            "meta": {"result_count": len(chunk), "newest_id": chunk[0], "oldest_id": chunk[-1]},
        }
        if p < PAGES - 1:
            body["meta"]["next_token"] = f"page{p + 1}"
        pages[token] = body
        token = f"page{p + 1}"
    return pages, {f"x:{i}" for i in ids}


def test_an_x_source_under_20_percent_faults_converges_with_every_mention_once(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("X_BEARER_TOKEN", "x-faults-secret-token")
    (workdir / "contacts.csv").write_text(CONTACTS)
    (workdir / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}\n"
        "sources:\n"
        f"  - {{name: brand-x, connector: x, api_base: '{API}', user_id: '{BRAND}',\n"
        f"     bearer_token: '${{X_BEARER_TOKEN}}', attempts: {ATTEMPTS}, min_interval: 0}}\n"
    )
    config = load_config(workdir / "crmbridge.yaml")
    pages, expected = mention_pages()
    injector = FaultInjector(rate=0.2, seed=2)
    with responses.RequestsMock() as wire:
        wire.add_callback(
            responses.GET, MENTIONS, callback=injector.wrap(paged(pages, "pagination_token"))
        )

        def run():
            injector.reset_streaks()
            return Pipeline(config).run()

        _, stops = converge(run, most=30)
    with sqlite3.connect(workdir / "crm.db") as crm:
        keys = [k for (k,) in crm.execute("SELECT key FROM activities")]
    assert len(keys) == len(set(keys)), "a mention was written twice"
    assert set(keys) == expected, "a mention was lost"
    assert injector.total() >= 0.1 * (injector.total() + injector.passed), injector.summary()
    assert injector.max_streak <= ATTEMPTS, "a request was retried past the policy"
    print(injector.summary(), "stops:", stops)
