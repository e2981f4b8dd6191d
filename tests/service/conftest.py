"""Running crmbridge processes for the service tests: configs, ports, signed deliveries."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from crmbridge.webhooks import meta_signature, x_signature

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
WEBHOOKS = ROOT / "tests" / "fixtures" / "webhooks"
X_SECRET = "x-consumer-secret-for-tests"
META_SECRET = "meta-app-secret-for-tests"
VERIFY = "meta-verify-token-for-tests"
X_TOKEN = "x-bearer-token-for-tests"

SERVICE_YAML = """\
state: sqlite:///state/state.db
crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}
sources:
  - {name: brand-x-webhooks, connector: jsonl, path: state/spool/brand-x.jsonl}
  - {name: brand-fb-webhooks, connector: jsonl, path: state/spool/brand-fb.jsonl}
  - name: brand-x
    connector: x
    api_base: https://x.test
    bearer_token: ${X_BEARER_TOKEN}
    user_id: "2244994945"
    dms: true
webhooks:
  x: {source: brand-x, consumer_secret: "${X_CONSUMER_SECRET}"}
  meta:
    source: brand-fb
    app_secret: ${META_APP_SECRET}
    verify_token: ${META_VERIFY_TOKEN}
identity: {default_region: GB}
mapping: local
service: {drain_interval: 0.5s, grace_period: 20s}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        X_CONSUMER_SECRET=X_SECRET,
        META_APP_SECRET=META_SECRET,
        META_VERIFY_TOKEN=VERIFY,
        X_BEARER_TOKEN=X_TOKEN,
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def service_env_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in service_env().items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def service_dir(tmp_path: Path) -> Path:
    shutil.copy(QUICKSTART / "contacts.csv", tmp_path / "contacts.csv")
    (tmp_path / "crmbridge.yaml").write_text(SERVICE_YAML)
    return tmp_path


@dataclass
class Running:
    """A crmbridge process started by a test, with its port and log file."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, path: str = "/healthz", timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"crmbridge exited {self.process.returncode}:\n{self.output()}"
                )
            try:
                if requests.get(self.url + path, timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"crmbridge did not answer {path}:\n{self.output()}")

    def stop(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout)


def start(args: list[str], cwd: Path, port: int | None = None, name: str = "crmbridge") -> Running:
    port = port or free_port()
    log = cwd / f"{name}-{port}.log"
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "crmbridge", "-v", *args, "--port", str(port)],
        cwd=cwd,
        env=service_env(),
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    return Running(process, port, log)


@pytest.fixture
def processes() -> Iterator[list[Running]]:
    started: list[Running] = []
    yield started
    for running in started:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(10)


def post_x(url: str, body: bytes) -> requests.Response:
    headers = {
        "x-twitter-webhooks-signature": x_signature(X_SECRET, body),
        "Content-Type": "application/json",
    }
    return requests.post(url + "/webhooks/x", data=body, headers=headers, timeout=10)


def post_meta(url: str, body: bytes) -> requests.Response:
    headers = {
        "X-Hub-Signature-256": meta_signature(META_SECRET, body),
        "Content-Type": "application/json",
    }
    return requests.post(url + "/webhooks/meta", data=body, headers=headers, timeout=10)


def crm_activities(crm: Path) -> dict[str, tuple[int, str]]:
    """Activity key -> (row id, created_at) in a local CRM file."""
    if not crm.exists():
        return {}
    with sqlite3.connect(f"file:{crm}?mode=ro", uri=True, timeout=30) as db:
        try:
            rows = db.execute("SELECT key, id, created_at FROM activities").fetchall()
        except sqlite3.OperationalError:  # the schema is not there yet
            return {}
    return {key: (row_id, created) for key, row_id, created in rows}


BULK_YAML = """\
state: sqlite:///state.db
crm: {{kind: local, path: crm.db, batch_size: {batch}}}
sources:
  - name: bulk
    connector: jsonl
    path: bulk.jsonl
    schedule: {{interval: {interval}}}
mapping: local
service: {{grace_period: 20s}}
"""


def write_interactions(path: Path, count: int) -> None:
    """``count`` valid interchange records, one per line."""
    with path.open("w") as handle:
        for n in range(count):
            record = {
                "schema": "crmbridge.interaction/1",
                "platform": "x",
                "kind": "mention",
                "message_id": str(10_000_000 + n),
                "author": {"id": str(500 + n % 97), "handle": f"user{n % 97}", "name": "A B"},
                "text": f"message number {n} about my order",
                "created_at": f"2024-01-15T10:{n // 60 % 60:02d}:{n % 60:02d}Z",
            }
            handle.write(json.dumps(record) + "\n")


@pytest.fixture
def bulk_dir(tmp_path: Path) -> Path:
    return tmp_path


def bulk_config(folder: Path, count: int, batch: int, interval: str = "1h") -> Path:
    write_interactions(folder / "bulk.jsonl", count)
    path = folder / "crmbridge.yaml"
    path.write_text(BULK_YAML.format(batch=batch, interval=interval))
    return path


def state_counts(folder: Path) -> tuple[int, int]:
    """(ledger rows, lease rows) in the test's SQLite state store."""
    db = folder / "state.db"
    if not db.exists():
        return 0, 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        try:
            ledger = conn.execute("SELECT count(*) FROM ledger").fetchone()[0]
            held = conn.execute("SELECT count(*) FROM leases").fetchone()[0]
        except sqlite3.OperationalError:
            return 0, 0
    return int(ledger), int(held)
