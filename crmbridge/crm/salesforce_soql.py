"""SOQL for the Salesforce adapter: every value goes through ``format_soql``, lists chunked.

``query()`` is a GET, so a long ``IN (...)`` list is split into queries whose URL-encoded
text stays under a limit (about 2,000 characters is the advised URI length). Field and
object names come from validated config (API-name pattern), never from interaction data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import quote_plus

from simple_salesforce.format import format_soql, quote_soql_value


def select(fields: Sequence[str], sobject: str) -> str:
    """``SELECT a, b FROM Object`` for validated API names."""
    return format_soql("SELECT {:literal} FROM {:literal}", ", ".join(fields), sobject)


def in_condition(fields: Sequence[str], values: Sequence[str]) -> str:
    """``(F1 IN ('a','b') OR F2 IN ('a','b'))`` with every value quoted and escaped."""
    parts = [format_soql("{:literal} IN {}", f, list(values)) for f in fields]
    return "(" + " OR ".join(parts) + ")"


def chunked_in(
    head: str, fields: Sequence[str], values: Iterable[str], limit: int, tail: str = ""
) -> list[str]:
    """Queries ``head WHERE (fields IN chunk) tail`` each under ``limit`` encoded chars."""
    listed = sorted({v for v in values if v})
    if not listed or not fields:
        return []
    base = len(quote_plus(f"{head} WHERE () {tail}")) + 40 * len(fields)
    queries: list[str] = []
    chunk: list[str] = []
    size = base
    for value in listed:
        cost = (len(quote_plus(quote_soql_value(value))) + 3) * len(fields)
        if chunk and size + cost > limit:
            queries.append(_where(head, fields, chunk, tail))
            chunk, size = [], base
        chunk.append(value)
        size += cost
    queries.append(_where(head, fields, chunk, tail))
    return queries


def _where(head: str, fields: Sequence[str], chunk: Sequence[str], tail: str) -> str:
    return f"{head} WHERE {in_condition(fields, chunk)} {tail}".strip()


def since(head: str, field: str, cursor: datetime | None, order: str) -> str:
    """``head WHERE field > cursor ORDER BY ...`` (all rows when cursor is None)."""
    if cursor is None:
        return format_soql("{:literal} ORDER BY {:literal}", head, order)
    return format_soql(
        "{:literal} WHERE {:literal} > {} ORDER BY {:literal}", head, field, cursor, order
    )


def equals(head: str, field: str, value: str, tail: str = "") -> str:
    """``head WHERE field = 'value' tail``."""
    return format_soql("{:literal} WHERE {:literal} = {} {:literal}", head, field, value, tail)
