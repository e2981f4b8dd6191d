"""Replies from Salesforce: outbound SocialPosts an agent creates from a case.

An agent answers in the case feed; Salesforce keeps the answer as a SocialPost with
``IsOutbound = true``, ``ReplyToId`` the customer's post (one crmbridge wrote, so it holds
the interaction key in ``Crmbridge_Key__c``), ``CreatedById`` the agent, ``MessageType``
(Reply, Comment, Direct, Private...) and ``OutboundSocialAccountId`` the managed social
account to answer from. ``poll`` picks up those awaiting sending (``Status`` in
``replies.salesforce.awaiting_statuses``, no ``ExternalPostId`` yet, not written by
crmbridge) into the outbox, keyed ``sf-<Id>`` so a second poll adds nothing; ``report``
writes back ``Status`` Sent with ``ExternalPostId`` and the interaction key (so the
pipeline's own outbound activity lands on that same record), or Failed with the reason in
``StatusMessage``. SOQL values go through ``format_soql``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from simple_salesforce import Salesforce, format_soql

from crmbridge.config import AppConfig, Options
from crmbridge.crm.base import ReplyPoll
from crmbridge.crm.salesforce.client import SalesforceConfig, guarded, login
from crmbridge.errors import ConfigError
from crmbridge.http import make_session
from crmbridge.outbound.outbox import Outbox
from crmbridge.outbound.queue import Queue, find_target
from crmbridge.state.store import StateStore

PRIVATE_TYPES = frozenset({"Direct", "Private", "PrivateMessage"})
STATUS_MESSAGE_CHARS = 255


class SalesforceReplies(Options):
    """``replies.salesforce``: which outbound SocialPosts crmbridge sends."""

    awaiting_statuses: list[str] = Field(default_factory=lambda: ["Sending"])
    sent_status: str = "Sent"
    failed_status: str = "Failed"
    status_message_field: str | None = "StatusMessage"
    accounts: list[str] = Field(
        default_factory=list,
        description="OutboundSocialAccountId values crmbridge answers for (empty: all); "
        "leave the others to the tool that sends them.",
    )
    limit: int = Field(default=200, ge=1, le=2000)


def settings_of(config: AppConfig) -> tuple[SalesforceConfig, SalesforceReplies]:
    """The org's login options and the ``replies.salesforce`` block."""
    if config.crm.kind != "salesforce":
        raise ConfigError(
            f"{config.file.name}: crm.kind is {config.crm.kind!r}: replies from outbound "
            "SocialPosts need the salesforce CRM (HubSpot: see docs/hubspot.md)"
        )
    org = config.options_for(SalesforceConfig, config.crm.options, "crm")
    raw = (config.replies or {}).get("salesforce") or {}
    return org, config.options_for(SalesforceReplies, raw, "replies.salesforce")


class SocialPostReplies:
    """Moves replies between Salesforce's outbound SocialPosts and the outbox."""

    def __init__(self, config: AppConfig, store: StateStore, sf: Salesforce | None = None) -> None:
        self.config = config
        self.org, self.settings = settings_of(config)
        self.store = store
        self.sf = sf or login(self.org, make_session(pool=2))

    def awaiting(self) -> list[dict[str, Any]]:
        """Outbound posts agents made that no one has sent yet (oldest first)."""
        key = self.org.key_field
        query = format_soql(
            "SELECT Id, Content, MessageType, ReplyToId, ReplyTo.{key:literal}, "
            "CreatedBy.Name, OutboundSocialAccountId, ParentId FROM SocialPost "
            "WHERE IsOutbound = true AND ExternalPostId = null AND {key:literal} = null "
            "AND Status IN {statuses} ORDER BY CreatedDate LIMIT {limit:literal}",
            key=key,
            statuses=self.settings.awaiting_statuses,
            limit=str(self.settings.limit),
        )
        records: list[dict[str, Any]] = guarded(
            lambda: self.sf.query(query)["records"], "SocialPost poll"
        )
        accounts = set(self.settings.accounts)
        return [r for r in records if not accounts or r.get("OutboundSocialAccountId") in accounts]

    def poll(self) -> ReplyPoll:
        """Queue every awaiting post, then report finished ones back."""
        summary = ReplyPoll()
        queue = Queue(self.config, self.store)
        for post in self.awaiting():
            if self._queue(queue, post):
                summary.queued += 1
            else:
                summary.refused += 1
        summary.reported = self.report()
        return summary

    def _queue(self, queue: Queue, post: dict[str, Any]) -> bool:
        reply_to = post.get("ReplyTo") or {}
        ref = reply_to.get(self.org.key_field)
        agent = (post.get("CreatedBy") or {}).get("Name") or "agent"
        if not ref:
            self._update(
                post["Id"],
                self.settings.failed_status,
                "crmbridge answers only posts it wrote (ReplyTo has no key)",
            )
            return False
        try:
            target, conversation, contact = find_target(self.store, ref)
        except ConfigError as exc:
            self._update(post["Id"], self.settings.failed_status, str(exc))
            return False
        private = post.get("MessageType") in PRIVATE_TYPES and not target.is_private
        reply = queue.add(
            target,
            post.get("Content") or "",
            agent,
            private=private,
            reason="the agent chose a private message type in Salesforce" if private else None,
            reply_id=f"sf-{post['Id']}",
            conversation_key=conversation,
            contact_id=contact,
            origin="salesforce",
            origin_ref=post["Id"],
            strict=False,
        )
        return reply.status != "failed"

    def report(self) -> int:
        """Write sent and failed replies back onto their SocialPosts."""
        outbox, done = Outbox(self.store), 0
        for reply in outbox.unsynced("salesforce"):
            if reply.origin_ref is None:
                continue
            if reply.status == "sent":
                extra = {
                    "ExternalPostId": reply.platform_id,
                    self.org.key_field: f"{reply.platform}:{reply.platform_id}",
                }
                self._update(reply.origin_ref, self.settings.sent_status, None, extra)
            else:
                self._update(reply.origin_ref, self.settings.failed_status, reply.error)
            outbox.move(reply.id, reply.status, origin_synced=1)
            done += 1
        return done

    def _update(
        self, post_id: str, status: str, message: str | None, extra: dict[str, Any] | None = None
    ) -> None:
        data: dict[str, Any] = {"Status": status, **(extra or {})}
        if message and self.settings.status_message_field:
            data[self.settings.status_message_field] = message[:STATUS_MESSAGE_CHARS]
        path = f"sobjects/SocialPost/{post_id}"
        guarded(lambda: self.sf.restful(path, method="PATCH", json=data), "SocialPost update")
