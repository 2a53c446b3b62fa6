"""Queries behind the booking service. Every function takes an open Session
inside the caller's transaction and returns domain objects, never records.
"""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Sequence, Tuple

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.booking.domain import Block, Booking
from bot.booking.models import ACTIVE_SLOT_INDEX, CODE_CONSTRAINT, BlockRecord, BookingRecord

_BOOKING_COLUMNS = (
    BookingRecord.code,
    BookingRecord.counsellor_id,
    BookingRecord.starts_at,
    BookingRecord.ends_at,
    BookingRecord.format,
    BookingRecord.topic,
    BookingRecord.created_at,
    BookingRecord.cancelled_at,
    BookingRecord.cancel_reason,
    BookingRecord.sequence,
)


def _booking(row) -> Booking:
    return Booking(*row)


def busy_intervals(
    session: Session, counsellor_ids: Sequence[str], start: datetime, end: datetime
) -> Tuple[List[Tuple[str, datetime, datetime]], List[Tuple[str, datetime, datetime]]]:
    """(active bookings, blocks) of `counsellor_ids` that overlap [start, end)."""
    bookings = session.execute(
        select(BookingRecord.counsellor_id, BookingRecord.starts_at, BookingRecord.ends_at).where(
            BookingRecord.counsellor_id.in_(counsellor_ids),
            BookingRecord.cancelled_at.is_(None),
            BookingRecord.starts_at < end,
            BookingRecord.ends_at > start,
        )
    ).all()
    blocks = session.execute(
        select(BlockRecord.counsellor_id, BlockRecord.starts_at, BlockRecord.ends_at).where(
            BlockRecord.counsellor_id.in_(counsellor_ids),
            BlockRecord.starts_at < end,
            BlockRecord.ends_at > start,
        )
    ).all()
    return [tuple(r) for r in bookings], [tuple(r) for r in blocks]


def find_booking(session: Session, code: str) -> Optional[Booking]:
    row = session.execute(select(*_BOOKING_COLUMNS).where(BookingRecord.code == code)).first()
    return _booking(row) if row else None


def blocks_overlapping(session: Session, counsellor_id: str, start: datetime, end: datetime) -> bool:
    return (
        session.execute(
            select(BlockRecord.id)
            .where(
                BlockRecord.counsellor_id == counsellor_id,
                BlockRecord.starts_at < end,
                BlockRecord.ends_at > start,
            )
            .limit(1)
        ).first()
        is not None
    )


def bookings_near(
    session: Session,
    counsellor_id: str,
    start: datetime,
    end: datetime,
    exclude_code: Optional[str] = None,
) -> bool:
    """True if an active booking of the counsellor overlaps [start, end)."""
    conditions = [
        BookingRecord.counsellor_id == counsellor_id,
        BookingRecord.cancelled_at.is_(None),
        BookingRecord.starts_at < end,
        BookingRecord.ends_at > start,
    ]
    if exclude_code is not None:
        conditions.append(BookingRecord.code != exclude_code)
    return session.execute(select(BookingRecord.id).where(and_(*conditions)).limit(1)).first() is not None


def insert_booking(session: Session, booking: Booking) -> None:
    """Insert and flush, so a unique violation surfaces here as IntegrityError."""
    session.add(
        BookingRecord(
            code=booking.code,
            counsellor_id=booking.counsellor_id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            format=booking.format,
            topic=booking.topic,
            created_at=booking.created_at,
            cancelled_at=None,
            cancel_reason=None,
            sequence=0,
        )
    )
    session.flush()


def move_booking(session: Session, code: str, counsellor_id: str, start: datetime, end: datetime) -> bool:
    """One UPDATE: the old time is freed in the same statement that claims the new
    one, so a unique violation leaves the booking exactly as it was."""
    result = session.execute(
        update(BookingRecord)
        .where(BookingRecord.code == code, BookingRecord.cancelled_at.is_(None))
        .values(
            counsellor_id=counsellor_id,
            starts_at=start,
            ends_at=end,
            sequence=BookingRecord.sequence + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def cancel_booking(session: Session, code: str, at: datetime, reason: Optional[str]) -> bool:
    result = session.execute(
        update(BookingRecord)
        .where(BookingRecord.code == code, BookingRecord.cancelled_at.is_(None))
        .values(cancelled_at=at, cancel_reason=reason, sequence=BookingRecord.sequence + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def list_bookings(
    session: Session,
    counsellor_id: Optional[str],
    start: datetime,
    end: datetime,
    include_cancelled: bool,
) -> List[Booking]:
    query = select(*_BOOKING_COLUMNS).where(BookingRecord.starts_at >= start, BookingRecord.starts_at < end)
    if counsellor_id is not None:
        query = query.where(BookingRecord.counsellor_id == counsellor_id)
    if not include_cancelled:
        query = query.where(BookingRecord.cancelled_at.is_(None))
    rows = session.execute(query.order_by(BookingRecord.starts_at, BookingRecord.counsellor_id)).all()
    return [_booking(r) for r in rows]


def active_bookings_from(session: Session, counsellor_id: str, start: datetime) -> List[Booking]:
    rows = session.execute(
        select(*_BOOKING_COLUMNS)
        .where(
            BookingRecord.counsellor_id == counsellor_id,
            BookingRecord.cancelled_at.is_(None),
            BookingRecord.starts_at >= start,
        )
        .order_by(BookingRecord.starts_at)
    ).all()
    return [_booking(r) for r in rows]


def insert_block(
    session: Session, counsellor_id: str, start: datetime, end: datetime, reason: Optional[str]
) -> Block:
    record = BlockRecord(counsellor_id=counsellor_id, starts_at=start, ends_at=end, reason=reason)
    session.add(record)
    session.flush()
    return Block(record.id, counsellor_id, start, end, reason)


def delete_block(session: Session, block_id: int) -> bool:
    record = session.get(BlockRecord, block_id)
    if record is None:
        return False
    session.delete(record)
    return True


def list_blocks(session: Session, counsellor_id: Optional[str], start: datetime, end: datetime) -> List[Block]:
    query = select(BlockRecord).where(BlockRecord.starts_at < end, BlockRecord.ends_at > start)
    if counsellor_id is not None:
        query = query.where(BlockRecord.counsellor_id == counsellor_id)
    records = session.execute(query.order_by(BlockRecord.starts_at)).scalars().all()
    return [Block(r.id, r.counsellor_id, r.starts_at, r.ends_at, r.reason) for r in records]


def violated_constraint(error: IntegrityError) -> str:
    """'slot', 'code' or 'other', from the driver's error (psycopg2 or sqlite3)."""
    diag = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    if diag == ACTIVE_SLOT_INDEX:
        return "slot"
    if diag == CODE_CONSTRAINT:
        return "code"
    message = str(error.orig)
    if ACTIVE_SLOT_INDEX in message or "bookings.counsellor_id, bookings.starts_at" in message:
        return "slot"
    if CODE_CONSTRAINT in message or "bookings.code" in message:
        return "code"
    return "other"
