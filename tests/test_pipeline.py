"""Invariants 1, 2 and 4 of DESIGN.md on the local CRM, through the real pipeline."""

import sqlite3

import pytest

from crmbridge.config import load_config
from crmbridge.crm.local import LocalCrm
from crmbridge.pipeline import Pipeline, sync
from crmbridge.state.store import StateStore
from tests.conftest import record, write_jsonl


class SimulatedCrash(BaseException):
    """Stands for the process dying: nothing in crmbridge may catch it."""


class CrashAfterWrite(LocalCrm):
    """The real local CRM, dying right after its Nth write was committed."""

    crash_on = 1

    def write(self, batch):
        results = super().write(batch)
        self.writes = getattr(self, "writes", 0) + 1
        if self.writes == self.crash_on:
            raise SimulatedCrash
        return results


def crm_rows(workdir, sql="SELECT key, contact_id FROM activities ORDER BY key"):
    with sqlite3.connect(workdir / "crm.db") as db:
        return db.execute(sql).fetchall()


def feed(workdir, rows):
    write_jsonl(workdir / "interactions.jsonl", rows)
    return load_config(workdir / "crmbridge.yaml")


def test_syncing_the_same_file_twice_creates_no_duplicate(workdir):
    config = feed(
        workdir, [record(str(n), author={"id": "p1", "handle": "jdoe"}) for n in range(30)]
    )
    first = sync(config)
    second = sync(config)
    assert (first.written, first.created, first.fetched) == (30, 30, 30)
    assert (second.fetched, second.written) == (0, 0)
    assert len(crm_rows(workdir)) == 30


def test_the_same_data_from_a_reset_cursor_is_unchanged_not_rewritten(workdir):
    config = feed(workdir, [record(str(n)) for n in range(5)])
    sync(config)
    (workdir / "copy.jsonl").write_text((workdir / "interactions.jsonl").read_text())
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml").read_text().replace("interactions.jsonl", "copy.jsonl")
    )
    again = sync(load_config(workdir / "crmbridge.yaml"))
    assert (again.fetched, again.unchanged, again.written) == (5, 5, 0)
    assert again.api_calls <= 1  # at most the contact-mirror refresh; no write call


def test_a_crash_after_the_crm_write_and_before_the_ledger_commit_loses_and_duplicates_nothing(
    workdir,
):
    rows = [
        record(str(n), author={"id": f"p{n % 3}", "email": "jane@example.com"}) for n in range(1200)
    ]
    config = feed(workdir, rows)
    cls = LocalCrm
    adapter = CrashAfterWrite(config.options_for(cls.Config, config.crm.options, "crm"))
    adapter.crash_on = 2  # the second batch of 500 reaches the CRM, its commit never happens
    with pytest.raises(SimulatedCrash):
        Pipeline(config, adapter=adapter).run()
    store = StateStore(config.state_url)
    assert len(store.ledger_rows([f"x:{n}" for n in range(1200)])) == 500
    store.close()
    assert len(crm_rows(workdir)) == 1000  # the CRM has more than the ledger knows
    summary = sync(config)
    assert summary.fetched == 700
    assert (summary.created, summary.updated) == (200, 500)
    keys = [k for k, _ in crm_rows(workdir)]
    assert len(keys) == len(set(keys)) == 1200
    assert {c for _, c in crm_rows(workdir)} == {"C1"}


def test_a_malformed_line_is_quarantined_with_its_reason_while_its_neighbours_are_written(workdir):
    config = feed(workdir, [record("1"), "{oops", record("2", platform="myspace"), record("3")])
    summary = sync(config)
    assert (summary.written, summary.quarantined) == (2, 2)
    assert [k for k, _ in crm_rows(workdir)] == ["x:1", "x:3"]
    store = StateStore(config.state_url)
    parked = store.quarantined()
    store.close()
    assert [(q["location"], q["raw"]) for q in parked] == [
        ("interactions.jsonl:2", "{oops\n"),
        ("interactions.jsonl:3", parked[1]["raw"]),
    ]
    assert "not valid JSON" in parked[0]["reason"] and "platform" in parked[1]["reason"]


def test_a_record_the_crm_refuses_is_parked_as_failed_and_the_cursor_moves_on(workdir):
    config = feed(workdir, [record("1", author={"id": "p"}), record("2")])
    store = StateStore(config.state_url)
    from crmbridge.state.schema import links
    from crmbridge.state.store import utcnow

    with store.engine.begin() as conn:  # a link to a contact since deleted from the CRM
        conn.execute(
            links.insert().values(
                persona_key="x:p",
                contact_id="GONE",
                rule="email",
                score=1.0,
                evidence="{}",
                approved_by="auto",
                created_at=utcnow(),
            )
        )
    summary = sync(config)
    assert (summary.written, summary.failed, int(summary.exit_code)) == (1, 1, 3)
    row = store.ledger_rows(["x:1"])["x:1"]
    assert (row.status, row.error_kind, row.attempts) == ("failed", "data", 1)
    assert "GONE" in row.error_message
    store.close()
    assert sync(config).fetched == 0


