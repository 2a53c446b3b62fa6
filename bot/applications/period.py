"""Danish period text -> (start, end) dates in the future of an injected `today`.

What employees write, and what it becomes (today = 14 May 2026):

    "uge 12"                       Mon 22 Mar - Sun 28 Mar 2027 (ISO week, next occurrence)
    "uge 10-12", "uge 40 2026"     whole ISO weeks
    "i marts", "marts 2027"        the whole month, next occurrence       (approximate)
    "marts-maj", "fra marts til maj"                                       (approximate)
    "efter sommerferien"           Mon of ISO week 33 (10 Aug) - 30 Sep    (approximate)
    "til efteråret"                1 Sep - 30 Nov (also foråret, sommeren, vinteren)
    "fra 1. februar i 6 uger"      1 Feb - 14 Mar 2027
    "i 6 uger fra uge 10"          Mon of week 10 + 6 weeks
    "3.-7. august", "1/9-2026", "2026-09-01 til 2026-09-30", "i morgen", "mandag"

A duration ("i 6 uger", "3 dage", "2 måneder") counts from the first day of
what it is anchored to. `approximate` means the employee named a window (a
month, a season) rather than dates: the dates are a best guess that the
coordinator settles with the employee ("en uge i september" = 1-7 Sep, approximate).

Without a year, the next occurrence that starts after `today` is chosen. With
an explicit year (or explicit dates) that has passed, PeriodInPast is raised;
text that cannot be read gives None. Explicit dates and week-day names fall
back on dateparser (languages=["da"]); the rules here cover what it lacks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Optional, Tuple

from dateutil.relativedelta import relativedelta

from bot.applications.errors import PeriodInPast
from bot.danish import MONTHS


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    text: str
    approximate: bool = False


@dataclass(frozen=True)
class _Span:
    start: date
    end: date
    approximate: bool


_MONTH_ALIASES = {name: i + 1 for i, name in enumerate(MONTHS)}
_MONTH_ALIASES.update({
    "jan": 1, "feb": 2, "febr": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "okt": 10, "nov": 11, "dec": 12,
})
_MONTH = r"(?P<{}>" + "|".join(sorted(_MONTH_ALIASES, key=len, reverse=True)) + r")\.?"
_NUMBERS = {
    "en": 1.0, "et": 1.0, "én": 1.0, "ét": 1.0, "to": 2.0, "tre": 3.0, "fire": 4.0,
    "fem": 5.0, "seks": 6.0, "syv": 7.0, "otte": 8.0, "ni": 9.0, "ti": 10.0,
    "elleve": 11.0, "tolv": 12.0, "halvanden": 1.5,
}
_NUMBER = r"(?:\d+(?:[.,]5)?|" + "|".join(_NUMBERS) + r")"
_UNIT = r"(?:dage|dag|ugers|uger|uge|måneders|måneder|måned|mdr|md)"
_DURATION = re.compile(
    rf"(?:\b(?:i|på|over|for)\s+)?\b(?P<n>{_NUMBER})\s+(?P<unit>{_UNIT})\b\.?(?:\s+frem(?:ad)?\b)?"
)
_IN_FUTURE = re.compile(rf"^om\s+(?P<n>{_NUMBER})\s+(?P<unit>{_UNIT})\b\.?$")
_WEEK = re.compile(
    r"^uge(?:rne)?\s*(?P<first>\d{1,2})(?:\s*(?:-|til|og)\s*(?:uge\s*)?(?P<last>\d{1,2}))?"
    r"(?:\s*,?\s*(?:i\s+)?(?P<year>\d{4}))?$"
)
_MONTH_ONLY = re.compile(r"^" + _MONTH.format("m") + r"(?:\s+(?P<year>\d{4}))?$")
_DAY_MONTH = re.compile(r"^(?P<d>\d{1,2})\.?\s*" + _MONTH.format("m") + r"(?:\s+(?P<year>\d{4}))?$")
_NUMERIC_DATE = re.compile(r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<year>\d{2}|\d{4}))?\.?$")
_DAY_ONLY = re.compile(r"^(?P<d>\d{1,2})\.?$")
_RANGE_SPLIT = re.compile(r"\s+(?:til|og)\s+|\s*-\s*")
_WEEKDAY_PREFIX = re.compile(r"^(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)\s+(?:den\s+|d\.\s*)")

_FILLER_PREFIXES = (
    "jeg vil gerne", "gerne", "helst", "fra og med", "med start", "startende", "start",
    "i løbet af", "engang", "omkring", "cirka", "ca.", "fra", "mellem", "på", "i", "til", "den",
    "d.",
)
_FILLER_SUFFIXES = ("og frem", "frem", "fremad", "og", "ca.", "cirka", "eller deromkring")

# Seasons and holidays: (first month, first day, months long); windows, not exact dates.
_SEASONS = {
    "foråret": (3, 1, 3), "forår": (3, 1, 3),
    "sommeren": (6, 1, 3), "sommer": (6, 1, 3), "sommerferien": (6, 1, 3),
    "efteråret": (9, 1, 3), "efterår": (9, 1, 3),
    "vinteren": (12, 1, 3), "vinter": (12, 1, 3),
    "efter nytår": (1, 2, 2), "efter jul": (1, 2, 2), "efter jul og nytår": (1, 2, 2),
}
_AFTER_SUMMER = re.compile(r"^efter\s+sommer(?:en|ferien|ferie)?(?:\s+(?P<year>\d{4}))?$")
_SEASON = re.compile(
    r"^(?P<name>" + "|".join(sorted(_SEASONS, key=len, reverse=True)) + r")(?:\s+(?P<year>\d{4}))?$"
)


def parse_period(text: Optional[str], today: date) -> Optional[Period]:
    """Read a period from Danish text; None when it cannot be read.

    Raises PeriodInPast when the text names a period (explicit year or dates)
    that starts today or earlier.
    """
    cleaned = _normalise(text or "")
    if not cleaned:
        return None
    duration = None
    for match in _DURATION.finditer(cleaned):
        if cleaned[: match.start()].endswith("om "):
            continue  # "om 2 uger" says when it starts, not how long it lasts
        duration = _duration(match.group("n"), match.group("unit"))
        cleaned = _strip_fillers((cleaned[: match.start()] + " " + cleaned[match.end():]).strip())
        break
    span = _anchor(cleaned, today) if cleaned else None
    if span is None:
        return None
    if span.start <= today:
        raise PeriodInPast()
    if duration is None:
        return Period(span.start, span.end, (text or "").strip(), span.approximate)
    end = span.start + duration - timedelta(days=1)
    return Period(span.start, max(end, span.start), (text or "").strip(), span.approximate)


# --- text clean-up ---------------------------------------------------------


def _normalise(text: str) -> str:
    cleaned = text.lower().replace("–", "-").replace("—", "-").replace("aa", "å")
    cleaned = re.sub(r"[!?;]+|\.$", " ", cleaned)
    # ISO dates -> d.m.yyyy; "15/9-2026" (year after a dash) -> 15/9/2026.
    cleaned = re.sub(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", r"\3.\2.\1", cleaned)
    cleaned = re.sub(r"\b(\d{1,2}/\d{1,2})-(\d{4})\b", r"\1/\2", cleaned)
    cleaned = re.sub(r"\bsom\s+(?:snusepraktik|udveksling)\b", " ", cleaned)
    return _strip_fillers(" ".join(cleaned.split()).strip(" ,"))


def _strip_fillers(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for word in _FILLER_PREFIXES:
            if text.startswith(word + " "):
                text, changed = text[len(word) + 1:].lstrip(" ,"), True
        for word in _FILLER_SUFFIXES:
            if text.endswith(" " + word):
                text, changed = text[: -len(word) - 1].rstrip(" ,"), True
    return text


def _number(raw: str) -> float:
    return _NUMBERS[raw] if raw in _NUMBERS else float(raw.replace(",", "."))


def _duration(raw_number: str, unit: str) -> relativedelta:
    n = _number(raw_number)
    if unit.startswith("dag"):
        return relativedelta(days=round(n))
    if unit.startswith("uge"):
        return relativedelta(days=round(n * 7))
    return relativedelta(months=int(n), days=round((n - int(n)) * 30))


# --- anchors: what the period starts at ----------------------------------


def _anchor(text: str, today: date) -> Optional[_Span]:
    text = _WEEKDAY_PREFIX.sub("", text)
    for rule in (_in_future, _relative, _after_summer, _season, _week, _months, _dates):
        span = rule(text, today)
        if span is not None:
            return span
    return None


def _in_future(text: str, today: date) -> Optional[_Span]:
    match = _IN_FUTURE.match(text)
    if match is None:
        return None
    day = today + _duration(match.group("n"), match.group("unit"))
    return _Span(day, day, False)


_DAYS_FROM_TODAY = {"dag": 0, "morgen": 1, "overmorgen": 2}  # after "i" is stripped


def _relative(text: str, today: date) -> Optional[_Span]:
    if text in _DAYS_FROM_TODAY:
        day = today + timedelta(days=_DAYS_FROM_TODAY[text])
        return _Span(day, day, False)
    if text == "næste uge":
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return _Span(monday, monday + timedelta(days=6), False)
    if text == "næste måned":
        first = (today.replace(day=1) + relativedelta(months=1))
        return _Span(first, first + relativedelta(months=1, days=-1), True)
    if text == "næste år":
        return _Span(date(today.year + 1, 1, 1), date(today.year + 1, 12, 31), True)
    return None


def _next_window(today: date, year: Optional[int],
                 window: Callable[[int], Optional[Tuple[date, date]]]) -> Optional[Tuple[date, date]]:
    """The window of the explicit `year`, or the first one starting after today."""
    if year is not None:
        return window(year)
    for candidate in range(today.year - 1, today.year + 8):
        found = window(candidate)
        if found is not None and found[0] > today:
            return found
    return None


def _year(raw: Optional[str]) -> Optional[int]:
    return int(raw) if raw else None


def _after_summer(text: str, today: date) -> Optional[_Span]:
    match = _AFTER_SUMMER.match(text)
    if match is None:
        return None
    # Danish schools start again around week 33; a stay "after the summer
    # holidays" is sought from then until the end of September.
    found = _next_window(
        today, _year(match.group("year")),
        lambda y: (date.fromisocalendar(y, 33, 1), date(y, 9, 30)),
    )
    return _Span(found[0], found[1], True) if found else None


def _season(text: str, today: date) -> Optional[_Span]:
    match = _SEASON.match(text)
    if match is None:
        return None
    month, day, length = _SEASONS[match.group("name")]

    def window(y: int) -> Tuple[date, date]:
        first = date(y, month, day)
        return first, first.replace(day=1) + relativedelta(months=length, days=-1)

    found = _next_window(today, _year(match.group("year")), window)
    return _Span(found[0], found[1], True) if found else None


def _week(text: str, today: date) -> Optional[_Span]:
    match = _WEEK.match(text)
    if match is None:
        return None
    first = int(match.group("first"))
    last = int(match.group("last") or first)

    def window(y: int) -> Optional[Tuple[date, date]]:
        try:
            start = date.fromisocalendar(y, first, 1)
            end_year = y if last >= first else y + 1
            return start, date.fromisocalendar(end_year, last, 7)
        except ValueError:  # week 53 in a year without one, week 0, ...
            return None

    found = _next_window(today, _year(match.group("year")), window)
    return _Span(found[0], found[1], False) if found else None


def _months(text: str, today: date) -> Optional[_Span]:
    """'marts', 'marts 2027', 'marts-maj', 'fra december 2026 til februar 2027'."""
    parts = [_strip_fillers(p) for p in _RANGE_SPLIT.split(text, maxsplit=1) if p.strip()]
    found = []
    for part in parts:
        match = _MONTH_ONLY.match(part)
        if match is None:
            return None
        found.append((_MONTH_ALIASES[match.group("m")], _year(match.group("year"))))
    if not found:
        return None
    (first, first_year), (last, last_year) = found[0], found[-1]
    wraps = 1 if last < first else 0
    if first_year is not None and len(found) == 2 and last_year is None:
        last_year = first_year + wraps
    elif last_year is not None and first_year is None:
        first_year = last_year - wraps

    def window(y: int) -> Tuple[date, date]:
        return date(y, first, 1), date(y + wraps, last, 1) + relativedelta(months=1, days=-1)

    if first_year is not None:
        start = date(first_year, first, 1)
        end = date(last_year or first_year, last, 1) + relativedelta(months=1, days=-1)
        return _Span(start, end, True) if end >= start else None
    span = _next_window(today, None, window)
    return _Span(span[0], span[1], True) if span else None


# --- explicit dates ----------------------------------------------------------

_Parts = Tuple[int, int, Optional[int]]  # day, month, year (None = not given)


def _date_parts(token: str, today: date) -> Optional[_Parts]:
    token = _strip_fillers(_WEEKDAY_PREFIX.sub("", token.strip(" ,")))
    for pattern in (_DAY_MONTH, _NUMERIC_DATE):
        match = pattern.match(token)
        if match:
            month = match.group("m")
            month_number = _MONTH_ALIASES[month] if month in _MONTH_ALIASES else int(month)
            year = match.group("year")
            if year is not None and len(year) == 2:
                year = "20" + year
            return int(match.group("d")), month_number, _year(year)
    if not token or any(ch.isdigit() for ch in token) or _MONTH_ONLY.match(token):
        return None
    # Week-day names ("mandag", "på fredag"): what dateparser reads well in Danish.
    # Imported here: it takes about half a second and is rarely needed.
    import dateparser

    parsed = dateparser.parse(
        token,
        languages=["da"],
        settings={
            "RELATIVE_BASE": datetime(today.year, today.month, today.day),
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
        },
    )
    if parsed is None:
        return None
    return parsed.day, parsed.month, parsed.year


def _on_or_after(parts: _Parts, earliest: date) -> Optional[date]:
    day, month, year = parts
    for y in ([year] if year else range(earliest.year, earliest.year + 5)):
        try:
            candidate = date(y, month, day)
        except ValueError:
            continue
        if year or candidate >= earliest:
            return candidate
    return None


def _on_or_before(parts: _Parts, latest: date) -> Optional[date]:
    day, month, _ = parts
    for y in range(latest.year, latest.year - 5, -1):
        try:
            candidate = date(y, month, day)
        except ValueError:
            continue
        if candidate <= latest:
            return candidate
    return None


def _dates(text: str, today: date) -> Optional[_Span]:
    """One date, or two joined by 'til', 'og' or a dash; '1.-5. marts' borrows
    the month of the second. A year-less date takes its next occurrence after
    today (the end: on or after the start)."""
    tomorrow = today + timedelta(days=1)
    parts = [p for p in _RANGE_SPLIT.split(text, maxsplit=1) if p.strip()]
    if len(parts) == 1:
        single = _date_parts(parts[0], today)
        day = _on_or_after(single, tomorrow) if single else None
        return _Span(day, day, False) if day else None
    right = _date_parts(parts[1], today)
    if right is None:
        return None
    day_only = _DAY_ONLY.match(parts[0].strip())
    if day_only:
        left_day = int(day_only.group("d"))
        left_month = right[1] if left_day <= right[0] else (right[1] - 2) % 12 + 1
        left: Optional[_Parts] = (left_day, left_month, None)
    else:
        left = _date_parts(parts[0], today)
    if left is None:
        return None
    if left[2] is None and right[2] is not None:
        end = _on_or_after(right, tomorrow)
        start = _on_or_before(left, end) if end else None
    else:
        start = _on_or_after(left, tomorrow)
        end = _on_or_after(right, start) if start else None
    if start is None or end is None or end < start:
        return None
    return _Span(start, end, False)
