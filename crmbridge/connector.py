"""The connector contract: stream items from a source, each carrying its resume cursor.

A connector is one class with a ``name``, a pydantic ``Config`` and
``fetch(cursor) -> Iterator[Item]``. Every item carries the cursor that resumes *after* it,
so the pipeline can commit a batch's cursor in the same transaction as its ledger rows and
never skip or repeat a record. A record that cannot become an ``Interaction`` is yielded as
an item with ``error`` set (and its raw text), never raised: the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from crmbridge.config import Options
from crmbridge.models import Interaction

Cursor = dict[str, Any]
"""A JSON-serialisable resume point; its shape is the connector's own business."""


@dataclass(frozen=True, slots=True)
class Item:
    """One record read from a source: an interaction, or the reason it is not one."""

    cursor: Cursor
    location: str
    interaction: Interaction | None = None
    error: str | None = None
    raw: str | None = None

    @classmethod
    def bad(cls, cursor: Cursor, location: str, error: str, raw: str | bytes) -> Item:
        """A record to quarantine, with its raw text kept (bounded) for replay."""
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", errors="backslashreplace")
        return cls(cursor=cursor, location=location, error=error, raw=raw[:MAX_RAW_CHARS])


MAX_RAW_CHARS = 1_000_000


class Extent(tuple[int, int]):
    """``(done, total)`` of a source's work, with the unit they count (``bytes``, ``records``).

    A plain pair to whoever unpacks it; progress reads ``unit`` to label the total.
    """

    unit: str

    def __new__(cls, done: int, total: int, unit: str = "bytes") -> Extent:
        """The pair, labelled."""
        pair = super().__new__(cls, (done, total))
        pair.unit = unit
        return pair


class Connector:
    """Base class of every source connector."""

    name: ClassVar[str] = ""
    Config: ClassVar[type[Options]] = Options

    def __init__(self, config: Any, source: str) -> None:
        self.config = config
        self.source = source

    def fetch(self, cursor: Cursor | None) -> Iterator[Item]:
        """Yield items newer than ``cursor`` (``None`` means from the start)."""
        raise NotImplementedError

    def extent(self, cursor: Cursor) -> tuple[int, int] | None:
        """How far ``cursor`` is through the work there is, as (done, total), if knowable.

        Files answer in bytes, API sources in records (an :class:`Extent` names its unit); a
        source that cannot tell answers None, and progress then shows a count and a rate
        without an ETA.
        """
        return None

    def check(self) -> str:
        """Verify the source can be read (without reading it all); describe what was found."""
        return "configured"

    def close(self) -> None:
        """Release files or sessions; called once when the pipeline is done."""
