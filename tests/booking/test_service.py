"""Booking use cases on a real SQLite database with a fake clock
(now = Monday 23 November 2026, 08:00 Danish time)."""
from dataclasses import fields
from datetime import date, datetime, timedelta

import pytest

from bot.booking import (
    Booking,
    BookingAlreadyCancelled,
    BookingInThePast,
    BookingNotFound,
    InvalidBookingCode,
    Slot,
    SlotAlreadyTaken,
    SlotNotAvailable,
    SlotProblem,
    UnknownChoice,
    parse_time_preference,
)
from tests.booking.conftest import CPH, local


def slot(counsellor_id: str, start: datetime) -> Slot:
    return Slot(start, counsellor_id, start + timedelta(minutes=45))


TUESDAY_10 = slot("raadgiver-1", local(2026, 11, 24, 10))


# ------------------------------------------------------------------ free slots


def test_first_free_slot_is_the_earliest_of_any_counsellor_after_the_lead_time(service):
    first = service.free_slots(limit=1)[0]
    assert first.starts_at.astimezone(CPH) == local(2026, 11, 23, 10)


def test_a_topic_only_offers_counsellors_with_it_in_focus(service):
    assert {s.counsellor_id for s in service.free_slots(topic="ledelse")} == {"raadgiver-2"}
    assert {s.counsellor_id for s in service.free_slots(topic="andet")} == {"raadgiver-1", "raadgiver-2", "raadgiver-3"}


def test_in_person_meetings_are_only_offered_by_counsellors_who_meet_in_person(service):
    assert "raadgiver-3" not in {s.counsellor_id for s in service.free_slots(format="fremmoede")}


def test_a_parsed_danish_preference_narrows_the_slots(service, clock):
    preference = parse_time_preference("på torsdag eftermiddag", clock())
    slots = service.free_slots(topic="specialeskift", preference=preference)
    assert slots
    for s in slots:
        start = s.starts_at.astimezone(CPH)
        assert start.date() == date(2026, 11, 26) and start.hour >= 12


def test_max_per_day_spreads_the_offer_over_days(service):
    offered = service.free_slots(limit=3, max_per_day=1)
    assert len({s.starts_at.astimezone(CPH).date() for s in offered}) == 3


def test_unknown_topic_or_counsellor_is_an_unknown_choice(service):
    with pytest.raises(UnknownChoice):
        service.free_slots(topic="karriere")
    with pytest.raises(UnknownChoice):
        service.free_slots(counsellor_id="raadgiver-9")


# ------------------------------------------------------------------ booking


def test_booking_returns_a_code_and_takes_the_slot(service):
    booking = service.book(TUESDAY_10, "specialeskift", "teams")
    assert len(booking.code) == 8 and booking.display_code[4] == "-"
    assert booking.is_active and booking.starts_at == TUESDAY_10.starts_at
    assert TUESDAY_10 not in service.free_slots(counsellor_id="raadgiver-1")


def test_a_booking_holds_nothing_that_identifies_the_employee():
    names = {f.name for f in fields(Booking)}
    assert names == {
        "code", "counsellor_id", "starts_at", "ends_at", "format", "topic",
        "created_at", "cancelled_at", "cancel_reason", "sequence",
    }


def test_booking_a_taken_slot_offers_the_nearest_free_ones(service):
    service.book(TUESDAY_10, "specialeskift", "teams")
    with pytest.raises(SlotAlreadyTaken) as info:
        service.book(TUESDAY_10, "jobskifte", "telefon")
    alternatives = info.value.alternatives
    assert len(alternatives) == 3 and TUESDAY_10 not in alternatives
    assert all(abs(a.starts_at - TUESDAY_10.starts_at) <= timedelta(hours=1) for a in alternatives)
    free = set(service.free_slots(topic="jobskifte", format="telefon"))
    assert set(alternatives) <= free


