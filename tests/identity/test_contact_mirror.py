"""The contact mirror persists between runs and reads only what changed."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
import sqlalchemy as sa

from crmbridge.config import IdentityConfig
from crmbridge.crm.local import LocalConfig, LocalCrm
from crmbridge.errors import TransientError
from crmbridge.identity.scored_resolver import ScoredResolver
from crmbridge.models import parse_interaction
from crmbridge.state.schema import contact_mirror
from crmbridge.state.store import StateStore
from tests.conftest import record
from tests.crm.test_hubspot import adapter, fake  # noqa: F401  (fixture)
from tests.crm.test_salesforce import BASE, opened, session_config, soql_of

JOB = "750000000000001AAA"


@pytest.fixture
def store(tmp_path):
    s = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    yield s
    s.close()


def mirrored(store: StateStore) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(contact_mirror)) or 0)


def sf_contact(n: int, stamp: str = "2024-01-15T10:30:00.000+0000") -> dict[str, Any]:
    return {
        "attributes": {"type": "Contact"},
        "Id": f"003{n:015d}",
        "FirstName": f"First{n}",
        "LastName": f"Last{n}",
        "MailingCity": None,
        "MailingCountry": "US",
        "Email": f"c{n}@example.com",
        "Phone": None,
        "MobilePhone": None,
        "SystemModstamp": stamp,
    }


def test_a_second_run_loads_the_mirror_from_the_store_and_reads_only_changes(workdir, store):
    config = LocalConfig(path=workdir / "crm.db", contacts_csv=workdir / "contacts.csv")
    with LocalCrm(config) as crm:
        assert ScoredResolver(store, crm, IdentityConfig()).refresh() == 6
    assert mirrored(store) == 6
    with LocalCrm(config) as crm:
        again = ScoredResolver(store, crm, IdentityConfig())
        assert again.refresh() == 0  # nothing changed since the saved cursor
        assert len(again.index) == 6  # ... and every contact is there, from the store


def test_a_first_load_cut_off_by_an_error_resumes_after_the_last_saved_slice(store):
    page = {
        "totalSize": 2500,
        "done": False,
        "nextRecordsUrl": "/services/data/v62.0/query/01g000000000001-2000",
        "records": [
            sf_contact(n, f"2024-01-15T10:{n // 100:02d}:00.000+0000") for n in range(2000)
        ],
    }
    with responses.RequestsMock() as mock:
        mock.get(BASE + "query/", json=page)
        mock.get(BASE + "query/01g000000000001-2000", status=503, json=[{"errorCode": "X"}])
        crm = opened(session_config(attempts=1, bulk_threshold=0))
        with pytest.raises(TransientError):
            ScoredResolver(store, crm, IdentityConfig()).refresh()
    assert mirrored(store) == 2000
    with responses.RequestsMock() as mock:
        call = mock.get(BASE + "query/", json={"totalSize": 0, "done": True, "records": []})
        crm = opened(session_config(attempts=1, bulk_threshold=0))
        resumed = ScoredResolver(store, crm, IdentityConfig())
        resumed.refresh()
    assert "WHERE SystemModstamp > 2024-01-15T10:18:59+00:00" in soql_of(call.calls[0])
    assert len(resumed.index) == 2000


def test_a_large_org_is_read_once_through_a_bulk_api_2_query_job(store):
    csv_rows = "\n".join(
        f'"003{n:015d}","First{n}","Last{n}","","US","c{n}@example.com","","",'
        f'"2024-01-{10 + n:02d}T08:00:00.000Z"'
        for n in range(3)
    )
    header = '"Id","FirstName","LastName","MailingCity","MailingCountry","Email","Phone",'
    header += '"MobilePhone","SystemModstamp"'
    with responses.RequestsMock() as mock:
        count = mock.get(BASE + "query/", json={"totalSize": 75000, "done": True, "records": []})
        create = mock.post(BASE + "jobs/query", json={"id": JOB, "state": "UploadComplete"})
        mock.get(BASE + f"jobs/query/{JOB}", json={"id": JOB, "state": "JobComplete"})
        mock.get(
            BASE + f"jobs/query/{JOB}/results",
            body=header + "\n" + csv_rows + "\n",
            headers={"Sforce-Locator": "null", "Sforce-NumberOfRecords": "3"},
            content_type="text/csv",
        )
        crm = opened(session_config(bulk_poll_s=0))
        rows = list(crm.contacts_since(None))
    assert soql_of(count.calls[0]) == "SELECT COUNT() FROM Contact"
    job = json.loads(create.calls[0].request.body)
    assert job["operation"] == "query" and "ORDER BY" not in job["query"]
    assert [c.email for c, _ in rows] == [f"c{n}@example.com" for n in range(3)]
    assert rows[0][0].city is None  # an empty CSV cell is no value, not ""
    # Unordered rows: only the last carries the cursor, one second before the newest stamp.
    assert [cursor for _, cursor in rows] == [None, None, "2024-01-12T07:59:59+00:00"]


def test_an_author_is_linked_by_a_hubspot_additional_email(httpserver, fake, store):
    cid = fake.add_contact(
        firstname="Ana", email="ana@work.example", hs_additional_emails="ana.home@example.org"
    )
    crm = adapter(httpserver)
    author = {"id": "77", "name": "someone", "email": "Ana.Home@example.org"}
    interaction = parse_interaction(record("m1", author=author), "test")
    res = ScoredResolver(store, crm, IdentityConfig()).resolve([interaction])["x:77"]
    assert (res.link.band, res.link.contact_id, res.link.rule) == ("auto", cid, "email")
