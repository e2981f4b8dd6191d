"""Reliability figures: SIGKILL trials, HTTP faults at 20%, hostile input, a secret scan.

Usage: python benchmarks/reliability.py [--trials 50] [--seed 1] [--quick] [--crash-only]

1. Crash: `crmbridge sync` subprocesses killed with SIGKILL at random points (seeded) over
   feeds with malformed lines and review-band authors, case rules and SLAs on, on SQLite
   and (when a server runs on 127.0.0.1) PostgreSQL. After each kill a rerun starts at
   once on this host (the dead worker's lease runs 300 s: a rerun that had to wait for it
   would show in rerun_wait_s). Each world's CRM activities and cases are compared row by
   row, every field, with a never-killed clean run of the same feed.
2. Faults: syncs through simple-salesforce (a ``responses`` org) and hubspot-api-client (a
   local werkzeug server) while ``crmbridge.faults`` fails 20% of the HTTP calls; reruns
   until a run ends clean, then every key must be in the CRM exactly once.
3. Bad input: a feed where 10% of the records are malformed or hostile; those must be
   parked in the quarantine with a reason while every good record is written.
4. Secrets: every configured secret is searched for in outputs, logs, files and tables.

Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import responses
import sqlalchemy as sa
from werkzeug import Request
from werkzeug.serving import make_server

from crmbridge.config import load_config
from crmbridge.errors import CrmbridgeError
from crmbridge.pipeline import Pipeline
from crmbridge.testing import harness
from crmbridge.testing.faults import FaultInjector
from crmbridge.testing.hubspot_fake import FakeHubSpot
from crmbridge.testing.salesforce_org import FakeOrg
from crmbridge.testing.secrets import SECRETS, SOURCES, leaks, table_dump
from crmbridge.testing.workloads import make_contacts, make_interactions, write_config

PG_ADMIN = os.environ.get("CRMBRIDGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TRIALS_PER_WORLD = 10
RETRIABLE = ("transient", "rate_limited")


# --- crash -------------------------------------------------------------------------------


@contextmanager
def pg_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database, or None when no server answers."""
    try:
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception:
        yield None
        return
    name = f"crmbridge_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


RULES = """\
rules:
  - name: urgent
    when: {direction: inbound, intent: [outage, legal, safety]}
    then: {case: {priority: High}, sla: 1h, tag: urgent}
    stop: true
  - name: complaint
    when: {direction: inbound, intent: complaint}
    then: {case: {priority: Medium}, sla: {within: 4h, escalate: tier2}, tag: complaint}
  - name: question
    when: {direction: inbound, intent: question}
    then: {sla: 2h}
"""
# The killed worker holds a lease this long: a rerun that waited for it would show.
KILLED_LEASE_SECONDS = 300


def with_rules(world: harness.World) -> harness.World:
    """Case rules and SLAs on, and a lease no rerun could wait out."""
    config = world.folder / "crmbridge.yaml"
    config.write_text(config.read_text() + RULES)
    return world


