"""A send run: settle what is unknown, send what is pending, put what was sent on the history.

For each reply due: a reply left ``sending`` (the process died mid-call) or ``unknown``
(the answer was lost) is first looked for on the platform, among the brand's replies in
that thread since the attempt; found, it is ``sent`` with that id; surely absent, it goes
back to ``pending``; undecidable, it waits for a person. Then a pending reply is checked
again (window, ``no_response``), marked ``sending`` (committed), and posted once. Each sent
reply is appended to the spool as an outbound interaction, which the ``replies`` jsonl
source brings through the pipeline (timeline, threading, KPIs) on the next sync.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests

from crmbridge.config import AppConfig
from crmbridge.errors import (
    AuthError,
    ConfigError,
    CrmbridgeError,
    QuotaExhausted,
    RateLimited,
    TransientError,
)
from crmbridge.http import make_session
from crmbridge.outbound.base import Sender
from crmbridge.outbound.holds import no_response
from crmbridge.outbound.meta import FacebookSender, InstagramSender
from crmbridge.outbound.outbox import Outbox
from crmbridge.outbound.policy import Refused, last_inbound, send_mode
from crmbridge.outbound.reddit import RedditSender
from crmbridge.outbound.reply import Reply
from crmbridge.outbound.settings import RepliesConfig, replies_config
from crmbridge.outbound.timeline import spool_sent
from crmbridge.outbound.wire import OutcomeUnknown, SendRefused, Undecidable
from crmbridge.outbound.x import XSender
from crmbridge.outbound.youtube import YouTubeSender
from crmbridge.state.store import StateStore, utcnow

log = logging.getLogger("crmbridge.replies")
SENDERS: dict[str, type[Sender]] = {
    "x": XSender,
    "facebook": FacebookSender,
    "instagram": InstagramSender,
    "youtube": YouTubeSender,
    "reddit": RedditSender,
}


@dataclass
class SendSummary:
    """What a send run did; ``reply send --json`` prints these counters."""

    sent: int = 0
    found: int = 0  # unknown outcomes found posted by lookup
    resent: int = 0  # unknown outcomes found absent, sent again
    failed: int = 0
    held: int = 0
    unknown: int = 0
    waiting_for_person: int = 0
    rate_limited: list[str] = field(default_factory=list)
    spooled: int = 0
    stopped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


class Dispatcher:
    """Sends the outbox's due replies through the platform senders."""

    def __init__(
        self,
        config: AppConfig,
        store: StateStore,
        session: requests.Session | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.config = config
        self.settings: RepliesConfig = replies_config(config)
        self.store = store
        self.outbox = Outbox(store)
        self.session = session or make_session(pool=4)
        self.clock = clock
        self.senders: dict[str, Sender] = {}
        self.summary = SendSummary()
        self._limited: set[str] = set()

    def sender(self, platform: str) -> Sender:
        """The sender of a platform, or a ConfigError naming the missing block."""
        if platform not in self.senders:
            account = getattr(self.settings, platform, None)
            if account is None:
                raise ConfigError(
                    f"{self.config.file.name}: replies.{platform} is not configured",
                    hint="add the brand account and its token (docs/replies.md)",
                )
            self.senders[platform] = SENDERS[platform](
                account, self.session, self.settings.timeout_s
            )
        return self.senders[platform]

    def run(self, limit: int = 1000) -> SendSummary:
        """Work the due replies once, then the unknown outcomes of this run once settled."""
        try:
            for reply in self.outbox.due(limit):
                self.step(reply)
            self._settle_this_run()
        except (AuthError, ConfigError, QuotaExhausted) as exc:
            self.summary.stopped = f"{exc.kind}: {self.config.redact(str(exc))}"
            raise
        finally:
            self.summary.spooled += spool_sent(self.config, self.outbox, self._brand)
        return self.summary

    def step(self, reply: Reply) -> None:
        """Move one reply as far as it can go now."""
        if reply.platform in self._limited:
            return
        try:
            if reply.status in ("sending", "unknown"):
                if not self._settled(reply):
                    return
                reply = self._resolve(reply)
            if reply.status == "pending":
                self._send(reply)
        except RateLimited as exc:
            log.warning(
                "%s rate limited; its replies wait for the next run: %s", reply.platform, exc
            )
            self._limited.add(reply.platform)
            self.summary.rate_limited.append(reply.platform)
        except TransientError as exc:  # never reached the platform: pending, next run
            log.warning("reply %s not sent this run: %s", reply.id, exc)

    # --- unknown outcomes ------------------------------------------------------------

    def _settled(self, reply: Reply) -> bool:
        """Look only when no call can still land: after the timeout, or the sending lease.

        A reply still ``sending`` may be another sender's call in its retries; it counts
        as abandoned (its sender died) once ``sending_lease_s`` has passed.
        """
        since = reply.attempt_at or self.clock()
        wait = self.settings.timeout_s
        if reply.status == "sending":
            wait = max(wait, self.settings.sending_lease_s)
        return self.clock() - since >= timedelta(seconds=wait)

    def _settle_this_run(self) -> None:
        waiting = [r for r in self.outbox.find(["unknown"]) if r.hold_reason is None]
        for reply in waiting:
            if reply.platform in self._limited or reply.attempt_at is None:
                continue
            left = reply.attempt_at + timedelta(seconds=self.settings.timeout_s) - self.clock()
            if left > timedelta(0):
                time.sleep(min(left.total_seconds(), self.settings.timeout_s))
            self.step(self.outbox.get(reply.id))

    def _resolve(self, reply: Reply) -> Reply:
        sender = self.sender(reply.platform)
        since = reply.attempt_at or self.clock()
        try:
            found = sender.lookup(reply, since, self.outbox.taken(reply.target.key, reply.id))
        except Undecidable as exc:
            self._wait_for_person(reply, f"undecidable: {exc}")
            return self.outbox.get(reply.id)
        except (AuthError, ConfigError, QuotaExhausted):
            raise
        except CrmbridgeError as exc:
            lookups = reply.lookups + 1
            self.outbox.move(
                reply.id,
                reply.status,
                status="unknown",
                lookups=lookups,
                error=f"lookup failed: {exc}",
            )
            if lookups >= self.settings.lookup_attempts:
                self._wait_for_person(reply, f"{lookups} lookups failed, last: {exc}")
            else:
                self.summary.unknown += 1
            return self.outbox.get(reply.id)
        if found is not None:
            if self.outbox.move(
                reply.id,
                reply.status,
                status="sent",
                platform_id=found,
                sent_at=self.clock(),
                error=None,
                lookups=reply.lookups + 1,
            ):
                self.summary.found += 1
        elif self.outbox.move(
            reply.id,
            reply.status,
            status="pending",
            lookups=reply.lookups + 1,
            error="not found on the platform after an unknown outcome",
        ):
            self.summary.resent += 1
        return self.outbox.get(reply.id)

    def _wait_for_person(self, reply: Reply, why: str) -> None:
        self.outbox.move(
            reply.id,
            ["sending", "unknown"],
            status="unknown",
            hold_reason=f"{why}; find out on the platform, then run crmbridge reply resolve "
            f"{reply.id} --sent PLATFORM_ID or --not-sent",
        )
        self.summary.waiting_for_person += 1

    # --- sending ---------------------------------------------------------------------

    def _send(self, reply: Reply) -> None:
        if reply.approved_by is None:
            hold = no_response(self.store, reply.conversation_key)
            if hold:
                self.outbox.move(reply.id, "pending", status="held", hold_reason=hold)
                self.summary.held += 1
                return
        try:
            mode = send_mode(
                reply, last_inbound(self.store, reply.target), self.settings, self.clock()
            )
        except Refused as exc:
            self.outbox.move(reply.id, "pending", status="failed", error=str(exc))
            self.summary.failed += 1
            return
        sender = self.sender(reply.platform)
        attempt_at = self.outbox.claim(reply, mode)
        if attempt_at is None:
            return  # another worker took it
        reply.attempt_at, reply.send_mode, reply.status = attempt_at, mode, "sending"
        try:
            platform_id = sender.send(reply, mode)
        except OutcomeUnknown as exc:
            self.outbox.move(reply.id, "sending", status="unknown", error=str(exc))
            self.summary.unknown += 1
            return
        except SendRefused as exc:
            self.outbox.move(reply.id, "sending", status="failed", error=str(exc))
            self.summary.failed += 1
            return
        except CrmbridgeError as exc:  # rate limited, auth, could not connect: not posted
            self.outbox.move(reply.id, "sending", status="pending", error=f"{exc.kind}: {exc}")
            raise
        self.outbox.move(
            reply.id,
            "sending",
            status="sent",
            platform_id=platform_id,
            sent_at=self.clock(),
            error=None,
        )
        self.summary.sent += 1

    def _brand(self, platform: str) -> dict[str, Any]:
        return self.sender(platform).brand()
