"""What the employee said about when: a TimePreference, and whether a slot fits it.

Dates are local (Danish) and inclusive; clock times refer to the session start.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import FrozenSet, Optional


class PartOfDay(str, enum.Enum):
    FORMIDDAG = "formiddag"
    EFTERMIDDAG = "eftermiddag"
    ANY = "any"


@dataclass(frozen=True)
class TimePreference:
    """When the employee would like the session. Dates are local and inclusive."""

    earliest: date
    latest: Optional[date] = None  # None = no upper bound (the booking horizon applies)
    part_of_day: PartOfDay = PartOfDay.ANY
    start_from: Optional[time] = None  # session starts at or after
    start_until: Optional[time] = None  # session starts at or before
    weekdays: FrozenSet[int] = field(default_factory=frozenset)  # 0 = Monday; empty = any
    asap: bool = False  # "hurtigst muligt": the first free slot is what counts

    @classmethod
    def anytime(cls, today: date) -> "TimePreference":
        return cls(earliest=today, asap=True)



def matches(preference: Optional[TimePreference], local_start: datetime, afternoon_starts: time) -> bool:
    """True if a slot starting at `local_start` (local time) fits the preference."""
    if preference is None:
        return True
    day = local_start.date()
    if day < preference.earliest or (preference.latest is not None and day > preference.latest):
        return False
    if preference.weekdays and day.weekday() not in preference.weekdays:
        return False
    clock = local_start.time()
    if preference.part_of_day is PartOfDay.FORMIDDAG and clock >= afternoon_starts:
        return False
    if preference.part_of_day is PartOfDay.EFTERMIDDAG and clock < afternoon_starts:
        return False
    if preference.start_from is not None and clock < preference.start_from:
        return False
    if preference.start_until is not None and clock > preference.start_until:
        return False
    return True

