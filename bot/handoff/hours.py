"""When the counsellors can take a live handoff: the union of their weekly
working hours from the booking configuration (config/counsellors.yml), minus
closed days (Danish public holidays and the office's own closing days, as in
booking). Pure: the caller passes the time.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Dict, List, Optional, Protocol, Tuple

from bot.booking.config import BookingConfig
from bot.booking.schedule import ClosedDays

UTC = timezone.utc
_LOOKAHEAD_DAYS = 21


class OpeningHours(Protocol):
    def is_open(self, now: datetime) -> bool: ...

    def next_opening(self, now: datetime) -> Optional[datetime]: ...


class CounsellorHours:
    """Open when at least one counsellor works now, according to the booking config."""

    def __init__(self, config: BookingConfig) -> None:
        self._config = config
        self._closed = ClosedDays(config)
        self._by_weekday: Dict[int, List[Tuple[time, time]]] = {}
        for counsellor in config.counsellors:
            for weekday, intervals in counsellor.hours.items():
                self._by_weekday.setdefault(weekday, []).extend(intervals)
        for weekday, intervals in self._by_weekday.items():
            self._by_weekday[weekday] = _merge(intervals)

    def _intervals(self, day: date) -> List[Tuple[datetime, datetime]]:
        if self._closed.is_closed(day):
            return []
        tz = self._config.tz
        return [
            (datetime.combine(day, start, tzinfo=tz), datetime.combine(day, end, tzinfo=tz))
            for start, end in self._by_weekday.get(day.weekday(), ())
        ]

    def is_open(self, now: datetime) -> bool:
        local = _aware(now).astimezone(self._config.tz)
        return any(start <= local < end for start, end in self._intervals(local.date()))

    def next_opening(self, now: datetime) -> Optional[datetime]:
        """The next start of opening hours after `now` (UTC), within three weeks."""
        local = _aware(now).astimezone(self._config.tz)
        for offset in range(_LOOKAHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            for start, _ in self._intervals(day):
                if start > local:
                    return start.astimezone(UTC)
        return None


class AlwaysOpen:
    """For demo and test environments (KA_HANDOFF_ALWAYS_OPEN)."""

    def is_open(self, now: datetime) -> bool:
        return True

    def next_opening(self, now: datetime) -> Optional[datetime]:
        return None


def _merge(intervals: List[Tuple[time, time]]) -> List[Tuple[time, time]]:
    merged: List[Tuple[time, time]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment
