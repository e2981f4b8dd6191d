"""HubSpot API calls per 1,000 interactions: crmbridge's batched sync against one-per-call.

Syncs N new interactions from known contacts through ``crmbridge.pipeline.Pipeline`` and
the real hubspot-api-client against a local fake HubSpot (crmbridge/testing/hubspot_fake.py on
127.0.0.1), then a rerun with nothing new, then the naive baseline (create one record, then
associate it, per interaction) through the same client and server.

    python benchmarks/api_calls_hubspot.py [--interactions 1000 10000] [--per-contact 5]
                                           [--workload new|mixed]

``--workload mixed`` syncs a feed as a brand sees it (``workloads.mixed_interactions``:
unknown authors, replies, edits, deletions, and a case rule opening tickets); the baseline
stays the naive client on new messages.

The last line is one JSON object (for the largest N).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from crmbridge.config import load_config
from crmbridge.pipeline import Pipeline
from crmbridge.testing.hubspot_fake import FakeHubSpot
from crmbridge.testing.workloads import CASE_RULES, make_contacts, mixed_interactions

TOKEN = "pat-benchmark-token"
PLATFORMS = ("x", "instagram", "facebook", "whatsapp", "youtube", "linkedin", "reddit")


@contextmanager
def serve(fake: FakeHubSpot) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, fake.wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def interactions(n: int, contacts: int) -> Iterator[dict[str, object]]:
    for k in range(n):
        person = k % contacts
        yield {
            "schema": "crmbridge.interaction/1",
            "platform": PLATFORMS[person % len(PLATFORMS)],  # one persona per contact
            "kind": "dm",
            "message_id": f"m{k}",
            "author": {"id": f"a{person}", "email": f"c{person}@example.com"},
            "text": f"message {k}",
            "created_at": "2024-01-15T10:30:00Z",
        }


def crmbridge_run(n: int, per_contact: int, workdir: Path, mixed: bool) -> dict[str, float]:
    contacts = max(1, n // per_contact)
    fake = FakeHubSpot(TOKEN)
    if mixed:  # a brand's feed: unknown authors, replies, edits, deletions, cases
        people = make_contacts(contacts, random.Random(7))
        for c in people:
            fake.add_contact(
                email=c["email"],
                firstname=c["first_name"],
                lastname=c["last_name"],
                twitterhandle=c["x_handle"],
            )
        records: Iterable[dict[str, object]] = mixed_interactions(n, people, random.Random(7))
    else:
        for person in range(contacts):
            fake.add_contact(email=f"c{person}@example.com")
        records = interactions(n, contacts)
    rows = "\n".join(json.dumps(i) for i in records)
    (workdir / "in.jsonl").write_text(rows + "\n")
    with serve(fake) as host:
        (workdir / "crmbridge.yaml").write_text(
            f"state: sqlite:///{workdir / 'state.db'}\n"
            f"crm: {{kind: hubspot, access_token: '${{HUBSPOT_TOKEN}}', host: '{host}'}}\n"
            "sources: [{name: bench, connector: jsonl, path: in.jsonl}]\n"
            + (f"rules: {json.dumps(CASE_RULES)}\n" if mixed else "")
        )
        config = load_config(workdir / "crmbridge.yaml")
        first = Pipeline(config).run()
        writes = fake.writes
        again = Pipeline(config).run()
        print(f"  calls by endpoint: {dict(fake.calls)}")
    held = [p.get("crmbridge_key") for kind in fake.objects.values() for p in kind.values()]
    assert len(held) == len(set(held)), "a key written twice"
    assert mixed or first.created == n, first
    return {
        "calls": first.api_calls,
        "rerun_calls": again.api_calls,
        "rerun_write_calls": fake.writes - writes,
        "contacts": contacts,
    }


def baseline_run(n: int, per_contact: int) -> int:
    """Create each record alone, then associate it to its contact: the naive client."""
    from hubspot import HubSpot
    from urllib3.util.retry import Retry

    contacts = max(1, n // per_contact)
    # The naive client paces nothing; only its calls are counted, so the fake's window is
    # opened wide (a real portal would answer it 429 within seconds).
    fake = FakeHubSpot(TOKEN, window_max=10**9)
    ids = [fake.add_contact(email=f"c{p}@example.com") for p in range(contacts)]
    with serve(fake) as host:
        client = HubSpot(access_token=TOKEN, host=host, retry=Retry(total=0))
        objects, associations = client.crm.objects.basic_api, client.crm.associations.v4.basic_api
        for k, i in enumerate(interactions(n, contacts)):
            kind = "communications" if i["platform"] in ("whatsapp", "linkedin") else "notes"
            # the baseline reads nothing: contacts are given; it only creates and associates
            body = {"properties": {"hs_timestamp": i["created_at"], "crmbridge_key": f"x:{k}"}}
            made = objects.create_with_http_info(
                kind, body, _preload_content=False, _request_timeout=(10, 60)
            )
            oid = json.loads(made.data)["id"]
            associations.create_default_with_http_info(
                kind,
                oid,
                "contacts",
                ids[k % contacts],
                _preload_content=False,
                _request_timeout=(10, 60),
            )
    return sum(fake.calls.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--per-contact", type=int, default=5)
    parser.add_argument("--workload", choices=["new", "mixed"], default="new")
    args = parser.parse_args()
    os.environ["HUBSPOT_TOKEN"] = TOKEN  # a fake token for the fake server
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    figures: dict[str, object] = {}
    for n in args.interactions:
        with tempfile.TemporaryDirectory() as tmp:
            run = crmbridge_run(n, args.per_contact, Path(tmp), args.workload == "mixed")
        baseline = baseline_run(n, args.per_contact)
        figures = {
            "crm": "hubspot",
            "workload": args.workload,
            "interactions": n,
            "calls_per_1000": round(run["calls"] * 1000 / n, 1),
            "baseline_calls_per_1000": round(baseline * 1000 / n, 1),
            "rerun_write_calls": run["rerun_write_calls"],
        }
        print(
            f"{n} interactions from {run['contacts']} known contacts: crmbridge "
            f"{run['calls']} calls ({figures['calls_per_1000']} per 1,000), baseline "
            f"{baseline} calls ({figures['baseline_calls_per_1000']} per 1,000); rerun "
            f"{run['rerun_calls']} calls, {run['rerun_write_calls']} writes"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
