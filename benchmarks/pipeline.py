"""Throughput, cost per batch and peak memory of a sync: JSONL -> local CRM, everything on.

Usage: python benchmarks/pipeline.py [--n 100000] [--contacts 10000] [--seed 0]

The sync (scored identity, threading, classification, rules, the local CRM, the SQLite
state store) runs as its own process so its CPU time and peak RSS are measured alone. It
times each stage of every batch in CPU seconds and each batch as a whole, so the growth of
the cost per batch shows as the ratio of the last tenth of the batches to the first tenth.
The floor, in the same run on the same file, is what no pipeline can beat: read +
``json.loads`` + pydantic validation of the interaction + one SQLite ``executemany`` of a
ledger-like row per record in one transaction. The last line printed is one JSON object
of the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from crmbridge.testing import synthetic

# (object attribute, method, label): pipeline steps, and the parts inside them.
STAGES = (
    ("pipeline", "_admit", "admit (ledger lookup)"),
    ("pipeline", "_resolve", "resolve (all)"),
    ("resolver", "resolve", "  identity"),
    ("threading", "apply", "threading (all)"),
    ("threading", "classify", "  classify"),
    ("pipeline", "_apply_rules", "rules"),
    ("pipeline", "_render", "render"),
    ("pipeline", "_write", "CRM write"),
    ("pipeline", "_record", "ledger rows"),
    ("pipeline", "_write_cases", "cases"),
    ("store", "commit", "commit"),
)
CONFIG = """\
state: sqlite:///state.db
crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}
sources:
  - {name: bench, connector: jsonl, path: interactions.jsonl}
mapping: local
rules:  # the quickstart's case rules
  - name: urgent
    when: {direction: inbound, intent: [outage, legal, safety]}
    then:
      case:
        priority: High
        subject: "Urgent ({{ intents | join(', ') }}): {{ i.text | truncate_text(60) }}"
      sla: 1h
      tag: urgent
    stop: true
  - name: complaint
    when: {direction: inbound, intent: complaint, sentiment: {label: negative}}
    then: {case: {priority: Medium}, sla: 4h, tag: complaint}
  - name: praise
    when: {direction: inbound, intent: praise, sentiment: {label: positive}}
    then: {tag: praise, no_response: true}
