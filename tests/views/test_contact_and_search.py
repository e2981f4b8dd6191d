"""The contact view (threads across channels, links, mood) and finding a contact."""

from __future__ import annotations

import json

import pytest

from crmbridge.errors import UsageError
from crmbridge.identity.review import link
from crmbridge.state.schema import conversations, personas
from crmbridge.views.contact import contact_view
from crmbridge.views.search import find_contact, search_contacts
from tests.views.conftest import T0, fill, message, minutes


@pytest.fixture
def jane(store):
    conv = "conv:x:m1"
    rows = [
        message(
            1,
            "x:j",
            None,
            at=minutes(1),
            conversation=conv,
            handle="jdoe",
            text="my order never arrived, I want a refund",
        ),
        message(
            2,
            "facebook:fj",
            None,
            at=minutes(30),
            conversation=conv,
            kind="dm",
            is_private=True,
            author={"location": "Leeds", "bio": "climber"},
        ),
        message(3, "instagram:ij", None, at=minutes(60), conversation=conv, text="thanks, love it"),
        message(
            4,
            "x:brand",
            None,
            at=minutes(70),
            conversation=conv,
            direction="outbound",
            agent="Sam",
            name="Brand",
            text="Sorry Jane, on it",
        ),
        message(5, "x:j", None, at=minutes(60 * 24 * 9), conversation="conv:x:m5", handle="jdoe"),
    ]
    fill(store, rows)
    with store.engine.begin() as conn:
        conn.execute(
            conversations.insert().values(
                key=conv,
                person_key="contact:C1",
                status="closed",
                channels=json.dumps(["x", "facebook", "instagram"]),
                opened_at=minutes(1),
                last_at=minutes(70),
                messages=4,
                inbound=3,
                outbound=1,
                case_key=conv,
                sla_due_at=minutes(120),
            )
        )
        for key, platform, handle in (
            ("x:j", "x", "jdoe"),
            ("facebook:fj", "facebook", None),
            ("instagram:ij", "instagram", "jane.d"),
        ):
            conn.execute(
                personas.insert().values(
                    key=key,
                    platform=platform,
                    author_id=key.split(":")[1],
                    handle=handle,
                    name="Jane Doe",
                    first_seen=T0,
                    last_seen=T0,
                    interactions=1,
                )
            )
    for persona in ("x:j", "facebook:fj", "instagram:ij", "x:brand"):
        link(store, persona, "C1", "ana")
    return store


def test_a_conversation_on_three_channels_is_one_thread_newest_first(jane):
    with jane.engine.connect() as conn:
        view = contact_view(conn, "C1")
    assert view["contact"]["name"] == "Jane Doe"
    assert [t["key"] for t in view["conversations"]] == ["conv:x:m5", "conv:x:m1"]
    thread = view["conversations"][1]
    assert thread["channels"] == ["x", "facebook", "instagram"]
    assert [m["key"] for m in thread["messages"]] == ["x:m4", "instagram:m3", "facebook:m2", "x:m1"]
    assert all(m["conversation"] == "conv:x:m1" for m in thread["messages"])
    agent, thanks, dm, first = thread["messages"]
    assert agent["author"] == {"role": "agent", "name": "Sam", "handle": None}
    assert dm["visibility"] == "dm" and first["visibility"] == "public"
    assert first["mood"]["label"] == "negative" and "billing" in first["intents"]
    assert thanks["mood"]["label"] == "positive"
    assert first["url"] == "https://x.example/1"
    assert first["link"]["rule"] == "manual" and first["link"]["approved_by"] == "ana"
    assert thread["case"]["sla_due_at"].startswith("2024-03-01T11:00")
    assert view["rule_cases"] == [thread["case"]]
    harvested = {p["platform"]: p["profile"] for p in view["channels_profile"]}
    assert harvested["facebook"]["bio"] == "climber"
    assert "x:brand" not in {p["persona"] for p in view["channels_profile"]}


def test_the_newest_messages_are_shown_with_the_total(jane):
    with jane.engine.connect() as conn:
        view = contact_view(conn, "C1", limit=2)
    assert (view["messages_shown"], view["messages_total"]) == (2, 5)


@pytest.mark.parametrize(
    "lookup",
    [
        "C1",
        "jane@example.com",
        "JANE@example.com",
        "+44 7700 900123",
        "07700 900123",
        "@jdoe",
        "jdoe",
        "instagram:ij",
        "jane.d",
        "Jane Doe",
    ],
)
def test_a_contact_is_found_by_id_email_phone_handle_persona_or_name(jane, lookup):
    with jane.engine.connect() as conn:
        assert find_contact(conn, lookup) == "C1"


def test_an_unknown_or_ambiguous_lookup_is_a_usage_error(jane):
    with jane.engine.connect() as conn:
        with pytest.raises(UsageError, match=r"no contact matches 'nobody@example\.com'"):
            find_contact(conn, "nobody@example.com")
        with pytest.raises(UsageError, match="2 contacts match 'doe'") as err:
            find_contact(conn, "doe")
    assert err.value.exit_code == 2


def test_search_says_what_matched(jane):
    with jane.engine.connect() as conn:
        hits = {h["id"]: h["matched_by"] for h in search_contacts(conn, "jan")}
        assert hits == {"C1": "name", "C3": "name"}
        assert search_contacts(conn, "415-555-0134")[0]["matched_by"] == "phone"
        assert search_contacts(conn, "x:j")[0]["matched_by"] == "persona"
