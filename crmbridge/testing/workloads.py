"""Seeded workloads for the CRM benchmarks and fault suites: contacts and their messages.

``make_interactions`` gives new inbound messages by known contacts (the best case);
``mixed_interactions`` gives a feed as a brand sees it: unknown authors, customers'
follow-ups and agents' replies in the same threads, X edits (a new id that updates the
original's activity), deletions (the same id again, ``deleted``), and messages that the
case rules of ``CASE_RULES`` turn into cases. ``workload_keys`` names the activity keys a
feed should leave in the CRM (a sync writes one activity per key, edits included).
"""

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


# Messages whose text holds these words open a case per conversation (``cases=True``).
CASE_WORDS = ("refund", "broken")
CASE_RULES = [
    {
        "name": "complaint",
        "when": {"direction": "inbound", "keywords": list(CASE_WORDS)},
        "then": {"case": {"priority": "Medium"}},
    }
]
AGENTS = ("Ana Silva", "Tom Berg", "Noor Khan")
# The share of each kind of message in a mixed feed; the rest are new inbound messages.
MIX = {"stranger": 0.10, "followup": 0.06, "agent": 0.04, "edit": 0.03, "delete": 0.01}


def mixed_interactions(
    n: int, contacts: list[dict[str, str]], rng: random.Random
) -> list[dict[str, Any]]:
    """N records as a brand's feed holds them (see the module docstring and ``MIX``).

    Every record follows the one it answers, edits or deletes; edits and deletions carry a
    later ``edited_at``, so each replaces what the CRM holds for the original's key.
    """
    out: list[dict[str, Any]] = []
    start = datetime(2024, 1, 1, tzinfo=UTC)
    cut = _cumulative()
    for k in range(n):
        at = start + timedelta(minutes=7 * k)
        roll, earlier = rng.random(), [r for r in out[-200:] if not r.get("deleted")]
        kind = next((name for name, edge in cut if roll < edge), "new") if earlier else "new"
        if kind == "new" or kind == "stranger":
            record = _new(k, contacts, rng, at, stranger=kind == "stranger")
        else:
            record = _follow(kind, k, rng.choice(earlier), rng, at)
        out.append(record)
    return out


def workload_keys(records: list[dict[str, Any]]) -> set[str]:
    """The activity keys a feed leaves in the CRM (an edit's key is its original's)."""
    return {f"{r['platform']}:{r.get('edit_of') or r['message_id']}" for r in records}


def _cumulative() -> list[tuple[str, float]]:
    total, cut = 0.0, []
    for name, share in MIX.items():
        total += share
        cut.append((name, total))
    return cut


def _new(
    k: int, contacts: list[dict[str, str]], rng: random.Random, at: datetime, stranger: bool
) -> dict[str, Any]:
    platform = rng.choice(PLATFORMS)
    if stranger:  # nobody the CRM knows: no email, a handle no contact holds
        author: dict[str, Any] = {"id": f"{platform}-s{k}", "handle": f"someone_{k}"}
    else:
        c = contacts[rng.randrange(len(contacts))]
        author = {
            "id": f"{platform}-{c['id']}",
            "handle": c["x_handle"] if platform == "x" else None,
            "name": f"{c['first_name']} {c['last_name']}",
            "email": c["email"],
        }
    words = rng.choice(("never arrived", "arrived broken, I want a refund", "thanks, all good"))
    return {
        "schema": "crmbridge.interaction/1",
        "platform": platform,
        "kind": rng.choice(KINDS),
        "message_id": f"{k + 1:012d}",
        "conversation_id": f"{k + 1:012d}",
        "author": author,
        "text": f"Order {rng.randrange(10**6)} {words}",
        "created_at": at.isoformat(),
    }


def _follow(
    kind: str, k: int, parent: dict[str, Any], rng: random.Random, at: datetime
) -> dict[str, Any]:
    """A follow-up, an agent's reply, an edit or a deletion of ``parent``."""
    base = {
        "schema": "crmbridge.interaction/1",
        "platform": parent["platform"],
        "kind": parent["kind"],
        "conversation_id": parent.get("conversation_id") or parent["message_id"],
        "created_at": at.isoformat(),
    }
    if kind == "edit" or kind == "delete":
        root = parent.get("edit_of") or parent["message_id"]
        record = {**parent, "edited_at": at.isoformat()}
        if kind == "delete":
            return {**record, "deleted": True}
        text = f"{parent['text']} (edited: order {rng.randrange(10**6)})"
        return {**record, "message_id": f"{k + 1:012d}", "edit_of": root, "text": text}
    reply = {**base, "kind": "reply", "message_id": f"{k + 1:012d}"}
    reply["in_reply_to"] = parent["message_id"]
    if kind == "agent":
        agent = rng.choice(AGENTS)
        author = {"id": f"brand-{parent['platform']}", "handle": "NorthwindHelp", "name": agent}
        text = f"Sorry about that, we are on it ^{agent.split()[0][0]}{agent.split()[1][0]}"
        return {**reply, "direction": "outbound", "agent": agent, "author": author, "text": text}
    text = f"Still waiting on this, order {rng.randrange(10**6)}"
    return {**reply, "author": parent["author"], "text": text}


def write_config(
    folder: Path, batch_size: int, mapping: str = "salesforce_task", *, cases: bool = False
) -> Path:
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
        **({"rules": CASE_RULES} if cases else {}),
    }
    path = folder / "crmbridge.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path
