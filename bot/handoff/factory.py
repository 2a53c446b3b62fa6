"""Builds the handoff services from Settings (used by the composition roots of
the action server and of the console inside the Rasa server)."""
from __future__ import annotations

from typing import Tuple

from sqlalchemy.orm import sessionmaker

from bot.handoff.desk import CounsellorDesk
from bot.handoff.hours import AlwaysOpen, CounsellorHours, OpeningHours
from bot.handoff.service import HandoffConfig, HandoffService
from bot.settings import Settings


def opening_hours(settings: Settings) -> OpeningHours:
    """The counsellors' working hours from the booking config (or AlwaysOpen in demos)."""
    if settings.handoff_always_open:
        return AlwaysOpen()
    from bot.booking.config import load_booking_config

    return CounsellorHours(load_booking_config(settings.booking_config))


def build_handoff(settings: Settings, session_factory: sessionmaker) -> Tuple[HandoffService, CounsellorDesk]:
    config = HandoffConfig.from_settings(settings)
    return (HandoffService(session_factory, opening_hours(settings), config),
            CounsellorDesk(session_factory, config))
