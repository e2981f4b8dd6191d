"""GDPR erasure: remove one person's data from the CRM activities and from the state store.

``forget`` finds every ledger row of a persona (``platform:author_id``), or of every persona
linked to a contact plus every activity written on that contact, and asks the CRM adapter
to delete (or anonymise) what crmbridge wrote for them: activities, the cases the rules
opened on their conversations, and the roll-up fields on their contacts. Then the webhook
spool loses their lines not yet synced (blanked in place, so offsets and cursors hold).
Only after that is the state store cleaned, in one transaction: ledger rows keep their key
with status ``erased`` and lose their content (so a later fetch of the same message is
skipped, never written again), and the persona, its links, review items, parked records,
conversations, case plans and audit rows are deleted. A failure before the state store
leaves it untouched, so a rerun finishes the job. The run is recorded in ``runs`` with
counts only, never the person's ids.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, delete, func, or_, select, update

from crmbridge.config import AppConfig
from crmbridge.errors import UsageError
from crmbridge.failures import erase_actions
from crmbridge.identity.index_store import erase_contact
from crmbridge.state.schema import (
    contact_mirror,
    conversation_threads,
    conversations,
    ledger,
    links,
    personas,
    quarantine,
    review,
    rule_cases,
    runs,
)
from crmbridge.state.store import StateStore, chunks, utcnow

Mode = Literal["delete", "anonymise"]
MODES = ("delete", "anonymise")
ERASED = "erased"


@dataclass
class Target:
    """What one erasure touches: persona keys, ledger rows and parked record ids."""

    personas: list[str]
    contact_id: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    parked: list[int] = field(default_factory=list)
    conversations: list[str] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)  # rule_cases: key, crm_id
    contacts: list[str] = field(default_factory=list)  # whose roll-ups to clear
    spooled: list[tuple[Path, int, int]] = field(default_factory=list)  # file, offset, size
    links: int = 0
    reviews: int = 0


def forget(
    config: AppConfig,
    *,
    persona: str | None = None,
    contact_id: str | None = None,
    mode: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Erase a persona's (or a contact's) activities in the CRM and data in the state store.

    Returns what was done (or, with ``dry_run``, what would be): CRM activities per object
    and rows per state table.
    """
    chosen = mode or config.privacy.erase_mode
    if chosen not in MODES:
        raise UsageError(f"forget: mode {chosen!r} is not one of {', '.join(MODES)}")
    if (persona is None) == (contact_id is None):
        raise UsageError("forget: give exactly one of --persona PLATFORM:ID or --contact ID")
    if persona is not None and (":" not in persona or persona.startswith(":")):
        raise UsageError(
            f"forget: --persona {persona!r} is not PLATFORM:AUTHOR_ID", hint="e.g. x:1234567890"
        )
    store = StateStore(config.state_url, read_only=dry_run)
    try:
        if dry_run:
            target, crm_rows = _plan(config, store, persona, contact_id)
            report = _report(chosen, True, target, crm_rows)
            report["crm"].update(
                activities=len(crm_rows), cases=len(target.cases), rollups=len(target.contacts)
            )
            report["state"] = _counts_only(target)
            return report
        with _all_sources_leased(config, store):
            target, crm_rows = _plan(config, store, persona, contact_id)
            report = _report(chosen, False, target, crm_rows)
            report["crm"].update(_erase_in_crm(config, target, crm_rows, chosen))
            spooled = blank_spooled(target.spooled)
            report["state"] = erase_state(store, target, chosen)
            report["state"]["spooled"] = spooled
        _record_run(store, report)
        return report
    finally:
        store.close()


def _plan(
    config: AppConfig, store: StateStore, persona: str | None, contact_id: str | None
) -> tuple[Target, list[dict[str, Any]]]:
    """The person's state rows, and the CRM records to erase (local: every row, by key)."""
    target = find(store, persona, contact_id)
    target.spooled = spooled_lines(spool_dir(config), target.personas)
    crm_rows = [r for r in target.rows if r["crm_id"] or config.crm.kind == "local"]
    return target, crm_rows + _crm_personas(config, target.personas)


def _report(
    mode: str, dry_run: bool, target: Target, crm_rows: list[dict[str, Any]]
) -> dict[str, Any]:
    by_object: dict[str, int] = {}
    for r in crm_rows:
        name = r["crm_object"] or "?"
        by_object[name] = by_object.get(name, 0) + 1
    return {
        "mode": mode,
        "dry_run": dry_run,
        "personas": len(target.personas),
        "crm": {"objects": by_object, "activities": 0, "cases": 0, "rollups": 0},
    }


@contextmanager
def _all_sources_leased(config: AppConfig, store: StateStore) -> Iterator[None]:
    """Hold every source's lease: no sync writes this person's rows while they are erased.

    A source held by a running sync raises SourceBusy (exit 9): run forget again after it.
    """
    from crmbridge.state.lease import Lease, new_holder

    holder = new_holder()
    with ExitStack() as leases:
        for spec in config.sources:
            leases.enter_context(Lease(store, spec.name, holder))
        yield


