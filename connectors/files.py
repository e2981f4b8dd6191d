"""The reference connectors: interactions exported as JSON Lines or CSV, a file or a folder.

Both stream line by line in binary mode, so memory stays bounded whatever the file size and
the cursor is an exact byte offset per file: a rerun reads only what was appended, a file
that was replaced (its first bytes changed) or truncated is read again from the start (the
ledger makes that harmless). A line that is not a valid record becomes a quarantine item
naming file, line and field; its neighbours flow on.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from pydantic import Field, model_validator

from crmbridge.config import ConfigPath, Options
from crmbridge.connector import Connector, Cursor, Extent, Item
from crmbridge.errors import ConfigError, DataError
from crmbridge.models import Author, Interaction, parse_interaction

log = logging.getLogger("crmbridge.connectors.files")
HEAD_BYTES = 256
TAIL_BYTES = 64


@dataclass(slots=True)
class Line:
    """One physical record's bytes and where it sits in its file."""

    data: bytes
    number: int
    end: int
    oversized: bool = False
    last: int = 0  # the last physical line of a record spanning several

    def __post_init__(self) -> None:
        self.last = max(self.last, self.number)


class FileConfig(Options):
    """Options shared by the file connectors."""

    path: ConfigPath = Field(description="A file, or a folder read in name order.")
    pattern: str | None = Field(default=None, description="Glob for files in a folder.")
    max_record_bytes: int = Field(default=1_000_000, ge=1024)
    wait_for_file: bool = Field(
        default=False,
        description="A file that appears later (a webhook spool): until it exists the "
        "source reads nothing, instead of stopping with a config error.",
    )


class FileConnector(Connector):
    """Streams records from files with a byte-offset cursor per file."""

    default_pattern: ClassVar[str] = "*"
    Config: ClassVar[type[Options]] = FileConfig
    config: FileConfig

    def files(self) -> list[tuple[str, Path]]:
        """The files to read, as (name in cursor, path), in name order."""
        root = self.config.path
        if root.is_file():
            return [(root.name, root)]
        if root.is_dir():
            pattern = self.config.pattern or self.default_pattern
            return [
                (p.relative_to(root).as_posix(), p)
                for p in sorted(root.rglob(pattern))
                if p.is_file()
            ]
        if self.config.wait_for_file:
            return []  # e.g. the spool `crmbridge serve` creates with its first event
        raise ConfigError(
            f"source {self.source}: path {root} does not exist",
            hint="fix 'path' in the source's config (relative paths start at the config file)",
        )

    def check(self) -> str:
        """Say how many files the source finds, after opening each one as the sync will."""
        found = self.files()
        size = 0
        for _name, path in found:
            with self._open(path) as handle:
                handle.read(1)
            size += path.stat().st_size
        if not found and self.config.wait_for_file and not self.config.path.exists():
            return f"waiting for {self.config.path} (wait_for_file: nothing to read yet)"
        return f"{len(found)} file(s) under {self.config.path.name}, {size:,} bytes"

    def extent(self, cursor: Cursor) -> Extent | None:
        """Bytes read so far of the bytes there are (sizes taken at the first call)."""
        sizes = getattr(self, "_sizes", None)
        if sizes is None:
            sizes = self._sizes = {name: path.stat().st_size for name, path in self.files()}
        done = dict(cursor.get("files", {}))
        current = cursor.get("current")
        if current:
            done[current[0]] = current[1:]
        read = sum(min(int(pos[0]), sizes.get(name, 0)) for name, pos in done.items() if pos)
        return Extent(read, sum(sizes.values()), "bytes")

    def _open(self, path: Path) -> BinaryIO:
        """Open a file to read, an unreadable one being the admin's to fix (ConfigError)."""
        try:
            return path.open("rb")
        except PermissionError:
            raise ConfigError(
                f"source {self.source}: {path}: permission denied",
                hint="give the user running crmbridge read access to it",
            ) from None

    def fetch(self, cursor: Cursor | None) -> Iterator[Item]:
        """Yield every record after the cursor, file by file."""
        done: dict[str, list[Any]] = dict((cursor or {}).get("files", {}))
        current = (cursor or {}).get("current")
        if current:
            done[current[0]] = current[1:]
        for name, path in self.files():
            yield from self._read_file(name, path, done.get(name), done)
            done = dict(done)  # items already yielded keep the old dict; never mutate it
            done[name] = self._last_position

    def _read_file(
        self, name: str, path: Path, position: list[Any] | None, done: dict[str, list[Any]]
    ) -> Iterator[Item]:
        with self._open(path) as handle:
            head = handle.read(HEAD_BYTES)
            offset, line_no, tail = 0, 0, b""
            if position is not None:
                old_offset, old_line, old_print = position
                if 0 < old_offset <= path.stat().st_size:
                    handle.seek(max(0, old_offset - TAIL_BYTES))
                    tail = handle.read(min(TAIL_BYTES, old_offset))
                    if old_print == _fingerprint(head, old_offset, tail):
                        offset, line_no = old_offset, old_line
                    else:
                        tail = b""  # rewritten in place: read it again from the start
            self._last_position = [offset, line_no, _fingerprint(head, offset, tail)]
            handle.seek(offset)
            for record in self.records(handle, name, line_no):
                location = f"{name}:{record.number}"
                new_tail = (tail + record.data)[-TAIL_BYTES:]
                position = [record.end, record.last, _fingerprint(head, record.end, new_tail)]
                item = self.to_item(record, {"files": done, "current": [name, *position]}, location)
                if item.error and not record.data.endswith(b"\n"):
                    # An unfinished last line may still be being written (by `crmbridge
                    # serve`, or an exporter): leave it, and the cursor before it, for later.
                    log.warning(
                        "%s: the last line has no newline and does not parse yet; "
                        "it is left for the next run",
                        location,
                    )
                    return
                tail, self._last_position = new_tail, position
                yield item

    def records(self, handle: BinaryIO, name: str, line_no: int) -> Iterator[Line]:
        """Yield each non-blank physical line (oversized ones flagged, not held)."""
        limit = self.config.max_record_bytes
        while True:
            data = handle.readline(limit + 1)
            if not data:
                return
            line_no += 1
            oversized = len(data) > limit and not data.endswith(b"\n")
            if oversized:
                data += _skip_rest_of_line(handle)
            if data.strip():
                yield Line(data, line_no, handle.tell(), oversized)

    def to_item(self, record: Line, cursor: Cursor, location: str) -> Item:
        """Turn one record's bytes into an item (override per format)."""
        raise NotImplementedError