@pytest.mark.parametrize(
    "requested, problem",
    [
        (slot("raadgiver-1", local(2026, 11, 24, 10, 30)), SlotProblem.OUTSIDE_HOURS),
        (slot("raadgiver-1", local(2026, 11, 28, 10)), SlotProblem.OUTSIDE_HOURS),  # Saturday
        (slot("raadgiver-1", local(2026, 12, 24, 10)), SlotProblem.CLOSED_DAY),
        (slot("raadgiver-1", local(2026, 12, 25, 10)), SlotProblem.CLOSED_DAY),
        (slot("raadgiver-1", local(2026, 11, 23, 9)), SlotProblem.TOO_SOON),
        (slot("raadgiver-1", local(2027, 2, 1, 10)), SlotProblem.BEYOND_HORIZON),
        (slot("raadgiver-3", local(2026, 11, 24, 10)), SlotProblem.FORMAT_NOT_OFFERED),
    ],
)
def test_times_that_can_never_be_booked_say_why(service, requested, problem):
    with pytest.raises(SlotNotAvailable) as info:
        service.book(requested, "andet", "fremmoede")
    assert info.value.reason is problem
    assert service.list_bookings(start=local(2026, 11, 1, 0), end=local(2027, 3, 1, 0)) == []


def test_unknown_topic_and_format_are_refused_before_touching_the_database(service):
    with pytest.raises(UnknownChoice):
        service.book(TUESDAY_10, "karriere", "teams")
    with pytest.raises(UnknownChoice):
        service.book(TUESDAY_10, "andet", "brevdue")


def test_naive_datetimes_are_refused(service):
    with pytest.raises(ValueError):
        service.book(Slot(datetime(2026, 11, 24, 10), "raadgiver-1", datetime(2026, 11, 24, 10, 45)), "andet", "teams")


# ------------------------------------------------------------------ find / cancel


def test_find_accepts_the_code_in_lower_case_and_without_the_dash(service):
    booking = service.book(TUESDAY_10, "andet", "teams")
    assert service.find(booking.display_code.lower()) == booking
    assert service.find(booking.code.lower().replace("-", "")) == booking


def test_malformed_and_unknown_codes_are_told_apart(service):
    with pytest.raises(InvalidBookingCode):
        service.find("hej")
    with pytest.raises(BookingNotFound):
        service.find("K7MQ-4XTR")


def test_cancelling_frees_the_slot_and_keeps_the_booking_readable(service, clock):
    booking = service.book(TUESDAY_10, "andet", "teams")
    clock.advance(hours=1)
    cancelled = service.cancel(booking.display_code, reason="  passer ikke  ")
    assert not cancelled.is_active and cancelled.cancelled_at == clock()
    assert cancelled.cancel_reason == "passer ikke" and cancelled.sequence == 1
    assert service.find(booking.code) == cancelled
    assert TUESDAY_10 in service.free_slots(counsellor_id="raadgiver-1")
    with pytest.raises(BookingAlreadyCancelled):
        service.cancel(booking.code)


def test_a_cancelled_slot_can_be_booked_again(service):
    first = service.book(TUESDAY_10, "andet", "teams")
    service.cancel(first.code)
    second = service.book(TUESDAY_10, "ledelse", "telefon")
    assert second.code != first.code and second.is_active


def test_a_session_that_has_started_can_no_longer_be_cancelled_or_moved(service, clock):
    booking = service.book(TUESDAY_10, "andet", "teams")
    clock.set(local(2026, 11, 24, 10, 5))
    with pytest.raises(BookingInThePast):
        service.cancel(booking.code)
    with pytest.raises(BookingInThePast):
        service.reschedule(booking.code, slot("raadgiver-1", local(2026, 11, 25, 10)))


# ------------------------------------------------------------------ reschedule


def test_moving_keeps_the_code_and_frees_the_old_time(service):
    booking = service.book(TUESDAY_10, "andet", "teams")
    target = slot("raadgiver-2", local(2026, 11, 25, 10))
    moved = service.reschedule(booking.display_code, target)
    assert (moved.code, moved.counsellor_id, moved.starts_at) == (booking.code, "raadgiver-2", target.starts_at)
    assert moved.sequence == booking.sequence + 1 and moved.topic == "andet"
    assert TUESDAY_10 in service.free_slots(counsellor_id="raadgiver-1")
    assert target not in service.free_slots(counsellor_id="raadgiver-2")


