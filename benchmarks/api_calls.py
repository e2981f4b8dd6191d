"""API calls per 1,000 interactions: the batched adapter beside one record per call.

Usage: python benchmarks/api_calls.py --crm salesforce [--sizes 1000 10000]

For each size, N new interactions from known contacts go through ``crmbridge.pipeline``
(config ``crm: {kind: salesforce}``) against a ``responses``-faked org: once with the
adapter's batches (collections of 200, lookups packed in one call), once with
``batch_size: 1`` (one record per call, the baseline), then a rerun of the same file under
a new source name (a full replay) which must make no write call. Prints a table, then one
JSON line: {"crm", "interactions", "calls_per_1000", "baseline_calls_per_1000",
"rerun_write_calls"} for the largest size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import responses

sys.path.insert(0, str(Path(__file__).parent))

from salesforce_org import INSTANCE, FakeOrg

from crmbridge.config import load_config
from crmbridge.pipeline import Pipeline

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


def write_config(folder: Path, batch_size: int) -> Path:
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
        },
        "sources": [
            {"name": "exports", "connector": "jsonl", "path": "interactions.jsonl"},
            {"name": "replay", "connector": "jsonl", "path": "interactions.jsonl"},
        ],
        "mapping": "salesforce_task",
    }
    path = folder / "crmbridge.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path


def run(n: int, batch_size: int, seed: int = 7) -> dict[str, Any]:
    """Sync N interactions, then replay them; return the calls each run made."""
    rng = random.Random(seed)
    contacts = make_contacts(max(50, n // 3), rng)
    records = make_interactions(n, contacts, rng)
    org = FakeOrg(contacts)
    os.environ["BENCH_SF_SESSION_ID"] = "00D000000000001!BENCHMARK"
    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    with tempfile.TemporaryDirectory() as tmp, mock:
        folder = Path(tmp)
        with (folder / "interactions.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in records)
        config = load_config(write_config(folder, batch_size))
        org.install(mock)
        started = time.monotonic()
        first = Pipeline(config).run("exports")
        seconds = time.monotonic() - started
        calls = dict(org.calls)
        org.calls.clear()
        again = Pipeline(config).run("exports")  # nothing new after the cursor
        replay = Pipeline(config).run("replay")  # every record again, from a new source
        rerun = dict(org.calls)
    assert first.written == n, f"wrote {first.written} of {n}: {first}"
    assert len(org.tasks) == n, "duplicates or losses in the org"
    return {
        "calls": sum(calls.values()),
        "by_kind": calls,
        "adapter_api_calls": first.api_calls,
        "rerun_calls": again.api_calls + replay.api_calls,
        "rerun_write_calls": rerun.get("write", 0),
        "replay_unchanged": replay.unchanged,
        "seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crm", choices=["salesforce", "hubspot"], default="salesforce")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    if args.crm == "hubspot":
        # HubSpot's fake portal is a local HTTP server; its script drives the same figures.
        import runpy

        sys.argv = [sys.argv[0], "--interactions", *map(str, args.sizes)]
        runpy.run_path(str(Path(__file__).with_name("api_calls_hubspot.py")), run_name="__main__")
        return
    last: dict[str, Any] = {}
    print(
        f"{'N':>7} {'mode':<9} {'calls':>7} {'per 1000':>9} {'rerun calls':>12} "
        f"{'rerun writes':>13} {'s':>7}"
    )
    for n in args.sizes:
        batched = run(n, batch_size=200)
        baseline = run(n, batch_size=1)
        for mode, r in (("batched", batched), ("baseline", baseline)):
            per = 1000 * r["calls"] / n
            print(
                f"{n:>7} {mode:<9} {r['calls']:>7} {per:>9.1f} {r['rerun_calls']:>12} "
                f"{r['rerun_write_calls']:>13} "
                f"{r['seconds']:>7}  {r['by_kind']}"
            )
        assert batched["adapter_api_calls"] == batched["calls"], "api_calls miscounted"
        last = {
            "crm": args.crm,
            "interactions": n,
            "calls_per_1000": round(1000 * batched["calls"] / n, 2),
            "baseline_calls_per_1000": round(1000 * baseline["calls"] / n, 2),
            "rerun_write_calls": batched["rerun_write_calls"] + baseline["rerun_write_calls"],
        }
    print(json.dumps(last))


if __name__ == "__main__":
    main()
