"""Replies from HubSpot: a note the agent writes on the contact or ticket, marked for sending.

HubSpot has no outbound social object, so the agent answers with a note: its body is the
answer, and the note property ``crmbridge_reply_to`` (``replies.hubspot.reply_to_property``)
holds the key of the message answered (shown on the activity crmbridge wrote) or its
conversation key. ``poll`` searches notes that have that property and no
``crmbridge_reply_status`` yet, queues each as reply ``hs-<note id>`` signed with the
note owner's name, and marks it ``queued``; ``report`` writes ``sent <platform:id>`` or
``failed: <reason>`` into the status property, where the agent sees it on the timeline.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from pydantic import Field

from crmbridge.config import AppConfig, Options, secret_value
from crmbridge.crm.base import ReplyPoll
from crmbridge.crm.hubspot.adapter import HubSpotConfig
from crmbridge.crm.hubspot.wire import Budget, HubSpotWire, classify
from crmbridge.errors import ConfigError
from crmbridge.http import with_retries
from crmbridge.outbound.outbox import Outbox
from crmbridge.outbound.queue import Queue, find_target
from crmbridge.state.store import StateStore

_BREAKS = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
STATUS_CHARS = 250


class HubSpotReplies(Options):
    """``replies.hubspot``: the note properties the agent and crmbridge use."""

    reply_to_property: str = Field(default="crmbridge_reply_to", pattern=r"^[a-z][a-z0-9_]*$")
    status_property: str = Field(default="crmbridge_reply_status", pattern=r"^[a-z][a-z0-9_]*$")
    limit: int = Field(default=100, ge=1, le=100)


def note_text(body: str | None) -> str:
    """A note's HTML body as the plain text of the reply."""
    text = html.unescape(_TAGS.sub("", _BREAKS.sub("\n", body or "")))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


class NoteReplies:
    """Moves replies between HubSpot notes and the outbox."""

    def __init__(
        self, config: AppConfig, store: StateStore, wire: HubSpotWire | None = None
    ) -> None:
        if config.crm.kind != "hubspot":
            raise ConfigError(f"{config.file.name}: replies from notes need crm.kind hubspot")
        self.config = config
        self.crm: HubSpotConfig = config.options_for(HubSpotConfig, config.crm.options, "crm")
        raw = (config.replies or {}).get("hubspot") or {}
        self.settings: HubSpotReplies = config.options_for(HubSpotReplies, raw, "replies.hubspot")
        self.store = store
        self.wire = wire or HubSpotWire(
            secret_value(self.crm.access_token) or "",
            host=self.crm.host,
            timeout=(self.crm.connect_timeout, self.crm.read_timeout),
            attempts=self.crm.attempts,
            budget=Budget(
                self.crm.daily_reserve,
                self.crm.burst_reserve,
                searches_per_s=self.crm.searches_per_s,
            ),
        )
        self._owners: dict[str, str] = {}

    def awaiting(self) -> list[dict[str, Any]]:
        """Notes marked for sending that crmbridge has not taken yet."""
        s = self.settings
        body: dict[str, Any] = {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": s.reply_to_property, "operator": "HAS_PROPERTY"},
                        {"propertyName": s.status_property, "operator": "NOT_HAS_PROPERTY"},
                    ]
                }
            ],
            "properties": ["hs_note_body", "hubspot_owner_id", s.reply_to_property],
            "sorts": [{"propertyName": "hs_createdate", "direction": "ASCENDING"}],
            "limit": s.limit,
        }
        data = self.wire.call("search", "do_search", "notes", body)
        return list(data.get("results") or [])

    def poll(self) -> ReplyPoll:
        """Queue every awaiting note, then report finished replies back."""
        summary, queue, marks = ReplyPoll(), Queue(self.config, self.store), {}
        for note in self.awaiting():
            status = self._queue(queue, note)
            marks[note["id"]] = status
            if status == "queued":
                summary.queued += 1
            else:
                summary.refused += 1
        self._mark(marks)
        summary.reported = self.report()
        return summary

    def _queue(self, queue: Queue, note: dict[str, Any]) -> str:
        props = note.get("properties") or {}
        ref = (props.get(self.settings.reply_to_property) or "").strip()
        try:
            target, conversation, contact = find_target(self.store, ref)
        except ConfigError as exc:
            return f"failed: {exc}"
        reply = queue.add(
            target,
            note_text(props.get("hs_note_body")),
            self._agent(props.get("hubspot_owner_id")),
            reply_id=f"hs-{note['id']}",
            conversation_key=conversation,
            contact_id=contact,
            origin="hubspot",
            origin_ref=str(note["id"]),
            strict=False,
        )
        return f"failed: {reply.error}" if reply.status == "failed" else "queued"

    def _agent(self, owner_id: str | None) -> str:
        if not owner_id:
            return "agent"
        if owner_id not in self._owners:
            owner = self._owner(owner_id)
            name = " ".join(p for p in (owner.get("firstName"), owner.get("lastName")) if p)
            self._owners[owner_id] = name or owner.get("email") or "agent"
        return self._owners[owner_id]

    def _owner(self, owner_id: str) -> dict[str, Any]:
        api = self.wire.client.crm.owners.owners_api

        @with_retries(self.crm.attempts)
        def read() -> dict[str, Any]:
            try:
                response = api.get_by_id_with_http_info(
                    owner_id, _preload_content=False, _request_timeout=self.wire.timeout
                )
            except Exception as exc:  # the SDK's one boundary, as in crm/hubspot/wire.py
                raise classify(exc, "owners.get_by_id") from None
            self.wire.calls += 1
            data: dict[str, Any] = json.loads(response.data or b"{}")
            response.release_conn()
            return data

        return read()

    def report(self) -> int:
        """Write the outcome of finished replies into their notes' status property."""
        outbox = Outbox(self.store)
        done = {
            reply.origin_ref: (
                f"sent {reply.platform}:{reply.platform_id}"
                if reply.status == "sent"
                else f"failed: {reply.error}"
            )
            for reply in outbox.unsynced("hubspot")
            if reply.origin_ref
        }
        self._mark(done)
        for reply in outbox.unsynced("hubspot"):
            outbox.move(reply.id, reply.status, origin_synced=1)
        return len(done)

    def _mark(self, statuses: dict[str, str]) -> None:
        items = list(statuses.items())
        for start in range(0, len(items), 100):
            inputs = [
                {"id": note_id, "properties": {self.settings.status_property: text[:STATUS_CHARS]}}
                for note_id, text in items[start : start + 100]
            ]
            self.wire.call("objects", "update", "notes", {"inputs": inputs})
