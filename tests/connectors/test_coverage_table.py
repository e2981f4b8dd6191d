"""docs/connectors.md's coverage table: every platform, both paths, every cell answered."""

from pathlib import Path

from crmbridge import registry
from crmbridge.sources import RestConnector

DOC = Path(__file__).resolve().parents[2] / "docs" / "connectors.md"
COLUMNS = [
    "platform",
    "path",
    "mentions",
    "replies to the brand",
    "comments",
    "DMs in",
    "DMs out",
    "edits",
    "deletes",
    "the brand's outbound",
]


def table() -> list[list[str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Coverage: what each platform gives, by poll and by webhook")
    rows = [line for line in lines[start:] if line.startswith("| ")]
    cells = [[c.strip() for c in row.strip("|").split(" | ")] for row in rows]
    header, body = cells[0], cells[1:]
    assert header == COLUMNS
    return [row for row in body if row[1] in ("poll", "webhook")]


def test_every_platform_connector_has_a_poll_and_a_webhook_row():
    built_in = [
        p for p in registry.plugins(registry.CONNECTORS).values() if p.distribution == "crmbridge"
    ]
    platforms = {
        cls.platform
        for cls in (registry.connector(p.name) for p in built_in)
        if issubclass(cls, RestConnector)
    }
    assert platforms == {"x", "facebook", "instagram", "youtube", "reddit"}
    rows = {(row[0].lower(), row[1]) for row in table()}
    assert rows == {(p, path) for p in platforms for path in ("poll", "webhook")}


def test_every_cell_is_yes_or_names_the_limit_that_prevents_it():
    for row in table():
        assert len(row) == len(COLUMNS), row[:2]
        for column, cell in zip(COLUMNS[2:], row[2:], strict=True):
            where = f"{row[0]} {row[1]} / {column}: {cell!r}"
            assert cell.startswith(("yes", "tags: yes", "DMs: yes")) or cell.startswith("no: "), (
                where
            )
            if cell.startswith("no: "):
                reason = cell[4:].strip()
                assert len(reason.split()) >= 3 and "as before" not in reason, where
