"""The six error kinds of crmbridge, and the exit code each one maps to.

Every vendor error is translated into one of these at a single boundary per adapter or
connector, so the pipeline decides what to do from ``kind`` alone: retry, wait, stop
cleanly, tell the admin, or park one record and go on.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of ``crmbridge`` commands (documented in the README)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    PARTIAL = 3
    CONFIG = 4
    AUTH = 5
    QUOTA = 6
    RATE_LIMITED = 7
    TRANSIENT = 8
    BUSY = 9


class CrmbridgeError(Exception):
    """Root of every error crmbridge raises on purpose."""

    kind: str = "internal"
    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


# --- retriable -------------------------------------------------------------------------


class TransientError(CrmbridgeError):
    """A failure that may pass: 5xx, timeouts, connection resets, row locks."""

    kind = "transient"
    exit_code = ExitCode.TRANSIENT


class RateLimited(TransientError):
    """The remote asked us to slow down; ``retry_after`` seconds if it said so."""

    kind = "rate_limited"
    exit_code = ExitCode.RATE_LIMITED

    def __init__(
        self, message: str, *, retry_after: float | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


# --- fatal for this run, resumable next run --------------------------------------------


class QuotaExhausted(CrmbridgeError):
    """A daily or rolling allocation is used up: stop cleanly, resume on the next run."""

    kind = "quota_exhausted"
    exit_code = ExitCode.QUOTA


# --- fatal until an admin acts ---------------------------------------------------------


class AuthError(CrmbridgeError):
    """Credentials are missing, expired or revoked; the message names what to fix."""

    kind = "auth"
    exit_code = ExitCode.AUTH


class ConfigError(CrmbridgeError):
    """The config, a mapping or a rule file is wrong; the message names file and key."""

    kind = "config"
    exit_code = ExitCode.CONFIG


class UsageError(CrmbridgeError):
    """A user mistake: no target, an unknown id, or a decision already taken. Nothing changed.

    The message says what to run instead.
    """

    kind = "usage"
    exit_code = ExitCode.USAGE


class SourceBusy(CrmbridgeError):
    """Another worker holds the lease on this source partition."""

    kind = "busy"
    exit_code = ExitCode.BUSY


# --- skippable: park one record, the run goes on ---------------------------------------


class DataError(CrmbridgeError):
    """One record is bad (malformed input, a CRM validation error): park it with reason."""

    kind = "data"
    exit_code = ExitCode.PARTIAL

    def __init__(self, message: str, *, location: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.location = location

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.location}: {text}" if self.location else text


KINDS: dict[str, type[CrmbridgeError]] = {
    cls.kind: cls
    for cls in (
        TransientError,
        RateLimited,
        QuotaExhausted,
        AuthError,
        ConfigError,
        SourceBusy,
        UsageError,
        DataError,
    )
}
