"""Rule cases: each conversation's case as the rules decided it, and its SLA clock.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rule_cases",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("contact_id", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16)),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("crm_id", sa.String(64)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text),
        sa.Column("sla_due_at", sa.DateTime(timezone=True)),
        sa.Column("responded_at", sa.DateTime(timezone=True)),
        sa.Column("sla_escalated_at", sa.DateTime(timezone=True)),
        sa.Column("escalated_tier", sa.String(32)),
        sa.Column("escalations", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_rule_cases_status", "rule_cases", ["status"])
    op.create_index("ix_rule_cases_sla", "rule_cases", ["sla_due_at"])


def downgrade() -> None:
    op.drop_index("ix_rule_cases_sla", "rule_cases")
    op.drop_index("ix_rule_cases_status", "rule_cases")
    op.drop_table("rule_cases")
