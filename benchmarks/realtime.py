"""Webhook event to CRM activity: the delay of `crmbridge serve`'s spool drainer.

Usage: python benchmarks/realtime.py [--events 1000] [--seconds 60] [--quick]

Starts `crmbridge serve` (a subprocess, real HTTP on 127.0.0.1) over a local SQLite CRM,
sends N signed events (X tweets and Meta comments, signed as the platforms sign them,
about 5% of deliveries sent twice as the platforms redeliver) evenly over the given time,
and watches the CRM file for each activity. The delay of an event runs from the moment
serve accepted it (its 200) to the moment its activity is in the CRM. After the run a
`crmbridge sync` (as cron would run it) must create nothing.

Prints p50/p95/max delay, lost (accepted, never written) and duplicated (activities beyond
one per message, plus anything the later sync created); the last line is one JSON object:
{"events", "seconds", "p50_s", "p95_s", "max_s", "lost", "duplicated"}.
Target: p95 <= 5 s, 0 lost, 0 duplicated.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from crmbridge.models import parse_interaction
from crmbridge.webhook_events import meta_events, x_events
from crmbridge.webhooks import meta_signature, x_signature

ROOT = Path(__file__).resolve().parents[1]
X_SECRET, META_SECRET, VERIFY = "bench-x-secret", "bench-meta-secret", "bench-verify"
CONFIG = """\
state: sqlite:///state/state.db
crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}
sources:
  - {name: brand-x-webhooks, connector: jsonl, path: state/spool/brand-x.jsonl}
  - {name: brand-fb-webhooks, connector: jsonl, path: state/spool/brand-fb.jsonl}
webhooks:
  x: {source: brand-x, consumer_secret: "${X_CONSUMER_SECRET}"}
  meta: {source: brand-fb, app_secret: "${META_APP_SECRET}", verify_token: "${META_VERIFY_TOKEN}"}