def test_an_edit_updates_the_original_activity_instead_of_adding_one(workdir):
    config = feed(
        workdir,
        [
            record("1", text="order never arived", author={"id": "p", "handle": "jdoe"}),
            record(
                "2",
                edit_of="1",
                edited_at="2024-01-15T10:35:00Z",
                text="order never arrived",
                author={"id": "p", "handle": "jdoe"},
            ),
        ],
    )
    summary = sync(config)
    assert summary.written == 1
    (activity,) = LocalCrm.history(_open(config), "C1")
    assert activity["key"] == "x:1" and activity["body"] == "order never arrived"


def test_an_older_version_arriving_later_does_not_overwrite_the_edit(workdir):
    edit = record("2", edit_of="1", edited_at="2024-01-15T10:35:00Z", text="final")
    config = feed(workdir, [edit])
    sync(config)
    with (workdir / "interactions.jsonl").open("a") as handle:
        handle.write(__import__("json").dumps(record("1", text="first draft")) + "\n")
    later = sync(config)
    assert (later.fetched, later.written, later.unchanged) == (1, 0, 1)


def test_a_deletion_marks_the_activity(workdir):
    config = feed(
        workdir,
        [
            record("1", author={"id": "p", "handle": "jdoe"}),
            record(
                "1",
                deleted=True,
                edited_at="2024-01-16T00:00:00Z",
                author={"id": "p", "handle": "jdoe"},
            ),
        ],
    )
    sync(config)
    (activity,) = LocalCrm.history(_open(config), "C1")
    assert activity["deleted"] is True and activity["body"].startswith("[deleted]")


def test_the_same_id_with_different_content_and_no_edit_time_is_quarantined(workdir):
    config = feed(workdir, [record("1", text="a")])
    sync(config)
    with (workdir / "interactions.jsonl").open("a") as handle:
        handle.write(__import__("json").dumps(record("1", text="b")) + "\n")
    summary = sync(config)
    assert (summary.quarantined, summary.written) == (1, 0)


def test_authors_are_linked_by_email_by_handle_and_by_their_earlier_link(workdir):
    config = feed(
        workdir,
        [
            record("1", author={"id": "e", "email": "JOHN.ROE@example.com"}),
            record("2", platform="instagram", author={"id": "h", "handle": "@JohnR"}),
            record("3", author={"id": "e"}),  # same persona, no identifiers this time
        ],
    )
    summary = sync(config)
    assert summary.unmatched == 0
    assert {c for _, c in crm_rows(workdir)} == {"C2"}
    store = StateStore(config.state_url)
    links = store.active_links(["x:e", "instagram:h"])
    store.close()
    assert (links["x:e"].rule, links["instagram:h"].rule) == ("email", "handle")


def test_a_same_name_decoy_is_not_linked_and_is_listed_as_unlinked(workdir):
    config = feed(workdir, [record("1", author={"id": "js", "name": "James Smith"})])
    summary = sync(config)
    assert summary.unmatched + summary.review == 1  # namesakes: at most a review, never a link
    assert crm_rows(workdir) == [("x:1", None)]
    store = StateStore(config.state_url)
    assert [p["key"] for p in store.unmatched()] == ["x:js"]
    store.close()


def test_two_contacts_sharing_a_handle_send_the_author_to_review_not_to_either(workdir):
    config = feed(
        workdir,
        [
            record("1", author={"id": "s", "handle": "shared"}),
            record("2", author={"id": "s", "handle": "shared"}),
        ],
    )
    summary = sync(config)
    assert summary.review == 2
    assert crm_rows(workdir) == [("x:1", None), ("x:2", None)]
    store = StateStore(config.state_url)
    report = store.report()
    store.close()
    assert report["review_queue"] == 1


def test_a_handle_match_beside_an_email_no_contact_holds_links_with_a_note(workdir):
    config = feed(
        workdir,
        [record("1", author={"id": "q", "handle": "jdoe", "email": "someone.else@example.com"})],
    )
    summary = sync(config)
    assert (summary.review, summary.written) == (0, 1)


