"""`crmbridge sources`: cursor, lease holder, last run, last error; unlock and reset."""

import json

import sqlalchemy as sa
from click.testing import CliRunner

from crmbridge.cli import main
from crmbridge.state.lease import Lease
from crmbridge.state.schema import cursors, leases
from crmbridge.state.store import StateStore
from tests.conftest import record, write_jsonl

BROKEN_X = (
    "  - {name: brand-x, connector: x, api_base: 'http://127.0.0.1:9', user_id: '2244994945',\n"
    "     bearer_token: '${CRMB_X_TOKEN}', attempts: 1}\n"
)


def cli(workdir, *args, input=None):
    result = CliRunner().invoke(
        main,
        [*args, "--config", str(workdir / "crmbridge.yaml")],
        input=input,
        env={"CRMB_X_TOKEN": "AAAA-x-token-DO-NOT-LEAK"},
    )
    return result


def listed(workdir) -> dict[str, dict]:
    result = cli(workdir, "sources", "--json")
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.output)}


def test_sources_lists_cursor_lease_last_run_and_last_error(workdir):
    yaml = workdir / "crmbridge.yaml"
    yaml.write_text(yaml.read_text() + BROKEN_X)
    write_jsonl(workdir / "interactions.jsonl", [record("1"), record("2")])
    assert cli(workdir, "sync").exit_code == 8  # the X source cannot be reached
    store = StateStore(f"sqlite:///{workdir / 'state.db'}")
    Lease(store, "exports", "elsewhere:42:abcd", seconds=300).acquire()
    store.close()
    rows = listed(workdir)
    exports, x = rows["exports"], rows["brand-x"]
    assert exports["cursor"] and exports["lease"]["holder"] == "elsewhere:42:abcd"
    assert exports["lease"]["holder_dead"] is False and exports["last_error"] is None
    assert exports["last_run"]["status"] == "ok"
    assert x["cursor"] is None and x["lease"] is None
    assert x["last_run"]["status"] == "error" and x["last_error"]["kind"] == "transient"
    text = cli(workdir, "sources").output
    assert "elsewhere:42:abcd" in text and "transient" in text and "DO-NOT-LEAK" not in text


def test_unlock_releases_a_lease_so_the_next_sync_runs(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    store = StateStore(f"sqlite:///{workdir / 'state.db'}")
    Lease(store, "exports", "elsewhere:42:abcd", seconds=300).acquire()
    assert cli(workdir, "sync").exit_code == 9
    result = cli(workdir, "sources", "unlock", "exports")
    assert result.exit_code == 0 and "elsewhere:42:abcd" in result.output
    with store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(leases)) == 0
    store.close()
    assert cli(workdir, "sync").exit_code == 0
    assert cli(workdir, "sources", "unlock", "nope").exit_code == 4


def test_reset_asks_first_then_moves_or_clears_the_cursor(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1"), record("2")])
    assert cli(workdir, "sync").exit_code == 0
    before = listed(workdir)["exports"]["cursor"]
    assert before
    refused = cli(workdir, "sources", "reset", "exports", input="n\n")
    assert refused.exit_code == 1 and listed(workdir)["exports"]["cursor"] == before
    target = json.dumps({"files": {}, "current": None})
    moved = cli(workdir, "sources", "reset", "exports", "--to", target, input="y\n")
    assert moved.exit_code == 0, moved.output
    assert listed(workdir)["exports"]["cursor"] == {"files": {}, "current": None}
    assert cli(workdir, "sources", "reset", "exports", "--to", "17", "--yes").exit_code == 4
    assert cli(workdir, "sources", "reset", "exports", "--yes").exit_code == 0
    assert listed(workdir)["exports"]["cursor"] is None
    again = json.loads(cli(workdir, "sync", "--json").output.strip().splitlines()[-1])
    assert (again["fetched"], again["created"]) == (2, 0)  # reread, never written twice


def test_reset_is_refused_while_a_sync_holds_the_source(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    assert cli(workdir, "sync").exit_code == 0
    store = StateStore(f"sqlite:///{workdir / 'state.db'}")
    Lease(store, "exports", "elsewhere:42:abcd", seconds=300).acquire()
    with store.engine.connect() as conn:
        before = conn.scalar(sa.select(cursors.c.cursor))
    assert cli(workdir, "sources", "reset", "exports", "--yes").exit_code == 9
    with store.engine.connect() as conn:
        assert conn.scalar(sa.select(cursors.c.cursor)) == before
    store.close()
