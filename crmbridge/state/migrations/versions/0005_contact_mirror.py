"""The contact mirror (the CRM's match fields kept between runs); ledger by conversation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_mirror",
        sa.Column("crm", sa.String(32), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Cases link the earlier activities of their conversation: read by conversation key.
    op.create_index("ix_ledger_conversation", "ledger", ["conversation_key"])


def downgrade() -> None:
    op.drop_index("ix_ledger_conversation", table_name="ledger")
    op.drop_table("contact_mirror")
