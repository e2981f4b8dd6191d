"""Replies exactly once under faults and SIGKILLs, across the five platforms.

The fake platforms (crmbridge.testing.platforms_fake) run as an HTTP server on 127.0.0.1
in this parent process, so what was posted survives the senders we kill. The outbox (a
SQLite state store) is filled with N replies spread over X, Facebook, Instagram, YouTube
and Reddit, public and private; every request the server answers is faulty with the given
rate (5xx, a timeout before posting, an answer lost after posting, a 429 with the
platform's reset header). Then ``--kills`` trials each start ``crmbridge``'s send loop in a
subprocess and SIGKILL it at a random moment; then sends run to completion. At the end
every reply is counted on the fake platforms by its marker.

Usage: python benchmarks/replies.py [--replies 1000] [--kills 20] [--fault-rate 0.2]
Last line: {"sent", "duplicates", "lost", "held_unknown", ...}
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CLIENT_TIMEOUT = 0.5
# (platform, kind, private, moved to private): the mix of replies, by weight.
MIX = [
    ("x", "mention", False, False, 14),
    ("x", "dm", True, False, 8),
    ("x", "mention", False, True, 2),
    ("facebook", "comment", False, False, 12),
    ("facebook", "dm", True, False, 8),
    ("facebook", "comment", False, True, 1),
    ("instagram", "comment", False, False, 12),
    ("instagram", "dm", True, False, 8),
    ("youtube", "comment", False, False, 15),
    ("reddit", "comment", False, False, 12),
    ("reddit", "dm", True, False, 6),
    ("reddit", "comment", False, True, 2),
]


def child(config_path: str) -> None:
    """The sender: send runs until nothing is due (killed from outside at random)."""
    from crmbridge.config import load_config
    from crmbridge.errors import CrmbridgeError
    from crmbridge.outbound.dispatch import Dispatcher
    from crmbridge.outbound.outbox import Outbox
    from crmbridge.state.store import StateStore

    config = load_config(config_path)
    store = StateStore(config.state_url)
    print("ready", flush=True)
    for _ in range(40):
        try:
            Dispatcher(config, store).run()
        except CrmbridgeError as exc:
            print(f"run stopped: {exc.kind}", flush=True)
        if not Outbox(store).due(1):
            break
    print("done", flush=True)


@contextmanager
def serve(fake: Any) -> Iterator[int]:
    """The fake platforms on 127.0.0.1, in this process, on a free port."""
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    from crmbridge.testing.platforms_fake import Answer, Timeout

    def app(environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        platform, _, rest = request.path.lstrip("/").partition("/")
        url = f"http://fake/{rest}" + (
            f"?{request.query_string.decode()}" if request.query_string else ""
        )
        try:
            answer = fake.handle(request.method, platform, url, request.headers, request.get_data())
        except Timeout:
            time.sleep(CLIENT_TIMEOUT + 0.3)  # the caller gave up by now
            answer = Answer(504, {"error": {"message": "gateway timeout"}})
        response = Response(
            json.dumps(answer.body),
            status=answer.status,
            headers=answer.headers,
            content_type="application/json",
        )
        return response(environ, start_response)

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()


def write_config(folder: Path, port: int) -> Path:
    """A config whose replies go to the fake server."""
    from crmbridge.testing.platforms_fake import (
        BRAND_X,
        CHANNEL,
        IG_NAME,
        IG_USER,
        PAGE,
        REDDIT_USER,
    )

    base = f"http://127.0.0.1:{port}"
    (folder / "spool").mkdir()
    (folder / "interactions.jsonl").write_text("")
    (folder / "contacts.csv").write_text("id,first_name,last_name,email,phone,city,country\n")
    path = folder / "crmbridge.yaml"
    path.write_text(f"""
state: sqlite:///state.db
crm: {{kind: local, path: crm.db, contacts_csv: contacts.csv}}
sources:
  - {{name: exports, connector: jsonl, path: interactions.jsonl}}
  - {{name: replies, connector: jsonl, path: spool, pattern: replies.jsonl}}
replies:
  timeout_s: {CLIENT_TIMEOUT}
  sending_lease_s: 1.0  # one sender at a time here: a row left sending is a killed one
  approval: {{intents: [], vip: false}}
  x: {{user_id: "{BRAND_X}", access_token: "${{REPLY_TOKEN}}", api_base: "{base}/x"}}
  facebook: {{page_id: "{PAGE}", access_token: "${{REPLY_TOKEN}}", api_base: "{base}/graph/v21.0"}}
  instagram: {{page_id: "{PAGE}", ig_user_id: "{IG_USER}", ig_username: {IG_NAME},
              access_token: "${{REPLY_TOKEN}}", api_base: "{base}/graph/v21.0"}}
  youtube: {{channel_id: {CHANNEL}, access_token: "${{REPLY_TOKEN}}", api_base: "{base}/youtube"}}
  reddit: {{username: {REDDIT_USER}, access_token: "${{REPLY_TOKEN}}", api_base: "{base}/reddit"}}
