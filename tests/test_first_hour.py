"""An admin's first hour: init, honest checks, clear failures, exit codes from the table."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crmbridge.commands.init import write_starter
from crmbridge.config import load_config
from crmbridge.errors import ConfigError
from crmbridge.rules.cases import check_adapter
from crmbridge.rules.engine import load_rules
from tests.conftest import record, write_jsonl

# Root reads every file whatever its mode: drop the two capabilities that let it, so a
# chmod 000 file is as unreadable to the test as to the admin's service user.
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def run(workdir: Path, *args: str, env: dict[str, str] | None = None, unprivileged=False):
    full_env = {**os.environ, **(env or {})}
    prefix = UNPRIVILEGED if unprivileged and os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "crmbridge", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def mapping_with(workdir: Path, **fields: str | dict[str, object]) -> None:
    """A local mapping file with the given fields beside the usual key ones."""
    lines = ["name: custom", "object: activity", "fields:"]
    for name, spec in {"channel": "{{ i.platform }}", **fields}.items():
        lines.append(f"  {name}: {json.dumps(spec)}")
    (workdir / "mapping.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = workdir / "crmbridge.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "mapping: mapping.yaml\n")


# --- init ------------------------------------------------------------------------------


def test_init_writes_a_starter_that_checks_and_syncs_a_dropped_export(tmp_path):
    folder = tmp_path / "crm-sync"
    done = run(tmp_path, "init", "--dir", str(folder))
    assert done.returncode == 0, done.stderr
    for name in ("crmbridge.yaml", "mapping.yaml", "rules.yaml", "contacts.csv"):
        assert (folder / name).is_file(), name
    assert "crmbridge check" in done.stdout and "crmbridge sync" in done.stdout
    assert "#" in (folder / "crmbridge.yaml").read_text()  # commented for a newcomer
    check = run(tmp_path, "check", "--config", str(folder / "crmbridge.yaml"))
    assert check.returncode == 0, check.stdout + check.stderr
    write_jsonl(folder / "inbox" / "export-1.jsonl", [record("1"), record("2")])
    sync = run(tmp_path, "sync", "--json", "--config", str(folder / "crmbridge.yaml"))
    assert sync.returncode == 0, sync.stderr
    assert json.loads(sync.stdout)["written"] == 2
    again = run(tmp_path, "init", "--dir", str(folder))
    assert "kept" in again.stdout  # an existing config is never overwritten without --force


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_init_for_a_remote_crm_names_the_extra_and_its_rules_fit_that_crm(tmp_path, crm):
    starter = write_starter(tmp_path, crm, ["x", "jsonl"])
    assert any(f"crmbridge[{crm}]" in step for step in starter.next)
    assert "X_BEARER_TOKEN" in starter.env and any("user_id" in t for t in starter.todo)
    config_file = tmp_path / "crmbridge.yaml"
    text = config_file.read_text().replace('"CHANGE-ME"', '"2244994945"')
    config_file.write_text(text)
    env = {
        "X_BEARER_TOKEN": "bearer-1",
        "HUBSPOT_TOKEN": "hub-1",
        "SALESFORCE_PASSWORD": "pw-1",
        "SALESFORCE_SECURITY_TOKEN": "tok-1",
    }
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        config = load_config(config_file)
    rules = load_rules(config)
    assert rules is not None and len(rules.rules) == 3
    from crmbridge import registry

    check_adapter(rules, registry.crm_adapter(crm))
    from crmbridge.rules.mapping import load_preset
    from crmbridge.rules.sample import render_samples

    assert render_samples(load_preset("mapping.yaml", tmp_path)) >= 2


# --- check -----------------------------------------------------------------------------


def test_check_renders_templates_that_read_the_classification_and_the_conversation(workdir):
    mapping_with(
        workdir,
        subject="{{ c.sentiment.label }} {{ c.intents | join(',') }} in {{ conv.channels[0] }}",
        body="{{ rules.tags | join(',') }} {{ contact.first_name }} {{ link.band }}",
    )
    done = run(workdir, "check", "--json")
    assert done.returncode == 0, done.stdout
    checks = {c["check"]: c for c in json.loads(done.stdout)["checks"]}
    assert checks["mapping"]["ok"], checks["mapping"]


def test_check_fails_on_a_constant_outside_the_fields_choices_naming_file_and_field(workdir):
    mapping_with(workdir, kind={"template": "Cal", "choices": ["Call", "Email"]})
    done = run(workdir, "check")
    assert done.returncode == 4
    assert "mapping.yaml: fields.kind" in done.stdout and "'Cal'" in done.stdout
    sync = run(workdir, "sync", "--json")
    assert sync.returncode == 4  # the sync refuses it too, before writing anything


def test_check_fails_on_an_unknown_name_even_in_a_branch_the_sample_does_not_take(workdir):
    mapping_with(workdir, subject="{% if i.deleted %}{{ interaction.text }}{% endif %}")
    done = run(workdir, "check")
    assert done.returncode == 4
    assert "unknown name(s) ['interaction']" in done.stdout


def _unreadable(workdir: Path, name: str) -> Path:
    (workdir / name).chmod(0o000)
    return workdir


def test_an_unreadable_source_file_fails_check_and_sync_with_a_message_not_a_traceback(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    folder = _unreadable(workdir, "interactions.jsonl")
    check = run(folder, "check", unprivileged=True)
    assert check.returncode == 4, check.stderr
    assert "interactions.jsonl: permission denied" in check.stdout
    sync = run(folder, "sync", unprivileged=True)
    assert sync.returncode == 4 and "Traceback" not in sync.stderr
    assert "permission denied" in sync.stderr + sync.stdout


def test_an_unreadable_contacts_csv_is_a_config_error_naming_the_setting(workdir):
    folder = _unreadable(workdir, "contacts.csv")
    sync = run(folder, "sync", unprivileged=True)
    assert sync.returncode == 4, sync.stderr
    assert "Traceback" not in sync.stderr
    assert "crm.contacts_csv" in sync.stderr and "permission denied" in sync.stderr


# --- missing extras, plugins -----------------------------------------------------------

WITHOUT = "import sys; sys.modules['{module}'] = None; from crmbridge.cli import main; main()"


def run_without(module: str, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI on an interpreter where ``module`` cannot be imported (extra not installed)."""
    return subprocess.run(
        [sys.executable, "-c", WITHOUT.format(module=module), *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_salesforce_extra_names_the_pip_command_and_plugins_says_unusable(workdir):
    (workdir / "crmbridge.yaml").write_text(
        "crm: {kind: salesforce, username: u@example.com}\n"
        "sources:\n  - {name: exports, connector: jsonl, path: interactions.jsonl}\n"
    )
    done = run_without("simple_salesforce", workdir, "check")
    assert done.returncode == 4, done.stderr
    assert "pip install 'crmbridge[salesforce]'" in done.stderr
    assert "Traceback" not in done.stderr
    plugins = run_without("simple_salesforce", workdir, "plugins", "--json")
    rows = {r["name"]: r for r in json.loads(plugins.stdout)}
    assert rows["local"]["usable"] == "yes"
    assert "crmbridge[salesforce]" in rows["salesforce"]["usable"]
    assert rows["salesforce"]["usable"].startswith("no")


# --- secrets each command needs --------------------------------------------------------


def test_sync_and_report_do_not_need_the_serve_only_webhook_secrets(workdir, monkeypatch):
    config = workdir / "crmbridge.yaml"
    config.write_text(
        config.read_text() + "webhooks:\n  x:\n    source: exports\n"
        "    consumer_secret: ${X_CONSUMER_SECRET_UNSET}\n"
    )
    monkeypatch.delenv("X_CONSUMER_SECRET_UNSET", raising=False)
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    assert run(workdir, "sync").returncode == 0
    assert run(workdir, "report").returncode == 0
    with pytest.raises(ConfigError, match="X_CONSUMER_SECRET_UNSET"):
        load_config(config, webhooks=True)  # what `crmbridge serve` loads


def test_a_report_does_not_need_a_sources_token_and_a_sync_of_another_source_neither(workdir):
    config = workdir / "crmbridge.yaml"
    config.write_text(
        config.read_text() + "  - name: brand-x\n    connector: x\n"
        "    bearer_token: ${X_TOKEN_UNSET}\n    user_id: '2244994945'\n"
    )
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    env = {k: v for k, v in os.environ.items() if k != "X_TOKEN_UNSET"}
    assert run(workdir, "sync", "--source", "exports", env=env).returncode == 0
    assert run(workdir, "report", env=env).returncode == 0
    everything = run(workdir, "sync", env=env)  # this one reads brand-x: it needs the token
    assert everything.returncode == 4
    assert "sources[1].bearer_token: environment variable X_TOKEN_UNSET is not set" in (
        everything.stderr
    )
    assert "\x00" not in everything.stderr


# --- a mapping mistake at run time -----------------------------------------------------


def test_a_batch_the_mapping_refuses_whole_for_one_reason_stops_the_sync_with_exit_4(workdir):
    config = workdir / "crmbridge.yaml"
    config.write_text(config.read_text().replace("contacts_csv: contacts.csv", "batch_size: 5"))
    mapping_with(workdir, kind={"template": "{{ i.kind }}", "choices": ["call"]})
    write_jsonl(workdir / "interactions.jsonl", [record(str(n)) for n in range(20)])
    done = run(workdir, "sync", "--json")
    assert done.returncode == 4, done.stdout + done.stderr
    summary = json.loads(done.stdout.splitlines()[0])
    assert summary["quarantined"] == 5 and summary["fetched"] == 5  # the first batch only
    assert "the mapping refused all 5 records" in done.stdout
    assert "failures retry" in done.stdout


# --- exit codes from the README's table ------------------------------------------------


def test_an_auth_failure_exits_5_from_check_as_it_does_from_sync(workdir, httpserver):
    httpserver.expect_request(re.compile(".*")).respond_with_json(
        {"status": "error", "category": "INVALID_AUTHENTICATION", "message": "expired"},
        status=401,
    )
    (workdir / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        f"crm:\n  kind: hubspot\n  access_token: ${{HS_TOKEN}}\n  host: {httpserver.url_for('')}\n"
        "sources:\n  - {name: exports, connector: jsonl, path: interactions.jsonl}\n"
    )
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    env = {"HS_TOKEN": "hs-secret-token"}
    check = run(workdir, "check", env=env)
    sync = run(workdir, "sync", env=env)
    assert (check.returncode, sync.returncode) == (5, 5), check.stdout + sync.stderr
    assert "hs-secret-token" not in check.stdout + sync.stderr


def test_forget_without_a_target_is_a_usage_error(workdir):
    done = run(workdir, "forget")
    assert done.returncode == 2 and "--persona" in done.stderr


def test_review_approve_of_an_unknown_item_is_a_usage_error(workdir):
    run(workdir, "sync")
    done = run(workdir, "review", "approve", "999")
    assert done.returncode == 2 and "no review item 999" in done.stderr


def test_rules_test_of_an_unreadable_message_exits_3(workdir):
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml").read_text()
        + "rules:\n  - {name: all, when: {direction: inbound}, then: {tag: seen}}\n"
    )
    done = run(workdir, "rules", "test", "--interaction", "{not json")
    assert done.returncode == 3 and "not JSON" in done.stdout


def test_classify_reads_plain_text_without_the_flag_and_exits_3_on_bad_records():
    def classify(text: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "crmbridge", "classify"],
            input=text,
            capture_output=True,
            text=True,
            timeout=60,
        )

    plain = classify("the app is down again\nthanks, all sorted!\n")
    assert plain.returncode == 0, plain.stdout
    labels = [json.loads(line)["sentiment"]["label"] for line in plain.stdout.splitlines()]
    assert labels == ["negative", "positive"]
    bad = classify('{"not": "a record"}\n{broken\n')
    assert bad.returncode == 3
    assert all("error" in json.loads(line) for line in bad.stdout.splitlines())


