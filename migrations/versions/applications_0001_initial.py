"""applications: snusepraktik and exchange applications, audit trail, reference counter

Revision ID: applications_0001
Revises:
Create Date: 2026-11-24

Personal data lives only in nullable columns so that retention can wipe it.
application_reference_sequences holds one counter row per year; incrementing
it inside the submitting transaction makes references unique across replicas.
"""
from alembic import op
import sqlalchemy as sa

revision = "applications_0001"
down_revision = None
branch_labels = ("applications",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("profession", sa.String(40), nullable=False),
        sa.Column("current_workplace", sa.String(20), nullable=False),
        sa.Column("years_in_specialty", sa.Float(), nullable=False),
        sa.Column("desired_specialty", sa.String(200), nullable=False),
        sa.Column("desired_workplace", sa.String(20), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("period_approximate", sa.Boolean(), nullable=False),
        sa.Column("below_guideline", sa.Boolean(), nullable=False),
        sa.Column("guideline_notes", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("anonymised_at", sa.DateTime(), nullable=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("current_department", sa.String(200), nullable=True),
        sa.Column("desired_department", sa.String(200), nullable=True),
        sa.Column("period_text", sa.String(200), nullable=True),
        sa.Column("motivation", sa.Text(), nullable=True),
        sa.Column("state_reason", sa.String(500), nullable=True),
    )
    op.create_index("uq_applications_reference", "applications", ["reference"], unique=True)
    op.create_index("ix_applications_state_closed_at", "applications", ["state", "closed_at"])

    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "application_id",
            sa.Integer(),
            sa.ForeignKey("applications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
    )
    op.create_index(
        "ix_application_events_application_id", "application_events", ["application_id"]
    )

    op.create_table(
        "application_reference_sequences",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("application_reference_sequences")
    op.drop_index("ix_application_events_application_id", table_name="application_events")
    op.drop_table("application_events")
    op.drop_index("ix_applications_state_closed_at", table_name="applications")
    op.drop_index("uq_applications_reference", table_name="applications")
    op.drop_table("applications")
