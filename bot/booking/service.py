"""Use cases of anonymous booking: find free slots, book, look up, move, cancel,
block time, list bookings, and the calendar files.

One short transaction per use case. The database, not Python, has the last
word on double booking (partial unique index); a unique violation becomes
SlotAlreadyTaken carrying the nearest free alternatives. Nothing identifying
the employee is taken in or stored.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterator, List, Optional

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.booking import calendar, repository
from bot.booking.codes import new_code, normalize_code
from bot.booking.config import BookingConfig
from bot.booking.domain import (
    CANCEL_REASON_MAX_LENGTH,
    Block,
    Booking,
    BookingAlreadyCancelled,
    BookingInThePast,
    BookingNotFound,
    Slot,
    SlotAlreadyTaken,
    SlotNotAvailable,
    SlotProblem,
    UnknownChoice,
)
from bot.booking.schedule import (
    BusyIndex,
    ClosedDays,
    as_utc,
    booking_window,
    free_slots,
    nearest,
    per_day,
    slot_problem,
)
from bot.booking.when import TimePreference
from bot.db import DatabaseUnavailable, transaction

Clock = Callable[[], datetime]
ALTERNATIVES = 3
_CODE_ATTEMPTS = 5


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class _Taken(Exception):
    """Internal: raised inside a transaction so it rolls back, then translated."""


class _Blocked(Exception):
    """Internal: the counsellor has blocked the time (found inside the transaction)."""


class BookingService:
    """Anonymous booking of counselling sessions.

    `session_factory` comes from bot.db.make_session_factory (built once by the
    composition root); `clock` returns the current aware time (tests pass a fake).
    `secret_key` signs counsellor feed links; default Settings.from_env().secret_key.
    """

    def __init__(
        self,
        session_factory: sessionmaker,
        config: BookingConfig,
        clock: Clock = system_clock,
        *,
        secret_key: Optional[str] = None,
    ) -> None:
        self._session_factory = session_factory
        self.config = config
        self._clock = clock
        self._secret_key = secret_key
        self._closed = ClosedDays(config)

    # ------------------------------------------------------------ plumbing

    def _now(self) -> datetime:
        return as_utc(self._clock())

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        try:
            with transaction(self._session_factory) as session:
                yield session
        except OperationalError as error:
            raise DatabaseUnavailable(str(error.orig)) from error

    def _slot(self, slot: Slot) -> Slot:
        """The canonical form of a requested slot: UTC, our session length."""
        self.config.counsellor(slot.counsellor_id)  # UnknownChoice if unknown
        start = as_utc(slot.starts_at)
        return Slot(start, slot.counsellor_id, start + timedelta(minutes=self.config.session_minutes))

    def _check_choice(self, topic: str, format: str) -> None:
        if topic not in self.config.topics:
            raise UnknownChoice("topic", topic, tuple(self.config.topics))
        if format not in self.config.formats:
            raise UnknownChoice("format", format, tuple(self.config.formats))

    def _check_slot(self, slot: Slot, format: str, topic: Optional[str], now: datetime) -> None:
        counsellor = self.config.counsellor(slot.counsellor_id)
        problem = (
            SlotProblem.FORMAT_NOT_OFFERED
            if format not in counsellor.formats
            else slot_problem(self.config, self._closed, counsellor, slot.starts_at, now)
        )
        if problem is not None:
            alternatives = tuple(self.nearest_free_slots(slot, topic=topic, format=format))
            raise SlotNotAvailable(slot, problem, alternatives)

    def _guard_slot(self, session: Session, slot: Slot, exclude_code: Optional[str] = None) -> None:
        """Inside the transaction: blocked time, or a booking within the buffer."""
        if repository.blocks_overlapping(session, slot.counsellor_id, slot.starts_at, slot.ends_at):
            raise _Blocked()
        buffer = timedelta(minutes=self.config.buffer_minutes)
        if repository.bookings_near(
            session, slot.counsellor_id, slot.starts_at - buffer, slot.ends_at + buffer, exclude_code
        ):
            raise _Taken()

    # ------------------------------------------------------------ free slots

    def free_slots(
        self,
        *,
        topic: Optional[str] = None,
        format: Optional[str] = None,
        counsellor_id: Optional[str] = None,
        preference: Optional[TimePreference] = None,
        limit: Optional[int] = None,
        max_per_day: Optional[int] = None,
    ) -> List[Slot]:
        """Free slots, earliest first, of counsellors whose focus includes `topic`
        and who offer `format` (None = any; topic 'andet' = anyone with it in focus)."""
        counsellors = self.config.counsellors_for(topic, format)
        if counsellor_id is not None:
            self.config.counsellor(counsellor_id)
            counsellors = tuple(c for c in counsellors if c.id == counsellor_id)
        if not counsellors:
            return []
        now = self._now()
        earliest, last_day = booking_window(self.config, now)
        margin = timedelta(minutes=self.config.session_minutes + self.config.buffer_minutes)
        window_end = datetime.combine(
            last_day + timedelta(days=1), datetime.min.time(), tzinfo=self.config.tz
        )
        with self._transaction() as session:
            bookings, blocks = repository.busy_intervals(
                session, [c.id for c in counsellors], earliest - margin, window_end + margin
            )
        busy = BusyIndex(self.config, bookings, blocks)
        slots = free_slots(self.config, self._closed, busy, counsellors, now, preference)
        if max_per_day is not None:
            slots = per_day(slots, max_per_day, self.config.tz)
        return slots[:limit] if limit is not None else slots

    def nearest_free_slots(
        self,
        slot: Slot,
        *,
        topic: Optional[str] = None,
        format: Optional[str] = None,
        limit: int = ALTERNATIVES,
    ) -> List[Slot]:
        """The free slots closest in time to `slot` (same counsellor first on ties)."""
        day = as_utc(slot.starts_at).astimezone(self.config.tz).date()
        week_around = TimePreference(earliest=day - timedelta(days=7), latest=day + timedelta(days=7))
        found = nearest(self.free_slots(topic=topic, format=format, preference=week_around), slot, limit)
        if len(found) < limit:  # a full fortnight: look over the whole horizon
            found = nearest(self.free_slots(topic=topic, format=format), slot, limit)
        return found

    # ------------------------------------------------------------ booking

    def book(self, slot: Slot, topic: str, format: str) -> Booking:
        """Book `slot`; returns the Booking with its new code.

        Raises UnknownChoice, SlotNotAvailable (never bookable) or
        SlotAlreadyTaken (someone was first; `.alternatives` are the nearest free).
        """
        self._check_choice(topic, format)
        slot = self._slot(slot)
        now = self._now()
        self._check_slot(slot, format, topic, now)
        for _ in range(_CODE_ATTEMPTS):
            booking = Booking(
                code=new_code(),
                counsellor_id=slot.counsellor_id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                format=format,
                topic=topic,
                created_at=now,
            )
            try:
                with self._transaction() as session:
                    self._guard_slot(session, slot)
                    repository.insert_booking(session, booking)
                return booking
            except IntegrityError as error:
                kind = repository.violated_constraint(error)
                if kind == "code":
                    continue  # 1 in 10^11: draw another code
                if kind != "slot":
                    raise
                break
            except _Taken:
                break
            except _Blocked:
                alternatives = tuple(self.nearest_free_slots(slot, topic=topic, format=format))
                raise SlotNotAvailable(slot, SlotProblem.BLOCKED, alternatives) from None
        else:  # pragma: no cover - would need five code collisions in a row
            raise RuntimeError("could not draw a free booking code")
        raise SlotAlreadyTaken(slot, tuple(self.nearest_free_slots(slot, topic=topic, format=format)))

    def find(self, code: str) -> Booking:
        """The booking (active or cancelled) with `code`.

        InvalidBookingCode for text that is not code-shaped, BookingNotFound otherwise.
        """
        normalized = normalize_code(code)
        with self._transaction() as session:
            booking = repository.find_booking(session, normalized)
        if booking is None:
            raise BookingNotFound()
        return booking

    def _changeable(self, session: Session, code: str, now: datetime) -> Booking:
        booking = repository.find_booking(session, code)
        if booking is None:
            raise BookingNotFound()
        if not booking.is_active:
            raise BookingAlreadyCancelled(booking)
        if booking.starts_at <= now:
            raise BookingInThePast(booking)
        return booking

    def cancel(self, code: str, reason: Optional[str] = None) -> Booking:
        """Cancel; the time becomes free at once. Returns the cancelled booking."""
        normalized = normalize_code(code)
        now = self._now()
        reason = reason.strip()[:CANCEL_REASON_MAX_LENGTH] if reason and reason.strip() else None
        with self._transaction() as session:
            self._changeable(session, normalized, now)
            if not repository.cancel_booking(session, normalized, now, reason):
                raise BookingAlreadyCancelled(repository.find_booking(session, normalized))
            return repository.find_booking(session, normalized)

    def reschedule(self, code: str, new_slot: Slot) -> Booking:
        """Move a booking to `new_slot`, keeping its code, topic and format.

        Atomic: one UPDATE claims the new time and frees the old one, so if the
        new time is taken (SlotAlreadyTaken) the booking stays where it was.
        """
        normalized = normalize_code(code)
        new_slot = self._slot(new_slot)
        now = self._now()
        current = self.find(normalized)
        if not current.is_active:
            raise BookingAlreadyCancelled(current)
        if current.starts_at <= now:
            raise BookingInThePast(current)
        if current.slot == new_slot:
            return current
        self._check_slot(new_slot, current.format, current.topic, now)
        try:
            with self._transaction() as session:
                self._changeable(session, normalized, now)
                self._guard_slot(session, new_slot, exclude_code=normalized)
                if not repository.move_booking(
                    session, normalized, new_slot.counsellor_id, new_slot.starts_at, new_slot.ends_at
                ):
                    raise BookingAlreadyCancelled(current)
                return repository.find_booking(session, normalized)
        except IntegrityError as error:
            if repository.violated_constraint(error) != "slot":
                raise
        except _Taken:
            pass
        except _Blocked:
            alternatives = tuple(
                self.nearest_free_slots(new_slot, topic=current.topic, format=current.format)
            )
            raise SlotNotAvailable(new_slot, SlotProblem.BLOCKED, alternatives) from None
        raise SlotAlreadyTaken(
            new_slot, tuple(self.nearest_free_slots(new_slot, topic=current.topic, format=current.format))
        )

    # ------------------------------------------------------------ counsellors

    def block(
        self, counsellor_id: str, start: datetime, end: datetime, reason: Optional[str] = None
    ) -> Block:
        """Block time for a counsellor (no new bookings then). Existing bookings
        in the period stay; list them with list_bookings(start=..., end=...)."""
        self.config.counsellor(counsellor_id)
        start, end = as_utc(start), as_utc(end)
        if end <= start:
            raise ValueError("a block must end after it starts")
        reason = reason.strip()[:CANCEL_REASON_MAX_LENGTH] if reason and reason.strip() else None
        with self._transaction() as session:
            return repository.insert_block(session, counsellor_id, start, end, reason)

    def unblock(self, block_id: int) -> bool:
        with self._transaction() as session:
            return repository.delete_block(session, block_id)

    def list_blocks(self, counsellor_id: Optional[str], start: datetime, end: datetime) -> List[Block]:
        with self._transaction() as session:
            return repository.list_blocks(session, counsellor_id, as_utc(start), as_utc(end))

    def list_bookings(
        self,
        counsellor_id: Optional[str] = None,
        *,
        day: Optional[date] = None,
        week_of: Optional[date] = None,
        start: Optional[datetime] = None,
        end: Optional[datetime] = None,
        include_cancelled: bool = False,
    ) -> List[Booking]:
        """Bookings starting on local `day`, in the week of `week_of`, or in [start, end)."""
        if counsellor_id is not None:
            self.config.counsellor(counsellor_id)
        tz = self.config.tz
        if day is not None:
            start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
            end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        elif week_of is not None:
            monday = week_of - timedelta(days=week_of.weekday())
            start = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
            end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=tz)
        if start is None or end is None:
            raise ValueError("give day, week_of, or start and end")
        with self._transaction() as session:
            return repository.list_bookings(
                session, counsellor_id, as_utc(start), as_utc(end), include_cancelled
            )

    # ------------------------------------------------------------ calendars

    def booking_ics(self, code: str) -> bytes:
        """The .ics file for the booking with `code` (cancelled ones say so)."""
        return calendar.booking_ics(self.find(code), self.config, now=self._now())

    def counsellor_feed_ics(self, counsellor_id: str) -> bytes:
        """The counsellor's private feed: active bookings from 30 days back on."""
        self.config.counsellor(counsellor_id)
        now = self._now()
        with self._transaction() as session:
            bookings = repository.active_bookings_from(session, counsellor_id, now - timedelta(days=30))
        return calendar.counsellor_feed_ics(counsellor_id, bookings, self.config, now=now)

    def feed_token(self, counsellor_id: str) -> str:
        self.config.counsellor(counsellor_id)
        return calendar.feed_token(counsellor_id, self._secret_key)

    def check_feed_token(self, counsellor_id: str, token: str) -> bool:
        if counsellor_id not in {c.id for c in self.config.counsellors}:
            return False
        return calendar.check_feed_token(counsellor_id, token, self._secret_key)
