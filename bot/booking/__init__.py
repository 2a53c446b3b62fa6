"""Anonymous booking of career-counselling sessions (no name, no employee
number, no contact details: a booking code is the only key).

Public API for the action layer:
    BookingService(session_factory, config, clock=...)
    load_booking_config(path) -> BookingConfig
    parse_time_preference(text, now) -> TimePreference | None
    wrong_code_delay(failures) -> seconds
and the dataclasses and exceptions re-exported below. Danish formatting of
dates and times lives in bot.danish (format_slot).
"""
from bot.booking.calendar import booking_ics, check_feed_token, counsellor_feed_ics, feed_token
from bot.booking.codes import (
    CODE_PATTERN,
    find_code_in_text,
    format_code,
    is_valid_code,
    normalize_code,
    wrong_code_delay,
)
from bot.booking.config import BookingConfig, BookingConfigError, Counsellor, load_booking_config
from bot.booking.domain import (
    FORMATS,
    TOPICS,
    Block,
    Booking,
    BookingAlreadyCancelled,
    BookingError,
    BookingInThePast,
    BookingNotFound,
    InvalidBookingCode,
    Slot,
    SlotAlreadyTaken,
    SlotNotAvailable,
    SlotProblem,
    UnknownChoice,
)
from bot.booking.service import BookingService, system_clock
from bot.booking.preference import PartOfDay, TimePreference
from bot.booking.when import parse_time_preference

__all__ = [
    "CODE_PATTERN", "FORMATS", "TOPICS",
    "Block", "Booking", "BookingAlreadyCancelled", "BookingConfig", "BookingConfigError",
    "BookingError", "BookingInThePast", "BookingNotFound", "BookingService", "Counsellor",
    "InvalidBookingCode", "PartOfDay", "Slot", "SlotAlreadyTaken", "SlotNotAvailable",
    "SlotProblem", "TimePreference", "UnknownChoice",
    "booking_ics", "check_feed_token", "counsellor_feed_ics", "feed_token", "find_code_in_text",
    "format_code", "is_valid_code", "load_booking_config", "normalize_code",
    "parse_time_preference", "system_clock", "wrong_code_delay",
]
