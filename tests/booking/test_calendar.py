"""Calendar files parse back, say when and how, and never who."""
from datetime import timedelta

from icalendar import Calendar

from bot.booking import check_feed_token, feed_token
from tests.booking.conftest import local
from tests.booking.test_service import TUESDAY_10, slot

IDENTITY_PROPERTIES = ("ATTENDEE", "ORGANIZER", "CONTACT")


def events(ics: bytes):
    return [c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT"]


def test_the_employees_ics_has_one_event_with_time_place_topic_and_code(service, booking_config):
    booking = service.book(TUESDAY_10, "efteruddannelse", "telefon")
    (event,) = events(service.booking_ics(booking.code.lower()))
    assert "Karrieresamtale" in str(event["SUMMARY"])
    assert event.decoded("DTSTART") == booking.starts_at
    assert event.decoded("DTEND") == booking.starts_at + timedelta(minutes=45)
    description = str(event["DESCRIPTION"])
    assert booking.display_code in description and "Efteruddannelse" in description
    phone = booking_config.counsellor("raadgiver-1").phone
    assert phone in str(event["LOCATION"]) and phone in description
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_ics_contains_no_identity_fields(service):
    ics = service.booking_ics(service.book(TUESDAY_10, "andet", "teams").code)
    (event,) = events(ics)
    for prop in IDENTITY_PROPERTIES:
        assert prop not in event
    assert b"ATTENDEE" not in ics and b"ORGANIZER" not in ics and b"MAILTO" not in ics.upper()


def test_each_format_says_how_to_meet(service, booking_config):
    in_person = service.book(TUESDAY_10, "andet", "fremmoede")
    (event,) = events(service.booking_ics(in_person.code))
    assert booking_config.office_address in str(event["LOCATION"])
    video = service.book(slot("raadgiver-1", local(2026, 11, 24, 13)), "andet", "teams")
    (event,) = events(service.booking_ics(video.code))
    assert str(event["LOCATION"]) == booking_config.counsellor("raadgiver-1").teams_url


def test_the_uid_is_stable_so_a_move_or_cancel_replaces_the_calendar_entry(service):
    booking = service.book(TUESDAY_10, "andet", "teams")
    (before,) = events(service.booking_ics(booking.code))
    service.reschedule(booking.code, slot("raadgiver-1", local(2026, 11, 25, 10)))
    (moved,) = events(service.booking_ics(booking.code))
    service.cancel(booking.code)
    (cancelled,) = events(service.booking_ics(booking.code))
    assert before["UID"] == moved["UID"] == cancelled["UID"]
    assert booking.code not in str(before["UID"])
    assert int(before["SEQUENCE"]) < int(moved["SEQUENCE"]) < int(cancelled["SEQUENCE"])
    assert moved.decoded("DTSTART") == local(2026, 11, 25, 10)
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_the_counsellor_feed_lists_only_their_active_bookings_with_topic_format_and_code(service):
    mine = service.book(TUESDAY_10, "specialeskift", "teams")
    gone = service.book(slot("raadgiver-1", local(2026, 11, 24, 13)), "andet", "teams")
    service.cancel(gone.code)
    service.book(slot("raadgiver-2", local(2026, 11, 24, 10)), "ledelse", "teams")
    feed = service.counsellor_feed_ics("raadgiver-1")
    (event,) = events(feed)
    assert "Specialeskift" in str(event["SUMMARY"]) and "Teams" in str(event["SUMMARY"])
    assert mine.display_code in str(event["DESCRIPTION"])
    for prop in IDENTITY_PROPERTIES:
        assert prop not in event


def test_feed_tokens_are_keyed_per_counsellor_and_secret():
    token = feed_token("raadgiver-1", "s3cret")
    assert token == feed_token("raadgiver-1", "s3cret")
    assert token != feed_token("raadgiver-2", "s3cret") and token != feed_token("raadgiver-1", "other")
    assert check_feed_token("raadgiver-1", token, "s3cret")
    assert not check_feed_token("raadgiver-2", token, "s3cret")
    assert not check_feed_token("raadgiver-1", token[:-1], "s3cret")
    assert not check_feed_token("raadgiver-1", "ø" * len(token), "s3cret")


def test_the_service_checks_feed_tokens_with_its_own_secret(service):
    token = service.feed_token("raadgiver-3")
    assert service.check_feed_token("raadgiver-3", token)
    assert not service.check_feed_token("raadgiver-9", token)
    assert token == feed_token("raadgiver-3", "test-secret")
