"""Outbox: the replies agents send back to the platforms (issue #19).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"  # 0006 in the brief; chained after main's 0007
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target_key", sa.String(300), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("conversation_key", sa.String(300)),
        sa.Column("contact_id", sa.String(64)),
        sa.Column("agent", sa.String(128), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("hold_reason", sa.Text),
        sa.Column("approved_by", sa.String(128)),
        sa.Column("moved_private", sa.Text),
        sa.Column("origin", sa.String(32), nullable=False),
        sa.Column("origin_ref", sa.String(128)),
        sa.Column("origin_synced", sa.Integer, nullable=False, server_default="0"),
        sa.Column("platform_id", sa.String(256)),
        sa.Column("send_mode", sa.String(64)),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("lookups", sa.Integer, nullable=False, server_default="0"),
        sa.Column("attempt_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("spooled", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outbox_status", "outbox", ["status"])
    op.create_index("ix_outbox_conversation", "outbox", ["conversation_key"])
    op.create_index("ix_outbox_origin", "outbox", ["origin", "origin_ref"])


def downgrade() -> None:
    op.drop_index("ix_outbox_origin", "outbox")
    op.drop_index("ix_outbox_conversation", "outbox")
    op.drop_index("ix_outbox_status", "outbox")
    op.drop_table("outbox")
