"""Bad input (issue #8, item 3): hostile records are parked with a reason, nothing else is lost.

A JSON Lines export with 10% malformed or hostile records among good ones goes through the
real pipeline into the local CRM. Every bad record must land in the quarantine with a reason
naming the field (or the limit) it broke, every good record must be written exactly once,
and the counters must add up: nothing read is unaccounted for.
"""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

from crmbridge.config import load_config
from crmbridge.pipeline import sync
from crmbridge.state.store import StateStore
from tests.conftest import record

GOOD = 180


def _line(data: dict[str, Any] | str | bytes) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode()
    return json.dumps(data).encode()


def bad_records() -> list[tuple[bytes, str]]:
    """Twenty hostile lines, each with the text its quarantine reason must contain."""
    future = record("b-future", created_at="2999-01-01T00:00:00Z")
    before_1970 = record("b-1969", created_at="1969-12-31T23:59:59Z")
    huge = record("b-huge", text="x" * 10_000_000)
    no_author_id = record("b-noauthor")
    del no_author_id["author"]["id"]
    no_id = record("b-noid")
    del no_id["message_id"]
    pairs: list[tuple[dict[str, Any] | str | bytes, str]] = [
        (record("b-int", message_id=12345), "message_id"),
        (record("b-followers", author={"followers": "many"}), "author.followers"),
        (record("b-textlist", text=["not", "text"]), "text"),
        (record("b-private", is_private="yes"), "is_private"),
        (no_id, "message_id"),
        (no_author_id, "author.id"),
        (record("", text="empty id"), "message_id"),
        (record("b\u0000nul"), "message_id"),
        (huge, "max_record_bytes"),
        (
            json.dumps(record("b-utf8"))
            .replace("message b-utf8", "caf\udcff")
            .encode("utf-8", "surrogateescape"),
            "UTF-8",
        ),
        ('{"schema": "crmbridge.interaction/1", "text": "raw \x07 bell"}', "control character"),
        (record("b-myspace", platform="myspace"), "platform"),
        (future, "created_at"),
        (before_1970, "created_at"),
        (record("b-extra", __proto__={"admin": True}), "__proto__"),
        ('["an", "array"]', "JSON object"),
        ("[" * 100_000, "nested"),
        ('{"message_id": ' + "9" * 5000 + "}", "JSON"),
        (record("b-nan") | {"text": float("nan")}, "text"),
    ]
    return [(_line(data), reason) for data, reason in pairs]


def good_records() -> list[dict[str, Any]]:
    """Valid records, some with control characters and odd but legal content."""
    rows = []
    for n in range(GOOD):
        over: dict[str, Any] = {"author": {"id": f"p{n % 37}", "handle": f"user{n % 37}"}}
        if n % 10 == 0:
            over["text"] = f"bell\x07 escape\x1b[31m nul\x00 tab\tline\nend {n}"
        if n % 15 == 0:
            over["author"]["name"] = "Zoë \u202eevil\u202c \x00Name"
        rows.append(record(f"g{n}", **over))
    return rows


def build_feed(path: Path) -> tuple[list[str], list[tuple[bytes, str]]]:
    """Interleave the bad lines among the good ones (one bad in ten), plus a duplicate."""
    good = good_records()
    bad = bad_records()
    dup = record("g3", text="same id, different content")  # g3 is a good record above
    bad.append((_line(dup), "message_id"))
    lines: list[bytes] = []
    pending = list(bad)
    for n, row in enumerate(good):
        lines.append(_line(row))
        if n % 9 == 8 and pending:
            lines.append(pending.pop(0)[0])
    lines.extend(data for data, _ in pending)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return [f"x:g{n}" for n in range(GOOD)], bad


def test_hostile_records_are_parked_with_reasons_and_every_good_one_is_written_once(workdir):
    good_keys, bad = build_feed(workdir / "interactions.jsonl")
    config = load_config(workdir / "crmbridge.yaml")
    summary = sync(config)

    with sqlite3.connect(workdir / "crm.db") as db:
        keys = [k for (k,) in db.execute("SELECT key FROM activities ORDER BY id")]
    assert sorted(keys) == sorted(good_keys)
    assert (summary.created, summary.updated, summary.failed) == (GOOD, 0, 0)

    store = StateStore(config.state_url)
    parked = store.quarantined(limit=1000)
    store.close()
    assert len(parked) == len(bad) == summary.quarantined
    located = {int(q["location"].rsplit(":", 1)[1]): q for q in parked}
    lines = (workdir / "interactions.jsonl").read_bytes().split(b"\n")
    for data, expected in bad:
        number = next(n for n, line in enumerate(lines, start=1) if line == data)
        assert expected in located[number]["reason"], (expected, located[number]["reason"])
    # The count equation: everything read is written, parked, or known unchanged.
    assert summary.fetched == (
        summary.written + summary.quarantined + summary.unchanged + summary.failed + summary.held
    )
    assert summary.fetched == GOOD + len(bad)


def test_control_characters_are_stripped_from_what_reaches_the_crm(workdir):
    rows = [record("1", text="a\x00b\x07c\x1b[31md\tkeep\nlines", author={"name": "N\x00o"})]
    (workdir / "interactions.jsonl").write_text(json.dumps(rows[0]) + "\n")
    sync(load_config(workdir / "crmbridge.yaml"))
    with sqlite3.connect(workdir / "crm.db") as db:
        (fields,) = db.execute("SELECT fields FROM activities").fetchone()
    activity = json.loads(fields)
    assert activity["body"] == "abc[31md\tkeep\nlines"
    assert activity["author"] == "No"


def test_a_ten_megabyte_line_is_skipped_without_holding_it_in_memory(workdir):
    from crmbridge.connectors.files import FileConfig, JsonlConnector

    path = workdir / "interactions.jsonl"
    huge = json.dumps(record("big", text="y" * 10_000_000))
    path.write_text(json.dumps(record("1")) + "\n" + huge + "\n" + json.dumps(record("2")) + "\n")
    connector = JsonlConnector(FileConfig(path=path), "exports")
    tracemalloc.start()
    items = list(connector.fetch(None))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [i.interaction.message_id for i in items if i.interaction] == ["1", "2"]
    assert [i.location for i in items if i.error] == ["interactions.jsonl:2"]
    assert peak < 6_000_000  # a few 1 MB read buffers, never the 10 MB line


def test_duplicated_ids_in_one_batch_keep_the_first_version_and_park_the_second(workdir):
    rows = [record("1", text="first"), record("1", text="second"), record("1", text="first")]
    (workdir / "interactions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = sync(load_config(workdir / "crmbridge.yaml"))
    assert (summary.written, summary.quarantined, summary.unchanged) == (1, 1, 1)
    with sqlite3.connect(workdir / "crm.db") as db:
        (fields,) = db.execute("SELECT fields FROM activities").fetchone()
    assert json.loads(fields)["body"] == "first"
