"""The state store's tables (SQLAlchemy Core), as the latest migration leaves them.

Migrations in ``migrations/versions`` create and change these tables; this module is what
queries are written against. Keep the two in step: ``tests/state`` compares them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

cursors = Table(
    "cursors",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("cursor", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

ledger = Table(
    "ledger",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("message_id", String(256), nullable=False),
    Column("persona_key", String(300), nullable=False),
    Column("contact_id", String(64)),
    Column("conversation_key", String(300)),
    Column("status", String(16), nullable=False),
    Column("crm_object", String(64)),
    Column("crm_id", String(64)),
    Column("payload_hash", String(32), nullable=False),
    Column("write_hash", String(32)),
    Column("version_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error_kind", String(32)),
    Column("error_message", Text),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_ledger_contact", "contact_id"),
    Index("ix_ledger_persona", "persona_key"),
    Index("ix_ledger_status", "status"),
    Index("ix_ledger_conversation", "conversation_key"),
)

personas = Table(
    "personas",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("author_id", String(256), nullable=False),
    Column("handle", String(256)),
    Column("name", String(256)),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("interactions", Integer, nullable=False, default=0),
)

links = Table(
    "links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("persona_key", String(300), nullable=False),
    Column("contact_id", String(64), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("approved_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True)),
    Column("removed_by", String(128)),
    Index("ix_links_persona", "persona_key"),
    Index("ix_links_contact", "contact_id"),
)

review = Table(
    "review",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("persona_key", String(300), nullable=False),
    Column("candidates", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("score", Float, nullable=False, default=0.0),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", String(128)),
    Index("ix_review_persona", "persona_key"),
    Index("ix_review_status", "status"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("fingerprint", String(32), nullable=False, unique=True),
    Column("location", String(512), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(32), nullable=False),
    Column("dry_run", Integer, nullable=False, default=0),
    Column("sources", Text, nullable=False),
    Column("summary", Text),
    Column("error", Text),
)

leases = Table(
    "leases",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# --- conversations (threading, issue #7) ---------------------------------------------------

conversations = Table(
    "conversations",
    metadata,
    Column("key", String(300), primary_key=True),
    # contact:<id> once the author is linked to a contact, else the persona key.
    Column("person_key", String(300), nullable=False),
    Column("status", String(16), nullable=False),
    Column("channels", Text, nullable=False),  # JSON list of platforms, first seen first
    Column("last_channel", String(32)),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
    Column("last_inbound_at", DateTime(timezone=True)),
    Column("first_response_at", DateTime(timezone=True)),
    Column("last_outbound_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("messages", Integer, nullable=False, default=0),
    Column("inbound", Integer, nullable=False, default=0),
    Column("outbound", Integer, nullable=False, default=0),
    Column("channel_shifts", Integer, nullable=False, default=0),
    Column("reopen_count", Integer, nullable=False, default=0),
    Column("escalations", Integer, nullable=False, default=0),
    Column("last_sentiment", Float),
    Column("last_label", String(16)),
    Column("last_agent", String(128)),
    Column("escalated_tier", String(32)),
    Column("case_key", String(300)),
    Column("case_crm_id", String(64)),
    Column("sla_due_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    Index("ix_conversations_person", "person_key"),
)

# A platform's own thread (``platform:conversation_id``) -> the conversation it feeds now.
conversation_threads = Table(
    "conversation_threads",
    metadata,
    Column("thread_key", String(300), primary_key=True),
    Column("conversation_key", String(300), nullable=False),
    Index("ix_conversation_threads_conversation", "conversation_key"),
)

contact_mirror = Table(
    "contact_mirror",
    metadata,
    Column("crm", String(32), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("data", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Who worked a parked record or a failed ledger row, and how (``crmbridge failures``):
# dropped, edited, replayed. Kept for audit; the rows themselves keep their final status.
failure_actions = Table(
    "failure_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(16), nullable=False),
    Column("ref", String(300), nullable=False),
    Column("action", String(16), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("detail", Text),
    Index("ix_failure_actions_ref", "target", "ref"),
)

# What the rules decided for each conversation: its case (pending until the CRM answers,
# so a failed case write is retried next run) and its SLA clock (helper `rules`, 0006).
rule_cases = Table(
    "rule_cases",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("contact_id", String(64)),
    Column("status", String(16), nullable=False),
    Column("priority", String(16)),
    Column("plan", Text, nullable=False),
    Column("crm_id", String(64)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("sla_due_at", DateTime(timezone=True)),
    Column("responded_at", DateTime(timezone=True)),
    Column("sla_escalated_at", DateTime(timezone=True)),
    Column("escalated_tier", String(32)),
    Column("escalations", Integer, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_rule_cases_status", "status"),
    Index("ix_rule_cases_sla", "sla_due_at"),
)

# The persisted identity index (crmbridge.identity.index_store), beside the contact mirror:
# each contact's prepared match values, the 64-bit hashes of the keys it is filed under,
# and how many contacts hold each name, city and domain value (term frequencies).
identity_records = Table(
    "identity_records",
    metadata,
    Column("crm", String(32), primary_key=True),
    Column("contact_id", String(64), primary_key=True),
    Column("data", Text, nullable=False),
)

identity_keys = Table(
    "identity_keys",
    metadata,
    Column("crm", String(32), primary_key=True),
    Column("key", BigInteger, primary_key=True),
    Column("contact_id", String(64), primary_key=True),
)

identity_terms = Table(
    "identity_terms",
    metadata,
    Column("crm", String(32), primary_key=True),
    Column("term", String(300), primary_key=True),
    Column("count", Integer, nullable=False),
)

# The replies' outbox (issue #19, 0008): one row per reply an agent asked for, from the
# CLI or a CRM's outbound record. ``status`` is pending | held | sending | sent | failed |
# unknown; a row is marked ``sending`` (with ``attempt_at``) before the platform is called,
# so a crash leaves it there and the next run looks for it on the platform before any resend.
outbox = Table(
    "outbox",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("channel", String(16), nullable=False),  # public | dm
    Column("target_key", String(300), nullable=False),  # the interaction answered
    Column("target", Text, nullable=False),  # its interchange JSON, as the reply saw it
    Column("conversation_key", String(300)),
    Column("contact_id", String(64)),
    Column("agent", String(128), nullable=False),
    Column("text", Text, nullable=False),  # what the agent wrote
    Column("body", Text, nullable=False),  # what is sent: text with the signature
    Column("status", String(16), nullable=False),
    Column("hold_reason", Text),
    Column("approved_by", String(128)),
    Column("moved_private", Text),  # why a public conversation was answered privately
    Column("origin", String(32), nullable=False),  # cli | salesforce | hubspot | api
    Column("origin_ref", String(128)),  # the CRM record the reply came from
    Column("origin_synced", Integer, nullable=False, default=0),  # CRM record updated
    Column("platform_id", String(256)),
    Column("send_mode", String(64)),  # e.g. RESPONSE, MESSAGE_TAG:HUMAN_AGENT
    Column("error", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lookups", Integer, nullable=False, default=0),
    Column("attempt_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("spooled", Integer, nullable=False, default=0),  # outbound interaction written
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_outbox_status", "status"),
    Index("ix_outbox_conversation", "conversation_key"),
    Index("ix_outbox_origin", "origin", "origin_ref"),
)

# Every decision a person took, with who and when (review commands and the console, 0009):
# ``action`` approve, reject, link, unlink, retry, drop, sign-in; ``target`` what it was
# taken on (``review:12``, a persona key, a failure ref); ``detail`` JSON.
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(300), nullable=False),
    Column("detail", Text),
    Index("ix_audit_target", "target"),
)

# The review queue orders by messages waiting (ledger rows of the persona on no contact):
# covering indexes keep that an index-only count per item (0009).
Index("ix_ledger_persona_contact", ledger.c.persona_key, ledger.c.contact_id)
Index("ix_review_status_persona", review.c.status, review.c.persona_key)
