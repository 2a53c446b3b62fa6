"""Fixtures for the handoff tests: a fake clock, switchable opening hours and a
migrated SQLite database per test (copied from one migrated template)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

import pytest

from bot.handoff import CounsellorDesk, HandoffConfig, HandoffService

CPH = ZoneInfo("Europe/Copenhagen")
# Tuesday 24 November 2026, 10:00 Danish time: all three counsellors work.
TUESDAY_TEN = datetime(2026, 11, 24, 10, 0, tzinfo=CPH)


class FakeClock:
    def __init__(self, now: datetime = TUESDAY_TEN) -> None:
        self.now = now.astimezone(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class SwitchableHours:
    """Opening hours a test can open and close."""

    def __init__(self, open_: bool = True, opens_at: Optional[datetime] = None) -> None:
        self.open = open_
        self.opens_at = opens_at

    def is_open(self, now: datetime) -> bool:
        return self.open

    def next_opening(self, now: datetime) -> Optional[datetime]:
        return self.opens_at


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hours() -> SwitchableHours:
    return SwitchableHours()


@pytest.fixture
def config() -> HandoffConfig:
    return HandoffConfig(wait_minutes=3, heartbeat_seconds=90, live_channels=("webchat", "teams"))


@pytest.fixture
def service(session_factory, hours, config, clock) -> HandoffService:
    return HandoffService(session_factory, hours, config, clock)


@pytest.fixture
def desk(session_factory, config, clock) -> CounsellorDesk:
    return CounsellorDesk(session_factory, config, clock)


@pytest.fixture
def counsellor_ready(desk) -> str:
    desk.heartbeat("raadgiver-1", available=True)
    return "raadgiver-1"
