"""API calls per 1,000 interactions: the batched adapter beside one record per call.

Usage: python benchmarks/api_calls.py --crm salesforce [--preset task|social] [--sizes 1000 10000]
                                      [--workload new|mixed]
       python benchmarks/api_calls.py --latency 0.2   (writes against the CRMs' rate limits
       when every call takes that long: see benchmarks/api_latency.py)

For each size, N new interactions from known contacts go through ``crmbridge.pipeline``
(config ``crm: {kind: salesforce}``) against a ``responses``-faked org: once with the
adapter's batches (collections of 200, lookups packed in one call), once with
``batch_size: 1`` (one record per call, the baseline), then a rerun of the same file under
a new source name (a full replay) which must make no write call. Prints a table, then one
JSON line: {"crm", "preset", "workload", "interactions", "calls_per_1000",
"baseline_calls_per_1000", "rerun_write_calls", "rerun_nothing_new_calls"} for the largest
size. ``--workload mixed`` syncs a feed as a brand sees it (unknown authors, replies, edits,
deletions, and a case rule), where ``new`` (the default) is new messages by known contacts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import responses

from crmbridge.config import load_config
from crmbridge.pipeline import Pipeline
from crmbridge.testing.salesforce_org import FakeOrg
from crmbridge.testing.workloads import (
    make_contacts,
    make_interactions,
    mixed_interactions,
    write_config,
)


def run(
    n: int, batch_size: int, seed: int = 7, preset: str = "task", workload: str = "new"
) -> dict[str, Any]:
    """Sync N interactions, then replay them; return the calls each run made."""
    rng = random.Random(seed)
    contacts = make_contacts(max(50, n // 3), rng)
    mixed = workload == "mixed"
    records = (mixed_interactions if mixed else make_interactions)(n, contacts, rng)
    org = FakeOrg(contacts)
    os.environ["BENCH_SF_SESSION_ID"] = "00D000000000001!BENCHMARK"
    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    with tempfile.TemporaryDirectory() as tmp, mock:
        folder = Path(tmp)
        with (folder / "interactions.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in records)
        config = load_config(write_config(folder, batch_size, f"salesforce_{preset}", cases=mixed))
        org.install(mock)
        started = time.monotonic()
        first = Pipeline(config).run("exports")
        seconds = time.monotonic() - started
        calls = dict(org.calls)
        org.calls.clear()
        again = Pipeline(config).run("exports")  # nothing new after the cursor
        replay = Pipeline(config).run("replay")  # every record again, from a new source
        rerun = dict(org.calls)
    sobject = "Task" if preset == "task" else "SocialPost"
    assert len(org.of(sobject)) == len(org.by_key(sobject)), "a key written twice"
    assert mixed or first.written == n, f"wrote {first.written} of {n}: {first}"
    return {
        "calls": sum(calls.values()),
        "by_kind": calls,
        "adapter_api_calls": first.api_calls,
        "rerun_calls": again.api_calls + replay.api_calls,
        "rerun_nothing_new_calls": again.api_calls,
        "rerun_write_calls": rerun.get("write", 0),
        "replay_unchanged": replay.unchanged,
        "seconds": round(seconds, 2),
    }


def main() -> None:
    if "--latency" in sys.argv:  # records per second against the limits: its own script
        import runpy

        runpy.run_path(str(Path(__file__).with_name("api_latency.py")), run_name="__main__")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crm", choices=["salesforce", "hubspot"], default="salesforce")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--preset", choices=["task", "social"], default="task", help="Salesforce preset"
    )
    parser.add_argument(
        "--skip-baseline", action="store_true", help="skip the one-record-per-call run"
    )
    parser.add_argument(
        "--workload",
        choices=["new", "mixed"],
        default="new",
        help="new: messages by known contacts; mixed: unknown authors, replies, edits, "
        "deletions and cases (crmbridge.testing.workloads.mixed_interactions)",
    )
    args = parser.parse_args()
    if args.crm == "hubspot":
        # HubSpot's fake portal is a local HTTP server; its script drives the same figures.
        import runpy

        sys.argv = [sys.argv[0], "--interactions", *map(str, args.sizes)]
        sys.argv += ["--workload", args.workload]
        runpy.run_path(str(Path(__file__).with_name("api_calls_hubspot.py")), run_name="__main__")
        return
    last: dict[str, Any] = {}
    print(
        f"{'N':>7} {'mode':<9} {'calls':>7} {'per 1000':>9} {'rerun calls':>12} "
        f"{'rerun writes':>13} {'s':>7}"
    )
    for n in args.sizes:
        batched = run(n, batch_size=200, preset=args.preset, workload=args.workload)
        baseline = (
            {**batched, "calls": 0, "rerun_write_calls": 0}
            if args.skip_baseline
            else run(n, batch_size=1, preset=args.preset, workload=args.workload)
        )
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
            "preset": f"salesforce_{args.preset}",
            "workload": args.workload,
            "interactions": n,
            "calls_per_1000": round(1000 * batched["calls"] / n, 2),
            "baseline_calls_per_1000": round(1000 * baseline["calls"] / n, 2),
            "rerun_write_calls": batched["rerun_write_calls"] + baseline["rerun_write_calls"],
            "rerun_nothing_new_calls": batched["rerun_nothing_new_calls"],
        }
    print(json.dumps(last))


if __name__ == "__main__":
    main()
