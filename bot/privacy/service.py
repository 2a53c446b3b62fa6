"""The privacy use cases: retention (delete what is older than the window) and
erasure of one conversation on request. Built from Settings by `from_settings`;
tests build it on their own databases.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.privacy import our_data
from bot.privacy.tracker_events import TrackerEvents

Clock = Callable[[], datetime]
# Rasa's events.sender_id is varchar(255); our channels use 32 hex characters
# (web chat) or "teams-" + 32 hex characters. Anything printable without spaces passes.
_CONVERSATION_ID = re.compile(r"[^\s]{1,255}")


class InvalidConversationId(ValueError):
    """Not something a channel could have used as a conversation id."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class RetentionReport:
    days: int
    cutoff: datetime
    events_deleted: int
    # None: the handoff tables do not exist (feature not migrated in this database).
    handoff_cases_deleted: Optional[int]
    dry_run: bool = False


@dataclass(frozen=True)
class ErasureReport:
    conversation_id: str
    events_deleted: int
    handoff_cases_deleted: Optional[int]
    handoff_lines_deleted: Optional[int]
    teams_reference_deleted: Optional[bool]


class PrivacyService:
    def __init__(
        self,
        tracker_events: TrackerEvents,
        session_factory: Optional[sessionmaker] = None,
        retention_days: int = 30,
        clock: Clock = utc_now,
    ) -> None:
        """`session_factory` opens our database (handoffs, Teams references); None = skip it."""
        self.tracker_events = tracker_events
        self.session_factory = session_factory
        self.retention_days = retention_days
        self.clock = clock

    def cutoff(self, days: Optional[int] = None) -> datetime:
        days = self.retention_days if days is None else days
        if days < 1:
            raise ValueError("the retention window must be at least one day")
        return self.clock() - timedelta(days=days)

    def retention(self, days: Optional[int] = None, *, dry_run: bool = False) -> RetentionReport:
        """Delete conversation events and closed handoff cases older than the window."""
        days = self.retention_days if days is None else days
        cutoff = self.cutoff(days)
        if dry_run:
            return RetentionReport(days, cutoff, self.tracker_events.count_older_than(cutoff.timestamp()),
                                   None, dry_run=True)
        events = self.tracker_events.delete_older_than(cutoff.timestamp())
        handoffs = None
        if self.session_factory is not None:
            handoffs = our_data.purge_closed_handoffs(self.session_factory, days, clock=self.clock)
        return RetentionReport(days, cutoff, events, handoffs)

    def conversation_of_case(self, case_code: str) -> Optional[str]:
        """The conversation id behind a handoff case code (None if unknown or purged)."""
        if self.session_factory is None:
            return None
        return our_data.sender_for_case_code(self.session_factory, case_code)

    def erase(self, conversation_id: str) -> ErasureReport:
        """Erase one conversation: its events, its handoff cases and its Teams reference."""
        if not isinstance(conversation_id, str) or not _CONVERSATION_ID.fullmatch(conversation_id):
            raise InvalidConversationId(conversation_id)
        events = self.tracker_events.erase(conversation_id)
        handoff = reference = None
        if self.session_factory is not None:
            handoff = our_data.erase_handoffs(self.session_factory, conversation_id)
            reference = our_data.forget_teams_reference(self.session_factory, conversation_id)
        return ErasureReport(
            conversation_id,
            events,
            None if handoff is None else handoff.cases,
            None if handoff is None else handoff.lines,
            reference,
        )


def tracker_engine(url: str) -> Engine:
    """An engine on Rasa's tracker-store database (no pool to speak of: a command runs once)."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    if not url.startswith(("sqlite", "postgresql", "mysql", "mssql", "oracle")):
        raise ValueError(f"not an SQL tracker store URL: {url.split(':', 1)[0]}:...")
    if url.startswith("sqlite"):
        return create_engine(url, future=True, poolclass=NullPool, connect_args={"timeout": 30})
    return create_engine(url, future=True, poolclass=NullPool)


def from_settings(settings, clock: Clock = utc_now) -> PrivacyService:
    from bot.db import make_engine, make_session_factory

    events = TrackerEvents(tracker_engine(settings.tracker_store_url))
    session_factory = make_session_factory(make_engine(settings.database_url, pool_size=1, max_overflow=0))
    return PrivacyService(events, session_factory, settings.conversation_retention_days, clock)
