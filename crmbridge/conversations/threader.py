"""Threading rules: which conversation an interaction belongs to, and what it changes there.

Pure logic over rows shaped like the ``conversations`` table, so the pipeline (one batch at
a time, rows loaded in a few queries) and ``rethread`` (a person's whole history replayed)
share it. Rules, in order:

1. An interaction already threaded (a replay, a retried failure, an edit) stays where it
   is and counts nothing twice.
2. A reply to a message that is in a conversation joins it, whoever wrote it.
3. A message in a platform thread (its conversation id) joins that thread's conversation
   when it is the same person's (or an agent's reply) and the conversation is within reach.
4. Otherwise the person's conversation, across channels, that is within reach (the
   nearest in time when several are: sources synced one after another deliver one
   channel's messages after another's later ones).
5. Otherwise a new conversation, keyed ``conv:<platform>:<message id>`` of its first message,
   so a replay of the same history gives the same keys.

A conversation silent for longer than ``window`` counts as closed at ``last_at + window``;
"within reach" means within ``reopen_window`` after that close (or, for a message older
than the conversation, as far before its start), and joining across such a gap counts as
a reopening.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crmbridge.classify import Classification
from crmbridge.models import Interaction

Row = dict[str, Any]
COUNTERS = ("messages", "inbound", "outbound", "channel_shifts", "reopen_count", "escalations")


def conversation_key(interaction: Interaction) -> str:
    """The key of a conversation that this interaction starts.

    Its activity key: an X edit (a new id) that reaches threading before its original
    (both in one batch, where the edit wins) starts the same conversation the original would.
    """
    return f"conv:{interaction.activity_key}"


def thread_key(interaction: Interaction) -> str | None:
    """The platform's own thread of an interaction, when it names one."""
    if not interaction.conversation_id:
        return None
    return f"{interaction.platform}:{interaction.conversation_id}"


def parent_key(interaction: Interaction) -> str | None:
    """The interaction key of the message this one answers."""
    if not interaction.in_reply_to:
        return None
    return f"{interaction.platform}:{interaction.in_reply_to}"


def new_row(key: str, person_key: str, at: datetime) -> Row:
    """An empty conversation opened at ``at``."""
    return {
        "key": key,
        "person_key": person_key,
        "status": "open",
        "channels": "[]",
        "last_channel": None,
        "opened_at": at,
        "last_at": at,
        "last_inbound_at": None,
        "first_response_at": None,
        "last_outbound_at": None,
        "closed_at": None,
        **dict.fromkeys(COUNTERS, 0),
        "last_sentiment": None,
        "last_label": None,
        "last_agent": None,
        "escalated_tier": None,
        "case_key": None,
        "case_crm_id": None,
        "sla_due_at": None,
        "updated_at": at,
    }


