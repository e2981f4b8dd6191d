"""The identity index lives in the state store and changes with the contacts it mirrors."""

from __future__ import annotations

import sqlalchemy as sa

from crmbridge.config import IdentityConfig
from crmbridge.crm.local import LocalConfig, LocalCrm
from crmbridge.identity.index_store import StoredIndex
from crmbridge.identity.scored_resolver import ScoredResolver
from crmbridge.models import Contact, parse_interaction
from crmbridge.state.mirror import ContactMirror
from crmbridge.state.schema import identity_keys, identity_records, identity_terms
from crmbridge.state.store import StateStore
from tests.conftest import record


def msg(n, **author):
    return parse_interaction(record(f"m{n}", author={"id": f"a{n}", **author}), "test")


def rows(store, table):
    with store.engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def test_a_first_refresh_files_every_contact_with_its_keys_and_term_counts(workdir, tmp_path):
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    config = LocalConfig(path=workdir / "crm.db", contacts_csv=workdir / "contacts.csv")
    with LocalCrm(config) as crm:
        ScoredResolver(store, crm, IdentityConfig()).refresh()
    index = StoredIndex(store, "local")
    assert len(index) == 6 and rows(store, identity_records) == 6
    assert rows(store, identity_keys) > 6 * 5
    assert index.tf.count("first", "james") == 2 and index.tf.count("city", "york") == 2
    assert index.ids("em:jane@example.com") == ["C1"]
    store.close()


def test_a_contact_that_changes_in_the_crm_is_filed_again_under_its_new_keys(workdir, tmp_path):
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    config = LocalConfig(path=workdir / "crm.db", contacts_csv=workdir / "contacts.csv")
    with LocalCrm(config) as crm:
        ScoredResolver(store, crm, IdentityConfig()).refresh()
    csv_text = (workdir / "contacts.csv").read_text().replace("jane@example.com", "jd@new.example")
    (workdir / "contacts.csv").write_text(csv_text)
    with LocalCrm(config) as crm:
        resolver = ScoredResolver(store, crm, IdentityConfig())
        assert resolver.refresh() == 1
        old = resolver.resolve([msg(1, email="jane@example.com")])["x:a1"]
        new = resolver.resolve([msg(2, email="jd@new.example")])["x:a2"]
    assert old.link.band == "unmatched"
    assert (new.link.band, new.link.contact_id) == ("auto", "C1")
    index = StoredIndex(store, "local")
    assert len(index) == 6 and index.tf.count("first", "jane") == 1
    store.close()


def test_a_run_resolves_through_indexed_queries_without_loading_every_contact(workdir, tmp_path):
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    config = LocalConfig(path=workdir / "crm.db", contacts_csv=workdir / "contacts.csv")
    with LocalCrm(config) as crm:
        ScoredResolver(store, crm, IdentityConfig()).refresh()
    with LocalCrm(config) as crm:
        resolver = ScoredResolver(store, crm, IdentityConfig())
        res = resolver.resolve([msg(3, email="JANE@example.com")])["x:a3"]
        assert (res.link.band, res.link.contact_id) == ("auto", "C1")
        assert set(resolver.index._records) <= {"C1"}  # only what the batch touched
    store.close()


def test_a_mirror_kept_by_an_older_version_is_filed_once_on_the_first_refresh(tmp_path):
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    ContactMirror(store, "local").save(
        [Contact(id="C9", first_name="Ada", last_name="Lovelace", email="ada@x.example")], "5"
    )
    index = StoredIndex(store, "local")
    assert len(index) == 0
    ContactMirror(store, "local", index).index_if_missing()
    assert StoredIndex(store, "local").ids("em:ada@x.example") == ["C9"]
    assert rows(store, identity_terms) > 0
    store.close()


def test_a_dry_run_files_changes_in_memory_only(workdir, tmp_path):
    path = tmp_path / "state.db"
    StateStore(f"sqlite:///{path}").close()
    store = StateStore(f"sqlite:///{path}", read_only=True)
    config = LocalConfig(path=workdir / "crm.db", contacts_csv=workdir / "contacts.csv")
    with LocalCrm(config) as crm:
        resolver = ScoredResolver(store, crm, IdentityConfig())
        res = resolver.resolve([msg(4, email="jane@example.com")])["x:a4"]
    assert (res.link.band, res.link.contact_id) == ("auto", "C1")
    assert rows(store, identity_records) == 0
    store.close()
