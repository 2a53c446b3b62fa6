"""knowledge: feedback on answers and declined questions (no identity stored)

Revision ID: knowledge_0001
Revises:
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "knowledge_0001"
down_revision = None
branch_labels = ("knowledge",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("question", sa.String(500), nullable=True),
    )
    op.create_index("ix_knowledge_feedback_slug", "knowledge_feedback", ["slug"])
    op.create_table(
        "knowledge_unanswered",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("best_guess", sa.String(120), nullable=True),
        sa.Column("handled", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_knowledge_unanswered_handled", "knowledge_unanswered", ["handled"])


def downgrade() -> None:
    op.drop_index("ix_knowledge_unanswered_handled", table_name="knowledge_unanswered")
    op.drop_table("knowledge_unanswered")
    op.drop_index("ix_knowledge_feedback_slug", table_name="knowledge_feedback")
    op.drop_table("knowledge_feedback")
