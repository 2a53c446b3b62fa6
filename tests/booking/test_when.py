"""Danish free-text time preferences, all read on Tuesday 24 November 2026 at 10:00."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.booking.when import PartOfDay, TimePreference, matches, parse_time_preference

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=CPH)  # a Tuesday, week 48
TODAY = date(2026, 11, 24)
ANY, AM, PM = PartOfDay.ANY, PartOfDay.FORMIDDAG, PartOfDay.EFTERMIDDAG


def parse(text: str) -> TimePreference:
    preference = parse_time_preference(text, NOW)
    assert preference is not None, text
    return preference


def span(text: str):
    p = parse(text)
    return p.earliest, p.latest, p.part_of_day


@pytest.mark.parametrize(
    "text, expected",
    [
        ("torsdag", (date(2026, 11, 26), date(2026, 11, 26), ANY)),
        ("på torsdag", (date(2026, 11, 26), date(2026, 11, 26), ANY)),
        ("Torsdag!", (date(2026, 11, 26), date(2026, 11, 26), ANY)),
        ("på torsdag eftermiddag", (date(2026, 11, 26), date(2026, 11, 26), PM)),
        ("torsdag morgen", (date(2026, 11, 26), date(2026, 11, 26), AM)),
        ("en eftermiddag i næste uge", (date(2026, 11, 30), date(2026, 12, 6), PM)),
        ("i næste uge om eftermiddagen", (date(2026, 11, 30), date(2026, 12, 6), PM)),
        ("i morgen formiddag", (date(2026, 11, 25), date(2026, 11, 25), AM)),
        ("imorgen", (date(2026, 11, 25), date(2026, 11, 25), ANY)),
        ("i overmorgen", (date(2026, 11, 26), date(2026, 11, 26), ANY)),
        ("i dag", (TODAY, TODAY, ANY)),
        ("i eftermiddag", (TODAY, TODAY, PM)),
        ("mandag den 7. december", (date(2026, 12, 7), date(2026, 12, 7), ANY)),
        ("den 7. december om formiddagen", (date(2026, 12, 7), date(2026, 12, 7), AM)),
        ("7/12", (date(2026, 12, 7), date(2026, 12, 7), ANY)),
        ("7.12", (date(2026, 12, 7), date(2026, 12, 7), ANY)),
        ("mandag d. 7/12", (date(2026, 12, 7), date(2026, 12, 7), ANY)),
        ("2026-12-07", (date(2026, 12, 7), date(2026, 12, 7), ANY)),
        ("den 3. januar", (date(2027, 1, 3), date(2027, 1, 3), ANY)),
        ("uge 50", (date(2026, 12, 7), date(2026, 12, 13), ANY)),
        ("i uge 50", (date(2026, 12, 7), date(2026, 12, 13), ANY)),
        ("uge 2", (date(2027, 1, 11), date(2027, 1, 17), ANY)),
        ("fredag formiddag i uge 49", (date(2026, 12, 4), date(2026, 12, 4), AM)),
        ("torsdag i næste uge", (date(2026, 12, 3), date(2026, 12, 3), ANY)),
        ("næste måned", (date(2026, 12, 1), date(2026, 12, 31), ANY)),
        ("i december", (date(2026, 12, 1), date(2026, 12, 31), ANY)),
        ("først i december", (date(2026, 12, 1), date(2026, 12, 10), ANY)),
        ("sidst i januar", (date(2027, 1, 21), date(2027, 1, 31), ANY)),
        ("om to uger", (date(2026, 12, 7), date(2026, 12, 13), ANY)),
        ("om en uge", (date(2026, 11, 30), date(2026, 12, 6), ANY)),
        ("i denne uge", (TODAY, date(2026, 11, 29), ANY)),
        ("senest fredag", (TODAY, date(2026, 11, 27), ANY)),
        ("inden den 1. december", (TODAY, date(2026, 11, 30), ANY)),
        ("før jul", (TODAY, date(2026, 12, 23), ANY)),
        ("i julen", (date(2026, 12, 24), date(2026, 12, 26), ANY)),
        ("efter nytår", (date(2027, 1, 2), None, ANY)),
        ("efter uge 50", (date(2026, 12, 14), None, ANY)),
        ("efter den 10. december", (date(2026, 12, 11), None, ANY)),
        ("jeg vil gerne have en tid på torsdag", (date(2026, 11, 26), date(2026, 11, 26), ANY)),
    ],
)
def test_danish_phrases_become_date_ranges_and_parts_of_day(text, expected):
    assert span(text) == expected


def test_hurtigst_muligt_means_the_first_free_slot_from_today():
    for text in ("hurtigst muligt", "Så hurtigt som muligt", "snarest", "første ledige tid", "lige meget"):
        preference = parse(text)
        assert preference.asap and preference.earliest == TODAY and preference.latest is None, text


def test_clock_times_limit_when_the_session_may_start():
    assert (parse("efter kl 13").start_from, parse("efter kl 13").start_until) == (time(13), None)
    assert parse("efter kl. 13").earliest == TODAY and parse("efter kl. 13").latest is None
    assert parse("efter 13").start_from == time(13)
    assert parse("fra kl. 9.30").start_from == time(9, 30)
    assert parse("før kl 11").start_until == time(10, 59)
    kl10 = parse("kl 10")
    assert (kl10.start_from, kl10.start_until) == (time(10), time(10, 59))
    between = parse("mellem kl 10 og 12")
    assert (between.start_from, between.start_until) == (time(10), time(11, 59))


def test_a_date_and_a_clock_time_combine():
    preference = parse("3. dec kl 14")
    assert (preference.earliest, preference.latest, preference.start_from) == (
        date(2026, 12, 3), date(2026, 12, 3), time(14),
    )


def test_efter_with_a_day_and_month_is_a_date_not_a_time():
    assert parse("efter 10.12").earliest == date(2026, 12, 11)
    assert parse("efter 10.12").start_from is None


def test_indefinite_weekdays_mean_any_such_day():
    preference = parse("en torsdag")
    assert preference.weekdays == {3} and preference.latest is None
    assert parse("tirsdag eller torsdag").weekdays == {1, 3}
    both = parse("torsdag eller fredag i næste uge")
    assert (both.earliest, both.latest, both.weekdays) == (date(2026, 12, 3), date(2026, 12, 4), {3, 4})


def test_a_weekday_never_means_today():
    # Said on a Tuesday, "tirsdag" is next week's Tuesday.
    assert span("tirsdag")[:2] == (date(2026, 12, 1), date(2026, 12, 1))


def test_formiddag_or_eftermiddag_together_means_any_part_of_day():
    assert parse("torsdag formiddag eller eftermiddag").part_of_day is ANY


def test_aware_utc_now_is_read_in_danish_time():
    late_utc = datetime(2026, 11, 24, 23, 30, tzinfo=timezone.utc)  # already Wednesday in Denmark
    assert parse_time_preference("i morgen", late_utc).earliest == date(2026, 11, 26)


@pytest.mark.parametrize("text", ["", "   ", "blabla", "weekend", "ved ikke", "kan jeg få en tid", "13"])
def test_text_without_any_time_gives_none_so_the_bot_asks_again(text):
    assert parse_time_preference(text, NOW) is None


def test_a_date_already_past_gives_none():
    assert parse_time_preference("2026-11-02", NOW) is None


def test_matches_applies_range_weekdays_part_of_day_and_clock():
    noon = time(12)
    preference = TimePreference(earliest=date(2026, 12, 1), latest=date(2026, 12, 4),
                                part_of_day=PM, weekdays=frozenset({3}))
    assert matches(preference, datetime(2026, 12, 3, 13, 0), noon)
    assert not matches(preference, datetime(2026, 12, 3, 11, 0), noon)  # formiddag
    assert not matches(preference, datetime(2026, 12, 2, 13, 0), noon)  # wrong weekday
    assert not matches(preference, datetime(2026, 12, 10, 13, 0), noon)  # after latest
    assert matches(None, datetime(2026, 12, 10, 13, 0), noon)
    after_13 = TimePreference(earliest=TODAY, start_from=time(13))
    assert not matches(after_13, datetime(2026, 12, 3, 12, 0), noon)
    assert matches(after_13, datetime(2026, 12, 3, 13, 0), noon)