def find(store: StateStore, persona: str | None, contact_id: str | None) -> Target:
    """The personas, ledger rows and parked records that belong to the person."""
    with store.engine.connect() as conn:
        keys = [persona] if persona else _linked_personas(conn, contact_id)
        target = Target(personas=keys, contact_id=contact_id)
        wanted: list[ColumnElement[bool]] = [
            ledger.c.persona_key.in_(part) for part in chunks(keys)
        ]
        if contact_id is not None:
            wanted.append(ledger.c.contact_id == contact_id)
        if wanted:
            query = select(
                ledger.c.key,
                ledger.c.crm_object,
                ledger.c.crm_id,
                ledger.c.status,
                ledger.c.conversation_key,
                ledger.c.contact_id,
            ).where(or_(*wanted), ledger.c.status != ERASED)
            target.rows = [dict(r._mapping) for r in conn.execute(query)]
        target.parked = _parked_records(conn, keys)
        _find_conversations_and_cases(conn, target)
        for part in chunks(keys):
            target.links += _count(conn, links, links.c.persona_key.in_(part))
            target.reviews += _count(conn, review, review.c.persona_key.in_(part))
    return target


def _count(conn: Connection, table: Any, where: ColumnElement[bool]) -> int:
    return int(conn.scalar(select(func.count()).select_from(table).where(where)) or 0)


def _find_conversations_and_cases(conn: Connection, target: Target) -> None:
    """The person's conversations, the cases the rules planned or opened on them, contacts."""
    people = list(target.personas)
    if target.contact_id is not None:
        people.append(f"contact:{target.contact_id}")
    threads = {r["conversation_key"] for r in target.rows if r.get("conversation_key")}
    for part in chunks(people):
        threads.update(
            conn.scalars(select(conversations.c.key).where(conversations.c.person_key.in_(part)))
        )
    target.conversations = sorted(threads)
    wanted: list[ColumnElement[bool]] = [
        rule_cases.c.key.in_(part) for part in chunks(target.conversations)
    ]
    if target.contact_id is not None:
        wanted.append(rule_cases.c.contact_id == target.contact_id)
    cases: dict[str, dict[str, Any]] = {}
    if wanted:
        query = select(rule_cases.c.key, rule_cases.c.crm_id, rule_cases.c.contact_id)
        for row in conn.execute(query.where(or_(*wanted))):
            cases[row.key] = {**row._mapping, "crm_object": None}
    target.cases = list(cases.values())
    contacts = {r.get("contact_id") for r in [*target.rows, *target.cases]}
    contacts.add(target.contact_id)
    target.contacts = sorted(c for c in contacts if c)


def spool_dir(config: AppConfig) -> Path:
    """Where ``crmbridge serve`` spools deliveries (as ``crmbridge.webhooks.state_dir``)."""
    url = config.state_url
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url[len("sqlite:///") :]).parent / "spool"
    return config.base_dir / "spool"


def spooled_lines(spool: Path, persona_keys: list[str]) -> list[tuple[Path, int, int]]:
    """The spool lines (file, offset, length) whose record one of these personas wrote."""
    people = {tuple(k.split(":", 1)) for k in persona_keys}
    ids = {author.encode() for _, author in people}
    found: list[tuple[Path, int, int]] = []
    for path in sorted(spool.glob("*.jsonl")) if spool.is_dir() and ids else []:
        with path.open("rb") as handle:
            offset = 0
            for line in handle:
                if any(i in line for i in ids) and _spooled_by(line, people):
                    found.append((path, offset, len(line.rstrip(b"\n"))))
                offset += len(line)
    return found


def _spooled_by(line: bytes, people: set[tuple[str, ...]]) -> bool:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return False
    author = data.get("author") if isinstance(data, dict) else None
    if not isinstance(author, dict):
        return False
    return (str(data.get("platform")), str(author.get("id"))) in people


def blank_spooled(lines: list[tuple[Path, int, int]]) -> int:
    """Overwrite those lines with spaces in place: a blank line is skipped, offsets hold."""
    for path, offset, size in lines:
        with path.open("r+b") as handle:
            handle.seek(offset)
            handle.write(b" " * size)
            handle.flush()
            os.fsync(handle.fileno())
    return len(lines)


def _linked_personas(conn: Connection, contact_id: str | None) -> list[str]:
    query = select(links.c.persona_key).where(
        links.c.contact_id == contact_id, links.c.removed_at.is_(None)
    )
    return sorted(set(conn.scalars(query)))


def _parked_records(conn: Connection, persona_keys: list[str]) -> list[int]:
    """Parked records whose author is one of these personas (checked on the parsed record)."""
    found: set[int] = set()
    for key in persona_keys:
        platform, author_id = key.split(":", 1)
        pattern = "%" + author_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = select(quarantine.c.id, quarantine.c.raw).where(
            quarantine.c.raw.like(pattern + "%", escape="\\")
        )
        for qid, raw in conn.execute(query):
            if _written_by(raw, platform, author_id):
                found.add(qid)
    return sorted(found)