identity: {default_region: GB}
mapping: local
service: {drain_interval: 0.5s, grace_period: 30s}
"""
HANDLES = ["danokonkwo", "jdoe", "someone_new", "brandfan", "angry_customer"]


def x_payload(n: int) -> dict[str, Any]:
    tweet_id = str(1_900_000_000_000_000_000 + n)
    user = HANDLES[n % len(HANDLES)]
    return {
        "for_user_id": "2244994945",
        "tweet_create_events": [
            {
                "created_at": time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime()),
                "id": int(tweet_id),
                "id_str": tweet_id,
                "text": f"@BrandSupport event {n}: my order has not arrived",
                "in_reply_to_user_id_str": "2244994945",
                "user": {"id_str": str(9000 + n % 50), "screen_name": user, "name": user},
                "entities": {"user_mentions": [{"screen_name": "BrandSupport"}]},
            }
        ],
    }


def meta_payload(n: int) -> dict[str, Any]:
    now = int(time.time())
    return {
        "object": "page",
        "entry": [
            {
                "id": "104000000000001",
                "time": now,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "from": {"id": str(7_001_000_000 + n % 40), "name": "Fan Person"},
                            "message": f"comment {n}: where is my refund?",
                            "post_id": "104000000000001_500000000000001",
                            "comment_id": f"500000000000001_{100000 + n}",
                            "created_time": now,
                            "item": "comment",
                            "parent_id": "104000000000001_500000000000001",
                            "verb": "add",
                        },
                    }
                ],
            }
        ],
    }


def delivery(n: int) -> tuple[str, bytes, dict[str, str], str]:
    """(path, body, headers, activity key) of event n, signed as its platform signs."""
    if n % 2:
        payload, path = meta_payload(n), "/webhooks/meta"
        body = json.dumps(payload).encode()
        headers = {"X-Hub-Signature-256": meta_signature(META_SECRET, body)}
        [event] = list(meta_events(payload))
    else:
        payload, path = x_payload(n), "/webhooks/x"
        body = json.dumps(payload).encode()
        headers = {"x-twitter-webhooks-signature": x_signature(X_SECRET, body)}
        [event] = list(x_events(payload))
    headers["Content-Type"] = "application/json"
    return path, body, headers, parse_interaction(event.record, "bench").activity_key


class Watcher(threading.Thread):
    """Polls the CRM file and notes when each activity key first appears."""

    def __init__(self, crm: Path) -> None:
        super().__init__(daemon=True)
        self.crm = crm
        self.seen: dict[str, float] = {}
        self.rows = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.poll()
            time.sleep(0.05)

    def poll(self) -> None:
        if not self.crm.exists():
            return
        try:
            with sqlite3.connect(f"file:{self.crm}?mode=ro", uri=True, timeout=5) as db:
                keys = [row[0] for row in db.execute("SELECT key FROM activities")]
        except sqlite3.OperationalError:
            return
        now = time.monotonic()
        self.rows = len(keys)
        for key in keys:
            self.seen.setdefault(key, now)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"crmbridge serve exited {process.returncode}")
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise SystemExit("crmbridge serve did not start")


def send_all(url: str, events: int, seconds: float) -> dict[str, float]:
    """Send the events evenly over ``seconds``; the acceptance time of each activity key."""
    accepted: dict[str, float] = {}
    lock = threading.Lock()
    session = requests.Session()

    def send(n: int) -> None:
        path, body, headers, key = delivery(n)
        for attempt in range(2 if n % 20 == 7 else 1):  # ~5% delivered twice
            answer = session.post(url + path, data=body, headers=headers, timeout=30)
            answer.raise_for_status()
            if attempt == 0:
                with lock:
                    accepted[key] = time.monotonic()

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for n in range(events):
            delay = start + n * seconds / events - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, n)
    return accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true", help="200 events over 12 s")
    args = parser.parse_args()
    events, seconds = (200, 12.0) if args.quick else (args.events, args.seconds)

    folder = Path(tempfile.mkdtemp(prefix="crmbridge-realtime-"))
    shutil.copy(ROOT / "examples" / "quickstart" / "contacts.csv", folder / "contacts.csv")
    (folder / "crmbridge.yaml").write_text(CONFIG)
    env = dict(os.environ, X_CONSUMER_SECRET=X_SECRET, META_APP_SECRET=META_SECRET)
    env["META_VERIFY_TOKEN"] = VERIFY
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (folder / "serve.log").open("wb")
    command = [sys.executable, "-m", "crmbridge", "serve", "--config", "crmbridge.yaml"]
    serve = subprocess.Popen(
        [*command, "--port", str(port)], cwd=folder, env=env, stdout=log, stderr=log
    )
    watcher = Watcher(folder / "crm.db")
    try:
        wait_healthy(url, serve)
        watcher.start()
        accepted = send_all(url, events, seconds)
        deadline = time.monotonic() + 60
        while not set(accepted) <= set(watcher.seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        watcher.done.set()
        watcher.join()
        watcher.poll()
        serve.terminate()
        exit_code = serve.wait(60)
    finally:
        if serve.poll() is None:
            serve.kill()
    sync = subprocess.run(
        [sys.executable, "-m", "crmbridge", "sync", "--config", "crmbridge.yaml", "--json"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    later = json.loads(sync.stdout.strip().splitlines()[-1])
    delays = sorted(watcher.seen[k] - t for k, t in accepted.items() if k in watcher.seen)
    lost = len(set(accepted) - set(watcher.seen))
    duplicated = max(0, watcher.rows - len(set(accepted))) + later["created"]
    result = {
        "events": events,
        "seconds": seconds,
        "p50_s": round(statistics.median(delays), 3) if delays else None,
        "p95_s": round(delays[int(0.95 * (len(delays) - 1))], 3) if delays else None,
        "max_s": round(delays[-1], 3) if delays else None,
        "lost": lost,
        "duplicated": duplicated,
    }
    print(f"events accepted {len(accepted)} over {seconds:.0f}s; serve exited {exit_code}")
    p50, p95, top = result["p50_s"], result["p95_s"], result["max_s"]
    print(f"delay acceptance -> CRM write: p50 {p50}s, p95 {p95}s, max {top}s")
    print(f"lost {lost}; duplicated {duplicated}")
    print(f"a later `crmbridge sync`: fetched {later['fetched']}, created {later['created']}")
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
