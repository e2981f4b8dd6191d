"""Connector and webhook throughput on a faked wire (responses / werkzeug test client).

Measures our own overhead per record (parsing, validation, watermarking), not the network:
X mentions paged 100 at a time (t.co links expanded, one in ten a long post read from
``note_tweet``), and signed X webhook deliveries through the WSGI app. Each beside a
baseline measured in the same run, so the ratio holds on a loaded machine: the connector
beside decoding the same pages' JSON (what any client must do), the webhook beside
appending the same records to the spool with an fsync each (the floor of a durable intake).
"""

import json
import sys
import tempfile
import time
from pathlib import Path

import responses
from crmbridge.connectors.x import XConnector
from werkzeug.test import Client

from crmbridge.testing import paged
from crmbridge.webhooks import SeenEvents, SpoolIntake, WebhookApp, XWebhook, x_signature

PAGES, PER_PAGE, DELIVERIES = 50, 100, 2000
API, BRAND = "https://x.bench", "2244994945"
FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "webhooks"


LONG = "My blender's lid cracked after two weeks and support has not answered. " * 5


def link(i: int) -> dict:
    """A t.co link entity with its expanded URL."""
    return {"url": f"https://t.co/{i % 1000}", "expanded_url": f"https://photos.example/{i}"}


def mention_pages() -> dict:
    pages: dict = {}
    base = 1750000000000000000
    for p in range(PAGES):
        posts = []
        for n in range(PER_PAGE):
            i = base + (PAGES - p) * PER_PAGE - n
            post = {
                "id": str(i),
                "text": f"@BrandSupport help {i} https://t.co/{i % 1000}",
                "author_id": str(n % 300),
                "conversation_id": str(i),
                "created_at": "2024-01-15T10:30:00.000Z",
                "edit_history_tweet_ids": [str(i)],
                "entities": {"urls": [link(i)]},
            }
            if n % 10 == 0:  # one in ten is a long post, read whole from note_tweet
                post["note_tweet"] = {"text": LONG + post["text"], "entities": {"urls": [link(i)]}}
            posts.append(post)
        users = [{"id": str(u), "name": f"User {u}", "username": f"user{u}"} for u in range(300)]
        body = {"data": posts, "includes": {"users": users}, "meta": {"result_count": PER_PAGE}}
        if p + 1 < PAGES:
            body["meta"]["next_token"] = f"t{p + 1}"
        pages[None if p == 0 else f"t{p}"] = body
    return pages


def bench_decode() -> float:
    """Baseline: records per second of only decoding the same pages' JSON."""
    bodies = [json.dumps(page) for page in mention_pages().values()]
    started = time.perf_counter()
    count = sum(len(json.loads(body)["data"]) for body in bodies)
    return count / (time.perf_counter() - started)


def bench_x() -> float:
    config = XConnector.Config.model_validate(
        {"api_base": API, "bearer_token": "t", "user_id": BRAND}
    )
    with responses.RequestsMock() as wire:
        wire.add_callback(
            responses.GET,
            f"{API}/2/users/{BRAND}/mentions",
            callback=paged(mention_pages(), "pagination_token"),
        )
        started = time.perf_counter()
        count = sum(1 for item in XConnector(config, "bench").fetch(None) if item.interaction)
        elapsed = time.perf_counter() - started
    assert count == PAGES * PER_PAGE, count
    return count / elapsed


def deliveries() -> list[bytes]:
    template = json.loads((FIXTURE / "x_activity.json").read_text())
    bodies = []
    for n in range(DELIVERIES):
        template["tweet_create_events"][0]["id_str"] = str(1750000000000100000 + n)
        bodies.append(json.dumps(template).encode())
    return bodies


def bench_spool(spool: Path) -> float:
    """Baseline: appends per second of one record each to the spool, fsynced."""
    intake = SpoolIntake(spool)
    records = [json.loads(body) for body in deliveries()]
    started = time.perf_counter()
    for record in records:
        intake("baseline", [record])
    return DELIVERIES / (time.perf_counter() - started)


def bench_webhooks(spool: Path) -> float:
    app = WebhookApp(
        x=XWebhook(source="bench", consumer_secret="s"),
        meta=None,
        intake=SpoolIntake(spool),
        seen=SeenEvents(spool / "seen.sqlite3"),
    )
    client = Client(app)
    bodies = deliveries()
    started = time.perf_counter()
    for body in bodies:
        headers = {"x-twitter-webhooks-signature": x_signature("s", body)}
        response = client.post("/webhooks/x", data=body, headers=headers)
        assert response.status_code == 200
    return DELIVERIES / (time.perf_counter() - started)


def main() -> None:
    decode_rate, x_rate = bench_decode(), bench_x()
    with tempfile.TemporaryDirectory() as tmp:
        spool_rate = bench_spool(Path(tmp) / "baseline")
        hook_rate = bench_webhooks(Path(tmp) / "app")
    print(f"x connector: {x_rate:,.0f} mentions/s over {PAGES} pages of {PER_PAGE} (fake wire)")
    print(f"  baseline, JSON decoding alone: {decode_rate:,.0f}/s ({decode_rate / x_rate:.1f}x)")
    print(f"x webhook:   {hook_rate:,.0f} signed deliveries/s (each fsynced to the spool)")
    print(f"  baseline, fsynced appends alone: {spool_rate:,.0f}/s ({spool_rate / hook_rate:.2f}x)")
    print(
        json.dumps(
            {
                "x_mentions_per_s": round(x_rate),
                "x_decode_baseline_per_s": round(decode_rate),
                "x_connector_cost_x_decode": round(decode_rate / x_rate, 1),
                "x_webhook_deliveries_per_s": round(hook_rate),
                "x_spool_baseline_per_s": round(spool_rate),
                "x_webhook_cost_x_spool": round(spool_rate / hook_rate, 2),
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
