"""Batch matching for ``crmbridge match``: a contact CSV against a JSONL of identities.

Contacts are held in memory (the index); identities are streamed in chunks, so memory grows
with contacts, not with identities. An identity that appears on several lines of one chunk
pools their evidence (bio, DM texts); it is decided once, at its first chunk.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from crmbridge.errors import ConfigError
from crmbridge.identity.blocking import ContactIndex
from crmbridge.identity.features import Identity
from crmbridge.identity.matcher import Decision, Matcher, Thresholds
from crmbridge.models import Author, Contact

OUT_COLUMNS = ("identity_key", "contact_id", "score", "band", "rule", "evidence")
CONTACT_COLUMNS = ("id", "first_name", "last_name", "email", "phone", "city", "country")
CHUNK = 5000


@dataclass(frozen=True)
class MatchConfig:
    """Settings of a batch match (all optional)."""

    default_region: str = "US"
    auto_threshold: float = Thresholds.auto
    review_threshold: float = Thresholds.review
    max_block: int = 50
    # Refine the model's m and the share of authors in the CRM by EM on the first chunk.
    em: bool = True


def fit(matcher: Matcher, identities: list[Identity]) -> None:
    """EM on the candidates of identities no exact key decides (unlabelled pairs)."""
    pools = [matcher.pool(i, keep=8) for i in identities if matcher.exact(i) is None]
    matcher.model.fit_em(pools, len(matcher.index))
    matcher.model.estimate_namesakes(pools, len(matcher.index))


def read_contacts(path: Path) -> Iterator[Contact]:
    """Contacts of a CSV with the local CRM's columns; ``<platform>_handle`` columns."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CONTACT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ConfigError(f"{path.name}: line 1: missing column(s) {missing}")
        handle_cols = [c for c in reader.fieldnames or [] if c.endswith("_handle")]
        for line, row in enumerate(reader, start=2):
            values: dict[str, Any] = {
                c: (row.get(c) or "").strip() or None for c in CONTACT_COLUMNS
            }
            if not values["id"]:
                raise ConfigError(f"{path.name}: line {line}: column id is empty")
            handles = {c.removesuffix("_handle"): row[c].strip() for c in handle_cols if row[c]}
            yield Contact(**values, handles=handles)


def read_identities(
    path: Path, region: str = "US"
) -> Iterator[tuple[Identity | None, int, str | None]]:
    """(identity, line, problem) per JSONL line: an author object or an interaction record."""
    with path.open(encoding="utf-8") as handle:
        for line, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield _identity(json.loads(raw), region), line, None
            except (ValueError, ValidationError, TypeError) as exc:
                yield None, line, type(exc).__name__


def _identity(data: Any, region: str) -> Identity:
    if not isinstance(data, dict):
        raise TypeError("not an object")
    if isinstance(data.get("author"), dict):
        author = Author.model_validate(data["author"])
        texts = [data["text"]] if isinstance(data.get("text"), str) else []
        return Identity.of(str(data.get("platform") or "other"), author, texts, region)
    fields = {k: v for k, v in data.items() if k != "platform"}
    return Identity.of(
        str(data.get("platform") or "other"), Author.model_validate(fields), (), region
    )


def row(decision: Decision) -> dict[str, Any]:
    """One output row of LINKS.csv."""
    evidence = dict(decision.evidence)
    if decision.band == "review" and len(decision.candidates) > 1:
        evidence["candidates"] = decision.candidates
    return {
        "identity_key": decision.identity_key,
        "contact_id": decision.contact_id or "",
        "score": f"{decision.score:.4f}",
        "band": decision.band,
        "rule": decision.rule,
        "evidence": json.dumps(evidence, sort_keys=True, ensure_ascii=False),
    }


def match_files(
    contacts_csv: Path, identities_jsonl: Path, out_csv: Path, config: MatchConfig | None = None
) -> dict[str, Any]:
    """Match every identity to a contact; write LINKS.csv and return a summary."""
    config = config or MatchConfig()
    started = time.perf_counter()
    index = ContactIndex.build(
        read_contacts(Path(contacts_csv)), config.default_region, config.max_block
    )
    indexed = time.perf_counter()
    matcher = Matcher(index, thresholds=Thresholds(config.auto_threshold, config.review_threshold))
    bands = {"auto": 0, "review": 0, "unmatched": 0}
    bad: list[int] = []
    decided: set[str] = set()
    with Path(out_csv).open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=OUT_COLUMNS)
        writer.writeheader()
        chunks = _chunks(read_identities(Path(identities_jsonl), config.default_region), bad)
        for n, chunk in enumerate(chunks):
            fresh = [i for i in chunk.values() if i.key not in decided]
            if n == 0 and config.em:
                fit(matcher, fresh)
            for ident in fresh:
                decided.add(ident.key)
                decision = matcher.decide(ident)
                bands[decision.band] += 1
                writer.writerow(row(decision))
    elapsed = time.perf_counter() - started
    return {
        "contacts": len(index),
        "identities": len(decided),
        **bands,
        "bad_lines": bad[:20],
        "bad_line_count": len(bad),
        "index_seconds": round(indexed - started, 3),
        "seconds": round(elapsed, 3),
    }


def _chunks(
    lines: Iterator[tuple[Identity | None, int, str | None]], bad: list[int]
) -> Iterator[dict[str, Identity]]:
    chunk: dict[str, Identity] = {}
    for ident, line, _problem in lines:
        if ident is None:
            bad.append(line)
            continue
        if ident.key in chunk:
            chunk[ident.key].merge(ident)
        else:
            chunk[ident.key] = ident
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = {}
    if chunk:
        yield chunk