# --- logs and progress -----------------------------------------------------------------


def test_verbose_sync_logs_one_line_per_batch_and_source_as_json_with_secrets_masked(workdir):
    (workdir / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv, batch_size: 2}\n"
        "sources:\n  - name: exports\n    connector: jsonl\n    path: ${EXPORT_FILE}\n"
    )
    secret = "export-7f3a9c.jsonl"
    write_jsonl(workdir / secret, [record("1"), record("2"), record("3")])
    with (workdir / secret).open("a") as handle:
        handle.write('{"unfinished": ')  # logged with its file name: a value from the env
    done = run(workdir, "-v", "--log-format", "json", "sync", env={"EXPORT_FILE": secret})
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert secret not in done.stderr and any("***" in line["message"] for line in lines)
    batches = [line for line in lines if line.get("step", "").startswith("batch")]
    assert [(b["fetched"], b["written"]) for b in batches] == [(2, 2), (1, 1)]
    assert all({"unchanged", "quarantined", "api_calls", "seconds"} <= set(b) for b in batches)
    (summary,) = [line for line in lines if line.get("step", "").startswith("done")]
    assert summary["fetched"] == 3 and summary["source"] == "exports"
    assert "read 3, written 3, unchanged 0, parked 0" in summary["message"]


def test_progress_of_a_file_source_has_a_total_in_bytes_and_an_eta(workdir):
    from crmbridge.pipeline import sync
    from crmbridge.progress import _Rate

    config_file = workdir / "crmbridge.yaml"
    config_file.write_text(
        config_file.read_text().replace("contacts_csv: contacts.csv", "batch_size: 10")
    )
    write_jsonl(workdir / "interactions.jsonl", [record(str(n)) for n in range(30)])
    size = (workdir / "interactions.jsonl").stat().st_size
    calls: list[tuple[str, int, tuple[int, int] | None]] = []
    rate = _Rate()

    def progress(source: str, count: int, extent: tuple[int, int] | None = None) -> None:
        calls.append((source, count, extent))
        rate.add(count, extent)
        if len(calls) == 2:  # rate and ETA are measured from the first batch on
            assert rate.eta_s is not None and "of " + f"{size:,} bytes" in rate.describe(source)

    sync(load_config(config_file), progress=progress)
    assert [c[1] for c in calls] == [10, 10, 10]
    extents = [c[2] for c in calls]
    assert all(e is not None and e[1] == size for e in extents)
    assert extents[0][0] < extents[1][0] < extents[2][0] == size
    assert "100% of" in rate.describe("exports") and "0s to go" in rate.describe("exports")


