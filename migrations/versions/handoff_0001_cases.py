"""handoff: cases, their lines and the counsellors' presence

Revision ID: handoff_0001
Revises:
Create Date: 2026-11-24

uq_handoff_cases_live_sender is partial: one waiting or active live case per
conversation, so two replicas cannot open two handoffs for the same employee.
"""
from alembic import op
import sqlalchemy as sa

revision = "handoff_0001"
down_revision = None
branch_labels = ("handoff",)
depends_on = None

_LIVE_CASE = sa.text("state IN ('waiting', 'active')")


def upgrade() -> None:
    op.create_table(
        "handoff_cases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("sender_id", sa.String(128), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("counsellor_id", sa.String(40), nullable=True),
        sa.Column("seen_up_to", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_handoff_cases_state", "handoff_cases", ["state", "created_at"])
    op.create_index("ix_handoff_cases_sender", "handoff_cases", ["sender_id", "state"])
    op.create_index(
        "uq_handoff_cases_live_sender", "handoff_cases", ["sender_id"], unique=True,
        sqlite_where=_LIVE_CASE, postgresql_where=_LIVE_CASE,
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer(),
                  sa.ForeignKey("handoff_cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author", sa.String(16), nullable=False),
        sa.Column("event", sa.String(24), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("counsellor_id", sa.String(40), nullable=True),
        sa.Column("before_handoff", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_handoff_messages_case", "handoff_messages", ["case_id", "id"])
    op.create_table(
        "handoff_presence",
        sa.Column("counsellor_id", sa.String(40), primary_key=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("handoff_presence")
    op.drop_index("ix_handoff_messages_case", table_name="handoff_messages")
    op.drop_table("handoff_messages")
    op.drop_index("uq_handoff_cases_live_sender", table_name="handoff_cases")
    op.drop_index("ix_handoff_cases_sender", table_name="handoff_cases")
    op.drop_index("ix_handoff_cases_state", table_name="handoff_cases")
    op.drop_table("handoff_cases")
