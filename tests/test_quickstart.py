"""The quickstart in examples/ does what the README promises, on a copy of its files."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

QUICKSTART = Path(__file__).parent.parent / "examples" / "quickstart"
MALFORMED_LINES = 4


def crmbridge(folder: Path, *args: str) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crmbridge",
            *args,
            "--json",
            "--config",
            str(folder / "crmbridge.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("quickstart")
    for name in ("crmbridge.yaml", "contacts.csv", "interactions.jsonl"):
        shutil.copy(QUICKSTART / name, folder / name)
    return folder


def test_the_quickstart_syncs_writes_and_quarantines_exactly_the_malformed_lines(quickstart):
    first = crmbridge(quickstart, "sync")
    assert first["written"] > 0
    assert first["quarantined"] == MALFORMED_LINES
    assert first["failed"] == 0
    report = crmbridge(quickstart, "report")
    assert report["activities"] == first["written"]
    assert report["quarantined"] == MALFORMED_LINES
    assert set(report["by_platform"]) == {"x", "facebook", "instagram", "youtube", "reddit"}
    second = crmbridge(quickstart, "sync")
    assert (second["written"], second["fetched"]) == (0, 0)
    assert crmbridge(quickstart, "report")["activities"] == report["activities"]


def test_the_quickstart_person_on_three_channels_has_one_history(quickstart):
    crmbridge(quickstart, "sync")
    contacts = (quickstart / "contacts.csv").read_text().splitlines()
    maya = next(line for line in contacts if "Okafor" in line).split(",")[0]
    shown = crmbridge(quickstart, "history", maya)
    history = shown["activities"]
    assert {a["channel"] for a in history} >= {"x", "facebook", "instagram"}
    assert set(shown["profile"]["channels"]) >= {"x", "facebook", "instagram"}
    assert shown["profile"]["conversations"] >= 1


def test_the_quickstart_same_name_decoy_author_is_not_linked(quickstart):
    crmbridge(quickstart, "sync")
    decoy_keys = set()
    for line in (quickstart / "interactions.jsonl").read_text().splitlines():
        try:
            row = json.loads(line)
            author = row["author"]
        except (ValueError, KeyError, TypeError):
            continue
        if author.get("name") == "James Smith" and not (
            author.get("email") or author.get("handle")
        ):
            decoy_keys.add(f"{row['platform']}:{row['message_id']}")
    assert decoy_keys
    smiths = [
        line.split(",")[0]
        for line in (quickstart / "contacts.csv").read_text().splitlines()
        if ",Smith," in line
    ]
    assert len(smiths) >= 2
    for contact_id in smiths:
        keys = {a["key"] for a in crmbridge(quickstart, "history", contact_id)["activities"]}
        assert not keys & decoy_keys


def test_the_quickstart_opens_cases_only_for_the_messages_its_rules_target(quickstart):
    import sqlite3

    crmbridge(quickstart, "sync")
    lines = (quickstart / "interactions.jsonl").read_text(encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crmbridge",
            "rules",
            "test",
            "--interaction",
            "-",
            "--json",
            "--config",
            str(quickstart / "crmbridge.yaml"),
        ],
        input=lines,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # The sample holds malformed lines on purpose: rules test reports them, and exits 3.
    assert done.returncode == 3, done.stderr
    results = [r for r in json.loads(done.stdout) if "error" not in r]
    assert len(results) == 296
    rows = lines.splitlines()
    texts = {r["key"]: json.loads(rows[r["line"] - 1])["text"] for r in results}
    targeted = {
        texts[r["key"]]
        for r in results
        if r["decision"]["case"] and r["facts"]["direction"] == "inbound"
    }
    untouched = {texts[r["key"]] for r in results if not r["decision"]["case"]} - targeted
    with sqlite3.connect(quickstart / ".crmbridge" / "crm.db") as db:
        cases = [json.loads(f) for (f,) in db.execute("SELECT fields FROM cases")]
    hits = [r for r in results if r["decision"]["case"] and r["facts"]["direction"] == "inbound"]
    assert 0 < len(cases) <= len(hits) < len(results)
    opened_by = {case["description"] for case in cases}
    assert opened_by <= targeted
    assert not opened_by & untouched
    assert all(case["rules"] and case["priority"] in ("High", "Medium") for case in cases)
    outage = [c for c in cases if c["subject"].startswith("Urgent (outage")]
    assert outage and all(c["priority"] == "High" for c in outage)
    report = crmbridge(quickstart, "report")
    assert report["crm"]["cases"] == len(cases)
    assert report["cases"] == {"written": len(cases), "pending": 0, "given_up": 0}


def test_the_quickstart_report_shows_the_conversation_kpis(quickstart):
    crmbridge(quickstart, "sync")
    kpis = crmbridge(quickstart, "report")["conversations"]
    overall = kpis["overall"]
    assert 0 < overall["conversations"] < overall["messages"]
    assert overall["first_response_s"]["count"] > 0
    assert overall["first_response_s"]["median"] <= overall["first_response_s"]["p90"]
    assert overall["resolution_s"]["count"] == overall["closed"]
    assert overall["multi_channel"] > 0 and overall["channel_shifts"] > 0
    assert sum(overall["sentiment"].values()) == overall["conversations"]
    assert set(kpis["by_channel"]) == {"x", "facebook", "instagram", "youtube", "reddit"}
    assert sum(kpis["messages_by_channel"].values()) == overall["messages"]
