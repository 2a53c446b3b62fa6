"""Danish formatting helpers: the ONE place for weekday and month names and
for writing dates and times the way a Danish colleague would.

Everything here is pure and deterministic: pass `today`/`now` in when a
relative word ("i dag", "i morgen") is wanted. Times are written with a dot
("kl. 10.00"), dates as "torsdag den 3. december" (Dansk Sprognævn's style).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Optional, Tuple
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Copenhagen"

# Monday first, as date.weekday() counts.
WEEKDAYS: Tuple[str, ...] = (
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
)
# January first; MONTHS[date.month - 1].
MONTHS: Tuple[str, ...] = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)


def weekday_name(day: date) -> str:
    """'mandag' ... 'søndag'."""
    return WEEKDAYS[day.weekday()]


def month_name(month: int) -> str:
    """1 -> 'januar' ... 12 -> 'december'."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, got {month}")
    return MONTHS[month - 1]


def relative_day(day: date, today: date) -> Optional[str]:
    """'i dag', 'i morgen', 'i overmorgen' or 'i går'; None for other days."""
    return {
        -1: "i går",
        0: "i dag",
        1: "i morgen",
        2: "i overmorgen",
    }.get((day - today).days)


def format_date(day: date, *, today: Optional[date] = None, with_weekday: bool = True) -> str:
    """'torsdag den 3. december'; the year is added when it differs from `today`'s.

    With `today` given, tomorrow reads 'i morgen, torsdag den 3. december'.
    """
    text = f"den {day.day}. {MONTHS[day.month - 1]}"
    if with_weekday:
        text = f"{weekday_name(day)} {text}"
    if today is not None and day.year != today.year:
        text = f"{text} {day.year}"
    if today is not None:
        relative = relative_day(day, today)
        if relative is not None:
            text = f"{relative}, {text}"
    return text


def format_time(moment: time) -> str:
    """'10.00', '9.30' (no leading zero on the hour, as Danes write it)."""
    return f"{moment.hour}.{moment.minute:02d}"


def to_local(moment: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """An aware datetime in `timezone`; a naive one is taken to be local already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZoneInfo(timezone))


def format_slot(
    moment: datetime,
    *,
    now: Optional[datetime] = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> str:
    """'torsdag den 3. december kl. 10.00' for an appointment start.

    Aware datetimes are shown in `timezone` (Danish time); naive ones as they
    are. With `now` given, 'i dag'/'i morgen' is put in front where apt and the
    year is added for another year.
    """
    local = to_local(moment, timezone)
    today = to_local(now, timezone).date() if now is not None else None
    return f"{format_date(local.date(), today=today)} kl. {format_time(local.time())}"


def format_time_range(start: datetime, end: datetime, *, timezone: str = DEFAULT_TIMEZONE) -> str:
    """'kl. 10.00-10.45' (same day assumed)."""
    local_start, local_end = to_local(start, timezone), to_local(end, timezone)
    return f"kl. {format_time(local_start.time())}-{format_time(local_end.time())}"


def format_date_range(first: date, last: date, *, today: Optional[date] = None) -> str:
    """'3.-7. december', '30. november-4. december', or one date when equal."""
    if first == last:
        return format_date(first, today=today, with_weekday=False)
    year = f" {last.year}" if today is not None and last.year != today.year else ""
    if first.year != last.year:
        return (
            f"{first.day}. {MONTHS[first.month - 1]} {first.year}-"
            f"{last.day}. {MONTHS[last.month - 1]} {last.year}"
        )
    if first.month == last.month:
        return f"{first.day}.-{last.day}. {MONTHS[last.month - 1]}{year}"
    return f"{first.day}. {MONTHS[first.month - 1]}-{last.day}. {MONTHS[last.month - 1]}{year}"


def format_week(day: date) -> str:
    """'uge 50' for the ISO week that `day` falls in."""
    return f"uge {day.isocalendar()[1]}"


def monday_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())
