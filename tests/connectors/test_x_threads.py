"""X replies that came by webhook join the thread their polled copies name (real pipeline)."""

import json

import responses
from crmbridge.connectors.x import XConnector

from crmbridge.config import load_config
from crmbridge.pipeline import sync
from crmbridge.state.store import StateStore
from crmbridge.webhook_events import x_events
from tests.conftest import write_jsonl
from tests.connectors.conftest import fixture
from tests.connectors.test_x import make_x, serve


def _polled() -> list[dict]:
    with responses.RequestsMock() as wire:
        serve(wire)
        connector: XConnector = make_x()
        return [json.loads(i.interaction.to_json()) for i in connector.fetch(None)]


def _payload(config, key: str) -> dict:
    store = StateStore(config.state_url)
    try:
        return json.loads(store.ledger_rows([key])[key].payload)
    finally:
        store.close()


def _use(workdir, name: str) -> None:
    text = (workdir / "crmbridge.yaml").read_text()
    (workdir / "crmbridge.yaml").write_text(text.replace("interactions.jsonl", name))


def test_a_webhook_reply_after_the_poll_takes_the_thread_of_its_stored_parent(workdir):
    write_jsonl(workdir / "interactions.jsonl", _polled())
    config = load_config(workdir / "crmbridge.yaml")
    polled = sync(config)
    assert polled.quarantined == 0
    pushed = [e.record for e in x_events(fixture("webhooks", "x_timeline.json"))]
    reply = next(r for r in pushed if r["message_id"] == "1750000000000000105")
    assert "conversation_id" not in reply  # the Account Activity payload names none
    write_jsonl(workdir / "spool.jsonl", pushed)
    _use(workdir, "spool.jsonl")
    summary = sync(load_config(workdir / "crmbridge.yaml"))
    assert summary.quarantined == 0  # a richer or poorer copy of one message is no conflict
    stored = _payload(config, "x:1750000000000000105")
    assert stored["conversation_id"] == "1750000000000000101"


def test_a_webhook_thread_arriving_before_the_poll_is_threaded_from_its_root(workdir):
    pushed = [e.record for e in x_events(fixture("webhooks", "x_activity.json"))]
    timeline = [e.record for e in x_events(fixture("webhooks", "x_timeline.json"))]
    write_jsonl(workdir / "interactions.jsonl", pushed + timeline)
    config = load_config(workdir / "crmbridge.yaml")
    sync(config)
    # 104 is the edit of 101: the brand's reply to 101 and the answer to it join 101's thread.
    assert _payload(config, "x:1750000000000000102")["conversation_id"] == "1750000000000000101"
    assert _payload(config, "x:1750000000000000105")["conversation_id"] == "1750000000000000101"