# --- smaller things an admin meets -----------------------------------------------------

DOCS = Path(__file__).parents[1] / "docs" / "connectors.md"


def test_the_documented_webhook_spool_source_syncs_before_and_after_the_first_event(tmp_path):
    from crmbridge.pipeline import sync
    from crmbridge.webhooks import SpoolIntake, state_dir

    snippet = DOCS.read_text().split("```yaml\n  - name: brand-x-webhooks")[1].split("```")[0]
    source = "  - name: brand-x-webhooks" + snippet
    (tmp_path / "interactions.jsonl").write_text("")
    (tmp_path / "crmbridge.yaml").write_text(  # the quickstart's layout
        "state: sqlite:///.crmbridge/state.db\n"
        "crm: {kind: local, path: .crmbridge/crm.db}\n"
        "sources:\n" + "\n".join(line[2:] for line in source.splitlines()) + "\n"
    )
    check = run(tmp_path, "check")
    assert check.returncode == 0, check.stdout
    assert "waiting for" in check.stdout
    assert run(tmp_path, "sync").returncode == 0  # a fresh deployment, no event yet
    config = load_config(tmp_path / "crmbridge.yaml")
    SpoolIntake(state_dir(config) / "spool")("brand-x", [record("1")])  # what serve does
    assert sync(config).written == 1


