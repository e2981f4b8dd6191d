import pytest

from crmbridge.crm.local import LocalConfig, LocalCrm
from crmbridge.errors import ConfigError
from crmbridge.models import ActivityWrite


@pytest.fixture
def crm(workdir):
    adapter = LocalCrm(LocalConfig(path=workdir / "crm.db", contacts_csv=workdir / "contacts.csv"))
    with adapter:
        yield adapter


def write(key, contact="C1", **fields):
    return ActivityWrite(
        key=key,
        object="activity",
        contact_id=contact,
        fields={"subject": key, "occurred_at": "2024-01-01T00:00:00Z", **fields},
    )


def test_contacts_are_found_by_email_case_blind_and_by_platform_handle(crm):
    found = crm.find_contacts(emails={"john.roe@example.com"}, handles={"x": {"jdoe"}})
    assert sorted(c.id for c in found) == ["C1", "C2"]
    jane = next(c for c in found if c.id == "C1")
    assert jane.handles == {"x": "jdoe"}


def test_phones_are_stored_in_e164_using_the_contacts_country(crm):
    assert [c.id for c in crm.find_contacts(phones={"+447700900123"})] == ["C1"]
    assert [c.id for c in crm.find_contacts(phones={"+14155550134"})] == ["C2"]


def test_one_lookup_counts_as_one_api_call_however_many_keys(crm):
    before = crm.api_calls
    crm.find_contacts(emails={f"u{n}@example.com" for n in range(2000)})
    assert crm.api_calls == before + 1


def test_writing_the_same_key_twice_updates_the_one_activity(crm):
    (first,) = crm.write([write("x:1")])
    (second,) = crm.write([write("x:1", body="edited")])
    assert (first.status, second.status) == ("created", "updated")
    assert first.crm_id == second.crm_id
    history = crm.history("C1")
    assert len(history) == 1 and history[0]["body"] == "edited"


def test_a_record_for_an_unknown_contact_fails_alone(crm):
    results = crm.write([write("x:1"), write("x:2", contact="NOPE"), write("x:3")])
    assert [r.status for r in results] == ["created", "failed", "created"]
    assert results[1].error_kind == "data" and "NOPE" in results[1].error


def test_contacts_since_yields_only_changes_after_the_cursor(workdir, crm):
    seen = list(crm.contacts_since(None))
    assert len(seen) == 6
    last = seen[-1][1]
    assert list(crm.contacts_since(last)) == []
    csv = workdir / "contacts.csv"
    csv.write_text(csv.read_text().replace("Leeds,GB,jdoe", "Bradford,GB,jdoe"))
    crm.load_contacts(csv)
    changed = list(crm.contacts_since(last))
    assert [(c.id, c.city) for c, _ in changed] == [("C1", "Bradford")]


def test_a_contacts_csv_without_required_columns_names_them(workdir):
    bad = workdir / "bad.csv"
    bad.write_text("id,first_name\nC1,Jane\n")
    adapter = LocalCrm(LocalConfig(path=workdir / "crm.db", contacts_csv=bad))
    with pytest.raises(ConfigError, match=r"bad\.csv: line 1: missing column"):
        adapter.open()
    adapter.close()


def test_a_dry_run_adapter_leaves_the_crm_file_untouched(workdir):
    path = workdir / "crm.db"
    with LocalCrm(LocalConfig(path=path, contacts_csv=workdir / "contacts.csv")) as crm:
        crm.write([write("x:1")])
    before = path.read_bytes()
    with LocalCrm(
        LocalConfig(path=path, contacts_csv=workdir / "contacts.csv"), dry_run=True
    ) as crm:
        crm.write([write("x:2")])
        assert len(crm.history("C1")) == 2
    assert path.read_bytes() == before


def test_workers_opening_a_new_crm_file_at_once_take_turns_switching_it_to_wal(tmp_path):
    import threading

    from crmbridge.crm.local import LocalConfig, LocalCrm

    # Switching the journal mode does not wait on SQLite's busy timeout when two
    # connections race for it: without the retry about one race in eight failed.
    failures: list[BaseException] = []
    for n in range(40):
        folder = tmp_path / str(n)
        folder.mkdir()
        barrier = threading.Barrier(3)

        def open_it(path=folder / "crm.db", barrier=barrier) -> None:
            crm = LocalCrm(LocalConfig(path=path))
            barrier.wait()
            try:
                crm.open()
                crm.close()
            except Exception as exc:  # collected: the assertion names it
                failures.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []
