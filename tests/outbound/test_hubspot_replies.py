"""An agent answers from HubSpot with a note naming the message: it is sent once, signed with
the note owner's name, and the note's status property tells the outcome."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from crmbridge.cli import main
from crmbridge.crm.hubspot.replies import NoteReplies
from crmbridge.outbound.outbox import Outbox
from crmbridge.testing.hubspot_fake import FakeHubSpot
from crmbridge.testing.platforms_fake import TOKEN
from tests.outbound.conftest import World, inbound

ANY = __import__("re").compile(".*")


def answer(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


class PortalWithNotes(FakeHubSpot):
    """The strict HubSpot fake plus note search and owners, as the v3 APIs answer."""

    owners = {"77": {"id": "77", "firstName": "Ana", "lastName": "Silva", "email": "a@b.c"}}

    def routes(self) -> list[tuple[str, Any]]:
        return [
            (r"POST /crm/v3/objects/notes/search", self.search_notes),
            (r"GET /crm/v3/owners/(\d+)", self.owner),
            *super().routes(),
        ]

    def search_notes(self, body: dict[str, Any]) -> Response:
        if int(body.get("limit", 10)) > 100:
            return answer({"status": "error", "category": "VALIDATION_ERROR"}, 400)
        [group] = body["filterGroups"]
        found = []
        for oid, props in self.objects["notes"].items():
            ok = all(
                (f["propertyName"] in props) == (f["operator"] == "HAS_PROPERTY")
                for f in group["filters"]
            )
            if ok:
                wanted = {k: v for k, v in props.items() if k in body["properties"]}
                found.append({"id": oid, "properties": wanted})
        return answer({"total": len(found), "results": found})

    def owner(self, body: dict[str, Any], owner_id: str) -> Response:
        return answer(self.owners[owner_id])


def test_a_note_marked_for_reply_is_sent_once_signed_and_its_status_written_back(
    world: World, httpserver: HTTPServer
):
    world.sync([inbound(world.fake, "x", "6001", kind="mention")])
    portal = PortalWithNotes(TOKEN)
    httpserver.expect_request(ANY).respond_with_handler(portal)
    config = world.folder / "crmbridge.yaml"
    config.write_text(
        config.read_text().replace(
            "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}",
            "crm: {kind: hubspot, access_token: '${REPLY_TOKEN}', host: '"
            + httpserver.url_for("").rstrip("/")
            + "'}",
        )
    )
    portal.objects["notes"]["501"] = {
        "hs_note_body": "<p>Your refund is on its way &amp; tracked</p>",
        "hubspot_owner_id": "77",
        "crmbridge_reply_to": "x:6001",
    }
    portal.objects["notes"]["502"] = {"hs_note_body": "<p>hi</p>", "crmbridge_reply_to": "x:404"}

    first = NoteReplies(world.config, world.store).poll()
    again = NoteReplies(world.config, world.store).poll()  # taken notes are not searched again
    world.send()
    NoteReplies(world.config, world.store).poll()

    assert (first.queued, first.refused, again.queued) == (1, 1, 0)
    [post] = world.fake.posted()
    assert post.text == "Your refund is on its way & tracked ^Ana S" and post.parent == "6001"
    assert Outbox(world.store).get("hs-501").agent == "Ana Silva"
    assert portal.objects["notes"]["501"]["crmbridge_reply_status"] == f"sent x:{post.id}"
    assert portal.objects["notes"]["502"]["crmbridge_reply_status"].startswith(
        "failed: reply: no message or conversation 'x:404'"
    )


def test_reply_poll_reads_notes_through_the_adapter_that_declares_replies(
    world: World, httpserver: HTTPServer
):
    world.sync([inbound(world.fake, "x", "6002", kind="mention")])
    config = str(world.folder / "crmbridge.yaml")
    refused = CliRunner().invoke(main, ["reply", "poll", "--config", config, "--json"])
    assert refused.exit_code == 4  # the local CRM declares no replies: a config error
    assert "holds no agent replies" in refused.output

    portal = PortalWithNotes(TOKEN)
    httpserver.expect_request(ANY).respond_with_handler(portal)
    path = world.folder / "crmbridge.yaml"
    path.write_text(
        path.read_text().replace(
            "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}",
            "crm: {kind: hubspot, access_token: '${REPLY_TOKEN}', host: '"
            + httpserver.url_for("").rstrip("/")
            + "'}",
        )
    )
    portal.objects["notes"]["601"] = {
        "hs_note_body": "<p>On it</p>",
        "crmbridge_reply_to": "x:6002",
    }
    polled = CliRunner().invoke(main, ["reply", "poll", "--config", config, "--json"])
    assert polled.exit_code == 0, polled.output
    assert json.loads(polled.output.splitlines()[-1]) == {"queued": 1, "refused": 0, "reported": 0}
    assert portal.objects["notes"]["601"]["crmbridge_reply_status"] == "queued"
