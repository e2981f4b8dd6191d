"""Seeded workloads for the CRM benchmarks and fault suites: contacts and their messages."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crmbridge.testing.salesforce_org import INSTANCE

PLATFORMS = ("x", "x", "x", "instagram", "facebook", "youtube", "reddit")
KINDS = ("mention", "reply", "comment", "dm")


def make_contacts(n: int, rng: random.Random) -> list[dict[str, str]]:
    """Contacts with an email and an X handle each."""
    firsts = ["Jane", "Raj", "Ana", "Tom", "Li", "Sam", "Noor", "Eve", "Kofi", "Mia"]
    lasts = ["Doe", "Patel", "Silva", "Berg", "Wei", "O'Neil", "Khan", "Moss", "Mensah", "Roy"]
    rows = []
    for k in range(n):
        first, last = rng.choice(firsts), rng.choice(lasts)
        slug = f"{first}.{last}".lower().replace("'", "")
        rows.append(
            {
                "id": f"003{k:015d}",
                "first_name": first,
                "last_name": last,
                "email": f"{slug}.{k}@example.com",
                "x_handle": f"{slug.replace('.', '_')}{k}",
                "city": "Leeds",
                "country": "GB",
            }
        )
    return rows


def make_interactions(
    n: int, contacts: list[dict[str, str]], rng: random.Random
) -> list[dict[str, Any]]:
    """N new inbound interactions, each by one of the contacts (email shown by the author)."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for k in range(n):
        c = contacts[rng.randrange(len(contacts))]
        platform = rng.choice(PLATFORMS)
        out.append(
            {
                "schema": "crmbridge.interaction/1",
                "platform": platform,
                "kind": rng.choice(KINDS),
                "message_id": f"{k + 1:012d}",
                "author": {
                    "id": f"{platform}-{c['id']}",
                    "handle": c["x_handle"] if platform == "x" else None,
                    "name": f"{c['first_name']} {c['last_name']}",
                    "email": c["email"],
                },
                "text": f"Order {rng.randrange(10**6)} never arrived, it's been {k % 30} days",
                "created_at": (start + timedelta(minutes=7 * k)).isoformat(),
            }
        )
    return out


def write_config(folder: Path, batch_size: int, mapping: str = "salesforce_task") -> Path:
    """A crmbridge.yaml syncing the file to the fake org, plus a replay source.

    The baseline (batch size 1) is the naive integration: one lookup per author and one
    write per record, so it uses the exact resolver's per-batch lookups, not the mirror.
    """
    config = {
        "identity": {"resolver": "exact" if batch_size == 1 else "auto"},
        "state": "sqlite:///state.db",
        "crm": {
            "kind": "salesforce",
            "session_id": "${BENCH_SF_SESSION_ID}",
            "instance_url": INSTANCE,
            "handle_fields": {"x": "Twitter_Handle__c"},
            "batch_size": batch_size,
            # The naive baseline sends and looks up one record at a time.
            **({"write_batch": 1} if batch_size == 1 else {}),
        },
        "sources": [
            {"name": "exports", "connector": "jsonl", "path": "interactions.jsonl"},
            {"name": "replay", "connector": "jsonl", "path": "interactions.jsonl"},
        ],
        "mapping": mapping,
    }
    path = folder / "crmbridge.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path
