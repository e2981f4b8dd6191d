"""The jsonl reference connector passes the shared connector contract."""

import json
from pathlib import Path

import responses
from crmbridge.connectors.files import JsonlConnector

from crmbridge.connector import Connector
from crmbridge.testing import ConnectorContract

LONG = "A long export line that must come through whole. " * 8


def record(n: int, author: str) -> dict:
    return {
        "schema": "crmbridge.interaction/1",
        "platform": "x",
        "kind": "mention",
        "message_id": f"10{n}",
        "author": {"id": author, "handle": f"user{author}"},
        "text": LONG if n == 3 else f"message {n}",
        "created_at": f"2024-01-15T10:3{n}:00Z",
        "url": f"https://x.com/user{author}/status/10{n}",
    }


class TestJsonlContract(ConnectorContract):
    speaks_http = False

    def full_texts(self) -> dict[str, str]:
        return {"103": LONG}

    def make(self, tmp_path: Path) -> Connector:
        config = JsonlConnector.Config.model_validate({"path": str(tmp_path / "in.jsonl")})
        return JsonlConnector(config, "exports")

    def arrange(self, wire: responses.RequestsMock, tmp_path: Path, scenario: str) -> None:
        lines = [json.dumps(record(n, str(n % 2))) for n in range(5)]
        if scenario == "malformed":
            lines.insert(2, '{"schema": "crmbridge.interaction/1", "platform": "x"')
        (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
