"""Identity at scale: a persisted index of N contacts, a steady sync against it, a full match.

python benchmarks/identity_scale.py [--contacts 1000000] [--sync 1000] [--match 100000]

1. Builds the persisted identity index: the first ``crmbridge sync`` of a local CRM holding
   N contacts reads them all once into the state store (mirror + index); reported, not a goal.
2. Steady sync: ``--sync`` new interactions from as many new authors, appended to the source,
   synced by a fresh ``crmbridge sync`` process against that index: wall seconds and the
   process's peak RSS (issue 13: ≤ 10 s and ≤ 600 MB at 1M contacts).
3. Full match: ``crmbridge match`` of N contacts against ``--match`` authors, end to end in
   one process (issue 13: ≤ 60 s at 1M x 100k on 2 cores).
Each step runs as its own process, so its peak RSS is its own. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crmbridge.testing.identity_data import CONTACT_COLUMNS, IdentityData


def run(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``python -m crmbridge …``: wall seconds, peak RSS in MB, stdout."""
    script = (
        "import resource, runpy, sys, time\n"
        "sys.argv = ['crmbridge', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('crmbridge', run_name='__main__')\n"
        "finally:\n"
        "    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    print(f'@@rss {rss}', file=sys.stderr)\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=cwd, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    rss = next(
        (int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("@@rss")),
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    if done.returncode not in (0, 3):  # 3: finished with records for review (documented)
        raise SystemExit(f"crmbridge {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return wall, rss / 1024, done.stdout


def interaction(author: dict[str, Any], n: int) -> dict[str, Any]:
    """An interchange record written by one benchmark author."""
    return {
        "schema": "crmbridge.interaction/1",
        "platform": author["platform"],
        "kind": "mention",
        "message_id": f"scale-{n}",
        "author": author["author"],
        "text": author.get("text") or "hello",
        "created_at": "2026-12-01T10:00:00Z",
    }


def main() -> None:
    """Build, sync, match; print the figures and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--sync", type=int, default=1_000)
    parser.add_argument("--match", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures: dict[str, Any] = {"contacts": args.contacts}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        data = IdentityData(args.contacts, args.match + args.sync, args.seed)
        with (folder / "contacts.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=CONTACT_COLUMNS)
            writer.writeheader()
            writer.writerows(data.contacts())
        authors = list(data.authors())
        by_key: dict[str, dict[str, Any]] = {}
        for a in authors:  # one line per author: the sync must meet 1,000 new authors
            by_key.setdefault(f"{a['platform']}:{a['author']['id']}", a)
        unique = list(by_key.values())
        with (folder / "authors.jsonl").open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in authors)
        figures["generate_s"] = round(time.perf_counter() - started, 1)
        print(f"generated {args.contacts} contacts, {len(authors)} author lines", flush=True)

        (folder / "crmbridge.yaml").write_text(
            "state: sqlite:///state.db\n"
            "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}\n"
            "sources:\n  - {name: feed, connector: jsonl, path: feed.jsonl}\n",
            encoding="utf-8",
        )
        first = unique[-1]
        (folder / "feed.jsonl").write_text(json.dumps(interaction(first, 0)) + "\n")
        build_s, build_rss, _ = run(["sync", "--json"], folder)
        figures.update(index_build_s=round(build_s, 1), index_build_peak_rss_mb=round(build_rss))
        print(f"persisted index built in {build_s:.1f} s (peak {build_rss:.0f} MB)", flush=True)

        fresh = unique[: args.sync]
        with (folder / "feed.jsonl").open("a", encoding="utf-8") as f:
            for n, author in enumerate(fresh, start=1):
                f.write(json.dumps(interaction(author, n), ensure_ascii=False) + "\n")
        sync_s, sync_rss, out = run(["sync", "--json"], folder)
        summary = json.loads(out.strip().splitlines()[-1])
        figures.update(
            steady_sync_s=round(sync_s, 2),
            steady_peak_rss_mb=round(sync_rss),
            steady_authors=len(fresh),
            steady_summary={k: summary.get(k) for k in ("fetched", "written", "review")},
        )
        print(f"steady sync of {len(fresh)} new authors: {sync_s:.2f} s, {sync_rss:.0f} MB")

        match_s, match_rss, _ = run(
            ["match", "--contacts", "contacts.csv", "--identities", "authors.jsonl",
             "--out", "links.csv", "--json"],
            folder,
        )  # fmt: skip
        figures.update(full_match_s=round(match_s, 1), full_match_peak_rss_mb=round(match_rss))
        figures["match_authors"] = len(authors)
        print(f"full match {args.contacts} x {len(authors)}: {match_s:.1f} s, {match_rss:.0f} MB")
    figures["cpus"] = os.cpu_count()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
