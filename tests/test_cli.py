"""The command line as a scheduler and an admin use it: real subprocesses."""

import json
import os
import subprocess
import sys

from tests.conftest import record, write_jsonl


def run(workdir, *args, env=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "crmbridge", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def test_sync_json_prints_the_documented_counters_and_a_rerun_writes_nothing(workdir):
    write_jsonl(
        workdir / "interactions.jsonl",
        [record("1", author={"id": "p", "handle": "jdoe"}), "{bad", record("2")],
    )
    first = run(workdir, "sync", "--json")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    for key in (
        "fetched",
        "written",
        "created",
        "updated",
        "unchanged",
        "failed",
        "quarantined",
        "review",
        "unmatched",
        "api_calls",
        "duration_s",
    ):
        assert key in summary
    assert (summary["written"], summary["quarantined"]) == (2, 1)
    again = json.loads(run(workdir, "sync", "--json").stdout)
    assert (again["fetched"], again["written"]) == (0, 0)
    report = json.loads(run(workdir, "report", "--json").stdout)
    assert report["activities"] == 2 and report["quarantined"] == 1
    assert report["by_platform"] == {"x": 2} and report["crm"]["activities"] == 2


def test_history_shows_the_contacts_activities(workdir):
    write_jsonl(
        workdir / "interactions.jsonl",
        [record("1", author={"id": "p", "handle": "jdoe"}, text="order never arrived")],
    )
    run(workdir, "sync")
    result = run(workdir, "history", "C1", "--json")
    data = json.loads(result.stdout)
    assert [a["body"] for a in data["activities"]] == ["order never arrived"]
    assert "order never arrived" in run(workdir, "history", "C1").stdout


def test_check_passes_on_a_good_config_and_writes_nothing(workdir):
    result = run(workdir, "check", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True
    assert not (workdir / "crm.db").exists() and not (workdir / "state.db").exists()


def test_check_fails_with_the_config_exit_code_naming_a_missing_source_file(workdir):
    (workdir / "interactions.jsonl").unlink()
    result = run(workdir, "check")
    assert result.returncode == 4
    assert "source exports" in result.stdout and "does not exist" in result.stdout


def test_a_config_error_exits_4_and_names_the_key(workdir):
    (workdir / "crmbridge.yaml").write_text("crm: {kind: local}\nsourcess: []\n")
    result = run(workdir, "sync")
    assert result.returncode == 4
    assert "crmbridge.yaml: sourcess: unknown key" in result.stderr


def test_an_error_never_prints_the_secret_that_caused_it(workdir):
    secret = "tok-SECRET-12345"
    (workdir / "crmbridge.yaml").write_text(
        "state: ${CRMB_SECRET_STATE}\ncrm: {kind: local}\n"
        "sources:\n  - {name: a, connector: jsonl, path: interactions.jsonl}\n"
    )
    result = run(
        workdir,
        "sync",
        "--json",
        env={"CRMB_SECRET_STATE": f"postgresql+psycopg://u:{secret}@127.0.0.1:1/db"},
    )
    assert result.returncode == 4
    assert secret not in result.stdout + result.stderr


def test_dry_run_previews_and_leaves_no_file_behind(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1", author={"id": "p", "handle": "jdoe"})])
    result = run(workdir, "sync", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would create" in result.stdout and "x:1" in result.stdout
    assert not (workdir / "crm.db").exists() and not (workdir / "state.db").exists()


def test_sync_of_one_named_source_and_an_unknown_one(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    assert json.loads(run(workdir, "sync", "--source", "exports", "--json").stdout)["written"] == 1
    unknown = run(workdir, "sync", "--source", "nope", "--json")
    assert unknown.returncode == 4
    assert "no source named 'nope'" in json.loads(unknown.stdout)["error"]["message"]


def test_plugins_lists_the_built_in_connectors_and_adapters():
    rows = json.loads(
        subprocess.run(
            [sys.executable, "-m", "crmbridge", "plugins", "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    names = {(r["group"], r["name"]) for r in rows}
    assert {
        ("crmbridge.connectors", "jsonl"),
        ("crmbridge.connectors", "csv"),
        ("crmbridge.crm_adapters", "local"),
    } <= names


def test_classify_reads_texts_on_stdin_and_writes_one_json_object_per_line():
    done = subprocess.run(
        [sys.executable, "-m", "crmbridge", "classify", "--text"],
        input="is the app down? can't log in\nthank you, sorted!\n",
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["sentiment"]["label"] for r in rows] == ["negative", "positive"]
    assert "outage" in rows[0]["intents"]


def test_review_link_moves_activities_and_unlink_then_link_restores_them(workdir):
    write_jsonl(
        workdir / "interactions.jsonl",
        [record("1", author={"id": "s", "handle": "shared"}), record("2")],
    )
    run(workdir, "sync")
    queue = json.loads(run(workdir, "review", "list", "--json").stdout)["reviews"]
    assert [r["persona_key"] for r in queue] == ["x:s"]
    approved = json.loads(
        run(
            workdir,
            "review",
            "approve",
            str(queue[0]["id"]),
            "--contact",
            "C6",
            "--by",
            "alex",
            "--json",
        ).stdout
    )
    assert (approved["to"], approved["activities_moved"]) == ("C6", 1)
    assert [
        a["key"] for a in json.loads(run(workdir, "history", "C6", "--json").stdout)["activities"]
    ] == ["x:1"]
    assert json.loads(run(workdir, "review", "unlink", "x:s", "--json").stdout)["to"] is None
    assert json.loads(run(workdir, "history", "C6", "--json").stdout)["activities"] == []
    relinked = json.loads(run(workdir, "review", "link", "x:s", "C6", "--json").stdout)
    assert relinked["activities_moved"] == 1
    assert len(json.loads(run(workdir, "history", "C6", "--json").stdout)["activities"]) == 1


def test_match_writes_one_row_per_identity_with_band_and_evidence(workdir):
    write_jsonl(
        workdir / "authors.jsonl",
        [
            {"platform": "x", "author": {"id": "1", "handle": "jdoe"}},
            {"platform": "x", "author": {"id": "2", "name": "Nobody Known"}},
        ],
    )
    result = run(
        workdir,
        "match",
        "--contacts",
        "contacts.csv",
        "--identities",
        "authors.jsonl",
        "--out",
        "links.csv",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    lines = (workdir / "links.csv").read_text().splitlines()
    assert lines[0] == "identity_key,contact_id,score,band,rule,evidence"
    rows = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    assert rows["x:1"][1:4] == ["C1", rows["x:1"][2], "auto"]
    assert rows["x:2"][3] == "unmatched"