"""


def floor(path: Path, db: Path) -> float:
    """Records per second of read + json.loads + validate + executemany, one transaction."""
    from crmbridge.models import Interaction

    start = time.perf_counter()
    count = 0

    def rows() -> Iterator[tuple[str, str, str, str, bytes]]:
        nonlocal count
        with path.open("rb") as handle:
            for line in handle:
                i = Interaction.model_validate(json.loads(line))
                count += 1
                yield (i.key, i.platform, i.message_id, i.persona_key, line)

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE ledger (key TEXT PRIMARY KEY, platform TEXT, message_id TEXT, "
        "persona_key TEXT, payload BLOB)"
    )
    with conn:  # streamed: the floor holds no more of the file than the sync does
        conn.executemany("INSERT OR REPLACE INTO ledger VALUES (?, ?, ?, ?, ?)", rows())
    conn.close()
    return count / (time.perf_counter() - start)


def _timed(obj: Any, name: str, label: str, totals: dict[str, float]) -> None:
    """Replace a bound method with one that adds its CPU time to ``totals[label]``."""
    method: Callable[..., Any] = getattr(obj, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return method(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.process_time() - start

    setattr(obj, name, timed)


def child(work: Path) -> None:
    """Run the sync in this process; print one JSON object of timings."""
    import os

    os.chdir(work)
    from crmbridge.config import load_config
    from crmbridge.pipeline import Pipeline

    started = time.process_time()
    config = load_config(work / "crmbridge.yaml")
    batches: list[float] = []
    per_stage: list[dict[str, float]] = []  # running stage totals after each batch
    stages: dict[str, float] = {}
    mark = [0.0]

    def progress(source: str, count: int, extent: Any = None) -> None:
        now = time.process_time()
        batches.append(now - mark[0])
        per_stage.append(dict(stages))
        mark[0] = now

    pipeline = Pipeline(config, progress=progress)
    for owner, name, label in STAGES:
        target = pipeline if owner == "pipeline" else getattr(pipeline, owner)
        _timed(target, name, label, stages)
    setup = time.process_time() - started
    mark[0] = time.process_time()
    sync_start = mark[0]
    wall = time.perf_counter()
    summary = pipeline.run()
    wall = time.perf_counter() - wall
    cpu = time.process_time() - sync_start
    pipeline.store.close()
    print(
        json.dumps(
            {
                "summary": summary.as_dict(),
                "cpu_s": cpu,
                "setup_cpu_s": setup,
                "wall_s": wall,
                "stages": stages,
                "batches": batches,
                "stage_growth": stage_growth(per_stage),
            }
        )
    )


def stage_growth(totals: list[dict[str, float]]) -> dict[str, float]:
    """Each stage's CPU per batch in the last tenth over the first tenth (first skipped)."""
    if len(totals) < 12:
        return {}
    per_batch = [
        {k: v - before.get(k, 0.0) for k, v in after.items()}
        for before, after in itertools.pairwise(totals)
    ]
    tenth = max(1, len(per_batch) // 10)
    first, last = per_batch[:tenth], per_batch[-tenth - 1 : -1]
    growth = {}
    for name in per_batch[-1]:
        a = sum(b.get(name, 0.0) for b in first)
        z = sum(b.get(name, 0.0) for b in last)
        if a > 0:
            growth[name] = round(z / a, 2)
    return growth


def tenth_ratio(batches: list[float]) -> tuple[float, float, float]:
    """Mean CPU of the last tenth of the batches, over the first tenth (the first skipped).

    The first batch carries the one-time work (opening the CRM, building the identity
    index), so it is left out; so is a short last batch.
    """
    body = batches[1:-1] if len(batches) > 3 else batches
    tenth = max(1, len(body) // 10)
    first, last = statistics.mean(body[:tenth]), statistics.mean(body[-tenth:])
    return first, last, last / first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
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
        (work / "crmbridge.yaml").write_text(CONFIG)
        floor_rate = floor(work / "interactions.jsonl", work / "floor.db")
        print(f"floor: read + json.loads + validate + executemany: {floor_rate:,.0f} records/s")
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(work)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"sync failed ({done.returncode}): {done.stderr[-3000:]}")
        result = json.loads(done.stdout.splitlines()[-1])
        summary = result["summary"]
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        n, cpu = summary["fetched"], result["cpu_s"]
        per_cpu, per_second = n / cpu, n / result["wall_s"]
        print(
            f"sync: {summary['written']:,} written, {summary['quarantined']:,} quarantined, "
            f"{summary['review']:,} review, {summary['unmatched']:,} unmatched, "
            f"{summary['cases']:,} cases, {summary['api_calls']:,} CRM calls"
        )
        print(
            f"sync: {per_cpu:,.0f} interactions per CPU-second, {per_second:,.0f} per second "
            f"(wall), peak RSS {peak_mb:.0f} MB; setup {result['setup_cpu_s']:.1f} CPU-s"
        )
        print(f"ratio to the floor: 1/{floor_rate / per_cpu:.1f} ({per_cpu / floor_rate:.1%})")
        print("CPU per interaction by stage:")
        for _, _, label in STAGES:
            seconds = result["stages"].get(label, 0.0)
            print(f"  {label:<22} {seconds / n * 1e6:7.0f} µs  {seconds / cpu:6.1%}")
        first, last, growth = tenth_ratio(result["batches"])
        print(
            f"batches: {len(result['batches'])}, CPU per batch first tenth {first * 1e3:.1f} ms, "
            f"last tenth {last * 1e3:.1f} ms: x{growth:.3f}"
        )
        print(f"growth by stage: {result['stage_growth']}")
        print(
            json.dumps(
                {
                    "interactions": n,
                    "per_cpu_second": round(per_cpu),
                    "per_second": round(per_second),
                    "peak_rss_mb": round(peak_mb, 1),
                    "batch_cost_growth": round(growth, 3),
                    "floor_per_second": round(floor_rate),
                    "ratio_to_floor": round(per_cpu / floor_rate, 4),
                    "stages_us": {
                        k.strip(): round(v / n * 1e6, 1) for k, v in result["stages"].items()
                    },
                }
            )
        )


if __name__ == "__main__":
    main()
