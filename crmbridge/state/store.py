"""The state store: cursors, ledger, personas, links, review queue, quarantine, runs.

One SQLAlchemy engine on any URL (SQLite by default, PostgreSQL for many workers). The
pipeline reads what it needs per batch in a few set-based queries and writes everything a
batch produced — ledger rows, quarantine rows, links, review items *and* the cursor — in
one transaction, after the CRM answered. That single commit is invariant 2.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import StaticPool

from crmbridge.errors import ConfigError
from crmbridge.sqlite import use_wal
from crmbridge.state import migrate
from crmbridge.state.schema import (
    conversation_threads,
    conversations,
    cursors,
    ledger,
    links,
    personas,
    quarantine,
    review,
    rule_cases,
    runs,
)

CHUNK = 500


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Read a stored time back as aware UTC (SQLite keeps no zone)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso_utc(value: datetime | None) -> str | None:
    """A stored time as ISO text in UTC (None stays None)."""
    stamp = as_utc(value)
    return stamp.isoformat() if stamp is not None else None


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Split a long list so no query exceeds a database's bound-parameter limit."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class BatchCommit:
    """Everything one batch changes in the state store, committed together."""

    source: str
    cursor: dict[str, Any] | None
    ledger: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    personas: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    # Conversation rows (upserted by key; a later row for a key updates the earlier one's
    # columns) and platform thread -> conversation mappings.
    conversations: list[dict[str, Any]] = field(default_factory=list)
    conversation_threads: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)  # rule_cases rows, by key


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL keeps readers (report, review) off the writer's back; NORMAL sync is durable
    # against a killed process, which is the crash we promise to survive.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    use_wal(dbapi_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for a state URL, with SQLite tuned for one writer and many readers."""
    try:
        if url.startswith("sqlite"):
            if url in ("sqlite://", "sqlite:///:memory:"):
                engine = create_engine(
                    "sqlite://",
                    poolclass=StaticPool,
                    connect_args={"check_same_thread": False},
                )
            else:
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ModuleNotFoundError) as exc:
        raise ConfigError(
            f"state: cannot use state store URL ({type(exc).__name__}: {exc})",
            hint="use sqlite:///file.db, or postgresql+psycopg://… with crmbridge[postgres]",
        ) from None


def upsert(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    keys: list[str],
    update_columns: Iterable[str] | None = None,
    increments: Iterable[str] = (),
) -> None:
    """Insert rows, updating columns where the key exists (or ignoring, with none).

    One statement executed for many parameter sets: SQLAlchemy compiles it once and
    batches it (insertmanyvalues), which is far cheaper than a literal multi-row VALUES.
    ``increments`` are added to the stored value instead of replacing it.
    """
    if not rows:
        return
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(table)
    columns = (
        list(update_columns)
        if update_columns is not None
        else [c for c in rows[0] if c not in keys]
    )
    added = set(increments)
    if columns:
        values = {
            c: (table.c[c] + stmt.excluded[c]) if c in added else stmt.excluded[c] for c in columns
        }
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=values)
        # One key order for every writer: two workers updating shared rows (personas seen
        # by several sources) lock them in the same order and cannot deadlock on PostgreSQL.
        # (Inserts that ignore conflicts keep their order: quarantine ids follow the feed.)
        if len(keys) == 1:  # the common case, without a tuple built per row
            (only,) = keys
            rows = sorted(rows, key=lambda r: str(r[only]))
        else:
            rows = sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys))
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt, rows)


def upsert_conversations(
    conn: Connection, rows: Sequence[dict[str, Any]], threads: Sequence[dict[str, Any]] = ()
) -> None:
    """Upsert conversation rows by key (merged per key) and thread mappings.

    Rows may carry different column sets (threading writes whole rows, rules only the
    columns they change): each set becomes one statement, so no column is nulled by
    another writer's row.
    """
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        merged.setdefault(row["key"], {}).update(row)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in merged.values():
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for columns, group in groups.items():
        upsert(conn, conversations, group, ["key"], [c for c in columns if c != "key"])
    latest = {t["thread_key"]: t for t in threads}
    upsert(conn, conversation_threads, list(latest.values()), ["thread_key"])