class JsonlConnector(FileConnector):
    """Reads the interchange format ``crmbridge.interaction/1``, one JSON object a line."""

    name = "jsonl"
    default_pattern = "*.jsonl"

    def to_item(self, record: Line, cursor: Cursor, location: str) -> Item:
        """Decode, parse and validate one line."""
        if record.oversized:
            reason = f"record is longer than max_record_bytes ({self.config.max_record_bytes})"
            return Item.bad(cursor, location, reason, record.data[:4096])
        try:
            text = record.data.decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            return Item.bad(cursor, location, f"not valid UTF-8 at byte {exc.start}", record.data)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return Item.bad(
                cursor, location, f"not valid JSON: {exc.msg} at column {exc.colno}", text
            )
        except RecursionError:  # "[[[[…": hostile nesting beyond the decoder's stack
            return Item.bad(cursor, location, "not valid JSON: nested too deeply", text)
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            return Item.bad(cursor, location, f"not valid JSON: {exc}", text)
        try:
            return Item(cursor, location, interaction=parse_interaction(data, location))
        except DataError as exc:
            return Item.bad(cursor, location, exc.message, text)


_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_TOP = set(Interaction.model_fields) - {"schema_", "author"} | {"schema"}
_AUTHOR = {f"author.{name}" for name in Author.model_fields}
_BOOL_FIELDS = {"is_private", "deleted", "author.verified"}
_INT_FIELDS = {"author.followers"}


class CsvConfig(FileConfig):
    """Options of the ``csv`` connector, including a column mapping for other tools' exports."""

    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Interchange field -> export column (e.g. message_id: 'Message ID'); "
        "with a mapping, unmapped columns are ignored.",
    )
    values: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Per field, export value -> interchange value (platform: {Twitter: x}).",
    )
    defaults: dict[str, str] = Field(
        default_factory=dict, description="Interchange field -> value when the cell is empty."
    )
    assume_utc: bool = Field(
        default=False, description="Read times without a zone ('2024-01-15 10:30') as UTC."
    )

    @model_validator(mode="after")
    def _known_fields(self) -> CsvConfig:
        for option in ("columns", "values", "defaults"):
            unknown = sorted(set(getattr(self, option)) - (_TOP | _AUTHOR))
            if unknown:
                raise ValueError(f"{option}: not interchange fields: {unknown}")
        return self


