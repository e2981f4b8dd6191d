"""Initial state store: cursors, ledger, personas, links, review, quarantine, runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cursors",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("cursor", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "ledger",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(256), nullable=False),
        sa.Column("persona_key", sa.String(300), nullable=False),
        sa.Column("contact_id", sa.String(64)),
        sa.Column("conversation_key", sa.String(300)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("crm_object", sa.String(64)),
        sa.Column("crm_id", sa.String(64)),
        sa.Column("payload_hash", sa.String(32), nullable=False),
        sa.Column("write_hash", sa.String(32)),
        sa.Column("version_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error_kind", sa.String(32)),
        sa.Column("error_message", sa.Text),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_ledger_contact", "ledger", ["contact_id"])
    op.create_index("ix_ledger_persona", "ledger", ["persona_key"])
    op.create_index("ix_ledger_status", "ledger", ["status"])
    op.create_table(
        "personas",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("author_id", sa.String(256), nullable=False),
        sa.Column("handle", sa.String(256)),
        sa.Column("name", sa.String(256)),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("interactions", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("persona_key", sa.String(300), nullable=False),
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("approved_by", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("removed_at", TS),
        sa.Column("removed_by", sa.String(128)),
    )
    op.create_index("ix_links_persona", "links", ["persona_key"])
    op.create_index("ix_links_contact", "links", ["contact_id"])
    op.create_table(
        "review",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("persona_key", sa.String(300), nullable=False),
        sa.Column("candidates", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("decided_at", TS),
        sa.Column("decided_by", sa.String(128)),
    )
    op.create_index("ix_review_persona", "review", ["persona_key"])
    op.create_index("ix_review_status", "review", ["status"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False, unique=True),
        sa.Column("location", sa.String(512), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("dry_run", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("error", sa.Text),
    )


def downgrade() -> None:
    for table in ("runs", "quarantine", "review", "links", "personas", "ledger", "cursors"):
        op.drop_table(table)
