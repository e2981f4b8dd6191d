"""CRM writes under faults: lost, duplicated, wedged sources and calls per 1,000, per CRM.

Usage: python benchmarks/crm_faults.py [--crm salesforce hubspot] [--interactions 10000]
                                      [--rate 0.2] [--faults answer_lost 5xx …]

The feed is ``crmbridge.testing.workloads.mixed_interactions``: unknown authors, customers'
follow-ups and agents' replies in the same threads, X edits, deletions, and messages a case
rule (``CASE_RULES``) turns into cases. For each fault (at ``--rate`` of the requests, or
of the batches for a kill), N interactions are synced through
``crmbridge.pipeline.Pipeline`` and the real client against the strict fake (a
``responses`` Salesforce org, or a local HubSpot server), then clean reruns follow until a
run ends ok with no failed row (at most ``--reruns``). Then: lost (records, activities and
cases, that a clean run of the same feed leaves in the CRM and this one did not),
duplicated (records beyond one per key that crmbridge made), wedged (a source still failing
after the reruns), and the calls per 1,000 over the fault run plus its reruns beside a
clean run's. A clean run's 429 answers are counted.

Faults: answer_lost (committed, then the connection drops), 5xx, locked (Salesforce
UNABLE_TO_LOCK_ROW; HubSpot: a 429 burst), quota (the daily allowance ends mid-run, then
the next day comes), 401, kill (the process stops between batches), refusals
(per-record validation refusals, written on a later run), conflicts (keys already held:
Salesforce two records per key, 300; HubSpot a record per key, 409).

Each fault's line is followed by its calls by endpoint (the profile of what it cost).
The last lines are one JSON object per CRM (both without ``--crm``): crm, interactions,
lost, duplicated, wedged_sources, calls_per_1000_clean, calls_per_1000_faults (the worst
fault, its run and reruns together), responses_429 (in the clean run).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import responses
from werkzeug import Request
from werkzeug.serving import make_server

from crmbridge.config import AppConfig, load_config
from crmbridge.errors import CrmbridgeError
from crmbridge.pipeline import Pipeline, Progress
from crmbridge.state.store import StateStore
from crmbridge.testing.faults import FaultInjector
from crmbridge.testing.hubspot_fake import FakeHubSpot
from crmbridge.testing.salesforce_org import FakeOrg
from crmbridge.testing.workloads import (
    CASE_RULES,
    make_contacts,
    mixed_interactions,
    workload_keys,
    write_config,
)

FAULTS = ("answer_lost", "5xx", "locked", "quota", "401", "kill", "refusals", "conflicts")
KINDS = {
    "salesforce": {
        "answer_lost": ["answer_lost"],
        "5xx": ["500", "502", "503"],
        "locked": ["lock_row_items", "lock_row_call"],
        "401": ["401"],
        "refusals": ["refuse_items"],
    },
    "hubspot": {
        "answer_lost": ["answer_lost"],
        "5xx": ["500", "502", "503"],
        "locked": ["429_burst"],
        "401": ["401"],
        "refusals": ["refuse_items"],
    },
}
TOKEN = "pat-bench-faults"
SESSION_ENV = "BENCH_SF_SESSION_ID"


class Killed(Exception):
    """The process stopped between two batches (nothing after the last commit ran)."""


def ledger_state(config: AppConfig) -> Counter[str]:
    """Ledger rows by status."""
    store = StateStore(config.state_url)
    try:
        with store.engine.connect() as conn:
            return Counter(s for (s,) in conn.exec_driver_sql("SELECT status FROM ledger"))
    finally:
        store.close()


def run_until_clean(
    config: AppConfig,
    reruns: int,
    calm: Callable[[], None],
    kill: Progress | None = None,
) -> tuple[int, bool]:
    """The fault run, then clean reruns (``calm`` ends the fault) until one ends ok.

    Returns the runs made and whether the source is wedged: no clean run within
    ``reruns``, or failed rows left in the ledger.
    """
    with suppress(CrmbridgeError, Killed):
        Pipeline(config, progress=kill).run()
    calm()
    for n in range(1, reruns + 1):
        try:
            summary = Pipeline(config).run()
        except CrmbridgeError:
            continue
        if summary.status == "ok" and not ledger_state(config)["failed"]:
            return n + 1, False
    return reruns + 1, True


# --- Salesforce ------------------------------------------------------------------------


def salesforce_case(n: int, fault: str | None, rate: float, reruns: int, seed: int) -> dict:
    rng = random.Random(seed)
    contacts = make_contacts(max(50, n // 3), rng)
    records = mixed_interactions(n, contacts, rng)
    org = FakeOrg(contacts)
    seeded = _conflicting(records, rng, rate) if fault == "conflicts" else set()
    for key in sorted(seeded):
        org.add_duplicate("Task", key, Subject="an older copy")
    os.environ[SESSION_ENV] = "00D000000000001!BENCHMARK"
    kinds = KINDS["salesforce"].get(fault or "", [])
    injector = FaultInjector(rate=rate if kinds else 0.0, seed=seed, kinds=kinds or None)
    with (
        tempfile.TemporaryDirectory() as tmp,
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
    ):
        folder = Path(tmp)
        with (folder / "interactions.jsonl").open("w", encoding="utf-8") as feed:
            feed.writelines(json.dumps(r) + "\n" for r in records)
        config = load_config(write_config(folder, 200, cases=True))
        config.sources = config.sources[:1]
        injector.salesforce(mock, org)
        if fault == "quota":
            injector.exhaust_quota_after(max(3, n // 1000))
        kill = _killer(rate, seed) if fault == "kill" else None
        if fault is None:
            Pipeline(config).run()
            runs, wedged = 1, bool(ledger_state(config)["failed"])
        else:

            def calm() -> None:
                injector.rate = 0.0
                injector.exhaust_quota_after(None)  # the next day

            runs, wedged = run_until_clean(config, reruns, calm, kill)
        calls = len(mock.calls)
        by_endpoint = Counter(_sf_endpoint(c.request) for c in mock.calls)
    held = Counter(
        (sobject, r.get("Crmbridge_Key__c"))
        for sobject in ("Task", "Case")
        for r in org.of(sobject).values()
    )
    return {
        "held": held,
        "seeded": {("Task", key) for key in seeded},
        "wedged_sources": int(wedged),
        "runs": runs,
        "calls": calls,
        "responses_429": injector.injected["429"] + injector.injected["429_retry_after"],
        "by_endpoint": dict(by_endpoint.most_common()),
    }


def _conflicting(records: list[dict[str, Any]], rng: random.Random, rate: float) -> set[str]:
    """Keys (``rate`` of the known authors' messages) some record already holds."""
    known = sorted(workload_keys([r for r in records if r["author"].get("email")]))
    return set(rng.sample(known, int(rate * len(known))))


def outcome(got: dict[str, Any], clean: dict[str, Any]) -> None:
    """Lost (records the clean run left that this one did not) and duplicated ones.

    A key seeded twice for the conflict fault may stay held twice; a third is a duplicate.
    """
    held, seeded = got.pop("held"), got.pop("seeded")
    got["lost"] = len(set(clean["held"]) - set(held))
    got["duplicated"] = sum(
        max(0, count - (2 if pair in seeded else 1)) for pair, count in held.items()
    )


def _sf_endpoint(request: Any) -> str:
    """``METHOD path`` of a Salesforce call, ids and query strings left out."""
    path = urlparse(request.url).path.split("/services/data/", 1)[-1]
    path = re.sub(r"^v[\d.]+/", "", path)
    path = re.sub(r"query/[\w-]+$", "query (next page)", path)
    return f"{request.method} {path}"


def _killer(rate: float, seed: int) -> Progress:
    rng = random.Random(seed)

    def progress(source: str, size: int, extent: tuple[int, int] | None = None) -> None:
        if rng.random() < rate:
            raise Killed(source)

    return progress


# --- HubSpot ---------------------------------------------------------------------------


@contextmanager
def serve(handler: Callable[[Request], Any]) -> Iterator[str]:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        return handler(Request(environ))(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def hubspot_case(n: int, fault: str | None, rate: float, reruns: int, seed: int) -> dict:
    rng = random.Random(seed)
    contacts = make_contacts(max(50, n // 3), rng)
    records = mixed_interactions(n, contacts, rng)
    fake = FakeHubSpot(TOKEN)
    for c in contacts:
        fake.add_contact(
            email=c["email"],
            firstname=c["first_name"],
            lastname=c["last_name"],
            twitterhandle=c["x_handle"],
        )
    seeded = _conflicting(records, rng, rate) if fault == "conflicts" else set()
    for key in sorted(seeded):
        fake.objects["notes"][str(next(fake.ids))] = {"crmbridge_key": key}
    kinds = KINDS["hubspot"].get(fault or "", [])
    injector = FaultInjector(rate=rate if kinds else 0.0, seed=seed, kinds=kinds or None)
    counted: Counter[str] = Counter()

    def handler(request: Request) -> Any:
        counted["calls"] += 1
        counted[request.method + " " + re.sub(r"/\d+", "/{id}", request.path)] += 1
        return injector.hubspot(fake)(request)

    os.environ["HUBSPOT_TOKEN"] = TOKEN
    with tempfile.TemporaryDirectory() as tmp, serve(handler) as host:
        folder = Path(tmp)
        (folder / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
        (folder / "crmbridge.yaml").write_text(
            f"state: sqlite:///{folder / 'state.db'}\n"
            f"crm: {{kind: hubspot, access_token: '${{HUBSPOT_TOKEN}}', host: '{host}'}}\n"
            "sources: [{name: feed, connector: jsonl, path: in.jsonl}]\n"
            f"rules: {json.dumps(CASE_RULES)}\n"
        )
        config = load_config(folder / "crmbridge.yaml")
        if fault == "quota":
            fake.daily = max(5, n // 200)
        kill = _killer(rate, seed) if fault == "kill" else None
        if fault is None:
            Pipeline(config).run()
            runs, wedged = 1, bool(ledger_state(config)["failed"])
        else:

            def calm() -> None:
                injector.rate = 0.0
                fake.daily = 10**9  # the next day

            runs, wedged = run_until_clean(config, reruns, calm, kill)
    held = Counter(
        (kind, p.get("crmbridge_key")) for kind, s in fake.objects.items() for p in s.values()
    )
    return {
        "held": held,
        "seeded": {("notes", key) for key in seeded},
        "wedged_sources": int(wedged),
        "runs": runs,
        "calls": counted["calls"],
        "responses_429": fake.responses_429,
        "by_endpoint": {k: v for k, v in counted.most_common() if k != "calls"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--crm", choices=["salesforce", "hubspot"], nargs="+", default=["salesforce", "hubspot"]
    )
    parser.add_argument("--interactions", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--reruns", type=int, default=8)
    parser.add_argument("--faults", nargs="+", choices=FAULTS, default=list(FAULTS))
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    os.environ.setdefault("CRMBRIDGE_RETRY_MAX_WAIT", "0.01")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("crmbridge").setLevel(logging.CRITICAL)
    n = args.interactions
    out = []
    for crm in args.crm:
        case = salesforce_case if crm == "salesforce" else hubspot_case
        clean = case(n, None, args.rate, args.reruns, args.seed)
        outcome({**clean}, clean)
        per_clean = round(1000 * clean["calls"] / n, 2)
        print(
            f"{crm} clean: {clean['calls']} calls ({per_clean} per 1,000), "
            f"{clean['responses_429']} answers 429"
        )
        print(f"    calls by endpoint: {clean['by_endpoint']}")
        by_fault: dict[str, Any] = {}
        for fault in args.faults:
            got = case(n, fault, args.rate, args.reruns, args.seed)
            outcome(got, clean)
            got["calls_per_1000"] = round(1000 * got["calls"] / n, 2)
            by_fault[fault] = got
            print(
                f"{crm} {fault:<12} lost {got['lost']:>5} duplicated {got['duplicated']:>5} "
                f"wedged {got['wedged_sources']} runs {got['runs']:>2} "
                f"calls/1000 {got['calls_per_1000']:>8} ({got['calls_per_1000'] / per_clean:.2f}x)"
            )
            print(f"    calls by endpoint: {got['by_endpoint']}")
        out.append(
            {
                "crm": crm,
                "interactions": n,
                "lost": sum(f["lost"] for f in by_fault.values()),
                "duplicated": sum(f["duplicated"] for f in by_fault.values()),
                "wedged_sources": sum(f["wedged_sources"] for f in by_fault.values()),
                "calls_per_1000_clean": per_clean,
                "calls_per_1000_faults": max(
                    (f["calls_per_1000"] for f in by_fault.values()), default=0.0
                ),
                "responses_429": clean["responses_429"],
            }
        )
    for figures in out:  # the last lines: one JSON object per CRM
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
