"""Conversations: interactions threaded per person across channels, with their KPIs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("person_key", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channels", sa.Text, nullable=False),
        sa.Column("last_channel", sa.String(32)),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True)),
        sa.Column("first_response_at", sa.DateTime(timezone=True)),
        sa.Column("last_outbound_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("messages", sa.Integer, nullable=False, server_default="0"),
        sa.Column("inbound", sa.Integer, nullable=False, server_default="0"),
        sa.Column("outbound", sa.Integer, nullable=False, server_default="0"),
        sa.Column("channel_shifts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("escalations", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_sentiment", sa.Float),
        sa.Column("last_label", sa.String(16)),
        sa.Column("last_agent", sa.String(128)),
        sa.Column("escalated_tier", sa.String(32)),
        sa.Column("case_key", sa.String(300)),
        sa.Column("case_crm_id", sa.String(64)),
        sa.Column("sla_due_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_conversations_person", "conversations", ["person_key"])
    op.create_table(
        "conversation_threads",
        sa.Column("thread_key", sa.String(300), primary_key=True),
        sa.Column("conversation_key", sa.String(300), nullable=False),
    )
    op.create_index(
        "ix_conversation_threads_conversation", "conversation_threads", ["conversation_key"]
    )


def downgrade() -> None:
    op.drop_table("conversation_threads")
    op.drop_table("conversations")
