"""The persisted identity index: prepared contacts, hashed keys, term counts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_records",
        sa.Column("crm", sa.String(32), primary_key=True),
        sa.Column("contact_id", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "identity_keys",
        sa.Column("crm", sa.String(32), primary_key=True),
        sa.Column("key", sa.BigInteger, primary_key=True),
        sa.Column("contact_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "identity_terms",
        sa.Column("crm", sa.String(32), primary_key=True),
        sa.Column("term", sa.String(300), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("identity_terms")
    op.drop_table("identity_keys")
    op.drop_table("identity_records")
