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
    """Queries ``head WHERE (fields IN chunk) tail``, each under ``limit`` encoded chars."""
    return chunked_any(head, [(fields, values)], limit, tail)


def chunked_any(
    head: str,
    groups: Sequence[tuple[Sequence[str], Iterable[str]]],
    limit: int,
    tail: str = "",
) -> list[str]:
    """Queries matching any group's ``fields IN values``, packed under ``limit`` chars.

    Values are quoted and escaped by ``format_soql``; the length counted is the URL-encoded
    one, since the query travels in the URL of a GET.
    """
    queries: list[str] = []
    parts: list[tuple[Sequence[str], list[str]]] = []
    size = base = len(quote_plus(head + " WHERE () " + tail))
    for fields, values in groups:
        listed = sorted({v for v in values if v})
        if not listed or not fields:
            continue
        opening = 40 * len(fields)
        chunk: list[str] = []
        for value in listed:
            cost = (len(quote_plus(quote_soql_value(value))) + 3) * len(fields)
            if size + cost + (0 if chunk else opening) > limit and (chunk or parts):
                queries.append(_where(head, [*parts, (fields, chunk)] if chunk else parts, tail))
                parts, chunk, size = [], [], base
            size += cost + (0 if chunk else opening)
            chunk.append(value)
        parts.append((fields, chunk))
    if parts:
        queries.append(_where(head, parts, tail))
    return queries


def _where(head: str, parts: Sequence[tuple[Sequence[str], Sequence[str]]], tail: str) -> str:
    condition = " OR ".join(in_condition(fields, chunk) for fields, chunk in parts if chunk)
    return format_soql("{:literal} WHERE {:literal} {:literal}", head, condition, tail).strip()


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


_UNESCAPE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def split_literals(query: str) -> tuple[str, list[str]]:
    """The query with each string literal replaced by ``?``, and the literals decoded.

    The inverse of SOQL quoting, for checking what a built query says (the fake org in
    ``benchmarks/`` and the injection tests read queries with it).
    """
    skeleton: list[str] = []
    literals: list[str] = []
    i = 0
    while i < len(query):
        if query[i] != "'":
            skeleton.append(query[i])
            i += 1
            continue
        value: list[str] = []
        i += 1
        while query[i] != "'":
            if query[i] == "\\":
                i += 1
                value.append(_UNESCAPE.get(query[i], query[i]))
            else:
                value.append(query[i])
            i += 1
        skeleton.append("?")
        literals.append("".join(value))
        i += 1
    return "".join(skeleton), literals