def _written_by(raw: str, platform: str, author_id: str) -> bool:
    """Whether a parked record's raw text is this persona's (or unreadable and names it)."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        # Not JSON: match the author id as a quoted value, the way the record would hold it.
        return f'"{author_id}"' in raw and platform in raw
    author = data.get("author") if isinstance(data, dict) else None
    if isinstance(author, dict):
        return str(author.get("id")) == author_id and data.get("platform") in (platform, None)
    return False


def _crm_personas(config: AppConfig, keys: list[str]) -> list[dict[str, Any]]:
    """Persona records the mapping writes in the CRM too (``Persona.`` fields: SocialPersona)."""
    from crmbridge import registry
    from crmbridge.rules.mapping import load_preset

    default = registry.crm_adapter(config.crm.kind, config.file).default_mapping
    preset = load_preset(config.mapping or default, config.base_dir).preset
    if not any(name.startswith("Persona.") for name in preset.fields):
        return []
    return [{"key": k, "crm_object": "SocialPersona", "crm_id": None} for k in keys]


def _erase_in_crm(
    config: AppConfig, target: Target, rows: list[dict[str, Any]], mode: str
) -> dict[str, int]:
    """Activities, then the cases on the person's conversations, then contact roll-ups."""
    cases = [c for c in target.cases if c["crm_id"] or config.crm.kind == "local"]
    if not rows and not cases and not target.contacts:
        return {}
    from crmbridge.ops import open_adapter

    with open_adapter(config) as adapter:
        done = {"activities": adapter.delete_activities(rows, mode) if rows else 0}
        done["cases"] = adapter.erase_cases(cases, mode) if cases else 0
        done["rollups"] = adapter.clear_rollups(target.contacts) if target.contacts else 0
    return done


def erase_state(store: StateStore, target: Target, mode: str) -> dict[str, int]:
    """Erase the person's data from every state table in one transaction; counts per table."""
    now = utcnow()
    keys = [r["key"] for r in target.rows]
    counts = {"ledger": 0, "personas": 0, "links": 0, "review": 0, "quarantine": 0}
    blank: dict[str, Any] = {
        "status": ERASED,
        "persona_key": "",
        "contact_id": None,
        "conversation_key": None,
        "payload": "",
        "payload_hash": "",
        "write_hash": None,
        "error_kind": None,
        "error_message": None,
        "updated_at": now,
    }
    if mode == "delete":
        blank["crm_id"] = None  # nothing left to point at
    with store.engine.begin() as conn:
        for part in chunks(keys):
            query = update(ledger).where(ledger.c.key.in_(part)).values(**blank)
            counts["ledger"] += conn.execute(query).rowcount
        for part in chunks(target.personas):
            counts["personas"] += conn.execute(
                delete(personas).where(personas.c.key.in_(part))
            ).rowcount
            counts["links"] += conn.execute(
                delete(links).where(links.c.persona_key.in_(part))
            ).rowcount
            counts["review"] += conn.execute(
                delete(review).where(review.c.persona_key.in_(part))
            ).rowcount
        for part in chunks(target.parked):
            counts["quarantine"] += conn.execute(
                delete(quarantine).where(quarantine.c.id.in_(part))
            ).rowcount
        counts["failure_actions"] = erase_actions(conn, "ledger", keys) + erase_actions(
            conn, "quarantine", [str(i) for i in target.parked]
        )
        counts.update(_erase_threads_and_mirror(conn, target))
    return counts


def _erase_threads_and_mirror(conn: Connection, target: Target) -> dict[str, int]:
    """The person's conversations (timings, channels, sentiment), case plans, mirror row."""
    counts = {"conversations": 0, "rule_cases": 0, "contact_mirror": 0, "identity_index": 0}
    for part in chunks(target.conversations):
        conn.execute(
            delete(conversation_threads).where(conversation_threads.c.conversation_key.in_(part))
        )
        counts["conversations"] += conn.execute(
            delete(conversations).where(conversations.c.key.in_(part))
        ).rowcount
    for part in chunks([c["key"] for c in target.cases]):
        counts["rule_cases"] += conn.execute(
            delete(rule_cases).where(rule_cases.c.key.in_(part))
        ).rowcount
    if target.contact_id is not None:
        counts["contact_mirror"] = conn.execute(
            delete(contact_mirror).where(contact_mirror.c.id == target.contact_id)
        ).rowcount
        counts["identity_index"] = erase_contact(conn, target.contact_id)
    return counts


def _counts_only(target: Target) -> dict[str, int]:
    """What ``erase_state`` and the spool blanking would touch, counted."""
    return {
        "ledger": len(target.rows),
        "personas": len(target.personas),
        "links": target.links,
        "review": target.reviews,
        "quarantine": len(target.parked),
        "conversations": len(target.conversations),
        "rule_cases": len(target.cases),
        "spooled": len(target.spooled),
    }


def _record_run(store: StateStore, report: dict[str, Any]) -> None:
    """The erasure as a run: counts only, so the record itself holds no personal data."""
    now = utcnow()
    with store.engine.begin() as conn:
        conn.execute(
            runs.insert().values(
                started_at=now,
                finished_at=now,
                status="forget",
                dry_run=0,
                sources=json.dumps([]),
                summary=json.dumps({"forget": report}),
            )
        )
