"""Pure slot arithmetic: which times can be booked.

Free slots = each counsellor's weekly working hours, cut into a fixed grid
(a session plus the buffer after it), minus closed days (Danish public
holidays from the `holidays` package plus the configured closing days),
minus existing active bookings (with the buffer on both sides), minus the
counsellor's blocks, minus anything sooner than the lead time or beyond the
booking horizon. No I/O here: the service loads busy times and passes them in.

All instants in and out are aware UTC datetimes; working hours are local.
"""
from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, timedelta, timezone
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import holidays

from bot.booking.config import BookingConfig, Counsellor
from bot.booking.domain import Slot, SlotProblem
from bot.booking.preference import TimePreference, matches

UTC = timezone.utc
Interval = Tuple[datetime, datetime]


class ClosedDays:
    """Public holidays of the configured country plus the office's own closing days."""

    def __init__(self, config: BookingConfig) -> None:
        self._config = config
        self._years: Dict[int, frozenset] = {}

    def _for_year(self, year: int) -> frozenset:
        if year not in self._years:
            public = holidays.country_holidays(self._config.holidays_country, years=year)
            extra = {date(year, m, d) for m, d in self._config.closed_every_year if _real(year, m, d)}
            self._years[year] = frozenset(public) | extra
        return self._years[year]

    def is_closed(self, day: date) -> bool:
        return day in self._config.closed_dates or day in self._for_year(day.year)


def _real(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:  # 02-29 outside leap years
        return False
    return True


class BusyIndex:
    """Forbidden start times per counsellor, as merged open intervals of epoch
    seconds, so that checking a candidate start is one binary search."""

    def __init__(
        self,
        config: BookingConfig,
        bookings: Iterable[Tuple[str, datetime, datetime]],
        blocks: Iterable[Tuple[str, datetime, datetime]] = (),
    ) -> None:
        session = config.session_minutes * 60
        buffer = config.buffer_minutes * 60
        raw: Dict[str, List[Tuple[float, float]]] = {}
        for counsellor_id, start, end in bookings:
            # A new session [s, s+session) needs `buffer` before and after a booking.
            raw.setdefault(counsellor_id, []).append(
                (start.timestamp() - session - buffer, end.timestamp() + buffer)
            )
        for counsellor_id, start, end in blocks:
            raw.setdefault(counsellor_id, []).append((start.timestamp() - session, end.timestamp()))
        self._starts: Dict[str, List[float]] = {}
        self._ends: Dict[str, List[float]] = {}
        for counsellor_id, intervals in raw.items():
            intervals.sort()
            merged: List[List[float]] = []
            for lo, hi in intervals:
                if merged and lo < merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], hi)
                else:
                    merged.append([lo, hi])
            self._starts[counsellor_id] = [lo for lo, _ in merged]
            self._ends[counsellor_id] = [hi for _, hi in merged]

    def is_busy(self, counsellor_id: str, start: datetime) -> bool:
        starts = self._starts.get(counsellor_id)
        if not starts:
            return False
        moment = start.timestamp()
        index = bisect_left(starts, moment) - 1  # intervals are open: lo < moment < hi
        return index >= 0 and moment < self._ends[counsellor_id][index]


def day_starts(config: BookingConfig, counsellor: Counsellor, day: date) -> List[datetime]:
    """Slot starts (UTC) of `counsellor`'s grid on local date `day` (ignores closed days)."""
    tz = config.tz
    step = timedelta(minutes=config.step_minutes)
    session = timedelta(minutes=config.session_minutes)
    result: List[datetime] = []
    for start, end in counsellor.hours.get(day.weekday(), ()):
        moment = datetime.combine(day, start, tzinfo=tz)
        limit = datetime.combine(day, end, tzinfo=tz)
        while moment + session <= limit:
            result.append(moment.astimezone(UTC))
            moment += step
    return result


def booking_window(config: BookingConfig, now: datetime) -> Tuple[datetime, date]:
    """(earliest bookable start as UTC instant, last bookable local date)."""
    earliest = now.astimezone(UTC) + timedelta(hours=config.lead_time_hours)
    last_day = now.astimezone(config.tz).date() + timedelta(weeks=config.horizon_weeks)
    return earliest, last_day


def free_slots(
    config: BookingConfig,
    closed: ClosedDays,
    busy: BusyIndex,
    counsellors: Sequence[Counsellor],
    now: datetime,
    preference: Optional[TimePreference] = None,
) -> List[Slot]:
    """Every free slot of `counsellors` within the booking window, sorted by time."""
    tz = config.tz
    earliest, last_day = booking_window(config, now)
    first_day = earliest.astimezone(tz).date()
    if preference is not None:
        first_day = max(first_day, preference.earliest)
        if preference.latest is not None:
            last_day = min(last_day, preference.latest)
    session = timedelta(minutes=config.session_minutes)
    slots: List[Slot] = []
    day = first_day
    while day <= last_day:
        if not closed.is_closed(day):
            for counsellor in counsellors:
                for start in day_starts(config, counsellor, day):
                    if start < earliest or busy.is_busy(counsellor.id, start):
                        continue
                    if preference is not None and not matches(
                        preference, start.astimezone(tz).replace(tzinfo=None), config.afternoon_starts
                    ):
                        continue
                    slots.append(Slot(start, counsellor.id, start + session))
        day += timedelta(days=1)
    slots.sort()
    return slots


def slot_problem(
    config: BookingConfig, closed: ClosedDays, counsellor: Counsellor, start: datetime, now: datetime
) -> Optional[SlotProblem]:
    """Why `start` can never be booked with `counsellor` (ignoring bookings and blocks)."""
    earliest, last_day = booking_window(config, now)
    local_day = start.astimezone(config.tz).date()
    if start < earliest:
        return SlotProblem.TOO_SOON
    if local_day > last_day:
        return SlotProblem.BEYOND_HORIZON
    if closed.is_closed(local_day):
        return SlotProblem.CLOSED_DAY
    if start.astimezone(UTC) not in day_starts(config, counsellor, local_day):
        return SlotProblem.OUTSIDE_HOURS
    return None


def per_day(slots: Sequence[Slot], limit: int, tz) -> List[Slot]:
    """At most `limit` slots per local day (keeps the earliest), to offer a spread."""
    counts: Dict[date, int] = {}
    result: List[Slot] = []
    for slot in slots:
        day = slot.starts_at.astimezone(tz).date()
        if counts.get(day, 0) < limit:
            counts[day] = counts.get(day, 0) + 1
            result.append(slot)
    return result


def nearest(slots: Sequence[Slot], target: Slot, limit: int) -> List[Slot]:
    """The `limit` slots closest in time to `target`, same counsellor first on ties, by time."""
    ranked = sorted(
        (s for s in slots if s != target),
        key=lambda s: (
            abs((s.starts_at - target.starts_at).total_seconds()),
            s.counsellor_id != target.counsellor_id,
            s.starts_at,
        ),
    )
    return sorted(ranked[:limit])


def as_utc(moment: datetime) -> datetime:
    """Reject naive datetimes (ambiguous) and normalise aware ones to UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC)


__all__ = [
    "BusyIndex", "ClosedDays", "Interval", "as_utc", "booking_window", "day_starts",
    "free_slots", "nearest", "per_day", "slot_problem",
]
