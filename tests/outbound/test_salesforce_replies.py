"""An agent answers from the Salesforce case feed: the outbound SocialPost is sent on the
customer's platform once, and Salesforce gets the platform id and the status back."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import responses

from crmbridge.crm.salesforce.replies import SocialPostReplies
from crmbridge.outbound.outbox import Outbox
from tests.outbound.conftest import World, inbound

INSTANCE = "https://acme.my.salesforce.com"
BASE = f"{INSTANCE}/services/data/v62.0"


def use_salesforce(world: World) -> None:
    config = world.folder / "crmbridge.yaml"
    text = config.read_text().replace(
        "crm: {kind: local, path: crm.db, contacts_csv: contacts.csv}",
        "crm: {kind: salesforce, session_id: '00D000000000001!AQ0AQSESSION', "
        f"instance_url: '{INSTANCE}'}}",
    )
    config.write_text(text)


def post(post_id: str, reply_to_key: str | None, content: str, kind: str = "Reply") -> dict:
    return {
        "attributes": {"type": "SocialPost"},
        "Id": post_id,
        "Content": content,
        "MessageType": kind,
        "ReplyToId": "0ST000000000001",
        "ReplyTo": {"Crmbridge_Key__c": reply_to_key} if reply_to_key else None,
        "CreatedBy": {"Name": "Maria Gomez"},
        "OutboundSocialAccountId": "0ES000000000001",
        "ParentId": "500000000000001",
    }


def test_an_outbound_socialpost_is_sent_once_and_salesforce_gets_the_id_and_status(world):
    world.sync([inbound(world.fake, "x", "5001", kind="mention")])
    use_salesforce(world)
    records = [
        post("0ST00000000000A", "x:5001", "We have refunded you"),
        post("0ST00000000000B", None, "Answer to something crmbridge never wrote"),
    ]
    queries: list[str] = []

    def query(request):
        soql = parse_qs(urlsplit(request.url).query)["q"][0]
        queries.append(soql)
        return 200, {}, json.dumps({"totalSize": 2, "done": True, "records": records})

    world.wire.add_callback(responses.GET, f"{BASE}/query/", callback=query)
    patches: dict[str, list[dict]] = {}

    def patch(request):
        patches.setdefault(request.url.rsplit("/", 1)[1], []).append(json.loads(request.body))
        return 204, {}, ""

    world.wire.add_callback(
        responses.PATCH, f"{BASE}/sobjects/SocialPost/0ST00000000000A", callback=patch
    )
    world.wire.add_callback(
        responses.PATCH, f"{BASE}/sobjects/SocialPost/0ST00000000000B", callback=patch
    )
    replies = SocialPostReplies(world.config, world.store)

    first = replies.poll()
    again = replies.poll()  # the post is still awaiting in Salesforce: still one reply
    world.send()
    replies.poll()

    assert "IsOutbound = true" in queries[0] and "ExternalPostId = null" in queries[0]
    assert "Crmbridge_Key__c = null" in queries[0] and "Status IN ('Sending')" in queries[0]
    assert first.queued == 1 and again.queued == 1 and len(world.fake.posted()) == 1
    sent = world.fake.posted()[0]
    assert sent.text == "We have refunded you ^Maria G" and sent.parent == "5001"
    reply = Outbox(world.store).get("sf-0ST00000000000A")
    assert reply.agent == "Maria Gomez" and reply.origin == "salesforce"
    assert patches["0ST00000000000A"] == [
        {"Status": "Sent", "ExternalPostId": sent.id, "Crmbridge_Key__c": f"x:{sent.id}"}
    ]
    refused = patches["0ST00000000000B"][0]
    assert refused["Status"] == "Failed" and "ReplyTo has no key" in refused["StatusMessage"]
