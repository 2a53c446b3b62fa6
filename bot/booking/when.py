"""Danish free-text time preferences -> TimePreference.

"hurtigst muligt", "på torsdag eftermiddag", "en eftermiddag i næste uge",
"i morgen formiddag", "mandag den 7. december", "uge 50", "efter kl 13",
"næste måned" ... Dates go through dateparser (languages=["da"], a fixed
RELATIVE_BASE from the injected `now`, PREFER_DATES_FROM="future");
bot.booking.when_rules adds only the thin rules dateparser lacks. Text with
nothing recognisable gives None, so the caller can ask again.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import dateparser

from bot.booking.preference import PartOfDay, TimePreference, matches
from bot.booking.when_rules import (
    FILLER,
    NOT_DATES,
    QUALIFIER_WORDS,
    DateRange,
    Found,
    apply_qualifier,
    apply_rules,
    coming,
    month_range,
    week_of,
)
from bot.danish import DEFAULT_TIMEZONE


def parse_time_preference(
    text: str, now: datetime, *, timezone: str = DEFAULT_TIMEZONE
) -> Optional[TimePreference]:
    """Parse Danish free text; None when nothing in it says when.

    `now` may be aware (converted to `timezone`) or naive local time.
    """
    if not text or not text.strip():
        return None
    local_now = now.astimezone(ZoneInfo(timezone)).replace(tzinfo=None) if now.tzinfo else now
    today = local_now.date()
    found, rest = apply_rules(text, today)
    date_range = _dateparser_range(rest, local_now)
    if date_range is not None:
        found.ranges.append(date_range)
    if not found.anything:
        return None
    return _combine(found, today)


def _dateparser_range(rest: str, local_now: datetime) -> Optional[DateRange]:
    """Hand what the rules left to dateparser: explicit dates like '7. december'."""
    words = [w for w in rest.split() if w not in FILLER]
    qual = ""
    if words and words[0] in QUALIFIER_WORDS:
        qual = words.pop(0)
        while words and words[0] in FILLER:
            words.pop(0)
    if not words or any(w in NOT_DATES for w in words):
        return None
    text = " ".join(words)
    if not re.search(r"[a-zæøå]{3,}|\d{1,2}\s*[./-]\s*\d{1,2}|\d{1,2}\.\s*[a-zæøå]", text):
        return None  # bare numbers are not dates
    text = re.sub(r"\b(\d{1,2})\.(\d{1,2})\b", r"\1/\2", text)
    settings = {
        "RELATIVE_BASE": local_now,
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "RETURN_TIME_AS_PERIOD": True,
    }
    data = dateparser.date.DateDataParser(languages=["da"], settings=settings).get_date_data(text)
    if data.date_obj is None or data.period in ("time", "year"):
        return None
    day = data.date_obj.date()
    if data.period == "week":
        date_range = week_of(day)
    elif data.period == "month":
        date_range = month_range(day.year, day.month)
    else:
        date_range = (day, day)
    return apply_qualifier(qual, date_range, local_now.date())



# ----------------------------------------------------------------- combining


def _combine(found: Found, today: date) -> Optional[TimePreference]:
    first: date = today
    last: Optional[date] = None
    if found.ranges:
        firsts = [r[0] for r in found.ranges]
        lasts = [r[1] for r in found.ranges]
        lo, hi = max(firsts), min(lasts)
        if found.union or lo > hi:
            lo, hi = min(firsts), max(lasts)
        first, last = lo, (None if hi == date.max else hi)
    weekdays = frozenset(day for day, _ in found.weekdays)
    single_day = last is not None and first == last
    if single_day:
        weekdays = frozenset()  # an explicit date wins over a (possibly wrong) weekday
    elif not found.ranges and len(weekdays) == 1 and not any(ind for _, ind in found.weekdays):
        # 'torsdag', 'på torsdag', 'næste torsdag': the coming one (never today)
        (weekday,) = weekdays
        day = coming(weekday, today)
        first, last, weekdays = day, day, frozenset()
    if weekdays and last is not None and (last - first).days < 7:
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        days = [d for d in days if d.weekday() in weekdays and d >= today]
        if not days:
            return None
        first, last = days[0], days[-1]
        if first == last:
            weekdays = frozenset()
    if last is not None and last < today:
        return None
    return TimePreference(
        earliest=max(first, today),
        latest=last,
        part_of_day=found.part or PartOfDay.ANY,
        start_from=found.start_from,
        start_until=found.start_until,
        weekdays=weekdays,
        asap=found.asap,
    )



__all__ = ["PartOfDay", "TimePreference", "matches", "parse_time_preference"]
