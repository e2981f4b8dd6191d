"""The ``local`` CRM: contacts, activities and cases in one SQLite file, no credentials.

It is the embedded default (as dlt's duckdb is): a real CRM-shaped store that behaves the
way the remote adapters must — batched lookups, upserts by interaction key with a result
per record, validation errors per record, history read back — so the pipeline and the
quickstart run end to end on a fresh machine.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from crmbridge.config import ConfigPath, Options
from crmbridge.crm.base import Capability, CrmAdapter
from crmbridge.errors import ConfigError
from crmbridge.identity.normalize import email_key, handle_key, phone_e164
from crmbridge.models import ActivityWrite, CaseWrite, Contact, WriteResult
from crmbridge.sqlite import use_wal

CONTACT_COLUMNS = ("id", "first_name", "last_name", "email", "phone", "city", "country")
SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (
    id TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, email_key TEXT,
    phone TEXT, phone_e164 TEXT, city TEXT, country TEXT, row_hash TEXT NOT NULL,
    seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ix_contacts_email ON contacts(email_key);
CREATE INDEX IF NOT EXISTS ix_contacts_phone ON contacts(phone_e164);
CREATE INDEX IF NOT EXISTS ix_contacts_seq ON contacts(seq);
CREATE TABLE IF NOT EXISTS contact_handles (
    platform TEXT NOT NULL, handle_key TEXT NOT NULL, contact_id TEXT NOT NULL,
    PRIMARY KEY (platform, handle_key, contact_id));
CREATE INDEX IF NOT EXISTS ix_handles_contact ON contact_handles(contact_id);
CREATE TABLE IF NOT EXISTS activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, object TEXT NOT NULL,
    contact_id TEXT, occurred_at TEXT, fields TEXT NOT NULL, deleted INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_activities_contact ON activities(contact_id, occurred_at);
CREATE TABLE IF NOT EXISTS cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, contact_id TEXT,
    fields TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class LocalConfig(Options):
    """Options of the ``local`` CRM."""

    path: ConfigPath = Field(default=Path("crm.db"), description="The SQLite CRM file.")
    contacts_csv: ConfigPath | None = Field(default=None, description="Contacts to load.")
    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    batch_size: int = Field(default=500, ge=1, le=5000)


class LocalCrm(CrmAdapter):
    """A CRM in a SQLite file."""

    name = "local"
    capabilities = frozenset(
        {
            Capability.CASES,
            Capability.CASE_LIST,
            Capability.REPOINT,
            Capability.BULK_MIRROR,
            Capability.ERASE,
        }
    )
    Config: ClassVar[type[Options]] = LocalConfig
    default_mapping = "local"
    contact_refresh_s = 0.0  # reading changed contacts costs no API allocation here
    config: LocalConfig

    @property
    def max_batch(self) -> int:  # type: ignore[override]
        """Records per write call, from config."""
        return self.config.batch_size

    def open(self) -> None:
        """Open the file (a copy in memory for a dry run) and load the contact CSV."""
        path = self.config.path
        if self.dry_run:
            self.db = sqlite3.connect(":memory:")
            if path.exists():
                with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
                    source.backup(self.db)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30)
            use_wal(self.db)
        self.db.executescript(SCHEMA)
        if self.config.contacts_csv is not None:
            self.load_contacts(self.config.contacts_csv)

    def close(self) -> None:
        """Close the file."""
        if getattr(self, "db", None) is not None:
            self.db.close()
            self.db = None  # type: ignore[assignment]

    # --- contacts ----------------------------------------------------------------------

    def load_contacts(self, csv_path: Path) -> int:
        """Load or refresh contacts from CSV when the file changed; return rows changed."""
        digest = _file_digest(csv_path)
        if self._meta("contacts_csv") == digest:
            return 0
        seq = int(self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM contacts").fetchone()[0])
        changed = 0
        with csv_path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in CONTACT_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(
                    f"{csv_path.name}: line 1: missing column(s) {missing}",
                    hint=f"the columns are {', '.join(CONTACT_COLUMNS)}",
                )
            handle_cols = [c for c in reader.fieldnames or [] if c.endswith("_handle")]
            for line, row in enumerate(reader, start=2):
                if not (row.get("id") or "").strip():
                    raise ConfigError(f"{csv_path.name}: line {line}: column id is empty")
                seq += 1
                changed += self._upsert_contact(row, handle_cols, seq)
        self._set_meta("contacts_csv", digest)
        self.db.commit()
        return changed

    def _upsert_contact(self, row: dict[str, str], handle_cols: list[str], seq: int) -> int:
        values = {c: (row.get(c) or "").strip() or None for c in CONTACT_COLUMNS}
        row_hash = hashlib.sha256(
            json.dumps([values, {c: row.get(c) for c in handle_cols}], sort_keys=True).encode()
        ).hexdigest()
        old = self.db.execute("SELECT row_hash FROM contacts WHERE id=?", (values["id"],))
        found = old.fetchone()
        if found and found[0] == row_hash:
            return 0
        region = values["country"] or self.config.default_region
        self.db.execute(
            "INSERT INTO contacts VALUES (:id,:first_name,:last_name,:email,:email_key,:phone,"
            ":phone_e164,:city,:country,:row_hash,:seq) ON CONFLICT(id) DO UPDATE SET "
            "first_name=excluded.first_name, last_name=excluded.last_name,"
            "email=excluded.email, email_key=excluded.email_key, phone=excluded.phone,"
            "phone_e164=excluded.phone_e164, city=excluded.city, country=excluded.country,"
            "row_hash=excluded.row_hash, seq=excluded.seq",
            {
                **values,
                "email_key": email_key(values["email"]),
                "row_hash": row_hash,
                "phone_e164": phone_e164(values["phone"], region),
                "seq": seq,
            },
        )
        self.db.execute("DELETE FROM contact_handles WHERE contact_id=?", (values["id"],))
        for column in handle_cols:
            key = handle_key(row.get(column))
            if key:
                self.db.execute(
                    "INSERT OR IGNORE INTO contact_handles VALUES (?,?,?)",
                    (column.removesuffix("_handle"), key, values["id"]),
                )
        return 1

    def find_contacts(
        self,
        *,
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        handles: dict[str, set[str]] | None = None,
    ) -> list[Contact]:
        """Contacts matching any of the given keys (one round trip, like a CRM query)."""
        self.api_calls += 1
        ids: set[str] = set()
        ids.update(self._ids_where("SELECT id FROM contacts WHERE email_key IN", emails))
        ids.update(self._ids_where("SELECT id FROM contacts WHERE phone_e164 IN", phones))
        for platform, wanted in (handles or {}).items():
            ids.update(
                self._ids_where(
                    "SELECT contact_id FROM contact_handles WHERE platform=? AND handle_key IN",
                    wanted,
                    (platform,),
                )
            )
        return self._contacts(sorted(ids))

    def _ids_where(self, sql: str, values: Iterable[str], head: tuple[str, ...] = ()) -> set[str]:
        found: set[str] = set()
        listed = sorted({v for v in values if v})
        for start in range(0, len(listed), 500):
            part = listed[start : start + 500]
            # Only "?" placeholders are formatted in; every value is bound.
            query = f"{sql} ({','.join('?' * len(part))})"
            found.update(r[0] for r in self.db.execute(query, (*head, *part)))
        return found

    def _contacts(self, ids: list[str]) -> list[Contact]:
        contacts: list[Contact] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            handles: dict[str, dict[str, str]] = {}
            for cid, platform, key in self.db.execute(
                f"SELECT contact_id, platform, handle_key FROM contact_handles "  # noqa: S608
                f"WHERE contact_id IN ({marks})",
                part,
            ):
                handles.setdefault(cid, {})[platform] = key
            for row in self.db.execute(
                f"SELECT id, first_name, last_name, email, phone, city, country "  # noqa: S608
                f"FROM contacts WHERE id IN ({marks}) ORDER BY id",
                part,
            ):
                contacts.append(
                    Contact(
                        **dict(zip(CONTACT_COLUMNS, row, strict=True)),
                        handles=handles.get(row[0], {}),
                    )
                )
        return contacts

    def contacts_since(self, cursor: str | None) -> Iterator[tuple[Contact, str]]:
        """Contacts changed after a sequence number, oldest change first."""
        self.api_calls += 1
        after = int(cursor or 0)
        rows = self.db.execute(
            "SELECT id, seq FROM contacts WHERE seq > ? ORDER BY seq", (after,)
        ).fetchall()
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            seqs = dict(part)
            for contact in self._contacts([r[0] for r in part]):
                yield contact, str(seqs[contact.id])

    # --- activities ----------------------------------------------------------------------

    def write(self, batch: Sequence[ActivityWrite]) -> list[WriteResult]:
        """Upsert by key in one transaction; unknown contacts fail that record only."""
        self.api_calls += 1
        known = self._known_contacts({w.contact_id for w in batch if w.contact_id})
        existing = (
            dict(
                self.db.execute(
                    f"SELECT key, id FROM activities WHERE key IN ({','.join('?' * len(batch))})",  # noqa: S608
                    [w.key for w in batch],
                ).fetchall()
            )
            if batch
            else {}
        )
        now = datetime.now(UTC).isoformat()
        results: list[WriteResult] = []
        for w in batch:
            if w.contact_id and w.contact_id not in known:
                results.append(
                    WriteResult(
                        key=w.key,
                        status="failed",
                        error_kind="data",
                        error=f"contact {w.contact_id} does not exist",
                    )
                )
                continue
            row = (
                w.object,
                w.contact_id,
                w.fields.get("occurred_at"),
                json.dumps(w.fields, default=str),
                int(w.deleted),
                now,
            )
            if w.key in existing:
                self.db.execute(
                    "UPDATE activities SET object=?, contact_id=?, occurred_at=?, "
                    "fields=?, deleted=?, updated_at=? WHERE key=?",
                    (*row, w.key),
                )
                results.append(
                    WriteResult(key=w.key, status="updated", crm_id=str(existing[w.key]))
                )
            else:
                cur = self.db.execute(
                    "INSERT INTO activities (object, contact_id, occurred_at,"
                    " fields, deleted, updated_at, key, created_at) VALUES "
                    "(?,?,?,?,?,?,?,?)",
                    (*row, w.key, now),
                )
                results.append(WriteResult(key=w.key, status="created", crm_id=str(cur.lastrowid)))
        self.db.commit()
        return results

    def repoint(self, activities: Sequence[dict[str, Any]], contact_id: str | None) -> int:
        """Move activities to another contact (or to none) by their keys."""
        self.api_calls += 1
        if contact_id is not None and not self._known_contacts({contact_id}):
            raise ConfigError(f"contact {contact_id} does not exist in the local CRM")
        keys = [a["key"] for a in activities]
        moved = 0
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            moved += self.db.execute(
                f"UPDATE activities SET contact_id=? WHERE key IN ({marks})",  # noqa: S608
                (contact_id, *part),
            ).rowcount
        self.db.commit()
        return moved

    def _known_contacts(self, ids: set[str]) -> set[str]:
        return self._ids_where("SELECT id FROM contacts WHERE id IN", ids)

    def history(self, contact_id: str, limit: int = 200) -> list[dict[str, Any]]:
        """Activities of a contact, newest first."""
        self.api_calls += 1
        rows = self.db.execute(
            "SELECT id, key, object, occurred_at, fields, deleted FROM activities "
            "WHERE contact_id=? ORDER BY occurred_at DESC, id DESC LIMIT ?",
            (contact_id, limit),
        )
        return [
            {
                "id": str(r[0]),
                "key": r[1],
                "object": r[2],
                "occurred_at": r[3],
                "deleted": bool(r[5]),
                **json.loads(r[4]),
            }
            for r in rows
        ]

    def get_contacts(self, ids: Iterable[str]) -> list[Contact]:
        """Contacts by id, one query per 500."""
        self.api_calls += 1
        return self._contacts(sorted(set(ids)))

    def summary(self) -> dict[str, Any]:
        """Row counts of the local CRM."""

        def count(sql: str) -> int:
            return int(self.db.execute(sql).fetchone()[0])

        return {
            "contacts": count("SELECT COUNT(*) FROM contacts"),
            "activities": count("SELECT COUNT(*) FROM activities"),
            "cases": count("SELECT COUNT(*) FROM cases"),
        }

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    def delete_activities(self, rows: Sequence[dict[str, Any]], mode: str) -> int:
        """Delete activities by key, or blank their text and author fields (``forget``)."""
        self.api_calls += 1
        keys = [r["key"] for r in rows]
        done = 0
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            if mode == "delete":
                done += self.db.execute(
                    f"DELETE FROM activities WHERE key IN ({marks})",  # noqa: S608
                    part,
                ).rowcount
                continue
            found = self.db.execute(
                f"SELECT key, fields FROM activities WHERE key IN ({marks})",  # noqa: S608
                part,
            ).fetchall()
            for key, fields in found:
                erased = {**json.loads(fields), **ANONYMISED}
                self.db.execute(
                    "UPDATE activities SET fields=?, updated_at=? WHERE key=?",
                    (json.dumps(erased), datetime.now(UTC).isoformat(), key),
                )
            done += len(found)
        self.db.commit()
        return done

    def erase_cases(self, rows: Sequence[dict[str, Any]], mode: str) -> int:
        """Delete cases by key, or keep them with their text fields ``[erased]``."""
        self.api_calls += 1
        done = 0
        for row in rows:
            if mode == "delete":
                done += self.db.execute("DELETE FROM cases WHERE key=?", (row["key"],)).rowcount
                continue
            found = self.db.execute("SELECT fields FROM cases WHERE key=?", (row["key"],))
            for (fields,) in found.fetchall():
                erased = {**json.loads(fields), **ANONYMISED_CASE}
                self.db.execute(
                    "UPDATE cases SET fields=?, updated_at=? WHERE key=?",
                    (json.dumps(erased), datetime.now(UTC).isoformat(), row["key"]),
                )
                done += 1
        self.db.commit()
        return done

    # --- cases (helper rules, #7) --------------------------------------------------------

    def write_cases(self, cases: Sequence[CaseWrite]) -> list[WriteResult]:
        """Upsert cases by key (the conversation key), one transaction, a result per case.

        An update merges the new fields over the stored ones and keeps the case's status.
        """
        self.api_calls += 1
        known = self._known_contacts({c.contact_id for c in cases if c.contact_id})
        now = datetime.now(UTC).isoformat()
        results: list[WriteResult] = []
        for case in cases:
            if case.contact_id and case.contact_id not in known:
                error = f"contact {case.contact_id} does not exist"
                results.append(
                    WriteResult(key=case.key, status="failed", error_kind="data", error=error)
                )
                continue
            row = self.db.execute(
                "SELECT id, fields FROM cases WHERE key=?", (case.key,)
            ).fetchone()
            if row is None:
                cur = self.db.execute(
                    "INSERT INTO cases (key, contact_id, fields, status, created_at, updated_at)"
                    " VALUES (?,?,?,?,?,?)",
                    (
                        case.key,
                        case.contact_id,
                        json.dumps(case.fields, default=str),
                        "open",
                        now,
                        now,
                    ),
                )
                results.append(
                    WriteResult(key=case.key, status="created", crm_id=str(cur.lastrowid))
                )
                continue
            fields = {**json.loads(row[1]), **case.fields}
            self.db.execute(
                "UPDATE cases SET contact_id=COALESCE(?, contact_id), fields=?, updated_at=?"
                " WHERE id=?",
                (case.contact_id, json.dumps(fields, default=str), now, row[0]),
            )
            results.append(WriteResult(key=case.key, status="updated", crm_id=str(row[0])))
        self.db.commit()
        return results

    def cases(self, contact_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Cases (of one contact, or all), newest first."""
        self.api_calls += 1
        where, args = ("WHERE contact_id=?", (contact_id,)) if contact_id else ("", ())
        rows = self.db.execute(
            f"SELECT id, key, contact_id, fields, status, created_at, updated_at FROM cases "  # noqa: S608
            f"{where} ORDER BY created_at DESC, id DESC LIMIT ?",
            (*args, limit),
        )
        return [
            {
                "id": str(r[0]),
                "key": r[1],
                "contact_id": r[2],
                "status": r[4],
                "created_at": r[5],
                "updated_at": r[6],
                **json.loads(r[3]),
            }
            for r in rows
        ]


# What ``forget --mode anonymise`` leaves of a local activity's person-identifying fields.
ANONYMISED: dict[str, Any] = {
    "subject": "[erased]",
    "body": "[erased]",
    "author": None,
    "author_key": None,
    "url": None,
}

ANONYMISED_CASE: dict[str, Any] = {"subject": "[erased]", "description": "[erased]"}


def _file_digest(path: Path) -> str:
    if not path.is_file():
        raise ConfigError(
            f"crm.contacts_csv: {path} does not exist",
            hint="fix contacts_csv (relative paths start at the config file)",
        )
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except PermissionError:
        raise ConfigError(
            f"crm.contacts_csv: {path}: permission denied",
            hint="give the user running crmbridge read access to it",
        ) from None
    return digest.hexdigest()