def test_moving_one_hour_later_with_the_same_counsellor_is_allowed(service):
    booking = service.book(TUESDAY_10, "andet", "teams")
    moved = service.reschedule(booking.code, slot("raadgiver-1", local(2026, 11, 24, 11)))
    assert moved.starts_at == local(2026, 11, 24, 11)


def test_moving_to_a_taken_time_leaves_the_booking_where_it_was(service):
    mine = service.book(TUESDAY_10, "andet", "teams")
    other = service.book(slot("raadgiver-1", local(2026, 11, 24, 13)), "andet", "teams")
    with pytest.raises(SlotAlreadyTaken) as info:
        service.reschedule(mine.code, other.slot)
    assert info.value.alternatives
    assert service.find(mine.code) == mine
    assert TUESDAY_10 not in service.free_slots(counsellor_id="raadgiver-1")


def test_moving_to_the_same_time_changes_nothing(service):
    booking = service.book(TUESDAY_10, "andet", "teams")
    assert service.reschedule(booking.code, TUESDAY_10) == booking


def test_a_cancelled_booking_cannot_be_moved(service):
    booking = service.book(TUESDAY_10, "andet", "teams")
    service.cancel(booking.code)
    with pytest.raises(BookingAlreadyCancelled):
        service.reschedule(booking.code, slot("raadgiver-1", local(2026, 11, 25, 10)))


def test_moving_to_a_counsellor_without_the_format_is_refused(service):
    booking = service.book(TUESDAY_10, "andet", "fremmoede")
    with pytest.raises(SlotNotAvailable) as info:
        service.reschedule(booking.code, slot("raadgiver-3", local(2026, 11, 25, 10)))
    assert info.value.reason is SlotProblem.FORMAT_NOT_OFFERED


# ------------------------------------------------------------------ blocks and lists


def test_a_block_removes_slots_and_refuses_bookings_until_removed(service):
    block = service.block("raadgiver-1", local(2026, 11, 24, 9), local(2026, 11, 24, 12), "kursus")
    free = service.free_slots(counsellor_id="raadgiver-1")
    assert TUESDAY_10 not in free and slot("raadgiver-1", local(2026, 11, 24, 12)) in free
    with pytest.raises(SlotNotAvailable) as info:
        service.book(TUESDAY_10, "andet", "teams")
    assert info.value.reason is SlotProblem.BLOCKED and info.value.alternatives
    assert [b.reason for b in service.list_blocks("raadgiver-1", local(2026, 11, 24, 0), local(2026, 11, 25, 0))] == ["kursus"]
    assert service.unblock(block.id)
    assert service.book(TUESDAY_10, "andet", "teams").is_active


def test_a_block_must_end_after_it_starts(service):
    with pytest.raises(ValueError):
        service.block("raadgiver-1", local(2026, 11, 24, 12), local(2026, 11, 24, 9))


def test_list_bookings_by_counsellor_day_and_week(service):
    a = service.book(TUESDAY_10, "andet", "teams")
    b = service.book(slot("raadgiver-1", local(2026, 11, 26, 10)), "andet", "teams")
    c = service.book(slot("raadgiver-2", local(2026, 11, 24, 10)), "ledelse", "teams")
    service.cancel(c.code)
    assert [x.code for x in service.list_bookings("raadgiver-1", day=date(2026, 11, 24))] == [a.code]
    assert [x.code for x in service.list_bookings("raadgiver-1", week_of=date(2026, 11, 27))] == [a.code, b.code]
    assert service.list_bookings("raadgiver-2", week_of=date(2026, 11, 23)) == []
    assert len(service.list_bookings(week_of=date(2026, 11, 23), include_cancelled=True)) == 3


def test_time_moving_on_removes_slots_inside_the_lead_time(service, clock):
    clock.set(local(2026, 11, 24, 9, 30))
    first = service.free_slots(counsellor_id="raadgiver-1", limit=1)[0]
    assert first.starts_at == local(2026, 11, 24, 12)