""")
    return path


def target(fake: Any, n: int, platform: str, kind: str, private: bool) -> Any:
    """A customer's message, seeded on the fake, as an interaction."""
    from crmbridge.models import Interaction

    when = datetime.now(UTC) - timedelta(hours=1)
    ids = {
        "x": f"{10_000 + n}",
        "facebook": f"p{n}_c{n}",
        "instagram": f"ig{n}",
        "youtube": f"Ugy{n}",
        "reddit": f"t4_m{n}" if private else f"t1_c{n}",
    }
    message_id = ids[platform] if not (private and platform != "reddit") else f"dm{n}"
    author = {"id": f"u{n}", "handle": f"user{n}"}
    conversation = f"conv{n}" if private else message_id
    fake.seed(
        platform,
        message_id,
        created_at=when,
        author=author["id"],
        conversation=conversation,
        **({"psid": author["id"]} if private and platform in ("facebook", "instagram") else {}),
    )
    return Interaction.model_validate(
        {
            "schema": "crmbridge.interaction/1",
            "platform": platform,
            "kind": kind,
            "message_id": message_id,
            "conversation_id": conversation,
            "is_private": private,
            "author": author,
            "text": "help please",
            "created_at": when,
        }
    )


def fill(config_path: Path, fake: Any, count: int, rng: random.Random) -> None:
    """Queue ``count`` replies, each text carrying its own marker."""
    from crmbridge.config import load_config
    from crmbridge.outbound.queue import Queue
    from crmbridge.state.store import StateStore

    config = load_config(config_path)
    queue = Queue(config, StateStore(config.state_url))
    weights = [m[-1] for m in MIX]
    for n in range(count):
        platform, kind, private, moved, _ = rng.choices(MIX, weights)[0]
        interaction = target(fake, n, platform, kind, private)
        queue.add(
            interaction,
            f"We are on it #r{n:05d}",
            "Jane Doe",
            reply_id=f"r{n:05d}",
            private=moved,
            reason="details are private" if moved else None,
        )


def trial(config_path: Path, rng: random.Random, kill: bool, env: dict[str, str]) -> str:
    """One sender process; SIGKILLed at a random moment of its work when ``kill``."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(config_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    process.stdout.readline()  # "ready": imports and config done
    if kill:
        time.sleep(rng.uniform(0.0, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        return "killed" if process.returncode == -signal.SIGKILL else "finished"
    process.wait(timeout=900)
    return "finished"


def verdict(config_path: Path, fake: Any, count: int) -> dict[str, Any]:
    """Count every reply on the fake platforms and in the outbox."""
    import re

    from crmbridge.config import load_config
    from crmbridge.outbound.outbox import Outbox
    from crmbridge.state.store import StateStore

    posts: Counter[str] = Counter()
    ids: dict[str, set[str]] = {}
    for post in fake.posted():
        marker = re.search(r"#(r\d{5})", post.text)
        if marker:
            posts[marker.group(1)] += 1
            ids.setdefault(marker.group(1), set()).add(post.id)
    config = load_config(config_path)
    replies = {r.id: r for r in Outbox(StateStore(config.state_url)).find(limit=count + 10)}
    held = {i for i, r in replies.items() if r.status == "unknown" and r.hold_reason}
    statuses = Counter(r.status for r in replies.values())
    wrong_id = sum(
        1
        for i, r in replies.items()
        if r.status == "sent"
        and r.platform_id not in ids.get(i, set())
        and not (r.platform_id or "").startswith("m_")  # private replies: ids differ in prefix
    )
    spooled = {
        json.loads(line)["message_id"]
        for line in (config_path.parent / "spool" / "replies.jsonl").read_text().splitlines()
        if line
    }
    looked_up = sum(1 for r in replies.values() if r.lookups)
    return {
        "replies": len(replies),
        "sent": statuses["sent"],
        "duplicates": sum(c - 1 for c in posts.values() if c > 1),
        "lost": sum(1 for i in replies if posts[i] == 0 and i not in held),
        "held_unknown": len(held),
        "held_and_posted": sum(1 for i in held if posts[i]),
        "failed": statuses["failed"],
        "wrong_platform_id": wrong_id,
        "not_on_timeline": sum(
            1 for r in replies.values() if r.status == "sent" and r.platform_id not in spooled
        ),
        "resolved_by_lookup": looked_up,
        "statuses": dict(statuses),
    }


def main() -> None:
    """Run the benchmark and print its figures, JSON last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from crmbridge.testing.platforms_fake import TOKEN, FakePlatforms

    rng = random.Random(args.seed)
    fake = FakePlatforms()
    faults = ("5xx", "timeout", "lost", "429")
    fake.chaos = lambda method: rng.choice(faults) if rng.random() < args.fault_rate else None
    env = {**os.environ, "REPLY_TOKEN": TOKEN, "CRMBRIDGE_RETRY_MAX_WAIT": "0.2"}
    os.environ.update(REPLY_TOKEN=TOKEN)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, serve(fake) as port:
        config_path = write_config(Path(tmp), port)
        fill(config_path, fake, args.replies, rng)
        outcomes = Counter(trial(config_path, rng, True, env) for _ in range(args.kills))
        reruns = 0
        from crmbridge.config import load_config
        from crmbridge.outbound.outbox import Outbox
        from crmbridge.state.store import StateStore

        store = StateStore(load_config(config_path).state_url)
        while Outbox(store).due(1) and reruns < 10:
            trial(config_path, rng, False, env)
            reruns += 1
        figures = verdict(config_path, fake, args.replies)
    figures.update(
        kills=outcomes["killed"],
        finished_before_kill=outcomes["finished"],
        reruns=reruns,
        fault_rate=args.fault_rate,
        requests=len(fake.requests),
        duration_s=round(time.monotonic() - started, 1),
    )
    for key, value in figures.items():
        print(f"{key:>22}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
