"""Every query a batch makes reads by a selective index: its cost does not grow with the store.

A backfill of millions of messages must cost the same per batch at the end as at the start
(issue #20). The SELECTs issued while batches run (between the first batch and the last:
not the per-run passes) are captured at the SQLite connection and explained: none may scan
a table, and none may use the index on the ledger's status (nearly every row is
``written``: SQLite picks it for ``status = 'written'`` and then reads every written row).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from crmbridge.config import load_config
from crmbridge.pipeline import Pipeline
from crmbridge.testing import synthetic

CONFIG = """\
state: sqlite:///state.db
crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}
sources: [{name: feed, connector: jsonl, path: interactions.jsonl}]
rules:
  - name: urgent
    when: {direction: inbound, intent: [outage, legal, safety]}
    then: {case: {priority: High}, sla: 1h, tag: urgent}
  - name: complaint
    when: {direction: inbound, intent: complaint, sentiment: {label: negative}}
    then: {case: {priority: Medium}, sla: 4h}
"""
LOW_SELECTIVITY = ("ix_ledger_status",)
ALLOWED_SCANS = ("SCAN CONSTANT ROW", "SCAN (subquery")  # SQLite's own IN-list rows


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    synthetic.write_contacts_csv(tmp_path / "contacts.csv", synthetic.contacts(300, 3))
    synthetic.write_jsonl(tmp_path / "interactions.jsonl", synthetic.interactions(1800, 300, 3))
    (tmp_path / "crmbridge.yaml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_no_query_a_batch_makes_scans_a_table_or_reads_by_status(folder: Path) -> None:
    batches: list[int] = []
    pipeline = Pipeline(
        load_config(folder / "crmbridge.yaml"),
        progress=lambda source, count, extent=None: batches.append(count),
    )
    size = pipeline.adapter.max_batch  # the last batch is the short one: then the run ends
    captured: dict[str, Any] = {}

    @event.listens_for(pipeline.store.engine, "before_cursor_execute")
    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        # After the first batch, until the last one ends: the per-batch queries.
        running = batches and batches[-1] == size
        if running and statement.lstrip().upper().startswith("SELECT"):
            captured.setdefault(statement, params)

    summary = pipeline.run()
    pipeline.store.close()
    assert summary.written > 1000 and len(batches) >= 3 and summary.cases > 0
    assert len(captured) >= 8, "too few queries seen to judge"
    db = sqlite3.connect(folder / "state.db")
    bad = []
    for statement, params in captured.items():
        steps = [row[-1] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}", params)]
        scans = [s for s in steps if s.startswith("SCAN ") and not s.startswith(ALLOWED_SCANS)]
        if scans or any(name in s for s in steps for name in LOW_SELECTIVITY):
            bad.append(f"{' | '.join(steps)}  <-  {' '.join(statement.split())[:160]}")
    assert not bad, "queries whose cost grows with the store:\n" + "\n".join(bad)
