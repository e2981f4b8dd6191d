"""A secret that lands in an error message is masked on every path that error takes.

Each test puts a configured secret into an error on purpose: a CRM's refusal of a record,
a connector's HTTP error, a config error. Then the output, the logs, the ledger, the runs
table and the report are searched for it; each test fails when the masking at the place
that error passes through (pipeline ledger, source stop, CLI error) is removed.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import responses
from click.testing import CliRunner

from crmbridge.cli import main
from crmbridge.testing.secrets import table_dump

SESSION = "00D000000000001!AQ0-session-DO-NOT-LEAK"
PATH_SECRET = "path-secret-DO-NOT-LEAK-42"
INSTANCE = "https://acme.my.salesforce.com"
BASE = f"{INSTANCE}/services/data/v62.0/"
UPSERT = BASE + "composite/sobjects/Task/Crmbridge_Key__c"
FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"
ENV = {"SF_SESSION_ID": SESSION, "CRMB_PATH_SECRET": PATH_SECRET}


def cli(config: Path, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--config", str(config)], env=ENV)
    crashed = result.exception and not isinstance(result.exception, SystemExit)
    return result.output + (repr(result.exception) if crashed else "")


def everything(workdir: Path, config: Path, outputs: list[str], caplog: Any) -> str:
    """All the texts a leak could land in: outputs, log records, files, state tables."""
    outputs += [
        cli(config, "report", "--json"),
        cli(config, "report"),
        cli(config, "failures", "list", "--json"),
        cli(config, "failures", "list"),
        cli(config, "sources", "--json"),
        cli(config, "sources"),
    ]
    files = [p.read_bytes().decode("utf-8", "replace") for p in workdir.rglob("*") if p.is_file()]
    dump = table_dump(f"sqlite:///{workdir / 'state.db'}")
    return "\n".join([*outputs, caplog.text, *files, dump])


@pytest.fixture
def salesforce(workdir: Path) -> Path:
    (workdir / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        "crm: {kind: salesforce, session_id: '${SF_SESSION_ID}', "
        f"instance_url: '{INSTANCE}', attempts: 1}}\n"
        "sources: [{name: exports, connector: jsonl, path: interactions.jsonl}]\n"
    )
    record = {
        "schema": "crmbridge.interaction/1",
        "platform": "x",
        "kind": "mention",
        "message_id": "101",
        "author": {"id": "u-jane", "handle": "jane", "email": "Jane.Doe@example.com"},
        "text": "order 1 is late",
        "created_at": "2024-01-15T10:31:00Z",
    }
    (workdir / "interactions.jsonl").write_text(json.dumps(record) + "\n")
    return workdir / "crmbridge.yaml"


def test_a_secret_in_a_crm_refusal_never_reaches_output_logs_ledger_or_report(
    workdir, salesforce, caplog
):
    refusal = [
        {
            "success": False,
            "errors": [
                {
                    "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "message": f"Description may not hold the session {SESSION}",
                    "fields": ["Description"],
                }
            ],
        }
    ]
    contacts = json.loads((FIXTURES / "contacts_query.json").read_text())
    caplog.set_level(logging.DEBUG)
    with responses.RequestsMock() as wire:
        wire.get(BASE + "query/", json=contacts)
        wire.patch(UPSERT, json=refusal)
        outputs = [cli(salesforce, "-vv", "sync", "--json")]
    summary = json.loads(outputs[0].strip().splitlines()[-1])
    assert summary["failed"] == 1, outputs[0]
    shown = json.loads(cli(salesforce, "failures", "list", "--json"))
    assert "Description may not hold the session ***" in json.dumps(shown)  # it got that far
    assert SESSION not in everything(workdir, salesforce, outputs, caplog)


def test_a_secret_in_a_connector_error_never_reaches_output_logs_runs_or_report(
    workdir, caplog
):
    api = "https://api.x.test/${CRMB_PATH_SECRET}"
    config = workdir / "crmbridge.yaml"
    config.write_text(
        config.read_text()
        + f"  - {{name: brand-x, connector: x, api_base: '{api}', user_id: '2244994945',\n"
        "     bearer_token: '${SF_SESSION_ID}', attempts: 1}\n"
    )
    caplog.set_level(logging.DEBUG)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wire:
        wire.get(
            f"https://api.x.test/{PATH_SECRET}/2/users/2244994945/mentions",
            status=401,
            json={"title": "Unauthorized"},
        )
        outputs = [cli(config, "-vv", "sync", "--json"), cli(config, "sync")]
    summary = json.loads(outputs[0].strip().splitlines()[-1])
    assert summary["source_errors"]["brand-x"]["kind"] == "auth", outputs[0]
    assert "***" in summary["source_errors"]["brand-x"]["message"]  # the secret was in it
    assert PATH_SECRET not in everything(workdir, config, outputs, caplog)


def test_a_secret_in_a_config_error_never_reaches_output_or_logs(workdir, caplog):
    config = workdir / "crmbridge.yaml"
    config.write_text(config.read_text() + "mapping: '${CRMB_PATH_SECRET}'\n")
    caplog.set_level(logging.DEBUG)
    outputs = [
        cli(config, "-vv", "sync"),
        cli(config, "sync", "--json"),
        cli(config, "sync", "--dry-run"),
        cli(config, "check", "--json"),
        cli(config, "check"),
    ]
    assert "no preset or file '***'" in outputs[0], outputs[0]  # the error named it, masked
    assert PATH_SECRET not in everything(workdir, config, outputs, caplog)
