"""What every platform sender does: send one reply, find a reply already sent, say who."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from typing import Any, ClassVar

import requests

from crmbridge.outbound.reply import Reply

# Platform clocks and ours differ: look a little before the attempt began.
CLOCK_SLACK = timedelta(minutes=5)


class Sender(ABC):
    """Sends replies on one platform and looks them up after an unknown outcome."""

    platform: ClassVar[str]

    def __init__(self, account: Any, session: requests.Session, timeout: float) -> None:
        self.account = account
        self.session = session
        self.timeout = timeout

    @abstractmethod
    def send(self, reply: Reply, mode: str) -> str:
        """Post the reply as ``mode`` decided; return the platform's id of the new message."""

    @abstractmethod
    def lookup(self, reply: Reply, since: datetime, taken: set[str]) -> str | None:
        """The id of this reply if the brand posted it since ``since``, else None.

        ``taken`` holds ids already recorded for other replies (two identical answers in
        one thread stay two). Raises ``Undecidable`` where the platform cannot tell.
        """

    @abstractmethod
    def brand(self) -> dict[str, Any]:
        """The brand account as an interchange ``author``."""

    def headers(self) -> dict[str, str]:
        """The bearer header (the token never goes into a URL)."""
        return {"Authorization": f"Bearer {self.account.access_token.get_secret_value()}"}


def matches(text: str | None, body: str) -> bool:
    """Whether a message found on the platform is this reply's text (whitespace aside)."""
    return text is not None and " ".join(text.split()) == " ".join(body.split())


def after(stamp: datetime | None, since: datetime) -> bool:
    """Whether a platform time is at or after the attempt (less the clock slack)."""
    return stamp is None or stamp >= since - CLOCK_SLACK
