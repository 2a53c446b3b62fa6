"""Fixtures for the booking tests: the real config file, a fake clock, and a
migrated SQLite database per test (copied from one migrated template)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

import pytest

from bot.booking import BookingConfig, BookingService, load_booking_config
from bot.settings import PROJECT_ROOT

CPH = ZoneInfo("Europe/Copenhagen")
# Monday 23 November 2026, 08:00 Danish time: before anyone's working day.
MONDAY_MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=CPH)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CPH)


class FakeClock:
    def __init__(self, now: datetime = MONDAY_MORNING) -> None:
        self.now = now.astimezone(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(timezone.utc)


@pytest.fixture(scope="session")
def booking_config() -> BookingConfig:
    return load_booking_config(PROJECT_ROOT / "config" / "counsellors.yml")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(session_factory, booking_config: BookingConfig, clock: FakeClock) -> BookingService:
    return BookingService(session_factory, booking_config, clock=clock, secret_key="test-secret")


@pytest.fixture
def make_service(booking_config: BookingConfig) -> Callable[..., BookingService]:
    def build(session_factory, clock=None) -> BookingService:
        return BookingService(session_factory, booking_config, clock=clock or FakeClock(), secret_key="test-secret")

    return build
