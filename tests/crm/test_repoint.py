"""Review decisions move what crmbridge already wrote, on Salesforce and HubSpot."""

from __future__ import annotations

import json

import pytest
import responses
from responses import matchers

from crmbridge import ops
from crmbridge.errors import DataError
from crmbridge.pipeline import Pipeline
from tests.crm.test_hubspot import adapter, fake, note  # noqa: F401  (fixture)
from tests.crm.test_salesforce import BASE as SF_BASE
from tests.crm.test_salesforce import opened, session_config
from tests.crm.test_salesforce_pipeline import Org, config, healthy  # noqa: F401  (fixture)

JANE, RAJ = "003000000000001AAA", "003000000000002AAA"


def test_linking_a_persona_elsewhere_moves_its_salesforce_tasks_in_one_collection(config):
    org = Org()
    with responses.RequestsMock() as mock:
        healthy(mock, org)
        Pipeline(config).run()
    jane_tasks = {t["Id"] for t in org.tasks.values() if t["WhoId"] == JANE}
    with responses.RequestsMock() as mock:
        move = mock.patch(
            SF_BASE + "composite/sobjects",
            json=[{"id": i, "success": True, "errors": []} for i in sorted(jane_tasks)],
            match=[matchers.header_matcher({"Sforce-Auto-Assign": "FALSE"})],
        )
        done = ops.review_action(config, "link", persona="x:u-jane", contact_id=RAJ, reviewer="ana")
    body = json.loads(move.calls[0].request.body)
    assert body["allOrNone"] is False
    assert {r["id"] for r in body["records"]} == jane_tasks
    assert all(
        r == {"attributes": {"type": "Task"}, "id": r["id"], "WhoId": RAJ} for r in body["records"]
    )
    assert (done["from"], done["to"], done["activities_moved"]) == (JANE, RAJ, 3)


def test_unlinking_clears_the_who_id_and_a_refused_record_is_named():
    activities = [
        {"key": "x:1", "crm_object": "Task", "crm_id": "00T000000000001AAA", "contact_id": JANE},
        {"key": "x:2", "crm_object": "SocialPost", "crm_id": "0ST000000000002AAA"},
    ]
    refused = {"success": False, "errors": [{"statusCode": "ENTITY_IS_DELETED", "message": "gone"}]}
    with responses.RequestsMock() as mock:
        call = mock.patch(
            SF_BASE + "composite/sobjects",
            json=[{"id": "00T000000000001AAA", "success": True, "errors": []}, refused],
        )
        crm = opened(session_config())
        with pytest.raises(DataError, match=r"moved 1 of 2 records; x:2: ENTITY_IS_DELETED"):
            crm.repoint(activities, None)
    records = json.loads(call.calls[0].request.body)["records"]
    assert [r["WhoId"] for r in records] == [None, None]
    assert [r["attributes"]["type"] for r in records] == ["Task", "SocialPost"]


def test_hubspot_notes_move_by_archiving_the_old_association_and_creating_the_new(httpserver, fake):
    old, new = fake.add_contact(email="a@example.com"), fake.add_contact(email="b@example.com")
    crm = adapter(httpserver)
    written = crm.write([note("x:1", old), note("x:2", old)])
    activities = [
        {"key": r.key, "crm_object": "notes", "crm_id": r.crm_id, "contact_id": old}
        for r in written
    ]

    assert crm.repoint(activities, new) == 2

    ids = {r.crm_id for r in written}
    assert fake.links["notes"][new] == ids and not fake.links["notes"][old]
    archived = [
        json.loads(req.get_data())
        for req, _ in httpserver.log
        if req.path == "/crm/v4/associations/notes/contacts/batch/archive"
    ]
    assert archived[0]["inputs"][0] == {"from": {"id": written[0].crm_id}, "to": [{"id": old}]}


def test_hubspot_unlink_only_archives_and_a_second_run_changes_nothing(httpserver, fake):
    old = fake.add_contact(email="a@example.com")
    crm = adapter(httpserver)
    (written,) = crm.write([note("x:1", old)])
    activity = {"key": "x:1", "crm_object": "notes", "crm_id": written.crm_id, "contact_id": old}

    assert crm.repoint([activity], None) == 1
    assert crm.repoint([activity], None) == 1  # idempotent: archiving twice is harmless

    assert not fake.links["notes"][old]
    assert fake.calls["POST /crm/v4/associations/notes/contacts/batch/create"] == 0
