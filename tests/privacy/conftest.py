"""Fixtures for the privacy tests: the same two databases production uses
(Rasa's tracker store and ours), on SQLite and on PostgreSQL, with events
written by Rasa's own SQLTrackerStore so the schema is Rasa's, not a copy."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, List, Tuple

import pytest

from bot.db import make_engine, make_session_factory, upgrade_schema
from bot.privacy import PrivacyService, TrackerEvents
from bot.privacy.service import tracker_engine
from tests.postgres import create_database

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Databases:
    tracker_url: str
    database_url: str

    def rasa_store(self):
        from rasa.core.tracker_store import SQLTrackerStore
        from rasa.shared.core.domain import Domain

        return SQLTrackerStore(Domain.empty(), host=self.tracker_url)

    def write_conversation(self, sender_id: str, ages_in_days: Iterable[float],
                           now: datetime = NOW) -> None:
        """A conversation with one user message per age (days before `now`), as Rasa stores it."""
        from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        events = []
        for age in sorted(ages_in_days, reverse=True):
            moment = (now - timedelta(days=age)).timestamp()
            events += [ActionExecuted("action_session_start", timestamp=moment),
                       SessionStarted(timestamp=moment),
                       UserUttered(f"besked fra for {age} dage siden", timestamp=moment + 1)]
        store = self.rasa_store()
        try:
            asyncio.run(store.save(DialogueStateTracker.from_events(sender_id, events)))
        finally:
            store.engine.dispose()

    def stored_events(self, sender_id: str) -> List[Tuple[str, float]]:
        """(type, timestamp) of what Rasa reads back for the conversation."""
        store = self.rasa_store()
        try:
            tracker = asyncio.run(store.retrieve_full_tracker(sender_id))
        finally:
            store.engine.dispose()
        return [] if tracker is None else [(e.type_name, e.timestamp) for e in tracker.events]

    def service(self, clock: FakeClock, batch_size: int = 5000) -> PrivacyService:
        events = TrackerEvents(tracker_engine(self.tracker_url), batch_size=batch_size)
        return PrivacyService(events, self.session_factory(), 30, clock)

    def session_factory(self):
        return make_session_factory(make_engine(self.database_url))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("privacy-template") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    return path.read_bytes()


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path, migrated_sqlite) -> Databases:
    if request.param == "sqlite":
        ours = tmp_path / "karriere.db"
        ours.write_bytes(migrated_sqlite)
        return Databases(f"sqlite:///{tmp_path / 'trackers.db'}", f"sqlite:///{ours}")
    postgres_url = request.getfixturevalue("postgres_url")
    ours = create_database(postgres_url, "privacy")
    upgrade_schema(ours)
    return Databases(create_database(postgres_url, "trackers"), ours)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
