"""A configured secret never appears in anything crmbridge prints or stores."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import responses

from crmbridge.testing.secrets import SECRET, SECRETS, SOURCES, leaks, table_dump
from tests.conftest import record, write_jsonl


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


# --- every configured secret, every output, every error path, every table ---------------


def run_all(workdir, *args, config="crmbridge.yaml"):
    done = subprocess.run(
        [sys.executable, "-m", "crmbridge", *args[:1], *args[1:], "--config", config]
        if args and not args[0].startswith("-")
        else [sys.executable, "-m", "crmbridge", *args, "--config", config],
        cwd=workdir,
        capture_output=True,
        text=True,
        env={**os.environ, **SECRETS},
        timeout=180,
    )
    return done.stdout + done.stderr


@pytest.fixture(params=["sqlite", "postgresql"])
def state(request, workdir):
    if request.param == "sqlite":
        return "sqlite:///state.db", f"sqlite:///{workdir / 'state.db'}"
    url = request.getfixturevalue("pg_url")
    return url, url


def test_no_secret_appears_in_any_output_error_traceback_file_or_state_table(
    workdir, state, httpserver
):
    config_url, dump_url = state
    (workdir / "crmbridge.yaml").write_text(
        f"state: '{config_url}'\n"
        "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}\n" + SOURCES
    )
    write_jsonl(
        workdir / "interactions.jsonl",
        [record("1", author={"id": "p", "handle": "jdoe"}), "{bad", record("2")],
    )
    # HubSpot refusing the token; config errors; an internal error with its traceback.
    httpserver.expect_request(re.compile(".*")).respond_with_json(
        {
            "status": "error",
            "message": "Authentication credentials not found.",
            "category": "INVALID_AUTHENTICATION",
        },
        status=401,
    )
    host = httpserver.url_for("").rstrip("/")
    (workdir / "hubspot.yaml").write_text(
        "state: sqlite:///hubspot-state.db\n"
        f"crm: {{kind: hubspot, access_token: '${{HUBSPOT_TOKEN}}', host: '{host}'}}\n" + SOURCES
    )
    (workdir / "bad-sf.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: salesforce, password: '${SF_PASSWORD}', "
        "security_token: '${SF_SECURITY_TOKEN}', batch_size: 9000}\n" + SOURCES
    )
    (workdir / "crashing.yaml").write_text(
        f"state: '{config_url}'\n"
        "crm: {kind: local, path: a-folder, contacts_csv: contacts.csv}\n" + SOURCES
    )
    (workdir / "a-folder").mkdir()
    commands = {
        "check -vv": ("crmbridge.yaml", "-vv", "check"),
        "check --json": ("crmbridge.yaml", "check", "--json"),
        "dry run -vv": ("crmbridge.yaml", "-vv", "sync", "--dry-run"),
        "dry run --json": ("crmbridge.yaml", "sync", "--dry-run", "--json"),
        "sync -vv --json": ("crmbridge.yaml", "-vv", "sync", "--json"),
        "sync": ("crmbridge.yaml", "sync", "--source", "exports"),
        "report": ("crmbridge.yaml", "report"),
        "report --json": ("crmbridge.yaml", "report", "--json"),
        "history": ("crmbridge.yaml", "history", "C1", "--json"),
        "unknown source": ("crmbridge.yaml", "sync", "--source", "nope"),
        "hubspot auth error": ("hubspot.yaml", "-vv", "sync", "--json"),
        "hubspot check": ("hubspot.yaml", "-vv", "check"),
        "salesforce config error": ("bad-sf.yaml", "-vv", "sync"),
        "salesforce config check": ("bad-sf.yaml", "check", "--json"),
        "traceback": ("crashing.yaml", "-vv", "sync"),
    }
    if config_url.startswith("postgresql"):  # the store-facing commands only, to save time
        for name in ("check -vv", "dry run -vv", "report", "hubspot check", "bad-sf check"):
            commands.pop(name, None)
    outputs = {name: run_all(workdir, *args[1:], config=args[0]) for name, args in commands.items()}
    assert "Traceback" in outputs["traceback"], "the internal error path was not reached"
    assert "auth" in outputs["hubspot auth error"], outputs["hubspot auth error"]
    assert "config" in outputs["salesforce config error"]
    for name, text in outputs.items():
        assert not leaks(text), f"{name}: {leaks(text)}"
    for path in workdir.rglob("*"):
        if path.is_file():
            assert not leaks(path.read_bytes()), path.name
    dump = table_dump(dump_url)
    assert "x:1" in dump and "{bad" in dump, "the store should hold the run's rows"
    assert not leaks(dump)


def test_a_refused_salesforce_login_names_the_settings_but_never_their_values(workdir):
    from click.testing import CliRunner

    from crmbridge.cli import main

    (workdir / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: salesforce, username: int@acme.com, password: '${SF_PASSWORD}', "
        "security_token: '${SF_SECURITY_TOKEN}'}\n"
        "sources: [{name: exports, connector: jsonl, path: interactions.jsonl}]\n"
    )
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    fault = (Path(__file__).parent / "fixtures" / "salesforce" / "login_invalid.xml").read_text()
    runner = CliRunner()
    with responses.RequestsMock() as wire:
        wire.post("https://login.salesforce.com/services/Soap/u/62.0", body=fault, status=500)
        results = [
            runner.invoke(main, [*args, "--config", str(workdir / "crmbridge.yaml")], env=SECRETS)
            for args in (["-vv", "sync"], ["sync", "--json"], ["check", "--json"])
        ]
    for result in results:
        assert result.exit_code != 0, result.output
        assert not leaks(result.output), result.output
    assert "crm.security_token" in results[0].output and results[0].exit_code == 5


def _forgeries(good: str) -> list[str]:
    return [
        good[:-1] + ("0" if good[-1] != "0" else "1"),  # the last character differs
        good[:7] + ("0" if good[7] != "0" else "1") + good[8:],  # the first digest character
        good[:-4],  # truncated
        good + "00",  # extended
        good.upper(),  # case changed
        good[:-1] + "é",  # a non-ASCII character
        "sha256=",  # empty digest
        "sha1=" + good[7:],  # another algorithm's prefix
    ]


@pytest.mark.parametrize("kind", ["x", "meta"])
def test_a_forged_webhook_signature_is_refused_and_nothing_is_taken_in(tmp_path, kind):
    from werkzeug.test import Client

    from crmbridge.webhooks import (
        MetaWebhook,
        SeenEvents,
        SpoolIntake,
        WebhookApp,
        XWebhook,
        meta_signature,
        x_signature,
    )

    secret = SECRETS["META_APP_SECRET"] if kind == "meta" else SECRETS["CRMB_WEBHOOK_SECRET"]
    app = WebhookApp(
        x=XWebhook(source="brand-x", consumer_secret=secret),
        meta=MetaWebhook(source="brand-fb", app_secret=secret, verify_token="verify"),
        intake=SpoolIntake(tmp_path / "spool"),
        seen=SeenEvents(tmp_path / "seen.sqlite3"),
    )
    fixture = "meta_feed.json" if kind == "meta" else "x_activity.json"
    body = (Path(__file__).parent / "fixtures" / "webhooks" / fixture).read_bytes()
    sign = meta_signature if kind == "meta" else x_signature
    header = "X-Hub-Signature-256" if kind == "meta" else "x-twitter-webhooks-signature"
    good = sign(secret, body)
    client = Client(app)
    for forged in _forgeries(good):
        answer = client.post(f"/webhooks/{kind}", data=body, headers={header: forged})
        assert answer.status_code in (401, 403), (forged, answer.status_code)
        assert secret not in answer.get_data(as_text=True)
    assert not (tmp_path / "spool").exists() or not any((tmp_path / "spool").iterdir())
    assert client.post(f"/webhooks/{kind}", data=body, headers={header: good}).status_code == 200
