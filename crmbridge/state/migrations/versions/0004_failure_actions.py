"""Failure actions: who dropped, edited or replayed a parked record or failed ledger row.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failure_actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(300), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_failure_actions_ref", "failure_actions", ["target", "ref"])


def downgrade() -> None:
    op.drop_index("ix_failure_actions_ref", table_name="failure_actions")
    op.drop_table("failure_actions")
