"""Progress an admin can read: totals and ETAs for API sources, log lines above the live bar."""

from __future__ import annotations

import io
import logging
import re
import sys

import pytest
import responses

from crmbridge import logs
from crmbridge.config import load_config
from crmbridge.connector import Extent
from crmbridge.pipeline import sync
from crmbridge.progress import _Rate, progress_reporter
from crmbridge.testing import paged
from tests.connectors.conftest import fixture

X_API = "https://x.test"
BRAND = "2244994945"


# --- totals for API sources ------------------------------------------------------------


def serve_x(wire: responses.RequestsMock) -> None:
    first, second = fixture("x", "mentions_page1.json"), fixture("x", "mentions_page2.json")
    pages = {None: first, first["meta"]["next_token"]: second}

    mentions = f"{X_API}/2/users/{BRAND}/mentions"
    wire.add_callback(responses.GET, mentions, callback=paged(pages, "pagination_token"))
    wire.add(responses.GET, f"{X_API}/2/dm_events", json=fixture("x", "dm_events.json"))


def test_progress_of_an_api_source_has_a_total_in_records_and_an_eta(workdir, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", "x-bearer-token-value-0123456789")
    (workdir / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv, batch_size: 2}\n"
        "sources:\n  - name: brand-x\n    connector: x\n    api_base: https://x.test\n"
        '    bearer_token: ${X_BEARER_TOKEN}\n    user_id: "2244994945"\n    dms: true\n'
        "    min_interval: 0\n"
    )
    calls: list[tuple[int, tuple[int, int] | None]] = []
    rate = _Rate()
    described: list[str] = []

    def progress(source: str, count: int, extent: tuple[int, int] | None = None) -> None:
        calls.append((count, extent))
        rate.add(count, extent)
        described.append(rate.describe(source))

    with responses.RequestsMock() as wire:
        serve_x(wire)
        summary = sync(load_config(workdir / "crmbridge.yaml"), progress=progress)
    assert summary.fetched > 4 and len(calls) >= 3
    extents = [e for _count, e in calls]
    assert all(isinstance(e, Extent) and e.unit == "records" for e in extents), extents
    done = [e[0] for e in extents if e is not None]
    assert done == sorted(done) and done[-1] == extents[-1][1] == summary.fetched
    assert all(e[0] <= e[1] for e in extents if e is not None)
    assert f"100% of {summary.fetched} records" in described[-1]
    assert any("s to go" in line for line in described[1:])


# --- log lines above the live bar ------------------------------------------------------


class Terminal(io.StringIO):
    """A stderr that says it is a terminal, and what a terminal would show of its output."""

    def isatty(self) -> bool:
        return True

    def screen(self) -> list[str]:
        """The rows left on screen: carriage returns, newlines, cursor-up and erase-line."""
        rows: list[list[str]] = [[]]
        row = col = 0
        for token in re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|\r|\n|[^\x1b\r\n]", self.getvalue()):
            if token == "\r":
                col = 0
            elif token == "\n":
                row, col = row + 1, 0
            elif token.startswith("\x1b["):
                number = token[2:-1].lstrip("?") or "1"
                if token.endswith("A"):
                    row = max(row - int(number), 0)
                elif token.endswith("K"):
                    rows[row][:] = []
                elif token.endswith("G"):
                    col = int(number) - 1
                continue  # colours, cursor show/hide: nothing on screen
            else:
                line = rows[row]
                line.extend(" " * (col + 1 - len(line)))
                line[col] = token
                col += 1
            while len(rows) <= row:
                rows.append([])
        return ["".join(r).rstrip() for r in rows if "".join(r).strip()]


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "140")
    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield Terminal()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_crmbridge", False)]:
        root.removeHandler(handler)


def test_verbose_log_lines_print_above_the_live_bar_not_under_it(terminal, monkeypatch):
    # Set here, not in the fixture: pytest puts its own stderr back when the test starts.
    monkeypatch.setattr(sys, "stderr", terminal)
    logs.setup(logging.INFO)
    log = logging.getLogger("crmbridge.sync")
    with progress_reporter() as on_batch:
        assert on_batch is not None
        for batch in range(1, 4):
            on_batch("brand-x", 10, Extent(10 * batch, 40, "records"))
            log.info("source brand-x batch %d: read 10, written 10", batch)
    shown = terminal.screen()
    logged = [line for line in shown if "crmbridge.sync" in line]
    assert len(logged) == 3, shown
    for batch, line in enumerate(logged, start=1):
        assert line.endswith(
            f"INFO crmbridge.sync: source brand-x batch {batch}: read 10, written 10"
        )
        assert "records" not in line.split(" INFO ")[0]  # no remnant of the bar on the line
    assert len(shown) == 3, shown  # the bar itself is gone when the run ends


def test_a_dry_run_preview_prints_keys_as_they_are_not_as_emoji(capsys):
    from crmbridge.pipeline import SyncSummary
    from crmbridge.progress import render_summary

    row = {"action": "case", "key": "conv:x:1765116216734646500", "contact_id": "C1"}
    render_summary(SyncSummary(dry_run=True, created=1, preview=[{**row, "subject": ":x: down"}]))
    out = capsys.readouterr().out
    assert "conv:x:1765116216734646500" in out and ":x: down" in out and "❌" not in out
