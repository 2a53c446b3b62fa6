"""When a counsellor can take over: channel, opening hours and presence."""
from __future__ import annotations

from datetime import datetime

import pytest

from bot.booking import load_booking_config
from bot.handoff import (
    AvailabilityStatus,
    CounsellorHours,
    LiveChannelNotSupported,
    NoCounsellorAvailable,
    OutsideOpeningHours,
)
from bot.settings import PROJECT_ROOT

from .conftest import CPH

SENDER = "a" * 32


def test_a_present_counsellor_within_opening_hours_is_available(service, counsellor_ready):
    assert service.availability("webchat").status is AvailabilityStatus.AVAILABLE
    assert service.present_counsellors() == ("raadgiver-1",)


def test_outside_opening_hours_the_next_opening_is_given(service, hours, counsellor_ready):
    hours.open = False
    hours.opens_at = datetime(2026, 11, 25, 8, 0, tzinfo=CPH)
    availability = service.availability("webchat")
    assert availability.status is AvailabilityStatus.CLOSED
    assert availability.opens_at == hours.opens_at
    with pytest.raises(OutsideOpeningHours) as raised:
        service.request_live(SENDER, "webchat", consent=False)
    assert raised.value.opens_at == hours.opens_at


def test_nobody_is_available_without_a_console_open(service):
    assert service.availability("webchat").status is AvailabilityStatus.NOBODY
    with pytest.raises(NoCounsellorAvailable):
        service.request_live(SENDER, "webchat", consent=False)


def test_a_counsellor_whose_heartbeat_stopped_is_not_available(service, desk, clock):
    desk.heartbeat("raadgiver-1", available=True)
    clock.advance(seconds=89)
    assert service.availability("webchat").available
    clock.advance(seconds=2)
    assert service.availability("webchat").status is AvailabilityStatus.NOBODY
    desk.heartbeat("raadgiver-1")  # the page is still open: available again
    assert service.availability("webchat").available


def test_a_counsellor_who_is_not_ready_for_chat_does_not_count(service, desk):
    desk.heartbeat("raadgiver-2", available=True)
    desk.heartbeat("raadgiver-2", available=False)
    assert service.availability("webchat").status is AvailabilityStatus.NOBODY
    desk.heartbeat("raadgiver-3", available=True)
    desk.go_offline("raadgiver-3")
    assert service.availability("webchat").status is AvailabilityStatus.NOBODY


def test_a_channel_that_cannot_show_replies_live_is_refused(service, counsellor_ready):
    assert service.availability("rest").status is AvailabilityStatus.NOT_LIVE_CHANNEL
    with pytest.raises(LiveChannelNotSupported):
        service.request_live(SENDER, "rest", consent=False)


@pytest.fixture(scope="module")
def real_hours() -> CounsellorHours:
    return CounsellorHours(load_booking_config(PROJECT_ROOT / "config" / "counsellors.yml"))


@pytest.mark.parametrize("moment, is_open", [
    (datetime(2026, 11, 24, 10, 0), True),    # Tuesday morning
    (datetime(2026, 11, 23, 8, 0), True),     # Monday 8.00: raadgiver-2 starts early
    (datetime(2026, 11, 23, 7, 59), False),
    (datetime(2026, 11, 23, 14, 59), True),   # raadgiver-1 until 15.00
    (datetime(2026, 11, 23, 15, 0), False),
    (datetime(2026, 11, 28, 11, 0), False),   # Saturday
    (datetime(2026, 12, 24, 10, 0), False),   # closed every year
    (datetime(2026, 12, 25, 10, 0), False),   # public holiday
])
def test_opening_hours_follow_the_counsellors_working_hours(real_hours, moment, is_open):
    assert real_hours.is_open(moment.replace(tzinfo=CPH)) is is_open


def test_next_opening_skips_the_weekend(real_hours):
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=CPH)
    assert real_hours.next_opening(saturday).astimezone(CPH) == datetime(2026, 11, 30, 8, 0, tzinfo=CPH)


def test_next_opening_after_monday_closing_is_tuesday_morning(real_hours):
    evening = datetime(2026, 11, 23, 15, 30, tzinfo=CPH)
    assert real_hours.next_opening(evening).astimezone(CPH) == datetime(2026, 11, 24, 8, 0, tzinfo=CPH)


def test_ready_for_chat_holds_when_the_first_heartbeat_races_the_click(service, desk, monkeypatch):
    # First login: the page's heartbeat has just created the row, but the click on
    # "ready" looked before that commit and also found none.
    from sqlalchemy.orm import Session

    from bot.handoff.models import PresenceRow

    desk.heartbeat("raadgiver-1")
    real_get = Session.get
    missed = []

    def get_missing_once(session, entity, ident, **kwargs):
        if entity is PresenceRow and not missed:
            missed.append(ident)
            return None
        return real_get(session, entity, ident, **kwargs)

    monkeypatch.setattr(Session, "get", get_missing_once)
    assert desk.heartbeat("raadgiver-1", available=True) is True
    assert missed == ["raadgiver-1"]
    assert desk.is_available("raadgiver-1")
    assert service.availability("webchat").available
