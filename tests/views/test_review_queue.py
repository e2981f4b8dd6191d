"""The review queue view: ordered by messages waiting, paged with the total, evidence."""

from __future__ import annotations

from crmbridge.views.review_queue import queue_lines, review_queue
from tests.views.conftest import fill, message, minutes, queue


def test_items_come_most_messages_waiting_first_with_the_total_and_paging(store):
    rows = [message(1, "x:a", None, at=minutes(1))]
    rows += [message(10 + n, "x:b", None, at=minutes(10 + n)) for n in range(3)]
    rows += [message(20 + n, "x:c", None, at=minutes(20 + n)) for n in range(2)]
    rows.append(message(30, "x:c", "C9", at=minutes(30)))  # on a contact: not waiting
    fill(
        store,
        rows,
        [queue("x:a", [["C1", 0.7]]), queue("x:b", [["C1", 0.6]]), queue("x:c", [["C1", 0.5]])],
    )
    with store.engine.connect() as conn:
        first = review_queue(conn, per_page=2)
        second = review_queue(conn, page=2, per_page=2)
    assert [i["persona"] for i in first["items"]] == ["x:b", "x:c"]
    assert [i["author"]["messages_waiting"] for i in first["items"]] == [3, 2]
    assert (first["total"], first["pages"], first["shown"]) == (3, 2, 2)
    assert [i["persona"] for i in second["items"]] == ["x:a"]
    assert queue_lines(first)[0] == "2 of 3 open review item(s) (items 1-2)"
    assert queue_lines(first)[-1] == "more: --page 2"


def test_old_candidate_rows_get_evidence_per_field_from_the_author_and_the_mirror(store):
    author = {"email": "jane@example.com", "phone": "07700 900123", "location": "Leeds, UK"}
    fill(
        store,
        [
            message(
                1,
                "x:a",
                None,
                at=minutes(1),
                name="Jane Doe",
                handle="jdoe",
                author=author,
                text="where is my order",
            )
        ],
        [queue("x:a", [["C1", 0.91, {"name": "exact"}], ["C3", 0.4], "C2"])],
    )
    with store.engine.connect() as conn:
        (item,) = review_queue(conn, region="GB")["items"]
    a = item["author"]
    assert (a["name"], a["handle"], a["platform"]) == ("Jane Doe", "jdoe", "x")
    assert a["profile"]["location"] == "Leeds, UK"
    assert a["latest"]["text"] == "where is my order"
    top, second, third = item["candidates"]
    assert top["contact"]["name"] == "Jane Doe" and top["contact"]["city"] == "Leeds"
    assert top["contact"]["handles"] == {"x": "jdoe"}
    verdicts = {e["field"]: (e["author"], e["contact"], e["verdict"]) for e in top["evidence"]}
    assert verdicts == {
        "name": ("Jane Doe", "Jane Doe", "agree"),
        "email": ("jane@example.com", "jane@example.com", "agree"),
        "phone": ("07700 900123", "+44 7700 900123", "agree"),
        "handle": ("jdoe", "jdoe", "agree"),
        "city": ("Leeds, UK", "Leeds", "agree"),
    }
    second_verdicts = {e["field"]: e["verdict"] for e in second["evidence"]}
    assert second_verdicts == {
        "name": "partial",
        "email": "disagree",
        "phone": "missing",
        "handle": "missing",
        "city": "disagree",
    }
    assert third["score"] is None and third["contact"]["name"] == "John Roe"
    assert item["reason"].startswith("Best match Jane Doe (score 0.91): name, email, phone,")
    assert "3 contacts are candidates" in item["reason"]


def test_new_candidate_objects_show_the_model_s_evidence_then_the_fields_it_left_out(store):
    evidence = [
        {
            "field": "website",
            "author": "jane.example",
            "contact": "jane.example",
            "verdict": "agree",
            "weight": 4.2,
        },
        {
            "field": "phone",
            "author": "+1 303",
            "contact": "+44 7700",
            "verdict": "disagree",
            "weight": -3.0,
        },
    ]
    fill(
        store,
        [message(1, "x:a", None, at=minutes(1))],
        [
            queue(
                "x:a",
                [{"contact_id": "C1", "score": 0.8, "evidence": evidence}],
                reason="contact C1 has a different phone",
            )
        ],
    )
    with store.engine.connect() as conn:
        (item,) = review_queue(conn)["items"]
    (cand,) = item["candidates"]
    assert cand["score"] == 0.8 and cand["evidence"][:2] == evidence
    derived = {e["field"]: e["verdict"] for e in cand["evidence"][2:]}
    assert derived == {"name": "agree", "email": "missing", "handle": "missing", "city": "missing"}
    assert item["reason"] == (
        "Contact C1 has a different phone. Best match Jane Doe (score 0.80): website and name "
        "agree; phone differs; nothing to compare on email, handle and city."
    )


def test_a_candidate_the_crm_no_longer_has_is_shown_as_unknown(store):
    fill(store, [message(1, "x:a", None, at=minutes(1))], [queue("x:a", [["C404", 0.5]])])
    with store.engine.connect() as conn:
        (item,) = review_queue(conn)["items"]
    assert item["candidates"][0]["contact"] == {
        "id": "C404",
        "known": False,
        "name": None,
        "email": None,
        "phone": None,
        "city": None,
        "country": None,
        "handles": {},
    }
    assert "(not in the CRM)" in "\n".join(queue_lines(review_queue_of(store)))


def review_queue_of(store):
    with store.engine.connect() as conn:
        return review_queue(conn)
