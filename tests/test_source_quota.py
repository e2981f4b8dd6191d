"""A platform's daily quota stops that source only; the others are synced (issue 6, item 3)."""

import responses

from crmbridge.config import load_config
from crmbridge.pipeline import sync
from tests.conftest import record, write_jsonl
from tests.connectors.conftest import fixture

API = "https://youtube.test/youtube/v3"


def test_a_daily_quota_stops_its_source_cleanly_while_the_other_sources_go_on(workdir, monkeypatch):
    monkeypatch.setenv("YT_KEY", "AIza-very-secret")
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml")
        .read_text()
        .replace(
            "sources:\n",
            (
                "sources:\n  - {name: yt, connector: youtube, api_base: '" + API + "', "
                "api_key: '${YT_KEY}', channel_id: UCbrand000000000000000001}\n"
            ),
        )
    )
    write_jsonl(workdir / "interactions.jsonl", [record("1"), record("2")])
    with responses.RequestsMock() as wire:
        wire.add(
            responses.GET,
            f"{API}/commentThreads",
            status=403,
            json=fixture("youtube", "error_quota.json"),
        )
        summary = sync(load_config(workdir / "crmbridge.yaml"))
    assert summary.written == 2
    assert summary.source_errors["yt"]["kind"] == "quota_exhausted"
    assert (summary.status, int(summary.exit_code)) == ("quota_exhausted", 6)
    assert "AIza-very-secret" not in str(summary.as_dict())
