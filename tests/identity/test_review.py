import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crmbridge.errors import UsageError
from crmbridge.identity.review import approve, link, list_reviews, reject, unlink
from crmbridge.state.schema import ledger, links, review
from crmbridge.state.store import StateStore

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    s = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    with s.engine.begin() as conn:
        for n, crm_id in ((1, "A1"), (2, "A2"), (3, None)):
            conn.execute(
                ledger.insert().values(
                    key=f"x:m{n}",
                    source="s",
                    platform="x",
                    kind="dm",
                    message_id=f"m{n}",
                    persona_key="x:42",
                    contact_id=None,
                    status="written" if crm_id else "failed",
                    crm_object="Task",
                    crm_id=crm_id,
                    payload_hash="h",
                    version_at=NOW,
                    attempts=1,
                    payload="{}",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        conn.execute(
            review.insert().values(
                persona_key="x:42",
                candidates=json.dumps([["C1", 0.9], ["C2", 0.4]]),
                reason="score 0.9",
                score=0.9,
                status="open",
                created_at=NOW,
            )
        )
    yield s
    s.close()


def ledger_contacts(store):
    with store.engine.connect() as conn:
        return dict(conn.execute(select(ledger.c.key, ledger.c.contact_id)).all())


def link_rows(store):
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(links).order_by(links.c.id)).mappings()]


def test_review_list_shows_candidates_score_and_reason(store):
    (item,) = list_reviews(store)
    assert item["persona_key"] == "x:42"
    assert item["candidates"] == [["C1", 0.9], ["C2", 0.4]]
    assert (item["score"], item["reason"]) == (0.9, "score 0.9")


def test_approving_links_the_top_candidate_and_repoints_written_activities(store):
    moved = approve(store, 1, "alice")
    assert (moved.old_contact_id, moved.new_contact_id) == (None, "C1")
    assert moved.activity_keys == ["x:m1", "x:m2"]
    assert set(ledger_contacts(store).values()) == {"C1"}
    (row,) = link_rows(store)
    assert (row["approved_by"], row["rule"], row["removed_at"]) == ("alice", "review", None)
    assert list_reviews(store) == []
    assert list_reviews(store, status="approved")[0]["decided_by"] == "alice"


def test_approving_may_choose_another_candidate(store):
    assert approve(store, 1, "alice", contact_id="C2").new_contact_id == "C2"


def test_rejecting_closes_the_item_and_links_nothing(store):
    reject(store, 1, "bob")
    assert link_rows(store) == []
    assert list_reviews(store, status="rejected")[0]["decided_by"] == "bob"
    with pytest.raises(UsageError, match="already rejected"):
        approve(store, 1, "bob")


def test_unlink_then_link_restores_exactly_the_previous_state(store):
    approve(store, 1, "alice")
    before_ledger = ledger_contacts(store)
    before = link_rows(store)[0]
    gone = unlink(store, "x:42", "bob")
    assert (gone.old_contact_id, gone.new_contact_id) == ("C1", None)
    assert gone.activity_keys == ["x:m1", "x:m2"]
    assert set(ledger_contacts(store).values()) == {None}
    back = link(store, "x:42", "C1", "bob")
    assert back.activity_keys == ["x:m1", "x:m2"]
    assert ledger_contacts(store) == before_ledger
    old, new = link_rows(store)
    assert old["removed_by"] == "bob" and old["removed_at"] is not None
    assert (new["rule"], new["score"], new["evidence"]) == (
        before["rule"],
        before["score"],
        before["evidence"],
    )
    assert new["approved_by"] == "bob" and new["removed_at"] is None


def test_linking_elsewhere_replaces_the_active_link(store):
    link(store, "x:42", "C1", "alice")
    moved = link(store, "x:42", "C9", "alice")
    assert (moved.old_contact_id, moved.new_contact_id) == ("C1", "C9")
    assert [r["removed_at"] is None for r in link_rows(store)] == [False, True]
    assert list_reviews(store, status="linked")


def test_unlinking_a_persona_without_a_link_is_an_error(store):
    with pytest.raises(UsageError, match="no persona"):
        unlink(store, "x:nobody", "bob")
