"""Danish period text -> dates, with a fixed today (Thursday 14 May 2026)."""
from __future__ import annotations

from datetime import date

import pytest

from bot.applications.errors import PeriodInPast
from bot.applications.period import parse_period

TODAY = date(2026, 5, 14)
D = date


@pytest.mark.parametrize(
    "text,start,end",
    [
        # ISO weeks: the next occurrence that starts after today.
        ("uge 12", D(2027, 3, 22), D(2027, 3, 28)),
        ("i uge 21", D(2026, 5, 18), D(2026, 5, 24)),
        ("uge 20", D(2027, 5, 17), D(2027, 5, 23)),  # this week has begun
        ("Uge 36", D(2026, 8, 31), D(2026, 9, 6)),
        ("uge 10-12", D(2027, 3, 8), D(2027, 3, 28)),
        ("uge 12 og 13", D(2027, 3, 22), D(2027, 4, 4)),
        ("uge 52-2", D(2026, 12, 21), D(2027, 1, 17)),
        ("uge 40 2026", D(2026, 9, 28), D(2026, 10, 4)),
        ("uge 12 i 2028", D(2028, 3, 20), D(2028, 3, 26)),
        ("uge 53", D(2026, 12, 28), D(2027, 1, 3)),  # 2026 has a week 53
        # Months: the whole month, next occurrence.
        ("i marts", D(2027, 3, 1), D(2027, 3, 31)),
        ("marts 2027", D(2027, 3, 1), D(2027, 3, 31)),
        ("i maj", D(2027, 5, 1), D(2027, 5, 31)),  # May 2026 has begun
        ("juni", D(2026, 6, 1), D(2026, 6, 30)),
        ("i februar 2028", D(2028, 2, 1), D(2028, 2, 29)),
        ("marts-maj", D(2027, 3, 1), D(2027, 5, 31)),
        ("fra september til november", D(2026, 9, 1), D(2026, 11, 30)),
        ("fra november til januar", D(2026, 11, 1), D(2027, 1, 31)),
        ("december 2026 til februar 2027", D(2026, 12, 1), D(2027, 2, 28)),
        ("sept.", D(2026, 9, 1), D(2026, 9, 30)),
        # Seasons and holidays.
        ("efter sommerferien", D(2026, 8, 10), D(2026, 9, 30)),
        ("Efter sommerferien 2027", D(2027, 8, 16), D(2027, 9, 30)),
        ("til efteråret", D(2026, 9, 1), D(2026, 11, 30)),
        ("i løbet af efteråret", D(2026, 9, 1), D(2026, 11, 30)),
        ("til efteraaret", D(2026, 9, 1), D(2026, 11, 30)),
        ("i foråret", D(2027, 3, 1), D(2027, 5, 31)),
        ("til vinter", D(2026, 12, 1), D(2027, 2, 28)),
        ("efter nytår", D(2027, 1, 2), D(2027, 2, 28)),
        # Durations from an anchor.
        ("fra 1. februar i 6 uger", D(2027, 2, 1), D(2027, 3, 14)),
        ("i 6 uger fra uge 10", D(2027, 3, 8), D(2027, 4, 18)),
        ("fra 1. februar og 6 uger frem", D(2027, 2, 1), D(2027, 3, 14)),
        ("2 måneder fra 1. september", D(2026, 9, 1), D(2026, 10, 31)),
        ("halvanden måned fra 1. oktober", D(2026, 10, 1), D(2026, 11, 15)),
        ("tre dage i uge 40", D(2026, 9, 28), D(2026, 9, 30)),
        ("6 uger efter sommerferien", D(2026, 8, 10), D(2026, 9, 20)),
        ("en uge i september", D(2026, 9, 1), D(2026, 9, 7)),
        ("om 14 dage i 3 dage", D(2026, 5, 28), D(2026, 5, 30)),
        # Explicit dates.
        ("1. februar", D(2027, 2, 1), D(2027, 2, 1)),
        ("den 3. marts 2027", D(2027, 3, 3), D(2027, 3, 3)),
        ("3.-7. august", D(2026, 8, 3), D(2026, 8, 7)),
        ("mellem 1. og 5. marts", D(2027, 3, 1), D(2027, 3, 5)),
        ("28.-3. marts", D(2027, 2, 28), D(2027, 3, 3)),
        ("fra 1. marts til 15. april", D(2027, 3, 1), D(2027, 4, 15)),
        ("fra 1. december til 15. januar 2027", D(2026, 12, 1), D(2027, 1, 15)),
        ("1/3-5/3", D(2027, 3, 1), D(2027, 3, 5)),
        ("1/9-2026", D(2026, 9, 1), D(2026, 9, 1)),
        ("2026-09-01 til 2026-09-30", D(2026, 9, 1), D(2026, 9, 30)),
        ("1.3.2027", D(2027, 3, 1), D(2027, 3, 1)),
        ("fredag den 3. juli", D(2026, 7, 3), D(2026, 7, 3)),
        ("15. maj", D(2026, 5, 15), D(2026, 5, 15)),
        ("14. maj", D(2027, 5, 14), D(2027, 5, 14)),  # today's date: next year
        # Relative days (dateparser and thin rules).
        ("i morgen", D(2026, 5, 15), D(2026, 5, 15)),
        ("mandag", D(2026, 5, 18), D(2026, 5, 18)),
        ("næste uge", D(2026, 5, 18), D(2026, 5, 24)),
        ("næste måned", D(2026, 6, 1), D(2026, 6, 30)),
        ("om 2 uger", D(2026, 5, 28), D(2026, 5, 28)),
    ],
)
def test_danish_period_text_becomes_dates(text, start, end):
    period = parse_period(text, TODAY)
    assert period is not None, text
    assert (period.start, period.end) == (start, end)
    assert period.text == text


@pytest.mark.parametrize("text", ["i marts", "til efteråret", "efter sommerferien", "en uge i september"])
def test_windows_are_marked_approximate(text):
    assert parse_period(text, TODAY).approximate is True


@pytest.mark.parametrize("text", ["uge 12", "fra 1. februar i 6 uger", "3.-7. august"])
def test_weeks_and_dates_are_exact(text):
    assert parse_period(text, TODAY).approximate is False


@pytest.mark.parametrize(
    "text", ["", "   ", "hurtigst muligt", "det ved jeg ikke", "3 uger", "31/2", "uge 60", "blå"]
)
def test_text_without_a_period_gives_none(text):
    assert parse_period(text, TODAY) is None


@pytest.mark.parametrize(
    "text", ["i dag", "1. marts 2025", "uge 10 2026", "marts 2026", "til efteråret 2025"]
)
def test_a_named_period_that_has_begun_is_in_the_past(text):
    with pytest.raises(PeriodInPast):
        parse_period(text, TODAY)


def test_around_new_year_the_next_occurrence_is_next_year():
    new_years_eve = D(2026, 12, 30)
    assert (parse_period("uge 2", new_years_eve).start) == D(2027, 1, 11)
    assert (parse_period("i januar", new_years_eve).start) == D(2027, 1, 1)
    assert (parse_period("i december", new_years_eve).start) == D(2027, 12, 1)


def test_the_year_of_a_period_follows_today():
    assert parse_period("uge 12", D(2027, 4, 1)).start == D(2028, 3, 20)
