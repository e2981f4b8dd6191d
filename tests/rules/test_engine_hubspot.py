"""Cases reach HubSpot as tickets through the sync (a local fake portal on the wire)."""

from __future__ import annotations

import json
import re

import pytest
from pytest_httpserver import HTTPServer

from crmbridge.config import load_config
from crmbridge.pipeline import Pipeline
from crmbridge.testing.hubspot_fake import FakeHubSpot

TOKEN = "pat-na1-0000-secret-token"


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeHubSpot:
    server = FakeHubSpot(TOKEN)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(server)
    return server


def message(n: int, text: str, minute: int) -> dict[str, object]:
    return {
        "schema": "crmbridge.interaction/1",
        "platform": "x",
        "kind": "dm",
        "message_id": str(n),
        "conversation_id": "dm-1",
        "is_private": True,
        "author": {"id": "a1", "email": "jane@example.com"},
        "text": text,
        "created_at": f"2024-01-15T10:{minute:02d}:00Z",
    }


def test_a_case_becomes_a_ticket_and_an_escalation_raises_its_priority(
    httpserver, fake, tmp_path, monkeypatch
):
    cid = fake.add_contact(email="jane@example.com")
    host = httpserver.url_for("").rstrip("/")
    (tmp_path / "crmbridge.yaml").write_text(
        "state: sqlite:///state.db\n"
        f"crm: {{kind: hubspot, access_token: '${{HUBSPOT_TOKEN}}', host: '{host}'}}\n"
        "sources: [{name: exports, connector: jsonl, path: in.jsonl}]\n"
        "rules:\n"
        "  - name: refund\n"
        "    when: {keywords: refund}\n"
        "    then: {case: {priority: Medium, owner: '42'}}\n"
        "  - {name: threat, when: {keywords: lawyer}, then: {escalate: legal}}\n"
    )
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    feed = tmp_path / "in.jsonl"
    feed.write_text(json.dumps(message(1, "where is my refund?", 30)) + "\n")
    config = load_config(tmp_path / "crmbridge.yaml")

    first = Pipeline(config).run()
    ((ticket_id, ticket),) = fake.objects["tickets"].items()
    assert first.cases == 1 and cid in fake.links["tickets"]
    assert ticket["hs_ticket_priority"] == "MEDIUM" and ticket["hubspot_owner_id"] == "42"
    assert ticket["subject"] == "X dm from a1: where is my refund?"
    assert ticket["hs_pipeline"] == "0" and ticket["crmbridge_key"] == "conv:x:1"
    (note_id,) = fake.objects["notes"]
    assert fake.ticket_links[ticket_id] == {("notes", note_id)}  # the message, on the ticket

    with feed.open("a") as handle:
        handle.write(json.dumps(message(2, "refund it or my lawyer calls", 45)) + "\n")
    second = Pipeline(config).run()
    assert (second.cases, second.escalated) == (1, 1)
    assert list(fake.objects["tickets"]) == [ticket_id]  # the same ticket, updated
    assert fake.objects["tickets"][ticket_id]["hs_ticket_priority"] == "HIGH"
    assert len(fake.ticket_links[ticket_id]) == 2  # the second message joined the ticket