def test_a_sync_the_crm_stops_does_not_report_the_counts_it_rolled_back(workdir, httpserver):
    from werkzeug import Request, Response

    from crmbridge.testing.hubspot_fake import FakeHubSpot

    portal = FakeHubSpot("hs-token-1")
    portal.add_contact(email="jane@example.com", firstname="Jane")
    jane = {"id": "jane-x", "email": "jane@example.com"}

    def handler(request: Request) -> Response:
        if request.path.endswith("/batch/create"):  # the token is revoked mid-run
            body = {"status": "error", "category": "INVALID_AUTHENTICATION", "message": "no"}
            return Response(json.dumps(body), 401, content_type="application/json")
        return portal(request)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)
    (workdir / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm:\n  kind: hubspot\n  access_token: ${HS_TOKEN}\n"
        f"  host: {httpserver.url_for('').rstrip('/')}\n"
        "sources:\n  - {name: exports, connector: jsonl, path: interactions.jsonl}\n"
    )
    rows = [record("1", author=jane), "{bad", record("2", author=jane)]
    write_jsonl(workdir / "interactions.jsonl", rows)
    done = run(workdir, "sync", "--json", env={"HS_TOKEN": "hs-token-1"})
    assert done.returncode == 5, done.stdout + done.stderr
    summary = json.loads(done.stdout.splitlines()[0])
    assert summary["status"] == "auth"
    assert (summary["quarantined"], summary["written"], summary["unmatched"]) == (0, 0, 0)
    report = json.loads(run(workdir, "report", "--json", env={"HS_TOKEN": "hs-token-1"}).stdout)
    assert report["quarantined"] == 0  # indeed nothing was parked: the batch rolled back