def test_an_agent_reply_is_written_to_the_contact_of_the_message_it_answers(workdir):
    config = feed(
        workdir,
        [
            record("1", author={"id": "p", "handle": "jdoe"}),
            record(
                "2",
                direction="outbound",
                agent="Sam",
                in_reply_to="1",
                author={"id": "brand", "handle": "brand"},
            ),
        ],
    )
    sync(config)
    assert crm_rows(workdir) == [("x:1", "C1"), ("x:2", "C1")]


def test_a_dry_run_writes_nothing_anywhere_and_previews_the_creates(workdir):
    config = feed(workdir, [record("1", author={"id": "p", "handle": "jdoe"}), "{bad"])
    summary = sync(config, dry_run=True)
    assert (summary.created, summary.quarantined, summary.written) == (1, 1, 0)
    assert summary.preview[0]["key"] == "x:1" and summary.preview[0]["contact_id"] == "C1"
    assert not (workdir / "crm.db").exists() and not (workdir / "state.db").exists()


def test_held_unmatched_authors_are_kept_in_the_ledger_not_written(workdir):
    preset = workdir / "held.yaml"
    from importlib import resources

    text = (resources.files("crmbridge.mappings") / "local.yaml").read_text()
    preset.write_text(text.replace("unmatched: write", "unmatched: hold"))
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml").read_text() + "mapping: held.yaml\n"
    )
    config = feed(
        workdir,
        [record("1", author={"id": "nobody"}), record("2", author={"id": "p", "handle": "jdoe"})],
    )
    summary = sync(config)
    assert (summary.written, summary.held, summary.unmatched) == (1, 1, 1)
    assert crm_rows(workdir) == [("x:2", "C1")]


def _open(config):
    crm = LocalCrm(config.options_for(LocalCrm.Config, config.crm.options, "crm"))
    crm.open()
    return crm


def test_an_edit_arriving_in_a_later_run_updates_the_activity(workdir):
    config = feed(workdir, [record("1", text="first", author={"id": "p", "handle": "jdoe"})])
    sync(config)
    with (workdir / "interactions.jsonl").open("a") as handle:
        edit = record(
            "2",
            edit_of="1",
            edited_at="2024-01-15T10:40:00Z",
            text="second",
            author={"id": "p", "handle": "jdoe"},
        )
        handle.write(__import__("json").dumps(edit) + "\n")
    later = sync(config)
    assert (later.updated, later.unchanged) == (1, 0)
    (activity,) = LocalCrm.history(_open(config), "C1")
    assert activity["body"] == "second"


def test_a_changed_mapping_rewrites_what_it_changes_and_nothing_else(workdir):
    config = feed(workdir, [record("1"), record("2", platform="reddit", kind="comment")])
    sync(config)
    from importlib import resources

    text = (resources.files("crmbridge.mappings") / "local.yaml").read_text()
    (workdir / "m.yaml").write_text(
        text.replace('"Reddit {{ i.kind }} by', '"Reddit: {{ i.kind }} by')
    )
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml").read_text().replace("interactions.jsonl", "again.jsonl")
        + "mapping: m.yaml\n"
    )
    (workdir / "again.jsonl").write_text((workdir / "interactions.jsonl").read_text())
    again = sync(load_config(workdir / "crmbridge.yaml"))
    assert (again.updated, again.unchanged) == (1, 1)


def test_a_source_that_fails_stops_alone_and_the_others_are_synced(workdir):
    write_jsonl(workdir / "interactions.jsonl", [record("1")])
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml").read_text()
        + "  - {name: gone, connector: jsonl, path: missing.jsonl}\n"
        + "  - {name: more, connector: jsonl, path: more.jsonl}\n"
    )
    write_jsonl(workdir / "more.jsonl", [record("2")])
    summary = sync(load_config(workdir / "crmbridge.yaml"))
    assert summary.written == 2
    assert summary.source_errors["gone"]["kind"] == "config"
    assert (summary.status, int(summary.exit_code)) == ("config", 4)


def test_a_webhook_event_and_the_later_poll_of_the_same_message_make_one_activity(workdir):
    pushed = record("1", author={"id": "p", "handle": "jdoe"})
    write_jsonl(workdir / "spool.jsonl", [pushed])  # what `crmbridge serve` spooled
    write_jsonl(workdir / "interactions.jsonl", [pushed, record("2")])  # the later poll
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml")
        .read_text()
        .replace(
            "sources:\n", "sources:\n  - {name: webhooks, connector: jsonl, path: spool.jsonl}\n"
        )
    )
    summary = sync(load_config(workdir / "crmbridge.yaml"))
    assert (summary.created, summary.unchanged) == (2, 1)
    assert [k for k, _ in crm_rows(workdir)] == ["x:1", "x:2"]
