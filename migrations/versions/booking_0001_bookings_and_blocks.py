"""booking: anonymous bookings and counsellor blocks

Revision ID: booking_0001
Revises:
Create Date: 2026-11-24

The partial unique index uq_bookings_active_slot makes double booking of a
counsellor's time impossible at the database level (SQLite and PostgreSQL).
No column identifies the employee.
"""
from alembic import op
import sqlalchemy as sa

revision = "booking_0001"
down_revision = None
branch_labels = ("booking",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("counsellor_id", sa.String(40), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(200), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.create_index("uq_bookings_code", "bookings", ["code"], unique=True)
    op.create_index(
        "uq_bookings_active_slot",
        "bookings",
        ["counsellor_id", "starts_at"],
        unique=True,
        sqlite_where=sa.text("cancelled_at IS NULL"),
        postgresql_where=sa.text("cancelled_at IS NULL"),
    )
    op.create_index("ix_bookings_counsellor_starts", "bookings", ["counsellor_id", "starts_at"])
    op.create_table(
        "booking_blocks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("counsellor_id", sa.String(40), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
    )
    op.create_index(
        "ix_booking_blocks_counsellor_starts", "booking_blocks", ["counsellor_id", "starts_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_booking_blocks_counsellor_starts", table_name="booking_blocks")
    op.drop_table("booking_blocks")
    op.drop_index("ix_bookings_counsellor_starts", table_name="bookings")
    op.drop_index("uq_bookings_active_slot", table_name="bookings")
    op.drop_index("uq_bookings_code", table_name="bookings")
    op.drop_table("bookings")