def sync_json(folder: Path) -> tuple[int, dict[str, Any], str]:
    """One `crmbridge sync --json` to its end: exit code, summary, stderr."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crmbridge",
            "sync",
            "--json",
            "--lease-seconds",
            str(KILLED_LEASE_SECONDS),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = done.stdout.strip().splitlines()
    return done.returncode, json.loads(lines[-1]) if lines else {}, done.stderr


def kill_then_rerun(world: harness.World, part: list[str], rng: random.Random) -> float:
    """Append a part, SIGKILL its sync at a random point, rerun at once on this host.

    Returns how long the rerun waited before it could sync the source (0 when it took the
    dead worker's lease over at once; it would be the lease's 300 s otherwise).
    """
    with (world.folder / "interactions.jsonl").open("a") as feed:
        feed.writelines(line + "\n" for line in part)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crmbridge",
            "sync",
            "--json",
            "--lease-seconds",
            str(KILLED_LEASE_SECONDS),
        ],
        cwd=world.folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(rng.uniform(0.3, 2.5))
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
        world.kills += 1
    process.wait()
    killed_at = time.monotonic()
    while True:
        started = time.monotonic()
        code, summary, err = sync_json(world.folder)
        world.runs += 1
        if code in (0, 3) and not summary.get("skipped"):
            return started - killed_at  # 0 when the dead worker's lease was taken over
        if started - killed_at > KILLED_LEASE_SECONDS + 60:
            raise RuntimeError(f"the rerun never got the source: {code} {err[-500:]}")
        time.sleep(1.0)


def crm_rows(folder: Path) -> dict[str, dict[str, Any]]:
    """Activities and cases of the local CRM, by key, with every field (ids aside)."""
    with sqlite3.connect(folder / "crm.db") as crm:
        activities = {
            f"activity {key}": {"contact": contact, "deleted": deleted, **json.loads(fields)}
            for key, contact, fields, deleted in crm.execute(
                "SELECT key, contact_id, fields, deleted FROM activities"
            )
        }
        cases = {
            f"case {key}": {"contact": contact, "status": status, **json.loads(fields)}
            for key, contact, fields, status in crm.execute(
                "SELECT key, contact_id, fields, status FROM cases"
            )
        }
    return {**activities, **cases}


def clean_reference(world: harness.World, folder: Path) -> Path:
    """The whole feed synced once, never killed, with the same config and contacts."""
    folder.mkdir(parents=True)
    for name in ("contacts.csv", "crmbridge.yaml"):
        (folder / name).write_text((world.folder / name).read_text())
    config = folder / "crmbridge.yaml"
    text = config.read_text()
    config.write_text("state: 'sqlite:///state.db'\n" + text.split("\n", 1)[1])
    with (folder / "interactions.jsonl").open("w") as feed:
        feed.writelines(line + "\n" for part in world.parts for line in part)
    code, _summary, err = sync_json(folder)
    assert code in (0, 3), err
    return folder


def crash(trials: int, seed: int, per_trial: int) -> dict[str, Any]:
    """Kill trials in worlds of ten, alternating SQLite and PostgreSQL stores.

    Case rules and SLAs are on. After every SIGKILL a rerun starts at once on this host
    (the killed worker's lease runs 300 s); after the last part a sync runs to the end,
    and the CRM's activities and cases are compared row by row, every field, with a
    clean run of the same feed.
    """
    totals: Counter[str] = Counter()
    stores: Counter[str] = Counter()
    waits: list[float] = []
    rng = random.Random(seed)
    done = 0
    world_no = 0
    while done < trials:
        count = min(TRIALS_PER_WORLD, trials - done)
        want_pg = world_no % 2 == 1
        with pg_database() if want_pg else _nothing() as pg, tempfile.TemporaryDirectory() as tmp:
            url = pg or "sqlite:///state.db"
            store = "postgresql" if pg else "sqlite"
            world = with_rules(
                harness.build(
                    Path(tmp) / "killed", url, per_trial * count, count, seed=rng.randrange(10**6)
                )
            )
            trial_rng = random.Random(rng.randrange(10**6))
            waits += [kill_then_rerun(world, part, trial_rng) for part in world.parts]
            code, _summary, err = sync_json(world.folder)
            assert code in (0, 3), err
            reference = clean_reference(world, Path(tmp) / "reference")
            figures = harness.compare(
                world, harness.World(reference, "sqlite:///state.db", [], world.expected, world.bad)
            )
            got, want = crm_rows(world.folder), crm_rows(reference)
            figures["cases"] = sum(k.startswith("case ") for k in want)
            figures["cases_lost"] = sum(k.startswith("case ") for k in set(want) - set(got))
            figures["cases_extra"] = sum(k.startswith("case ") for k in set(got) - set(want))
            figures["cases_different"] = (
                sum(k.startswith("case ") and got[k] != want[k] for k in set(got) & set(want))
                + figures["cases_lost"]
                + figures["cases_extra"]
            )
            figures["activities_different"] = sum(
                k.startswith("activity ") and got[k] != want[k] for k in set(got) & set(want)
            )
        totals.update(figures)
        totals.update(
            trials=count, kills=world.kills, records=len(world.expected), bad_lines=world.bad
        )
        stores[store] += count
        print(
            f"  crash world {world_no + 1} ({store}): {count} trials, {world.kills} kills, "
            f"{len(world.expected)} records, {world.bad} malformed lines, "
            f"{figures['cases']} cases: {figures}",
            flush=True,
        )
        done += count
        world_no += 1
    return {**totals, "stores": dict(stores), "rerun_wait_s": round(max(waits, default=0.0), 2)}


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


# --- faults ------------------------------------------------------------------------------


def converge(run: Any, most: int = 200) -> list[str]:
    """Rerun until a run ends without a retriable stop; the stops on the way."""
    stops: list[str] = []
    for _ in range(most):
        try:
            summary = run()
        except CrmbridgeError as exc:
            if exc.kind not in RETRIABLE:
                raise
            stops.append(exc.kind)
            continue
        if summary.status in RETRIABLE:
            stops.append(summary.status)
            continue
        return stops
    raise RuntimeError(f"no clean run within {most} runs")


def failed_rows(state: Path) -> int:
    """Ledger rows parked as failed (a later sync replays them)."""
    with sqlite3.connect(state) as db:
        return int(db.execute("SELECT COUNT(*) FROM ledger WHERE status = 'failed'").fetchone()[0])


def salesforce_faults(n: int, rate: float, seed: int) -> dict[str, Any]:
    """A Salesforce sync under faults, rerun until clean and no failed row is left."""
    rng = random.Random(seed)
    contacts = make_contacts(max(50, n // 3), rng)
    records = make_interactions(n, contacts, rng)
    org, injector = FakeOrg(contacts), FaultInjector(rate=rate, seed=seed)
    os.environ["BENCH_SF_SESSION_ID"] = "00D000000000001!RELIABILITY"
    with (
        tempfile.TemporaryDirectory() as tmp,
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
    ):
        folder = Path(tmp)
        with (folder / "interactions.jsonl").open("w") as feed:
            feed.writelines(json.dumps(r) + "\n" for r in records)
        config = load_config(write_config(folder, batch_size=20))
        injector.salesforce(mock, org)

        def run() -> Any:
            injector.reset_streaks()
            return Pipeline(config).run("exports")

        stops = converge(run)
        for _ in range(10):  # each sync replays failed rows (still locked after retries)
            if not failed_rows(folder / "state.db"):
                break
            stops += [*converge(run), "retry"]
    expected = {f"{r['platform']}:{r['message_id']}" for r in records}
    ids = [t["Id"] for t in org.tasks.values()]
    return {
        "records": n,
        "lost": len(expected - set(org.tasks)),
        "duplicated": len(ids) - len(set(ids)),
        "runs": len(stops) + 1,
        **injector.summary(),
    }


def hubspot_faults(n: int, rate: float, seed: int) -> dict[str, Any]:
    """A HubSpot sync under faults through a local werkzeug server."""
    token = "pat-na1-reliability-bench"
    os.environ["HUBSPOT_TOKEN"] = token
    fake, injector = FakeHubSpot(token), FaultInjector(rate=rate, seed=seed)
    contacts = max(1, n // 5)
    for person in range(contacts):
        fake.add_contact(email=f"c{person}@example.com")
    platforms = ("x", "instagram", "facebook", "whatsapp", "youtube", "linkedin", "reddit")
    rows = [
        {
            "schema": "crmbridge.interaction/1",
            "platform": platforms[(k % contacts) % len(platforms)],
            "kind": "dm",
            "message_id": f"m{k}",
            "author": {"id": f"a{k % contacts}", "email": f"c{k % contacts}@example.com"},
            "text": f"message {k}",
            "created_at": "2024-01-15T10:30:00Z",
        }
        for k in range(n)
    ]
    handler = injector.hubspot(fake)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        return handler(Request(environ))(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
            (folder / "crmbridge.yaml").write_text(
                f"state: sqlite:///{folder / 'state.db'}\n"
                "crm: {kind: hubspot, access_token: '${HUBSPOT_TOKEN}', "
                f"host: 'http://127.0.0.1:{server.server_port}', "
                "write_batch: 50, batch_size: 25}\n"
                "sources: [{name: dms, connector: jsonl, path: in.jsonl}]\n"
            )
            config = load_config(folder / "crmbridge.yaml")

            def run() -> Any:
                injector.reset_streaks()
                return Pipeline(config).run()

            stops = converge(run)
    finally:
        server.shutdown()
    keys = Counter(p["crmbridge_key"] for s in fake.objects.values() for p in s.values())
    expected = {f"{r['platform']}:{r['message_id']}" for r in rows}
    return {
        "records": n,
        "lost": len(expected - set(keys)),
        "duplicated": sum(c - 1 for c in keys.values()),
        "runs": len(stops) + 1,
        **injector.summary(),
    }


# --- bad input ---------------------------------------------------------------------------


def hostile(k: int, rng: random.Random, big: bool) -> tuple[str, bytes]:
    """One malformed or hostile line, and its category."""
    base = {
        "schema": "crmbridge.interaction/1",
        "platform": "x",
        "kind": "mention",
        "message_id": f"bad{k}",
        "author": {"id": f"h{k}"},
        "text": "hello",
        "created_at": "2024-01-15T10:30:00Z",
    }
    kinds = [
        "wrong_types",
        "missing_id",
        "invalid_utf8",
        "control_chars_in_id",
        "unknown_platform",
        "future",
        "before_1970",
        "not_json",
        "not_an_object",
        "duplicate_id_new_content",
    ]
    if big:
        kinds.append("huge_text")
    kind = rng.choice(kinds)
    if kind == "wrong_types":
        base.update(message_id=12345, author="nobody", text=["a"])
    elif kind == "missing_id":
        base.pop("message_id")
    elif kind == "invalid_utf8":
        return kind, json.dumps(base).encode().replace(b"hello", b"hel\xff\xfelo")
    elif kind == "control_chars_in_id":
        base["message_id"] = f"bad\x00{k}\x1b"
    elif kind == "unknown_platform":
        base["platform"] = "myspace"
    elif kind == "future":
        base["created_at"] = "2199-01-01T00:00:00Z"
    elif kind == "before_1970":
        base["created_at"] = "1969-07-20T20:17:00Z"
    elif kind == "not_json":
        return kind, b'{"schema": "crmbridge.interaction/1", "platform": "x", '
    elif kind == "not_an_object":
        return kind, b'["crmbridge.interaction/1", "x"]'
    elif kind == "duplicate_id_new_content":
        base.update(message_id="g0", author={"id": "dup"}, text=f"same id, other content {k}")
    elif kind == "huge_text":
        base["text"] = "x" * 10_000_000
    return kind, json.dumps(base).encode()


def bad_input(n: int, seed: int, big: bool) -> dict[str, Any]:
    """A feed with 10% hostile lines: those parked with reasons, every good one written."""
    rng = random.Random(seed)
    good = [
        {
            "schema": "crmbridge.interaction/1",
            "platform": "x",
            "kind": "mention",
            "message_id": f"g{k}",
            "author": {"id": f"a{k % 97}"},
            "text": f"good {k}",
            "created_at": "2024-01-15T10:30:00Z",
        }
        for k in range(n)
    ]
    lines: list[bytes] = []
    categories: Counter[str] = Counter()
    for k, record in enumerate(good):
        lines.append(json.dumps(record).encode())
        if k % 9 == 8:  # one hostile line per nine good ones: 10% of the feed
            kind, line = hostile(k, rng, big and categories["huge_text"] < 2)
            categories[kind] += 1
            lines.append(line)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "contacts.csv").write_text("id,first_name,last_name,email,phone,city,country\n")
        (folder / "in.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        (folder / "crmbridge.yaml").write_text(
            "state: sqlite:///state.db\n"
            "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}\n"
            "sources:\n  - {name: feed, connector: jsonl, path: in.jsonl, "
            "max_record_bytes: 20000000}\n"
        )
        summary = Pipeline(load_config(folder / "crmbridge.yaml")).run()
        with sqlite3.connect(folder / "crm.db") as crm:
            keys = [k for (k,) in crm.execute("SELECT key FROM activities")]
            bodies = dict(crm.execute("SELECT key, json_extract(fields, '$.body') FROM activities"))
        with sqlite3.connect(folder / "state.db") as state:
            parked = state.execute("SELECT COUNT(*) FROM quarantine WHERE reason != ''").fetchone()
    expected = {f"x:g{k}" for k in range(n)}
    hostile_total = sum(categories.values())
    return {
        "records": n,
        "hostile": hostile_total,
        "share": round(hostile_total / (n + hostile_total), 3),
        "parked": int(parked[0]),
        "quarantined": summary.quarantined,
        "lost": len(expected - set(keys)),
        "duplicated": len(keys) - len(set(keys)),
        "hostile_written": len(set(keys) - expected),
        # A hostile line that replaced a good record's content under the same id.
        "good_overwritten": sum(bodies.get(f"x:g{k}") != f"good {k}" for k in range(n)),
        "categories": dict(categories),
    }


# --- secrets -----------------------------------------------------------------------------


def secret_scan() -> dict[str, Any]:
    """Run commands with every kind of secret configured; count any that shows anywhere."""
    contacts = (Path(__file__).parents[1] / "tests" / "fixtures" / "contacts.csv").read_text()
    found: list[str] = []
    places = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "contacts.csv").write_text(contacts)
        (folder / "interactions.jsonl").write_text(
            json.dumps(
                {
                    "schema": "crmbridge.interaction/1",
                    "platform": "x",
                    "kind": "mention",
                    "message_id": "1",
                    "author": {"id": "p", "handle": "jdoe"},
                    "text": "order late",
                    "created_at": "2024-01-15T10:30:00Z",
                }
            )
            + "\n{bad\n"
        )
        (folder / "crmbridge.yaml").write_text(
            "state: sqlite:///state.db\n"
            "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}\n" + SOURCES
        )
        commands = [
            ["-vv", "check"],
            ["check", "--json"],
            ["-vv", "sync", "--dry-run"],
            ["sync", "--dry-run", "--json"],
            ["-vv", "sync", "--json"],
            ["report", "--json"],
            ["report"],
            ["history", "C1", "--json"],
            ["sync", "--source", "nope"],
        ]
        env = {**os.environ, **SECRETS}
        for args in commands:
            done = subprocess.run(
                [sys.executable, "-m", "crmbridge", *args],
                cwd=folder,
                capture_output=True,
                text=True,
                env=env,
                timeout=180,
            )
            places += 1
            found += [f"{' '.join(args)}: {name}" for name in leaks(done.stdout + done.stderr)]
        for path in folder.rglob("*"):
            if path.is_file():
                places += 1
                found += [f"{path.name}: {name}" for name in leaks(path.read_bytes())]
        places += 1
        found += [f"state tables: {n}" for n in leaks(table_dump(f"sqlite:///{folder}/state.db"))]
    return {"secrets": len(SECRETS), "places_scanned": places, "leaked": len(found), "where": found}


# --- main --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50, help="SIGKILL trials in total")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    parser.add_argument(
        "--crash-only", action="store_true", help="only the SIGKILL trials (cases compared)"
    )
    args = parser.parse_args()
    os.environ.setdefault("CRMBRIDGE_RETRY_MAX_WAIT", "0.05")  # faults cost ms, not minutes
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("crmbridge").setLevel(logging.ERROR)
    trials = min(args.trials, 6) if args.quick else args.trials
    n_faults = 1000 if args.quick else 5000
    started = time.monotonic()
    print(f"crash: {trials} SIGKILL trials", flush=True)
    kills = crash(trials, args.seed, per_trial=300 if args.quick else 600)
    crash_figures = {
        "trials": kills["trials"],
        "kills": kills["kills"],
        "lost": kills["records_lost"],
        "duplicated": kills["records_duplicated"],
        "activities_different": kills["activities_different"],
        "cases": kills["cases"],
        "cases_different": kills["cases_different"],
        "rerun_wait_s": kills["rerun_wait_s"],
    }
    if args.crash_only:
        print(json.dumps({**crash_figures, "seconds": round(time.monotonic() - started, 1)}))
        return
    print("faults: Salesforce and HubSpot at 20%", flush=True)
    sf = salesforce_faults(n_faults, 0.2, args.seed)
    hs = hubspot_faults(n_faults, 0.2, args.seed)
    print("bad input: 10% hostile records", flush=True)
    bad = bad_input(900 if args.quick else 9000, args.seed, big=not args.quick)
    print("secrets: scanning outputs, logs, files and tables", flush=True)
    secrets = secret_scan()
    rows = [
        ("SIGKILL trials (SQLite / PostgreSQL)", f"{kills['trials']} {kills['stores']}"),
        ("syncs killed mid-run", kills["kills"]),
        (
            "crash: cases (clean run) / cases different / activities different",
            f"{kills['cases']} / {kills['cases_different']} / {kills['activities_different']}",
        ),
        ("crash: longest wait of a rerun after kill -9 (s)", kills["rerun_wait_s"]),
        ("records in the crash feeds", f"{kills['records']} (+{kills['bad_lines']} malformed)"),
        ("crash: lost / duplicated", f"{kills['records_lost']} / {kills['records_duplicated']}"),
        (
            "crash: ledger / cursor / quarantine / review mismatches",
            f"{kills['ledger_mismatches']} / {kills['cursor_mismatches']} / "
            f"{kills['quarantine_lost']} / {kills['review_lost']}",
        ),
        (
            "Salesforce: records, faults injected, runs",
            f"{sf['records']}, {sf['total']}, {sf['runs']}",
        ),
        ("Salesforce: lost / duplicated", f"{sf['lost']} / {sf['duplicated']}"),
        (
            "HubSpot: records, faults injected, runs",
            f"{hs['records']}, {hs['total']}, {hs['runs']}",
        ),
        ("HubSpot: lost / duplicated", f"{hs['lost']} / {hs['duplicated']}"),
        (
            "longest resend of one request (policy: 5)",
            max(sf["max_same_request_streak"], hs["max_same_request_streak"]),
        ),
        (
            "bad input: hostile share, parked",
            f"{bad['share']:.0%}, {bad['parked']} of {bad['hostile']}",
        ),
        ("bad input: good lost / duplicated", f"{bad['lost']} / {bad['duplicated']}"),
        (
            "bad input: hostile written / good overwritten",
            f"{bad['hostile_written']} / {bad['good_overwritten']}",
        ),
        ("secrets: places scanned, leaks", f"{secrets['places_scanned']}, {secrets['leaked']}"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"fault kinds (Salesforce): {sf['injected']}")
    print(f"fault kinds (HubSpot): {hs['injected']}")
    print(f"hostile categories: {bad['categories']}")
    if secrets["where"]:
        print(f"LEAKS: {secrets['where']}")
    figures = {
        **crash_figures,
        "kill_trials": kills["trials"],
        "kills": kills["kills"],
        "kill_trials_by_store": kills["stores"],
        "faults_injected": sf["total"] + hs["total"],
        "fault_records": sf["records"] + hs["records"],
        "fault_reruns": sf["runs"] + hs["runs"],
        "max_same_request_streak": max(
            sf["max_same_request_streak"], hs["max_same_request_streak"]
        ),
        "records_lost": kills["records_lost"] + sf["lost"] + hs["lost"] + bad["lost"],
        "records_duplicated": kills["records_duplicated"]
        + sf["duplicated"]
        + hs["duplicated"]
        + bad["duplicated"],
        "state_mismatches": kills["ledger_mismatches"]
        + kills["cursor_mismatches"]
        + kills["quarantine_lost"]
        + kills["review_lost"]
        + kills["contact_mismatches"],
        "bad_records": bad["hostile"],
        "bad_records_parked": bad["parked"],
        "hostile_written": bad["hostile_written"],
        "good_records_overwritten": bad["good_overwritten"],
        "secrets_leaked": secrets["leaked"],
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
