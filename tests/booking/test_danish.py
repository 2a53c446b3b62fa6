"""bot.danish: dates and times the way a Danish colleague writes them."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.danish import (
    format_date,
    format_date_range,
    format_slot,
    format_time,
    format_time_range,
    format_week,
    month_name,
    relative_day,
    weekday_name,
)

CPH = ZoneInfo("Europe/Copenhagen")


def test_weekday_and_month_names_are_danish_and_lower_case():
    assert [weekday_name(date(2026, 11, 23 + i)) for i in range(7)] == [
        "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
    ]
    assert month_name(1) == "januar" and month_name(3) == "marts" and month_name(12) == "december"
    with pytest.raises(ValueError):
        month_name(13)


def test_slot_reads_weekday_day_month_and_time_with_a_dot():
    assert format_slot(datetime(2026, 12, 3, 10, 0, tzinfo=CPH)) == "torsdag den 3. december kl. 10.00"


def test_aware_utc_times_are_shown_in_danish_time_in_winter_and_summer():
    assert format_slot(datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)) == "torsdag den 3. december kl. 10.00"
    assert format_slot(datetime(2026, 6, 4, 7, 30, tzinfo=timezone.utc)) == "torsdag den 4. juni kl. 9.30"


def test_relative_words_are_used_for_today_and_tomorrow_only():
    now = datetime(2026, 12, 2, 15, 0, tzinfo=CPH)
    assert format_slot(datetime(2026, 12, 3, 10, 0, tzinfo=CPH), now=now) == (
        "i morgen, torsdag den 3. december kl. 10.00"
    )
    assert format_slot(datetime(2026, 12, 2, 16, 0, tzinfo=CPH), now=now).startswith("i dag, onsdag")
    assert format_slot(datetime(2026, 12, 9, 10, 0, tzinfo=CPH), now=now) == "onsdag den 9. december kl. 10.00"


def test_relative_day_uses_the_danish_date_not_the_utc_date():
    # 23:30 UTC on 2 December is already 3 December in Copenhagen.
    now = datetime(2026, 12, 2, 23, 30, tzinfo=timezone.utc)
    assert format_slot(datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc), now=now).startswith("i dag,")


def test_year_is_added_only_for_another_year():
    today = date(2026, 12, 20)
    assert format_date(date(2027, 1, 4), today=today) == "mandag den 4. januar 2027"
    assert format_date(date(2026, 12, 28), today=today) == "mandag den 28. december"
    assert relative_day(date(2026, 12, 22), today) == "i overmorgen"
    assert relative_day(date(2026, 12, 25), today) is None


def test_times_ranges_and_weeks():
    assert format_time(time(9, 5)) == "9.05"
    start = datetime(2026, 12, 3, 10, 0, tzinfo=CPH)
    assert format_time_range(start, start.replace(minute=45)) == "kl. 10.00-10.45"
    assert format_date_range(date(2026, 12, 7), date(2026, 12, 11)) == "7.-11. december"
    assert format_date_range(date(2026, 11, 30), date(2026, 12, 4)) == "30. november-4. december"
    assert format_week(date(2026, 12, 9)) == "uge 50"