@dataclass
class Threader:
    """Assigns interactions, in time order, to conversations held in memory."""

    window: timedelta
    reopen_window: timedelta
    now: datetime
    conversations: dict[str, Row] = field(default_factory=dict)
    latest: dict[str, str] = field(default_factory=dict)
    """person key -> the key of that person's most recent conversation."""
    by_person: dict[str, set[str]] = field(default_factory=dict)
    """person key -> the keys of that person's known conversations."""
    messages: dict[str, str] = field(default_factory=dict)
    """interaction key -> conversation key."""
    threads: dict[str, str] = field(default_factory=dict)
    """platform thread key -> conversation key."""
    touched: set[str] = field(default_factory=set)
    new_threads: dict[str, str] = field(default_factory=dict)

    def load(self, rows: list[Row]) -> None:
        """Know these stored conversations (times already aware UTC)."""
        for row in rows:
            self.conversations[row["key"]] = row
            self._note_latest(row)

    def assign(
        self,
        interaction: Interaction,
        person_key: str,
        classification: Classification | None,
        known: str | None = None,
    ) -> Row:
        """Thread one interaction; return its conversation row after applying it.

        ``known`` is the conversation an earlier run put this interaction (or the original
        of this edit) in: it stays there and is not counted again.
        """
        i = interaction
        if known is not None and known in self.conversations:
            row = self.conversations[known]
            self._remember(i, row["key"])
            return row
        found = self._find(i, person_key)
        if found is None:
            row = new_row(conversation_key(i), person_key, i.created_at)
            self.conversations[row["key"]] = row
        else:
            row = found
        if found is not None and self._gap(row, i.created_at) > self.window:
            row["reopen_count"] += 1  # a silence longer than the window: a reopening
        self._apply(row, i, classification)
        self._remember(i, row["key"])
        self._note_latest(row)
        if self.latest.get(row["person_key"]) == row["key"]:
            row["status"], row["closed_at"] = "open", None
        else:  # a late message into a conversation the person has since moved on from
            row["status"], row["closed_at"] = "closed", self.closed_at(row)
        return row

    def closed_at(self, row: Row) -> datetime:
        """When a conversation counts as closed if nothing more arrives."""
        return row["last_at"] + self.window  # type: ignore[no-any-return]

    def _gap(self, row: Row, at: datetime) -> timedelta:
        """How far ``at`` lies outside the conversation's span (zero inside it)."""
        return max(at - row["last_at"], row["opened_at"] - at, timedelta(0))  # type: ignore[no-any-return]

    def _within_reach(self, row: Row, at: datetime) -> bool:
        return self._gap(row, at) <= self.window + self.reopen_window

    def _find(self, i: Interaction, person_key: str) -> Row | None:
        parent = parent_key(i)
        if parent is not None and (key := self.messages.get(parent)) in self.conversations:
            return self.conversations[key]  # type: ignore[index]
        thread = thread_key(i)
        if thread is not None and (key := self.threads.get(thread)) in self.conversations:
            row = self.conversations[key]  # type: ignore[index]
            mine = row["person_key"] == person_key or i.direction == "outbound"
            if mine and self._within_reach(row, i.created_at):
                return row
        at = i.created_at
        mine = [self.conversations[k] for k in sorted(self.by_person.get(person_key, ()))]
        reachable = [r for r in mine if self._within_reach(r, at)]
        if reachable:
            return min(reachable, key=lambda r: (self._gap(r, at), -r["last_at"].timestamp()))
        latest = self.conversations.get(self.latest.get(person_key, ""))
        if latest is not None and at > latest["last_at"]:
            self._close(latest)  # the person moved on: their last conversation is over
        return None

    def _close(self, row: Row) -> None:
        if row["status"] != "closed":
            row["status"], row["closed_at"] = "closed", self.closed_at(row)
            row["updated_at"] = self.now
            self.touched.add(row["key"])

    def _apply(self, row: Row, i: Interaction, classification: Classification | None) -> None:
        at = i.created_at
        channels: list[str] = json.loads(row["channels"])
        if i.platform not in channels:
            channels.append(i.platform)
            row["channels"] = json.dumps(channels)
        in_order = at >= row["last_at"] or row["messages"] == 0
        if in_order:
            if row["last_channel"] not in (None, i.platform):
                row["channel_shifts"] += 1
            row["last_channel"] = i.platform
        row["messages"] += 1
        row["opened_at"] = min(row["opened_at"], at)
        row["last_at"] = max(row["last_at"], at)
        if i.direction == "inbound":
            row["inbound"] += 1
            if row["last_inbound_at"] is None or at >= row["last_inbound_at"]:
                row["last_inbound_at"] = at
                if classification is not None:
                    row["last_sentiment"] = round(classification.sentiment_score, 4)
                    row["last_label"] = classification.label
        else:
            row["outbound"] += 1
            if row["first_response_at"] is None or at < row["first_response_at"]:
                row["first_response_at"] = at
            if row["last_outbound_at"] is None or at >= row["last_outbound_at"]:
                row["last_outbound_at"] = at
                row["last_agent"] = i.agent
        row["updated_at"] = self.now
        self.touched.add(row["key"])

    def _remember(self, i: Interaction, key: str) -> None:
        self.messages[i.key] = key
        self.messages[i.activity_key] = key
        thread = thread_key(i)
        if thread is not None and self.threads.get(thread) != key:
            self.threads[thread] = key
            self.new_threads[thread] = key

    def _note_latest(self, row: Row) -> None:
        person = row["person_key"]
        self.by_person.setdefault(person, set()).add(row["key"])
        current = self.conversations.get(self.latest.get(person, ""))
        if current is None or row["last_at"] >= current["last_at"]:
            self.latest[person] = row["key"]

    def touched_rows(self) -> list[Row]:
        """Rows changed since this threader was made, ready to upsert."""
        return [dict(self.conversations[k]) for k in sorted(self.touched)]

    def thread_rows(self) -> list[Row]:
        """Thread mappings made or moved, ready to upsert."""
        return [{"thread_key": t, "conversation_key": k} for t, k in self.new_threads.items()]
