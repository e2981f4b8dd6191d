"""A real crash: `crmbridge sync` killed with SIGKILL at random points, then rerun.

Whatever the kill interrupts (reading, matching, the CRM write, the ledger commit), the
rerun must end with every interaction in the CRM exactly once and a ledger that agrees.
"""

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time

from crmbridge.testing import synthetic

TRIALS = 4
N = 3000
LEASE_SECONDS = 1.0


def start_sync(folder):
    # A killed worker's lease must expire before the next run can take the source over.
    command = ["sync", "--json", "--lease-seconds", str(LEASE_SECONDS)]
    return subprocess.Popen(
        [sys.executable, "-m", "crmbridge", *command],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sync_killed_at_random_points_then_rerun_writes_everything_exactly_once(tmp_path):
    rng = random.Random(20261123)
    synthetic.write_contacts_csv(tmp_path / "contacts.csv", synthetic.contacts(300, 7))
    records = list(synthetic.interactions(N, 300, 7))
    chunk = N // TRIALS
    expected = {f"{r['platform']}:{r.get('edit_of') or r['message_id']}" for r in records}
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv, batch_size: 100}\n"
        "sources:\n  - {name: s, connector: jsonl, path: interactions.jsonl}\n"
    )
    kills = 0
    for trial in range(TRIALS):
        # Each trial appends new records, so every run has work to be killed in.
        synthetic.write_jsonl(tmp_path / "part.jsonl", records[trial * chunk : (trial + 1) * chunk])
        with (tmp_path / "interactions.jsonl").open("a") as feed:
            feed.write((tmp_path / "part.jsonl").read_text())
        process = start_sync(tmp_path)
        time.sleep(rng.uniform(0.5, 2.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.communicate(timeout=120)
        time.sleep(LEASE_SECONDS + 0.2)
    final = start_sync(tmp_path)
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err
    assert json.loads(out)["failed"] == 0
    with sqlite3.connect(tmp_path / "crm.db") as crm:
        keys = [k for (k,) in crm.execute("SELECT key FROM activities")]
    assert len(keys) == len(set(keys)), "an interaction was written twice"
    assert set(keys) == expected, "an interaction was lost"
    with sqlite3.connect(tmp_path / "state.db") as state:
        ledger = dict(state.execute("SELECT key, status FROM ledger"))
    assert set(ledger) == expected and set(ledger.values()) == {"written"}
    assert kills >= 1, "no trial was killed mid-run: lengthen the feed"
