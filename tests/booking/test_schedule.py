"""Free-slot arithmetic: working hours minus bookings (with buffer), blocks,
closed days, the lead time and the horizon. Pure functions, no database."""
from datetime import date, datetime, timedelta, timezone

from bot.booking.schedule import BusyIndex, ClosedDays, free_slots, slot_problem
from bot.booking.domain import SlotProblem
from bot.booking.when import PartOfDay, TimePreference
from tests.booking.conftest import CPH, MONDAY_MORNING, local


def slots_for(config, counsellor_id="raadgiver-1", bookings=(), blocks=(), now=MONDAY_MORNING, preference=None):
    counsellors = [config.counsellor(counsellor_id)]
    busy = BusyIndex(config, bookings, blocks)
    return free_slots(config, ClosedDays(config), busy, counsellors, now, preference)


def local_starts(slots, day):
    return [s.starts_at.astimezone(CPH).strftime("%H:%M") for s in slots if s.starts_at.astimezone(CPH).date() == day]


def test_a_working_day_is_cut_into_sessions_plus_buffer(booking_config):
    tuesday = date(2026, 11, 24)
    slots = slots_for(booking_config)
    assert local_starts(slots, tuesday) == ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00"]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=45) for s in slots)
    friday = date(2026, 11, 27)
    assert local_starts(slots, friday) == ["09:00", "10:00", "11:00", "12:00"]


def test_nothing_sooner_than_the_lead_time(booking_config):
    # 08:00 now + 2 hours: the 9:00 slot today is gone, 10:00 is the first.
    assert local_starts(slots_for(booking_config), date(2026, 11, 23))[0] == "10:00"


def test_a_lunch_break_splits_the_grid(booking_config):
    slots = slots_for(booking_config, "raadgiver-3")
    assert local_starts(slots, date(2026, 11, 24)) == ["09:00", "10:00", "11:00", "12:30", "13:30", "14:30"]


def test_public_holidays_christmas_eve_and_new_years_eve_are_closed(booking_config):
    slots = slots_for(booking_config)
    days = {s.starts_at.astimezone(CPH).date() for s in slots}
    for closed in (date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31), date(2027, 1, 1)):
        assert closed not in days
    assert date(2026, 12, 23) in days and date(2026, 12, 28) in days
    assert not any(d.weekday() >= 5 for d in days)


def test_nothing_beyond_the_eight_week_horizon(booking_config):
    slots = slots_for(booking_config)
    last = max(s.starts_at.astimezone(CPH).date() for s in slots)
    assert last <= date(2026, 11, 23) + timedelta(weeks=8)
    assert last >= date(2026, 11, 23) + timedelta(weeks=8) - timedelta(days=3)


def test_a_booking_takes_its_slot_and_the_buffer_keeps_neighbours_free(booking_config):
    day = date(2026, 11, 24)
    booked = [("raadgiver-1", local(2026, 11, 24, 10), local(2026, 11, 24, 10, 45))]
    assert local_starts(slots_for(booking_config, bookings=booked), day) == ["09:00", "11:00", "12:00", "13:00", "14:00"]


def test_an_off_grid_booking_blocks_every_slot_within_the_buffer(booking_config):
    day = date(2026, 11, 24)
    booked = [("raadgiver-1", local(2026, 11, 24, 10, 30), local(2026, 11, 24, 11, 15))]
    assert local_starts(slots_for(booking_config, bookings=booked), day) == ["09:00", "12:00", "13:00", "14:00"]


def test_bookings_of_another_counsellor_do_not_matter(booking_config):
    day = date(2026, 11, 24)
    booked = [("raadgiver-2", local(2026, 11, 24, 10), local(2026, 11, 24, 10, 45))]
    assert "10:00" in local_starts(slots_for(booking_config, bookings=booked), day)


def test_a_block_removes_the_slots_it_overlaps(booking_config):
    day = date(2026, 11, 24)
    blocks = [("raadgiver-1", local(2026, 11, 24, 12), local(2026, 11, 24, 14))]
    assert local_starts(slots_for(booking_config, blocks=blocks), day) == ["09:00", "10:00", "11:00", "14:00"]


def test_summer_time_keeps_the_local_grid(booking_config):
    june = datetime(2027, 5, 31, 8, 0, tzinfo=CPH)
    slots = slots_for(booking_config, now=june)
    first_tuesday = [s for s in slots if s.starts_at.astimezone(CPH).date() == date(2027, 6, 1)][0]
    assert first_tuesday.starts_at == datetime(2027, 6, 1, 7, 0, tzinfo=timezone.utc)  # 09:00 CEST


def test_preferences_filter_days_and_parts_of_day(booking_config):
    preference = TimePreference(earliest=date(2026, 11, 26), latest=date(2026, 11, 26), part_of_day=PartOfDay.EFTERMIDDAG)
    slots = slots_for(booking_config, preference=preference)
    assert local_starts(slots, date(2026, 11, 26)) == ["12:00", "13:00", "14:00"]
    assert len(slots) == 3


def test_slot_problem_names_why_a_time_cannot_be_booked(booking_config):
    closed = ClosedDays(booking_config)
    first = booking_config.counsellor("raadgiver-1")
    now = MONDAY_MORNING
    assert slot_problem(booking_config, closed, first, local(2026, 11, 24, 10), now) is None
    assert slot_problem(booking_config, closed, first, local(2026, 11, 23, 9), now) is SlotProblem.TOO_SOON
    assert slot_problem(booking_config, closed, first, local(2026, 11, 24, 10, 30), now) is SlotProblem.OUTSIDE_HOURS
    assert slot_problem(booking_config, closed, first, local(2026, 11, 24, 15), now) is SlotProblem.OUTSIDE_HOURS
    assert slot_problem(booking_config, closed, first, local(2026, 11, 28, 10), now) is SlotProblem.OUTSIDE_HOURS
    assert slot_problem(booking_config, closed, first, local(2026, 12, 24, 10), now) is SlotProblem.CLOSED_DAY
    assert slot_problem(booking_config, closed, first, local(2027, 3, 1, 10), now) is SlotProblem.BEYOND_HORIZON
