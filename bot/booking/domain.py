"""Booking domain: plain dataclasses and the exceptions named after business
conditions. No framework, no database, no Danish sentences.

Anonymity is a domain rule: a Booking holds the code, the counsellor, the time,
the format and the topic, and nothing that identifies the employee.
All datetimes here are timezone-aware UTC.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Tuple

# Keys used in slots, config and storage; Danish labels live in the config file.
TOPICS: Tuple[str, ...] = (
    "specialeskift",
    "efteruddannelse",
    "ledelse",
    "snusepraktik",
    "jobskifte",
    "andet",
)
FORMATS: Tuple[str, ...] = ("teams", "telefon", "fremmoede")

CANCEL_REASON_MAX_LENGTH = 200


@dataclass(frozen=True, order=True)
class Slot:
    """A bookable time with one counsellor. Ordered by start, then counsellor."""

    starts_at: datetime
    counsellor_id: str
    ends_at: datetime


@dataclass(frozen=True)
class Booking:
    code: str  # normalised, 8 characters without dash
    counsellor_id: str
    starts_at: datetime
    ends_at: datetime
    format: str
    topic: str
    created_at: datetime
    cancelled_at: Optional[datetime] = None
    cancel_reason: Optional[str] = None
    # Bumped on every change; calendar clients need it to accept an update.
    sequence: int = 0

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    @property
    def display_code(self) -> str:
        """The code as shown to people: 'K7MQ-4XTR'."""
        from bot.booking.codes import format_code

        return format_code(self.code)

    @property
    def slot(self) -> Slot:
        return Slot(self.starts_at, self.counsellor_id, self.ends_at)


@dataclass(frozen=True)
class Block:
    """Time a counsellor is away (course, illness, meeting): no bookings then."""

    id: int
    counsellor_id: str
    starts_at: datetime
    ends_at: datetime
    reason: Optional[str] = None


class SlotProblem(str, enum.Enum):
    """Why a requested time cannot be booked at all (not merely taken)."""

    OUTSIDE_HOURS = "outside_hours"
    CLOSED_DAY = "closed_day"  # public holiday, 24/12, 31/12, office closing day
    TOO_SOON = "too_soon"  # inside the lead time, or in the past
    BEYOND_HORIZON = "beyond_horizon"
    BLOCKED = "blocked"  # the counsellor has blocked the time
    FORMAT_NOT_OFFERED = "format_not_offered"


# ---------------------------------------------------------------- exceptions


class BookingError(Exception):
    """Base of every expected booking outcome that is not a success."""


class InvalidBookingCode(BookingError):
    """The text is not shaped like a booking code (length or characters)."""


class BookingNotFound(BookingError):
    """A well-formed code that matches no booking."""


class BookingAlreadyCancelled(BookingError):
    def __init__(self, booking: Booking) -> None:
        super().__init__(f"booking {booking.display_code} is already cancelled")
        self.booking = booking


class BookingInThePast(BookingError):
    """The session has started or is over; it can no longer be moved or cancelled."""

    def __init__(self, booking: Booking) -> None:
        super().__init__(f"booking {booking.display_code} has already started")
        self.booking = booking


class SlotAlreadyTaken(BookingError):
    """Someone else booked the time first; `alternatives` are the nearest free slots."""

    def __init__(self, slot: Slot, alternatives: Tuple[Slot, ...] = ()) -> None:
        super().__init__(f"slot {slot.counsellor_id} {slot.starts_at.isoformat()} is taken")
        self.slot = slot
        self.alternatives = alternatives


class SlotNotAvailable(BookingError):
    """The time can never be booked: outside hours, closed day, too soon, blocked ..."""

    def __init__(self, slot: Slot, reason: SlotProblem, alternatives: Tuple[Slot, ...] = ()) -> None:
        super().__init__(f"slot {slot.counsellor_id} {slot.starts_at.isoformat()}: {reason.value}")
        self.slot = slot
        self.reason = reason
        self.alternatives = alternatives


class UnknownChoice(BookingError, ValueError):
    """A topic, format or counsellor id that the configuration does not know."""

    def __init__(self, kind: str, value: str, allowed: Tuple[str, ...] = ()) -> None:
        super().__init__(f"unknown {kind} {value!r}; allowed: {', '.join(allowed)}")
        self.kind = kind  # "topic" | "format" | "counsellor"
        self.value = value
        self.allowed = allowed
