"""Throughput and peak memory of `crmbridge sync`: JSONL -> local CRM, N synthetic records.

Usage: python benchmarks/pipeline.py [--n 100000] [--contacts 10000] [--seed 0]

The sync runs as its own process (`crmbridge sync --json`) so its peak RSS is measured
alone; a baseline in the same run reads and json-parses the same file, so the ratio shows
what validation, identity, mapping and the two SQLite writes cost on top of reading.
The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crmbridge.testing import synthetic


def baseline(path: Path) -> float:
    start = time.perf_counter()
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            json.loads(line)
            count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        synthetic.write_contacts_csv(
            work / "contacts.csv", synthetic.contacts(args.contacts, args.seed)
        )
        synthetic.write_jsonl(
            work / "interactions.jsonl", synthetic.interactions(args.n, args.contacts, args.seed)
        )
        print(
            f"generated {args.n:,} interactions, {args.contacts:,} contacts "
            f"in {time.perf_counter() - start:.1f}s"
        )
        (work / "crmbridge.yaml").write_text(
            "state: sqlite:///state.db\n"
            "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}\n"
            "sources:\n  - {name: bench, connector: jsonl, path: interactions.jsonl}\n"
        )
        parse_rate = baseline(work / "interactions.jsonl")
        print(f"baseline: read + json.loads: {parse_rate:,.0f} records/s")
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "crmbridge", "sync", "--json"],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 3):
            sys.exit(f"sync failed ({done.returncode}): {done.stderr[-2000:]}")
        summary = json.loads(done.stdout)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rate = args.n / elapsed
        print(
            f"sync: {summary['written']:,} written, {summary['quarantined']:,} quarantined, "
            f"{summary['unmatched']:,} unmatched, {summary['api_calls']:,} CRM calls "
            f"in {elapsed:.1f}s (process start included)"
        )
        print(
            f"sync: {rate:,.0f} interactions/s, peak RSS {peak_mb:.0f} MB, "
            f"{rate / parse_rate:.2%} of the parse-only baseline"
        )
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "crmbridge", "sync", "--json"],
            cwd=work,
            capture_output=True,
            check=True,
        )
        print(f"rerun with nothing new: {time.perf_counter() - start:.2f}s")
        print(
            json.dumps(
                {
                    "interactions": args.n,
                    "per_second": round(rate),
                    "peak_rss_mb": round(peak_mb, 1),
                    "baseline_per_second": round(parse_rate),
                    "ratio_to_baseline": round(rate / parse_rate, 4),
                }
            )
        )


if __name__ == "__main__":
    main()
