"""Audit: who decided what and when (review decisions, console actions); queue indexes.

Two covering indexes make the review queue's "messages waiting" order cheap at 10,000
items: ledger (persona_key, contact_id) and review (status, persona_key).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_audit_target", "audit", ["target"])
    op.create_index("ix_ledger_persona_contact", "ledger", ["persona_key", "contact_id"])
    op.create_index("ix_review_status_persona", "review", ["status", "persona_key"])


def downgrade() -> None:
    op.drop_index("ix_review_status_persona", table_name="review")
    op.drop_index("ix_ledger_persona_contact", table_name="ledger")
    op.drop_index("ix_audit_target", table_name="audit")
    op.drop_table("audit")
