"""teams: conversation references for proactive messages, welcomed conversations

Revision ID: teams_0001
Revises:
Create Date: 2026-11-24

Both tables hold only pseudonymous or hashed keys (see bot/channels/teams/models.py).
"""
from alembic import op
import sqlalchemy as sa

revision = "teams_0001"
down_revision = None
branch_labels = ("teams",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams_conversation_references",
        sa.Column("sender_id", sa.String(64), primary_key=True),
        sa.Column("service_url", sa.String(500), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("bot_id", sa.String(512), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ix_teams_conversation_references_updated_at",
        "teams_conversation_references",
        ["updated_at"],
    )
    op.create_table(
        "teams_welcomes",
        sa.Column("conversation_key", sa.String(64), primary_key=True),
        sa.Column("welcomed_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("teams_welcomes")
    op.drop_index("ix_teams_conversation_references_updated_at",
                  table_name="teams_conversation_references")
    op.drop_table("teams_conversation_references")
