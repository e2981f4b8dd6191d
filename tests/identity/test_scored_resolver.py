import json

import pytest

from crmbridge.config import IdentityConfig
from crmbridge.crm.local import LocalConfig, LocalCrm
from crmbridge.identity.scored_resolver import ScoredResolver
from crmbridge.models import parse_interaction
from crmbridge.state.schema import links, review
from crmbridge.state.store import StateStore, utcnow
from tests.conftest import record


class NoMirrorCrm(LocalCrm):
    """An adapter that cannot enumerate contacts (the base class default)."""

    def contacts_since(self, cursor):
        raise NotImplementedError


@pytest.fixture
def store(tmp_path):
    s = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    yield s
    s.close()


def crm_of(workdir, cls=LocalCrm):
    return cls(LocalConfig(path=workdir / "crm.db", contacts_csv=workdir / "contacts.csv"))


def msg(n, kind="mention", text="hello", platform="x", **author):
    return parse_interaction(
        record(f"m{n}", kind=kind, text=text, platform=platform, author=author), "test"
    )


def test_an_exact_email_is_auto_linked_with_score_one(workdir, store):
    with crm_of(workdir) as crm:
        res = ScoredResolver(store, crm, IdentityConfig()).resolve(
            [msg(1, id="a", email="JANE@example.com")]
        )["x:a"]
    assert (res.link.band, res.link.contact_id, res.link.rule) == ("auto", "C1", "email")
    assert res.new_link["approved_by"] == "auto" and res.contact.id == "C1"


def test_an_email_written_in_a_dm_links_as_a_key_of_the_authors_own(workdir, store):
    dm = msg(2, kind="dm", text="my email is john.roe@example.com", id="b", name="ROE, John")
    with crm_of(workdir) as crm:
        res = ScoredResolver(store, crm, IdentityConfig()).resolve([dm])["x:b"]
    assert (res.link.band, res.link.contact_id, res.link.rule) == ("auto", "C2", "text_email")
    assert json.loads(res.new_link["evidence"])["text_email"] == "john.roe@example.com"


def test_a_handle_two_contacts_share_goes_to_review_once(workdir, store):
    with crm_of(workdir) as crm:
        res = ScoredResolver(store, crm, IdentityConfig()).resolve(
            [msg(3, id="c", handle="shared")]
        )
    review = res["x:c"].new_review
    assert res["x:c"].link.band == "review"
    assert "2 contacts share" in review["reason"]
    assert [c["contact_id"] for c in json.loads(review["candidates"])] == ["C5", "C6"]


def test_namesakes_are_queued_for_review_not_linked(workdir, store):
    with crm_of(workdir) as crm:
        res = ScoredResolver(store, crm, IdentityConfig()).resolve(
            [msg(4, platform="instagram", id="d", name="James Smith", handle="jamessmith")]
        )["instagram:d"]
    assert res.link.band != "auto" and res.new_link is None


def test_an_existing_persona_link_wins_over_every_key(workdir, store):
    with store.engine.begin() as conn:
        conn.execute(
            links.insert().values(
                persona_key="x:e",
                contact_id="C3",
                rule="manual",
                score=1.0,
                evidence="{}",
                approved_by="alice",
                created_at=utcnow(),
            )
        )
    with crm_of(workdir) as crm:
        res = ScoredResolver(store, crm, IdentityConfig()).resolve(
            [msg(5, id="e", email="jane@example.com")]
        )["x:e"]
    assert (res.link.contact_id, res.link.approved_by, res.new_link) == ("C3", "alice", None)


def test_the_mirror_refreshes_incrementally_between_batches(workdir, store):
    with crm_of(workdir) as crm:
        resolver = ScoredResolver(store, crm, IdentityConfig())
        assert resolver.resolve([msg(6, id="f", email="new@example.com")])["x:f"].link.band == (
            "unmatched"
        )
        csv_path = workdir / "contacts.csv"
        csv_path.write_text(csv_path.read_text() + "C7,Neu,Person,new@example.com,,,US,,\n")
        crm.load_contacts(csv_path)
        res = resolver.resolve([msg(7, id="f", email="new@example.com")])["x:f"]
        assert resolver.refresh() == 0
    assert (res.link.band, res.link.contact_id) == ("auto", "C7")


def test_without_contact_enumeration_it_falls_back_to_exact_matching(workdir, store):
    with crm_of(workdir, NoMirrorCrm) as crm:
        resolver = ScoredResolver(store, crm, IdentityConfig())
        res = resolver.resolve([msg(8, id="g", handle="@JDOE")])["x:g"]
    assert resolver.mirrored is False
    assert (res.link.band, res.link.contact_id, res.link.rule) == ("auto", "C1", "handle")


def test_reviewers_decisions_move_the_weights_of_the_next_resolver(workdir, store):
    from crmbridge.identity.model import Model
    from crmbridge.identity.review import approve, reject

    feats = {"name": "last", "location": "city"}
    with store.engine.begin() as conn:
        for n in range(2):
            conn.execute(
                review.insert().values(
                    persona_key=f"x:r{n}",
                    candidates=json.dumps([{"contact_id": "C1", "score": 0.4, "levels": feats}]),
                    reason="score",
                    score=0.4,
                    status="open",
                    created_at=utcnow(),
                )
            )
    approve(store, 1, "alice")
    with crm_of(workdir) as crm:
        after_approval = ScoredResolver(store, crm, IdentityConfig())
        reject(store, 2, "alice")
        after_both = ScoredResolver(store, crm, IdentityConfig())
    base = Model().weight("name", "last", 0.01)
    assert after_approval.learned == 1 and after_both.learned == 2
    assert after_approval.model.weight("name", "last", 0.01) > base
    assert after_both.model.weight("name", "last", 0.01) < after_approval.model.weight(
        "name", "last", 0.01
    )


def _commit(store, resolutions):
    from crmbridge.state.store import BatchCommit

    commit = BatchCommit(source="s", cursor=None)
    for r in resolutions.values():
        commit.links += [r.new_link] if r.new_link else []
        commit.reviews += [r.new_review] if r.new_review else []
    store.commit(commit)


def test_a_linked_persona_whose_email_now_names_another_contact_goes_to_review_once(workdir, store):
    with crm_of(workdir) as crm:
        first = ScoredResolver(store, crm, IdentityConfig())
        _commit(store, first.resolve([msg(20, id="k", handle="jdoe")]))  # auto: C1
        later = ScoredResolver(store, crm, IdentityConfig())
        res = later.resolve([msg(21, id="k", handle="jdoe", email="john.roe@example.com")])
        _commit(store, res)
        again = later.resolve([msg(22, id="k", handle="jdoe", email="john.roe@example.com")])
    assert (res["x:k"].link.contact_id, res["x:k"].link.band) == ("C1", "auto")  # link stays
    review_row = res["x:k"].new_review
    assert review_row["reason"] == (
        "persona is linked to contact C1, but its email now matches contact C2"
    )
    assert [c["contact_id"] for c in json.loads(review_row["candidates"])] == ["C2", "C1"]
    assert again["x:k"].new_review is None  # raised once, not at every message


def test_a_link_a_reviewer_made_is_not_questioned_by_a_key(workdir, store):
    from crmbridge.identity.review import link

    link(store, "x:m", "C1", "alice")
    with crm_of(workdir) as crm:
        res = ScoredResolver(store, crm, IdentityConfig()).resolve(
            [msg(23, id="m", email="john.roe@example.com")]
        )
    assert res["x:m"].link.contact_id == "C1" and res["x:m"].new_review is None