class CsvConnector(FileConnector):
    """Reads interactions from CSV: interchange keys as columns, author fields as author.*.

    With ``columns`` it reads another tool's export instead: each interchange field from
    the named column, values translated by ``values``, gaps filled from ``defaults``.
    """

    name = "csv"
    default_pattern = "*.csv"
    Config: ClassVar[type[Options]] = CsvConfig
    config: CsvConfig

    def records(self, handle: BinaryIO, name: str, line_no: int) -> Iterator[Line]:
        """Yield whole CSV records (a quoted field may span lines), after the header."""
        self._header = self._read_header(handle, name)
        line_no = max(line_no, 1)
        handle.seek(max(handle.tell(), self._header_end))
        pending: Line | None = None
        for line in super().records(handle, name, line_no):
            if pending is not None:
                line = Line(
                    pending.data + line.data,
                    pending.number,
                    line.end,
                    pending.oversized or line.oversized,
                    line.last,
                )
            if line.data.count(b'"') % 2 and not line.oversized:
                pending = line  # an open quote: the record goes on in the next line
                continue
            pending = None
            yield line
        if pending is not None:
            yield pending

    def _read_header(self, handle: BinaryIO, name: str) -> list[str]:
        position = handle.tell()
        handle.seek(0)
        first = handle.readline(64_000).decode("utf-8", errors="replace").lstrip("\ufeff")
        self._header_end = handle.tell()
        handle.seek(position)
        header = next(csv.reader([first]), [])
        if self.config.columns:
            missing = [c for c in self.config.columns.values() if c not in header]
            if missing:
                raise ConfigError(
                    f"{name}: line 1: mapped column(s) {missing} not in the header",
                    hint="fix 'columns' in the source's config",
                )
            where = {column: i for i, column in enumerate(header)}
            self._fields = [(where[c], f) for f, c in self.config.columns.items()]
            return header
        self._fields = list(enumerate(header))
        unknown = [c for c in header if c not in _TOP | _AUTHOR]
        if unknown or "author.id" not in header:
            raise ConfigError(
                f"{name}: line 1: unknown column(s) {unknown}"
                if unknown
                else f"{name}: line 1: the header has no author.id column",
                hint="columns are the interchange keys, author fields as author.id, author.name…",
            )
        return header

    def to_item(self, record: Line, cursor: Cursor, location: str) -> Item:
        """Decode one CSV record into the interchange shape, then validate it."""
        try:
            text = record.data.decode("utf-8")
            values = next(csv.reader([text]))
        except (UnicodeDecodeError, csv.Error, StopIteration) as exc:
            return Item.bad(cursor, location, f"not a CSV record: {exc}", record.data)
        if record.oversized or len(values) != len(self._header):
            reason = f"expected {len(self._header)} columns, found {len(values)}"
            return Item.bad(cursor, location, reason, text)
        try:
            data = _unflatten(self._row(values))
            return Item(cursor, location, interaction=parse_interaction(data, location))
        except DataError as exc:
            return Item.bad(cursor, location, exc.message, text)

    def _row(self, values: list[str]) -> dict[str, str]:
        """Interchange field -> text, through the configured mapping."""
        options = self.config
        row = {field: values[i].strip() for i, field in self._fields}
        for field, table in options.values.items():
            if row.get(field) in table:
                row[field] = table[row[field]]
        for field, value in options.defaults.items():
            if not row.get(field):
                row[field] = value
        if options.assume_utc:
            for field in ("created_at", "edited_at"):
                row[field] = _as_utc_text(row.get(field, ""))
        return row


def _as_utc_text(value: str) -> str:
    """A zone-less time read as UTC (RFC 3339 out); anything else is left as it is."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


def _unflatten(row: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"schema": "crmbridge.interaction/1", "author": {}}
    for column, value in row.items():
        if value == "":
            continue
        converted: Any = value
        if column in _BOOL_FIELDS:
            if value.lower() not in _BOOLS:
                raise DataError(f"field {column}: expected true or false")
            converted = _BOOLS[value.lower()]
        elif column in _INT_FIELDS:
            if not value.isdigit():
                raise DataError(f"field {column}: expected a whole number")
            converted = int(value)
        if column.startswith("author."):
            data["author"][column[7:]] = converted
        else:
            data[column] = converted
    return data


def _fingerprint(head: bytes, offset: int, tail: bytes) -> str:
    """Digest of a file's first bytes and of the bytes just before ``offset``.

    An appended file keeps both; a file replaced or edited before the offset changes one,
    and is then read again from the start (the ledger makes the replay harmless).
    """
    return hashlib.sha256(head[: min(HEAD_BYTES, offset)] + b"|" + tail).hexdigest()[:16]


def _skip_rest_of_line(handle: BinaryIO) -> bytes:
    """Read past the end of an oversized line, keeping none of it but its last byte."""
    while True:
        chunk = handle.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return chunk[-1:]
