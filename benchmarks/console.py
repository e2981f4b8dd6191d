"""Console render times on the local store: a contact with 1,000 messages, a 10,000-item queue.

Usage: python benchmarks/console.py [--messages 1000] [--reviews 10000] [--runs 21]

Builds a SQLite state store with a mirrored CRM of 20,000 contacts, one contact whose
1,000 messages span x, facebook and instagram in 40 conversations, and 10,000 open review
items (1 to 4 messages waiting each, two or three candidates, old and new candidate
shapes). Then times whole console requests through the WSGI app, signed in (routing,
session check, queries, classification, Jinja2 rendering): the contact page as shipped
(newest 200 messages) and with all 1,000, the review queue's first page (25 items) and
its last page, and ``GET /api/review`` with 100 items (the CLI's page size). Prints a
table, then one JSON line with the medians in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from werkzeug.test import Client

from crmbridge.config import load_config
from crmbridge.console import Console
from crmbridge.models import Contact
from crmbridge.state.mirror import ContactMirror
from crmbridge.state.schema import conversations, ledger, links, review
from crmbridge.state.store import StateStore

T0 = datetime(2025, 1, 1, tzinfo=UTC)
FIRST = ["Jane", "John", "Maya", "Tom", "Aoife", "Luis", "Priya", "Chen", "Olga", "Sam"]
LAST = ["Doe", "Okafor", "Byrne", "Garcia", "Patel", "Wang", "Ivanova", "Lee", "Smith"]
CITIES = ["Leeds", "Denver", "Galway", "Madrid", "Pune", "Austin", "York"]
TEXTS = [
    "my order never arrived and tracking has not moved in days",
    "thanks, the new jacket is great!",
    "is the tent back in stock in green?",
    "I was charged twice for the same order, please refund",
    "the app is down again, cannot log in",
]
PASSWORD = "benchmark-password"


def payload(n: int, platform: str, author: dict, at: datetime, rng: random.Random) -> str:
    return json.dumps(
        {
            "schema": "crmbridge.interaction/1",
            "platform": platform,
            "kind": "mention",
            "message_id": f"m{n}",
            "author": author,
            "text": rng.choice(TEXTS) + f" #{n}",
            "created_at": at.isoformat(),
            "direction": "inbound",
            "is_private": platform == "facebook",
            "url": f"https://{platform}.example/p/{n}",
        }
    )


def ledger_row(n: int, persona: str, contact: str | None, conv: str, at: datetime, data: str):
    platform = persona.split(":")[0]
    return {
        "key": f"{platform}:m{n}",
        "source": "s",
        "platform": platform,
        "kind": "mention",
        "message_id": f"m{n}",
        "persona_key": persona,
        "contact_id": contact,
        "conversation_key": conv,
        "status": "written",
        "crm_object": "activity",
        "crm_id": str(n),
        "payload_hash": "h",
        "version_at": at,
        "attempts": 1,
        "payload": data,
        "created_at": at,
        "updated_at": at,
    }


def build(folder: Path, messages: int, reviews: int, rng: random.Random) -> Path:
    store = StateStore(f"sqlite:///{folder / 'state.db'}")
    contacts = [
        Contact(
            id=f"C{i:06d}",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            email=f"person{i}@example.com",
            phone=f"+44 7700 {i:06d}",
            city=rng.choice(CITIES),
            country="GB",
            handles={"x": f"person{i}"},
        )
        for i in range(20000)
    ]
    ContactMirror(store, "local").save(contacts, None)
    rows, n = [], 0
    big = "C000001"
    personas = {"x": "x:big", "facebook": "facebook:big", "instagram": "instagram:big"}
    for i in range(messages):
        conv = f"conv:x:big{i // 25}"
        platform = ("x", "facebook", "instagram")[i % 3]
        at = T0 + timedelta(hours=i)
        author = {"id": "big", "name": "Maya Okafor", "handle": "maya", "location": "Leeds"}
        rows.append(
            ledger_row(n, personas[platform], big, conv, at, payload(n, platform, author, at, rng))
        )
        n += 1
    queue, ledger_rows = [], []
    for r in range(reviews):
        persona = f"x:r{r}"
        author = {
            "id": f"r{r}",
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "handle": f"h{r}",
            "location": rng.choice(CITIES),
        }
        for _ in range(rng.randint(1, 4)):
            at = T0 + timedelta(minutes=n)
            ledger_rows.append(
                ledger_row(n, persona, None, f"x:m{n}", at, payload(n, "x", author, at, rng))
            )
            n += 1
        picks = rng.sample(range(20000), 3)
        if r % 2:  # the model's new shape, evidence recorded
            cands = [
                {
                    "contact_id": f"C{p:06d}",
                    "score": round(rng.random(), 3),
                    "evidence": [
                        {
                            "field": "name",
                            "author": author["name"],
                            "contact": "x",
                            "verdict": "partial",
                            "weight": 1.2,
                        }
                    ],
                }
                for p in picks
            ]
        else:  # today's shape: the view derives the evidence
            cands = [[f"C{p:06d}", round(rng.random(), 3)] for p in picks[:2]]
        queue.append(
            {
                "persona_key": persona,
                "candidates": json.dumps(cands),
                "reason": "score 0.6 (scored)",
                "score": 0.6,
                "status": "open",
                "created_at": T0,
            }
        )
    with store.engine.begin() as conn:
        conn.execute(ledger.insert(), rows + ledger_rows)
        conn.execute(review.insert(), queue)
        for persona in personas.values():
            conn.execute(
                links.insert().values(
                    persona_key=persona,
                    contact_id=big,
                    rule="email",
                    score=1.0,
                    evidence="{}",
                    approved_by="auto",
                    created_at=T0,
                )
            )
        conn.execute(
            conversations.insert(),
            [
                {
                    "key": f"conv:x:big{c}",
                    "person_key": f"contact:{big}",
                    "status": "closed",
                    "channels": json.dumps(["x", "facebook", "instagram"]),
                    "opened_at": T0 + timedelta(hours=25 * c),
                    "last_at": T0 + timedelta(hours=25 * c + 24),
                    "messages": 25,
                    "inbound": 25,
                    "outbound": 0,
                }
                for c in range(-(-messages // 25))
            ],
        )
    store.close()
    config = folder / "crmbridge.yaml"
    (folder / "contacts.csv").write_text("id,first_name,last_name,email,phone,city,country\n")
    (folder / "in.jsonl").write_text("")
    config.write_text(
        "state: sqlite:///state.db\ncrm: {kind: local, path: crm.db, contacts_csv: contacts.csv}\n"
        "sources:\n  - {name: s, connector: jsonl, path: in.jsonl}\n"
        f"console:\n  secret_key: '{'k' * 40}'\n  secure_cookies: false\n  users:\n"
        f"    - {{name: bench, role: admin, password_hash: '{PasswordHasher().hash(PASSWORD)}'}}\n"
    )
    return config


def timed(client: Client, path: str, runs: int) -> tuple[float, int, float]:
    start = time.perf_counter()
    client.get(path)  # the cold render: nothing classified yet in this process
    cold = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return statistics.median(times), len(answer.data), cold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--reviews", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    rng = random.Random(18)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        config = load_config(build(Path(tmp), args.messages, args.reviews, rng))
        built = time.perf_counter() - started
        console = Console(config)
        client = Client(console)
        form = client.get("/console/signin").text
        pre = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        client.post("/console/signin", data={"csrf": pre, "name": "bench", "password": PASSWORD})
        last = -(-args.reviews // 25)
        cases = {
            "contact_page_ms": "/console/contacts/C000001",
            "contact_page_all_ms": f"/console/contacts/C000001?limit={args.messages}",
            "review_page_ms": "/console/review",
            "review_last_page_ms": f"/console/review?page={last}",
            "api_review_100_ms": "/api/review?per_page=100",
        }
        figures = {}
        print(
            f"store built in {built:.1f} s: {args.messages} messages on one contact, "
            f"{args.reviews} review items"
        )
        for name, path in cases.items():
            median, size, cold = timed(client, path, args.runs)
            figures[name] = round(median, 1)
            figures[name.replace("_ms", "_cold_ms")] = round(cold, 1)
            print(
                f"{name:<22} {median:8.1f} ms median, {cold:7.1f} ms first  "
                f"({size // 1024} KiB)  {path}"
            )
        console.store.close()
    print(
        json.dumps(
            {
                "messages": args.messages,
                "reviews": args.reviews,
                "runs": args.runs,
                **figures,
                "target_ms": 200,
            }
        )
    )


if __name__ == "__main__":
    main()
