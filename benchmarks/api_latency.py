"""Remote CRM writes against their documented limits when every call takes ``--latency`` s.

Usage: python benchmarks/api_calls.py --latency 0.2 [--n 100000] [--sync-n 5000]
       (or python benchmarks/api_latency.py …)

Against the strict fakes of ``crmbridge.testing`` (each call sleeps ``latency`` seconds,
then is answered; the HubSpot portal counts its rolling 10 s window and answers 429 past
it), for each CRM:

- write path: N activities, rendered by the CRM's default mapping, go through the
  adapter's ``write`` in the pipeline's batches, with the configured ``crm.concurrency``
  and, as the baseline in the same run, with concurrency 1 (one call after another);
- sync: a smaller file synced end to end by ``crmbridge.pipeline`` (identity, threading,
  classification, rendering, writes, ledger), which shows what the rest of the pipeline
  leaves of the CRM's allowance.

The limit is what the CRM's documented allowance permits at that latency: HubSpot
Professional 190 requests per 10 s with batches of 100 (1,900 records/s, whatever the
latency once enough calls are in flight); Salesforce has no request-rate limit for short
calls, so it is 200 records a collection x the calls in flight the org permits
(``crm.concurrency``) / latency. The last line is one JSON object: {"latency_s", "results":
[{"crm", "records_per_second", "limit_records_per_second", "share_of_limit", ...}]}.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import responses
from pydantic import SecretStr
from werkzeug.serving import make_server

from crmbridge.config import load_config
from crmbridge.crm.base import CrmAdapter
from crmbridge.crm.hubspot import HubSpotConfig, HubSpotCrm
from crmbridge.crm.salesforce import SalesforceConfig, SalesforceCrm
from crmbridge.models import ActivityWrite, Contact, Interaction, Link
from crmbridge.pipeline import Pipeline
from crmbridge.rules.mapping import load_preset
from crmbridge.testing.hubspot_fake import FakeHubSpot
from crmbridge.testing.salesforce_org import INSTANCE, FakeOrg
from crmbridge.testing.workloads import make_contacts, make_interactions, write_config

TOKEN = "pat-latency-benchmark"
HUBSPOT_WINDOW = (190, 10.0)  # Professional and Enterprise: 190 requests per 10 s
HUBSPOT_BATCH = 100
SALESFORCE_COLLECTION = 200
CONTACTS = 2000


def writes(
    n: int, contacts: list[dict[str, str]], ids: dict[str, str], preset: str
) -> Iterator[ActivityWrite]:
    """N activities as the preset renders them, each on its author's contact."""
    mapper = load_preset(preset)
    rng = random.Random(3)
    for record in make_interactions(n, contacts, rng):
        i = Interaction.model_validate(record)
        cid = ids[record["author"]["email"]]
        link = Link(persona_key=i.persona_key, contact_id=cid, band="auto", rule="email")
        yield mapper.render(i, Contact(id=cid), link, i.activity_key)


def write_path(adapter: CrmAdapter, source: Iterator[ActivityWrite], n: int) -> tuple[float, int]:
    """Seconds spent in ``adapter.write`` for N records in its batches; records written."""
    spent, written, batch = 0.0, 0, []
    with adapter:
        for w in source:
            batch.append(w)
            if len(batch) == adapter.max_batch or written + len(batch) == n:
                start = time.perf_counter()
                results = adapter.write(batch)
                spent += time.perf_counter() - start
                written += sum(r.ok for r in results)
                batch = []
    return spent, written


