"""The HTML report: self-contained, and it renders with its charts in headless Chromium."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib import image

from crmbridge.cli import main
from crmbridge.config import load_config
from crmbridge.pipeline import sync
from tests.conftest import CHROMIUM, record, write_jsonl

CHARTS = ("volume", "response", "sentiment", "movement")


@pytest.fixture
def report_html(workdir) -> Path:
    jane = {"name": "Jane Doe", "email": "jane@example.com"}
    rows = [
        record(
            "1",
            author={"id": "xj", **jane},
            text="order never arrived",
            created_at="2024-03-01T09:00:00Z",
        ),
        record(
            "2",
            author={"id": "brand"},
            direction="outbound",
            agent="Sam",
            in_reply_to="1",
            text="On it",
            created_at="2024-03-01T10:00:00Z",
        ),
        record(
            "3",
            platform="facebook",
            kind="dm",
            author={"id": "fj", **jane},
            text="still waiting",
            created_at="2024-03-01T20:00:00Z",
        ),
        record(
            "4",
            platform="youtube",
            kind="comment",
            author={"id": "yt"},
            text="love it",
            created_at="2024-03-02T09:00:00Z",
        ),
    ]
    write_jsonl(workdir / "interactions.jsonl", rows)
    config = load_config(workdir / "crmbridge.yaml")
    assert sync(config).written == 4
    path = workdir / "report.html"
    done = CliRunner().invoke(main, ["report", "--config", str(config.file), "--html", str(path)])
    assert done.exit_code == 0, done.output
    return path


def run_chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_html_report_is_one_self_contained_page_with_four_inline_charts(report_html):
    html = report_html.read_text(encoding="utf-8")
    assert html.count('<figure class="chart"') == 4
    assert html.count("<svg") == 4
    assert "src=" not in html and "<link" not in html and "<script" not in html
    assert "facebook" in html and "youtube" in html


def test_the_html_report_renders_its_charts_in_headless_chromium(report_html, tmp_path, chromium):
    shot = tmp_path / "report.png"
    done = run_chromium(
        f"--screenshot={shot}",
        "--window-size=1200,1600",
        report_html.as_uri(),
        profile=tmp_path / "profile-shot",
    )
    assert shot.is_file(), done.stderr[-2000:]
    assert "Uncaught" not in done.stderr
    pixels = image.imread(shot)
    assert pixels.shape[:2] == (1600, 1200)
    assert pixels[..., :3].std() > 0.05  # not a blank page: text, bars, colours
    dom = run_chromium("--dump-dom", report_html.as_uri(), profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    for chart in CHARTS:
        assert f'id="chart-{chart}"' in dom.stdout
    assert dom.stdout.count("<svg") == len(CHARTS)
    assert dom.stdout.count("<path") > 20  # the bars and axes were drawn


def test_the_html_report_of_an_empty_state_has_no_chart_and_says_so_in_numbers(workdir):
    path = workdir / "empty.html"
    done = CliRunner().invoke(
        main, ["report", "--config", str(workdir / "crmbridge.yaml"), "--html", str(path)]
    )
    assert done.exit_code == 0, done.output
    html = path.read_text(encoding="utf-8")
    assert "<svg" not in html and 'id="no-charts"' in html
    assert "<td>All channels</td>" in html and "<td>0</td>" in html
    assert "No messages yet" in html


def test_the_html_report_reads_as_a_managers_page_in_headless_chromium(
    report_html, tmp_path, chromium
):
    shot = tmp_path / "manager.png"
    done = run_chromium(
        f"--screenshot={shot}",
        "--window-size=1300,2200",
        report_html.as_uri(),
        profile=tmp_path / "profile-manager-shot",
    )
    assert shot.is_file(), done.stderr[-2000:]
    assert image.imread(shot)[..., :3].std() > 0.05
    dom = run_chromium("--dump-dom", report_html.as_uri(), profile=tmp_path / "profile-manager")
    page = " ".join(dom.stdout.split())  # the DOM as text, whitespace folded
    # The period covered, and a time axis: one bar group per day of that period.
    assert "Messages from <strong>2024-03-01</strong> to <strong>2024-03-02</strong>" in page
    assert "Messages per day, by channel" in page and "Conversations per day, by last mood" in page
    assert "03-01" in page and "03-02" in page  # the day ticks of the daily charts
    # Plain labels, never the JSON keys; medians with the count they stand on.
    assert "contacts_with_history" not in page and "Contacts with social history" in page
    assert "First response (median)" in page and "over 1 answered of 2" in page
    assert "1.0 h (1 of 2)" in page
    # SLAs and cases, and what each figure means.
    assert "SLA attainment" in page and 'id="definitions"' in page
    assert "<dt>Resolution</dt>" in page and "Cases" in page


def test_report_html_prints_the_path_it_wrote(workdir):
    path = workdir / "out" / "r.html"
    path.parent.mkdir()
    done = CliRunner().invoke(
        main, ["report", "--config", str(workdir / "crmbridge.yaml"), "--html", str(path)]
    )
    assert done.exit_code == 0, done.output
    assert f"wrote {path.resolve()}" in done.output and path.is_file()
