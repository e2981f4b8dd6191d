"""Log output for schedulers and people: text or JSON lines, secrets always masked.

Every record passes one filter that replaces each secret the config read from the
environment with ``***`` (in the message and its arguments, before formatting), so no
handler, text or JSON, can print a token a connector put into an error by accident.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_SECRETS: set[str] = set()


def add_secrets(values: set[str] | frozenset[str]) -> None:
    """Mask these values in every log line from now on (load_config calls this)."""
    _SECRETS.update(v for v in values if v)


def redact(text: str) -> str:
    """The text with every known secret masked, longest first."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class RedactFilter(logging.Filter):
    """Masks secrets in a record's rendered message (and its exception text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, masked; keep the record."""
        if _SECRETS:
            record.msg = redact(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any ``extra`` fields."""

    _STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line."""
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info or record.exc_text:
            data["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(data, default=str)


class CurrentStderr:
    """``sys.stderr`` as it is at each write, not as it was when logging was set up.

    A live progress bar (rich) swaps in a proxy for ``sys.stderr`` that prints each line
    above the bar; a handler holding the original stream would write under the bar, and
    the bar's next refresh would overwrite the line.
    """

    def write(self, text: str) -> int:
        """Write to the current stderr."""
        return sys.stderr.write(text)

    def flush(self) -> None:
        """Flush the current stderr."""
        sys.stderr.flush()


def setup(level: int, fmt: LogFormat = "text") -> None:
    """Send crmbridge's logs to stderr at ``level``, as text or JSON lines, secrets masked."""
    handler = logging.StreamHandler(CurrentStderr())
    handler.addFilter(RedactFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_crmbridge", False):
            root.removeHandler(old)
    handler._crmbridge = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # Migration steps are debug detail: -v shows the sync's own lines, -vv everything.
    logging.getLogger("alembic").setLevel(logging.WARNING if level > logging.DEBUG else level)