@contextmanager
def portal(latency: float, contacts: list[dict[str, str]]) -> Iterator[tuple[FakeHubSpot, str]]:
    """A fake HubSpot Professional portal on a threaded local server."""
    fake = FakeHubSpot(
        TOKEN, window_max=HUBSPOT_WINDOW[0], window_s=HUBSPOT_WINDOW[1], latency_s=latency
    )
    for c in contacts:
        fake.add_contact(email=c["email"])
    server = make_server("127.0.0.1", 0, fake.wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def hubspot(latency: float, n: int, sync_n: int, concurrency: int) -> dict[str, Any]:
    contacts = make_contacts(CONTACTS, random.Random(1))
    limit = HUBSPOT_WINDOW[0] / HUBSPOT_WINDOW[1] * HUBSPOT_BATCH
    out: dict[str, Any] = {"crm": "hubspot", "plan": "professional", "concurrency": concurrency}
    for level, size in ((concurrency, n), (1, max(1, n // 10))):
        with portal(latency, contacts) as (fake, host):
            ids = {c["email"]: cid for cid, c in fake.contacts.items()}
            config = HubSpotConfig(
                access_token=SecretStr(TOKEN), host=host, concurrency=level, daily_reserve=0
            )
            spent, done = write_path(
                HubSpotCrm(config), writes(size, contacts, ids, "hubspot_communication"), size
            )
            assert done == size, f"wrote {done} of {size}"
            held = [p["crmbridge_key"] for s in fake.objects.values() for p in s.values()]
            assert len(held) == len(set(held)) == size, "duplicates or losses"
            assert fake.responses_429 == 0, "the limiter let a call overrun the window"
            key = "records_per_second" if level == concurrency else "sequential_records_per_second"
            out[key] = size / spent
            out.setdefault("max_in_flight", fake.max_in_flight)
    with portal(latency, contacts) as (fake, host), tempfile.TemporaryDirectory() as tmp:
        out["sync_records_per_second"] = sync(
            Path(tmp), sync_n, contacts, "hubspot", host, concurrency
        )
    out["limit_records_per_second"] = limit
    return out


def salesforce(latency: float, n: int, sync_n: int, concurrency: int) -> dict[str, Any]:
    contacts = make_contacts(CONTACTS, random.Random(1))
    ids = {c["email"]: c["id"] for c in contacts}
    out: dict[str, Any] = {"crm": "salesforce", "concurrency": concurrency}
    for level, size in ((concurrency, n), (1, max(1, n // 10))):
        org = FakeOrg(contacts, latency_s=latency)
        config = SalesforceConfig(
            session_id=SecretStr("00D000000000001!LATENCY"),
            instance_url=INSTANCE,
            concurrency=level,
        )
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            org.install(mock)
            spent, done = write_path(
                SalesforceCrm(config), writes(size, contacts, ids, "salesforce_task"), size
            )
        assert done == size and len(org.of("Task")) == len(org.tasks) == size, "dupes/losses"
        key = "records_per_second" if level == concurrency else "sequential_records_per_second"
        out[key] = size / spent
        out.setdefault("max_in_flight", org.max_in_flight)
    org = FakeOrg(contacts, latency_s=latency)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        org.install(mock)
        with tempfile.TemporaryDirectory() as tmp:
            out["sync_records_per_second"] = sync(
                Path(tmp), sync_n, contacts, "salesforce", None, concurrency
            )
    out["limit_records_per_second"] = SALESFORCE_COLLECTION * concurrency / latency
    return out


def sync(
    folder: Path,
    n: int,
    contacts: list[dict[str, str]],
    crm: str,
    host: str | None,
    concurrency: int,
) -> float:
    """Records per second of a whole sync (pipeline included) of N new interactions."""
    records = make_interactions(n, contacts, random.Random(9))
    with (folder / "interactions.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    path = write_config(folder, 200)
    data = json.loads(path.read_text())
    if crm == "hubspot":
        os.environ["BENCH_HUBSPOT_TOKEN"] = TOKEN
        data["crm"] = {
            "kind": "hubspot",
            "access_token": "${BENCH_HUBSPOT_TOKEN}",
            "host": host,
            "daily_reserve": 0,
        }
        data["mapping"] = "hubspot_communication"
    data["crm"]["concurrency"] = concurrency
    path.write_text(json.dumps(data))
    start = time.perf_counter()
    summary = Pipeline(load_config(path)).run("exports")
    assert summary.written == n, f"sync wrote {summary.written} of {n}"
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--n", type=int, default=100_000, help="records through the write path")
    parser.add_argument("--sync-n", type=int, default=5_000, help="interactions synced")
    parser.add_argument("--salesforce-concurrency", type=int, default=4)
    parser.add_argument("--hubspot-concurrency", type=int, default=5)
    parser.add_argument("--crm", choices=["salesforce", "hubspot"], nargs="+")
    args = parser.parse_args()
    os.environ.setdefault("BENCH_SF_SESSION_ID", "00D000000000001!LATENCY")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    runs: dict[str, Callable[[], dict[str, Any]]] = {
        "hubspot": lambda: hubspot(args.latency, args.n, args.sync_n, args.hubspot_concurrency),
        "salesforce": lambda: salesforce(
            args.latency, args.n, args.sync_n, args.salesforce_concurrency
        ),
    }
    results = []
    for name in args.crm or list(runs):
        r = runs[name]()
        limit = r["limit_records_per_second"]
        r["share_of_limit"] = round(r["records_per_second"] / limit, 3)
        r["sync_share_of_limit"] = round(r["sync_records_per_second"] / limit, 3)
        r["concurrent_vs_sequential"] = round(
            r["records_per_second"] / r["sequential_records_per_second"], 2
        )
        for k in ("records_per_second", "sequential_records_per_second"):
            r[k] = round(r[k])
        r["sync_records_per_second"] = round(r["sync_records_per_second"])
        r["limit_records_per_second"] = round(limit)
        print(
            f"{name:<10} concurrency {r['concurrency']}: write path {r['records_per_second']:,}"
            f" records/s ({r['share_of_limit']:.0%} of the limit {round(limit):,}/s; one call at"
            f" a time {r['sequential_records_per_second']:,}/s, x{r['concurrent_vs_sequential']})"
            f"; whole sync {r['sync_records_per_second']:,}/s ({r['sync_share_of_limit']:.0%})"
        )
        results.append(r)
    print(json.dumps({"latency_s": args.latency, "results": results}))


if __name__ == "__main__":
    main()