class StateStore:
    """Access to one state database."""

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        self.read_only = read_only
        missing = url.startswith("sqlite:///") and not Path(url[10:]).exists()
        if read_only and missing:
            # A dry run must leave nothing behind: work on an empty in-memory store.
            url = "sqlite://"
        self.engine = make_engine(url)
        try:
            if not read_only or url == "sqlite://":
                migrate.upgrade(self.engine)
            elif not self._at_head():
                self.engine = self._upgraded_copy(url)
        except OperationalError as exc:
            raise ConfigError(
                f"state: cannot open the state store: {exc.orig}",
                hint="check the 'state' URL and that the database runs",
            ) from None

    def _at_head(self) -> bool:
        with self.engine.connect() as conn:
            return migrate.current(conn) == migrate.head()

    def _upgraded_copy(self, url: str) -> Engine:
        """A dry run on a store an older crmbridge wrote: upgrade a copy, never the store.

        SQLite: the file is copied into memory and the copy migrated. A server database
        cannot be copied here, so the dry run stops with the fix named.
        """
        if not url.startswith("sqlite:///"):
            raise ConfigError(
                "state: the store is at an older schema revision and a dry run changes nothing",
                hint="run `crmbridge sync` once (it upgrades the store in place, keeping its "
                "data), then the dry run",
            )
        self.engine.dispose()
        memory = make_engine("sqlite://")
        target = memory.raw_connection()
        with sqlite3.connect(f"file:{url[10:]}?mode=ro", uri=True) as source:
            source.backup(target.driver_connection)  # type: ignore[arg-type]
        target.close()
        migrate.upgrade(memory)
        return memory

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    # --- reads -----------------------------------------------------------------------

    def cursor(self, source: str) -> dict[str, Any] | None:
        """The committed cursor of a source, or None before its first commit."""
        with self.engine.connect() as conn:
            value = conn.scalar(select(cursors.c.cursor).where(cursors.c.source == source))
        return json.loads(value) if value else None

    def ledger_rows(self, keys: Sequence[str]) -> dict[str, Row[Any]]:
        """Ledger rows for these interaction keys."""
        found: dict[str, Row[Any]] = {}
        with self.engine.connect() as conn:
            for part in chunks(list(keys)):
                for row in conn.execute(select(ledger).where(ledger.c.key.in_(part))):
                    found[row.key] = row
        return found

    def active_links(self, persona_keys: Sequence[str]) -> dict[str, Row[Any]]:
        """The current link of each persona that has one."""
        found: dict[str, Row[Any]] = {}
        with self.engine.connect() as conn:
            for part in chunks(list(persona_keys)):
                query = select(links).where(
                    links.c.persona_key.in_(part), links.c.removed_at.is_(None)
                )
                for row in conn.execute(query):
                    found[row.persona_key] = row
        return found

    def open_reviews(self, persona_keys: Sequence[str]) -> set[str]:
        """Which of these personas already wait in the review queue."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for part in chunks(list(persona_keys)):
                query = select(review.c.persona_key).where(
                    review.c.persona_key.in_(part), review.c.status == "open"
                )
                found.update(conn.scalars(query))
        return found

    def written_in_conversations(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """Written activities (key, object, CRM id) of these conversations."""
        found: list[dict[str, Any]] = []
        columns = (ledger.c.key, ledger.c.crm_object, ledger.c.crm_id, ledger.c.conversation_key)
        with self.engine.connect() as conn:
            for part in chunks(list(keys)):
                # The status is checked here, not in SQL: given ``status = 'written'``, SQLite
                # picks the status index and reads every written row (a cost that grows with
                # the ledger); by conversation it reads only these conversations' rows.
                query = select(*columns, ledger.c.status).where(
                    ledger.c.conversation_key.in_(part), ledger.c.crm_id.is_not(None)
                )
                found.extend(
                    {c.name: r._mapping[c.name] for c in columns}
                    for r in conn.execute(query)
                    if r.status == "written"
                )
        return found

    def review_reasons(self, persona_keys: Sequence[str]) -> dict[str, set[str]]:
        """The reasons already queued (open or decided) for each of these personas."""
        found: dict[str, set[str]] = {}
        with self.engine.connect() as conn:
            for part in chunks(list(persona_keys)):
                query = select(review.c.persona_key, review.c.reason).where(
                    review.c.persona_key.in_(part)
                )
                for persona_key, reason in conn.execute(query):
                    found.setdefault(persona_key, set()).add(reason)
        return found

    # --- the batch commit --------------------------------------------------------------

    def commit(self, batch: BatchCommit, guard: Callable[[Connection], None] | None = None) -> None:
        """Write a batch's ledger, quarantine, identity rows and cursor atomically.

        ``guard`` runs first inside the same transaction (the source lease's renewal): if
        it raises, nothing of the batch is committed.
        """
        self._writable()
        now = utcnow()
        with self.engine.begin() as conn:
            if guard is not None:
                guard(conn)
            upsert(
                conn,
                ledger,
                batch.ledger,
                ["key"],
                [c.name for c in ledger.columns if c.name not in ("key", "created_at")],
            )
            for row in batch.quarantine:
                row.setdefault("status", "open")
                row.setdefault("created_at", now)
            upsert(conn, quarantine, batch.quarantine, ["fingerprint"], [])
            upsert(
                conn,
                personas,
                batch.personas,
                ["key"],
                ["handle", "name", "last_seen", "interactions"],
                increments=["interactions"],
            )
            if batch.links:
                conn.execute(links.insert(), batch.links)
            if batch.reviews:
                conn.execute(review.insert(), batch.reviews)
            upsert_conversations(conn, batch.conversations, batch.conversation_threads)
            upsert(conn, rule_cases, batch.cases, ["key"])
            if batch.cursor is not None:
                upsert(
                    conn,
                    cursors,
                    [
                        {
                            "source": batch.source,
                            "updated_at": now,
                            "cursor": json.dumps(batch.cursor),
                        }
                    ],
                    ["source"],
                )

    def _writable(self) -> None:
        if self.read_only:
            raise RuntimeError("this state store was opened read-only (dry run)")

    # --- runs --------------------------------------------------------------------------

    def start_run(self, sources: list[str], dry_run: bool) -> int | None:
        """Record that a run started; a dry run records nothing."""
        if self.read_only:
            return None
        with self.engine.begin() as conn:
            result = conn.execute(
                runs.insert().values(
                    started_at=utcnow(),
                    status="running",
                    dry_run=int(dry_run),
                    sources=json.dumps(sources),
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def finish_run(
        self, run_id: int | None, status: str, summary: dict[str, Any], error: str | None = None
    ) -> None:
        """Record how a run ended."""
        if run_id is None:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    finished_at=utcnow(), status=status, summary=json.dumps(summary), error=error
                )
            )

    # --- reporting -----------------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        """Totals over the whole state: what was written, held, parked and queued."""
        with self.engine.connect() as conn:

            def count(table: Table, *where: Any) -> int:
                return int(conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)

            def grouped(column: Any) -> dict[str, int]:
                query = (
                    select(column, func.count())
                    .where(ledger.c.status == "written")
                    .group_by(column)
                    .order_by(column)
                )
                return {str(k): int(v) for k, v in conn.execute(query)}

            written = ledger.c.status == "written"
            contacts = select(func.count(func.distinct(ledger.c.contact_id))).where(
                written, ledger.c.contact_id.is_not(None)
            )
            conversations = select(func.count(func.distinct(ledger.c.conversation_key)))
            last = conn.execute(
                select(runs).where(runs.c.dry_run == 0).order_by(runs.c.id.desc()).limit(1)
            ).first()
            return {
                "activities": count(ledger, written),
                "by_platform": grouped(ledger.c.platform),
                "by_kind": grouped(ledger.c.kind),
                "contacts_with_history": int(conn.scalar(contacts) or 0),
                "conversations": int(conn.scalar(conversations) or 0),
                "unlinked_activities": count(ledger, written, ledger.c.contact_id.is_(None)),
                "held": count(ledger, ledger.c.status == "held"),
                "failed": count(ledger, ledger.c.status == "failed"),
                "review_queue": count(review, review.c.status == "open"),
                "quarantined": count(quarantine, quarantine.c.status == "open"),
                "personas": count(personas),
                "linked_personas": count(links, links.c.removed_at.is_(None)),
                "last_run": None
                if last is None
                else {
                    "id": last.id,
                    "status": last.status,
                    "started_at": as_utc(last.started_at).isoformat(),  # type: ignore[union-attr]
                    "summary": json.loads(last.summary) if last.summary else None,
                },
            }

    def quarantined(self, source: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Open quarantine rows, oldest first."""
        query = select(quarantine).where(quarantine.c.status == "open")
        if source:
            query = query.where(quarantine.c.source == source)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(quarantine.c.id).limit(limit))
            return [dict(r._mapping) for r in rows]

    def unmatched(self, limit: int = 100) -> list[dict[str, Any]]:
        """Personas with no active link, most active first."""
        linked = select(links.c.persona_key).where(links.c.removed_at.is_(None))
        query = (
            select(personas)
            .where(personas.c.key.not_in(linked))
            .order_by(personas.c.interactions.desc(), personas.c.key)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
