"""The SIGKILL harness: `crmbridge sync` subprocesses killed at random points, then checked.

Shared by tests/reliability/test_crash_stores.py (a few trials per store in CI) and
benchmarks/reliability.py (the large counts). A feed of synthetic interactions, with some
malformed lines and authors who land in the review queue, is appended in parts; each part
gets a sync that is killed after a random delay; a final sync finishes the work. The
result is compared with a reference: the same feed synced once, without kills, into a
fresh SQLite store and CRM.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crmbridge.testing import synthetic

LEASE_SECONDS = 1.0
BAD_LINES = (
    "{not json at all",
    '{"schema": "crmbridge.interaction/1", "platform": "x", "kind": "mention"}',
    '{"schema": "crmbridge.interaction/1", "platform": "myspace", "kind": "mention", '
    '"message_id": "m1", "author": {"id": "a"}, "text": "hi", '
    '"created_at": "2024-01-01T00:00:00Z"}',
    '{"schema": "crmbridge.interaction/1", "platform": "x", "kind": "mention", '
    '"message_id": 42, "author": "nobody", "text": 7, "created_at": "yesterday"}',
    "[1, 2, 3]",
)


@dataclass
class World:
    """A folder with contacts, a feed in parts, and a config pointing at a state store."""

    folder: Path
    state_url: str
    parts: list[list[str]]
    expected: set[str]
    bad: int
    kills: int = 0
    runs: int = 0
    outputs: list[str] = field(default_factory=list)


def lines(n: int, seed: int, bad_every: int) -> tuple[list[str], set[str], int]:
    """N records as JSON lines with a malformed line every ``bad_every``; expected keys."""
    records = list(synthetic.interactions(n, 300, seed))
    rng = random.Random(seed)
    out, bad = [], 0
    for k, record in enumerate(records):
        out.append(json.dumps(record))
        if bad_every and k % bad_every == bad_every - 1:
            out.append(rng.choice(BAD_LINES))
            bad += 1
    expected = {f"{r['platform']}:{r.get('edit_of') or r['message_id']}" for r in records}
    return out, expected, bad


def build(
    folder: Path, state_url: str, n: int, parts: int, seed: int, bad_every: int = 40
) -> World:
    """Write contacts and the config; the feed is appended part by part by ``trial``."""
    folder.mkdir(parents=True, exist_ok=True)
    synthetic.write_contacts_csv(folder / "contacts.csv", synthetic.contacts(300, seed))
    (folder / "interactions.jsonl").write_text("")
    (folder / "crmbridge.yaml").write_text(
        f"state: '{state_url}'\n"
        "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv, batch_size: 100}\n"
        "sources:\n  - {name: s, connector: jsonl, path: interactions.jsonl}\n"
    )
    feed, expected, bad = lines(n, seed, bad_every)
    size = max(1, -(-len(feed) // parts))
    chunks = [feed[k : k + size] for k in range(0, len(feed), size)]
    return World(folder, state_url, chunks, expected, bad)


def start_sync(folder: Path) -> subprocess.Popen[str]:
    """`crmbridge sync --json` in ``folder`` (a short lease, so a killed one expires fast)."""
    command = ["sync", "--json", "--lease-seconds", str(LEASE_SECONDS)]
    return subprocess.Popen(
        [sys.executable, "-m", "crmbridge", *command],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def trial(world: World, part: list[str], rng: random.Random, window: tuple[float, float]) -> None:
    """Append a part of the feed, start a sync, SIGKILL it after a random delay."""
    with (world.folder / "interactions.jsonl").open("a") as feed:
        feed.writelines(line + "\n" for line in part)
    process = start_sync(world.folder)
    time.sleep(rng.uniform(*window))
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
        world.kills += 1
    out, err = process.communicate(timeout=300)
    world.runs += 1
    world.outputs.append(out + err)
    time.sleep(LEASE_SECONDS + 0.2)  # the killed worker's lease must expire


def run_to_completion(world: World) -> dict[str, Any]:
    """A final sync without kills; its JSON summary."""
    final = start_sync(world.folder)
    out, err = final.communicate(timeout=600)
    world.runs += 1
    world.outputs.append(out + err)
    assert final.returncode in (0, 3), err
    return json.loads(out)


def kill_and_finish(
    world: World, seed: int, window: tuple[float, float] = (0.3, 1.6)
) -> dict[str, Any]:
    """Every part with a killed sync, then a run to completion."""
    rng = random.Random(seed)
    for part in world.parts:
        trial(world, part, rng, window)
    return run_to_completion(world)


def reference(world: World, folder: Path) -> World:
    """The same feed synced once without kills into a fresh SQLite store and CRM."""
    ref = build(folder, "sqlite:///state.db", 0, 1, 0)
    shutil.copy(world.folder / "contacts.csv", folder / "contacts.csv")
    with (folder / "interactions.jsonl").open("w") as feed:
        feed.writelines(line + "\n" for part in world.parts for line in part)
    ref.expected, ref.bad = world.expected, world.bad
    run_to_completion(ref)
    return ref


def snapshot(world: World) -> dict[str, Any]:
    """What the CRM and the state store hold, in comparable form."""
    url = world.state_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{world.folder / url.removeprefix('sqlite:///')}"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:

            def rows(sql: str) -> list[tuple[Any, ...]]:
                return [tuple(r) for r in conn.exec_driver_sql(sql)]

            state = {
                "ledger": rows("SELECT key, status, contact_id, crm_id FROM ledger"),
                "cursors": rows("SELECT source, cursor FROM cursors"),
                "quarantine": rows("SELECT location, reason FROM quarantine"),
                "review": rows("SELECT persona_key, status FROM review"),
                "links": rows("SELECT persona_key, contact_id FROM links WHERE removed_at IS NULL"),
            }
    finally:
        engine.dispose()
    with sqlite3.connect(world.folder / "crm.db") as crm:
        state["activities"] = [
            tuple(r)
            for r in crm.execute("SELECT key, contact_id, CAST(id AS TEXT) FROM activities")
        ]
    return state


def compare(world: World, ref: World) -> dict[str, int]:
    """Figures of what differs from the reference (all zero when the invariants hold)."""
    got, want = snapshot(world), snapshot(ref)
    keys = [k for k, _, _ in got["activities"]]
    ledger = {k: (s, c, i) for k, s, c, i in got["ledger"]}
    crm = {k: (c, i) for k, c, i in got["activities"]}
    return {
        "records_lost": len(world.expected - set(keys)),
        "records_duplicated": len(keys) - len(set(keys)),
        "unexpected_records": len(set(keys) - world.expected),
        "ledger_mismatches": sum(ledger.get(k) != ("written", c, i) for k, (c, i) in crm.items())
        + len(set(ledger) - set(crm)),
        "cursor_mismatches": int(_positions(got["cursors"]) != _positions(want["cursors"])),
        "quarantine_lost": len(set(want["quarantine"]) - set(got["quarantine"])),
        "quarantine_extra": len(got["quarantine"]) - len(set(want["quarantine"])),
        "review_lost": len(set(want["review"]) - set(got["review"])),
        "contact_mismatches": len(
            {(k, c) for k, c, _ in want["activities"]} ^ {(k, c) for k, c, _ in got["activities"]}
        ),
    }


def _positions(cursors: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Where each source's cursor stands (file, byte offset, line), per source."""
    return {source: json.loads(text).get("current") for source, text in cursors}