def test_match_text_output_names_the_lines_it_skipped(workdir):
    write_jsonl(
        workdir / "ids.jsonl", [record("1")["author"], "{broken", "[]", record("2")["author"]]
    )
    done = run(
        workdir,
        "match",
        "--contacts",
        "contacts.csv",
        "--identities",
        "ids.jsonl",
        "--out",
        "links.csv",
    )
    assert done.returncode == 0, done.stderr
    assert "2 line(s) of ids.jsonl skipped as not valid: line 2, 3" in done.stdout


def test_a_dry_run_says_its_preview_is_cut_and_where(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record(str(n)) for n in range(60)])
    text = run(workdir, "sync", "--dry-run")
    assert text.returncode == 0, text.stderr
    assert "the preview lists the first 50 of 60 changes (at most 50)" in text.stdout
    data = json.loads(run(workdir, "sync", "--dry-run", "--json").stdout)
    assert data["preview_limit"] == 50 and len(data["preview"]) == 50 and data["created"] == 60


def test_an_unreachable_crm_names_the_host_and_the_setting_not_max_retry_error(workdir):
    import socket

    with socket.socket() as probe:  # a port on this machine that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (workdir / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        f"crm:\n  kind: hubspot\n  access_token: ${{HS_TOKEN}}\n  attempts: 1\n"
        f"  host: http://127.0.0.1:{port}\n"
        "sources:\n  - {name: exports, connector: jsonl, path: interactions.jsonl}\n"
    )
    done = run(workdir, "check", env={"HS_TOKEN": "hs-token-2", "CRMBRIDGE_RETRY_MAX_WAIT": "0.01"})
    assert done.returncode == 4, done.stdout + done.stderr
    (line,) = [line for line in done.stdout.splitlines() if " crm: " in line]
    assert "cannot reach HubSpot at 127.0.0.1" in line and "crm.host" in line
    assert "MaxRetryError" not in line
