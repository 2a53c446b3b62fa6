"""SQLAlchemy models of the booking feature (tables `bookings` and `booking_blocks`).

Nothing here identifies a person: no sender id, conversation id, name, e-mail
or phone. A time can never be booked twice: the partial unique index
`uq_bookings_active_slot` on (counsellor_id, starts_at) WHERE cancelled_at IS
NULL enforces it in the database itself (SQLite and PostgreSQL alike).
Instants are stored as UTC (naive on SQLite, timestamptz on PostgreSQL) and
always come back as aware UTC datetimes.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import Column, DateTime, Index, Integer, String, text
from sqlalchemy.types import TypeDecorator

from bot.db import Base

ACTIVE_SLOT_INDEX = "uq_bookings_active_slot"
CODE_CONSTRAINT = "uq_bookings_code"


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class BookingRecord(Base):
    __tablename__ = "bookings"

    id = Column(Integer, primary_key=True)
    code = Column(String(8), nullable=False)
    counsellor_id = Column(String(40), nullable=False)
    starts_at = Column(UTCDateTime, nullable=False)
    ends_at = Column(UTCDateTime, nullable=False)
    format = Column(String(20), nullable=False)
    topic = Column(String(40), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    cancelled_at = Column(UTCDateTime, nullable=True)
    cancel_reason = Column(String(200), nullable=True)
    sequence = Column(Integer, nullable=False, server_default=text("0"))

    __table_args__ = (
        Index(CODE_CONSTRAINT, "code", unique=True),
        Index(
            ACTIVE_SLOT_INDEX,
            "counsellor_id",
            "starts_at",
            unique=True,
            sqlite_where=text("cancelled_at IS NULL"),
            postgresql_where=text("cancelled_at IS NULL"),
        ),
        Index("ix_bookings_counsellor_starts", "counsellor_id", "starts_at"),
    )


class BlockRecord(Base):
    __tablename__ = "booking_blocks"

    id = Column(Integer, primary_key=True)
    counsellor_id = Column(String(40), nullable=False)
    starts_at = Column(UTCDateTime, nullable=False)
    ends_at = Column(UTCDateTime, nullable=False)
    reason = Column(String(200), nullable=True)

    __table_args__ = (Index("ix_booking_blocks_counsellor_starts", "counsellor_id", "starts_at"),)


BOOKING_TABLES = ("bookings", "booking_blocks")
