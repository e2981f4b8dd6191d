"""A configured secret never appears in anything crmbridge prints or stores."""

import os
import subprocess
import sys

from tests.conftest import record, write_jsonl

SECRET = "sk-live-9f8e7d6c5b4a-DO-NOT-LEAK"


def run(workdir, *args):
    env = {**os.environ, "CRMB_WEBHOOK_SECRET": SECRET}
    done = subprocess.run(
        [sys.executable, "-m", "crmbridge", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return done.stdout + done.stderr


def test_no_output_log_state_or_crm_file_contains_the_secret(workdir):
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml").read_text()
        + "webhooks: {x: {source: exports, consumer_secret: '${CRMB_WEBHOOK_SECRET}'}}\n"
    )
    write_jsonl(
        workdir / "interactions.jsonl",
        [record("1", author={"id": "p", "handle": "jdoe"}), "{bad", record("2")],
    )
    outputs = [
        run(workdir, "-vv", "check"),
        run(workdir, "check", "--json"),
        run(workdir, "-vv", "sync", "--dry-run"),
        run(workdir, "sync", "--dry-run", "--json"),
        run(workdir, "-vv", "sync", "--json"),
        run(workdir, "sync"),
        run(workdir, "report", "--json"),
        run(workdir, "report"),
        run(workdir, "history", "C1", "--json"),
        run(workdir, "sync", "--source", "nope"),
    ]
    for text in outputs:
        assert SECRET not in text
    for path in workdir.iterdir():
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path.name
