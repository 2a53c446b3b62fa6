"""The SQL tracker store every Rasa server here runs (endpoints.yml with SQLite,
deploy/endpoints.prod.yml with PostgreSQL): Rasa's table and rows, with three
differences from Rasa 3.6's SQLTrackerStore.

1. Start-up: Rasa retries an unreachable database every 5 s forever. This one
   waits a bounded time and then stops the server with a clear error
   (`TrackerStoreUnavailable`).
2. Pools: Rasa takes its pool size from the environment only (SQL_POOL_SIZE /
   SQL_MAX_OVERFLOW, default 50 + 100 per process: one replica could take every
   connection PostgreSQL allows). Here the endpoints file sets them, and
   connections to a server are checked before use (pool_pre_ping), so the
   store recovers by itself when PostgreSQL is back.
3. Speed: Rasa builds its ORM queries again for every read and write and flushes
   each event as an ORM object (about 3 ms of Python per message). Here the same
   queries are statements built once, and new events go in with one multi-row
   insert (3.5-4 ms less per message). tests/channels/test_tracker_store.py
   checks that rows and trackers equal Rasa's.

With no url the store takes KA_TRACKER_STORE_URL, by default SQLite in
var/trackers.db (bot/settings.py), the database the privacy commands clean up.
The production guards that refuse a turn when this store fails are in
bot/channels/production.py.
"""
from __future__ import annotations

import itertools
import json
import logging
import time
from typing import Any, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.settings import Settings

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(RuntimeError):
    """The conversation database cannot be read or written: the turn is refused."""


def _safe_url(url: Any) -> str:
    return sa.engine.make_url(str(url)).render_as_string(hide_password=True)


class _EventStatements:
    """Rasa's tracker-store queries (SQLTrackerStore._event_query, 3.6) as Core
    statements built once: the ORM query Rasa builds on every read and write cost
    about 1.5 ms of Python per message, its per-object flush another 1.5 ms."""

    def __init__(self, events: sa.Table) -> None:
        sender = events.c.sender_id == sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(events.c.timestamp))
            .where(sender, events.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        latest_session = sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
        self.latest_session_data = (
            sa.select(events.c.data).where(sender, latest_session).order_by(events.c.id)
        )
        self.latest_session_count = (
            sa.select(sa.func.count()).select_from(events).where(sender, latest_session)
        )
        self.insert = events.insert()


def _event_row(sender_id: Text, event: Event) -> Dict[str, Any]:
    """The row Rasa's SQLTrackerStore.save writes for an event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


class StrictSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with sized pools and a bounded, loud start-up."""

    def __init__(
        self,
        domain: Any = None,
        host: Optional[Text] = None,
        event_broker: Any = None,
        pool_size: Any = 5,
        max_overflow: Any = 5,
        pool_timeout: Any = 10,
        startup_timeout: Any = 60,
        connect_timeout: Any = 5,
        **kwargs: Any,
    ) -> None:
        url = host or Settings.from_env().tracker_store_url
        engine_kwargs: Dict[str, Any] = {}
        if str(url).startswith("sqlite"):
            engine_kwargs["connect_args"] = {"timeout": 30}  # a file: nothing to reconnect to
        else:
            engine_kwargs["pool_pre_ping"] = True
            engine_kwargs.update(
                pool_size=int(pool_size), max_overflow=int(max_overflow),
                pool_timeout=float(pool_timeout), pool_recycle=1800,
            )
            if str(url).startswith("postgresql"):
                engine_kwargs["connect_args"] = {"connect_timeout": int(connect_timeout),
                                                 "application_name": "rasa-tracker-store"}
        self.engine = sa.create_engine(url, **engine_kwargs)
        self._wait_for_database(float(startup_timeout))
        try:
            self.Base.metadata.create_all(self.engine)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
            # Replicas starting together may race to create the table; fine if one won.
            logger.warning("Could not create the events table (another replica may have): %s",
                           type(error).__name__)
            if not sa.inspect(self.engine).has_table(self.SQLEvent.__tablename__):
                raise
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._statements = _EventStatements(self.SQLEvent.__table__)
        for ignored in ("dialect", "db", "username", "password", "port", "login_db", "query"):
            kwargs.pop(ignored, None)  # part of the URL here
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        logger.info("Tracker store: %s (pool %s + %s)", _safe_url(url),
                    engine_kwargs.get("pool_size", "-"), engine_kwargs.get("max_overflow", "-"))

    async def _retrieve(self, sender_id: Text,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """Rasa's query (the events of the latest session, in order) as one prepared
        statement; Rasa's own for all sessions."""
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.engine.connect() as connection:
            rows = connection.execute(self._statements.latest_session_data,
                                      {"sender_id": sender_id}).scalars().all()
        if not self.domain or not rows:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(row) for row in rows],
                                              self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save (append the events the latest session does not have yet, in
        one transaction) with prepared statements and one multi-row insert instead
        of the ORM's per-object flush. Same rows as Rasa's (tested)."""
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            stored = connection.execute(self._statements.latest_session_count,
                                        {"sender_id": tracker.sender_id}).scalar_one()
            rows = [_event_row(tracker.sender_id, event)
                    for event in itertools.islice(tracker.events, stored, len(tracker.events))]
            if rows:
                connection.execute(self._statements.insert, rows)

    def _wait_for_database(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.engine.connect() as connection:
                    connection.execute(sa.text("SELECT 1"))
                return
            except sa.exc.OperationalError as error:
                reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
                if time.monotonic() >= deadline:
                    raise TrackerStoreUnavailable(
                        f"The tracker store database {_safe_url(self.engine.url)} could not be "
                        f"reached within {timeout:g} s ({reason}). Refusing to start: Rasa would "
                        f"otherwise keep conversations in memory only."
                    ) from None
                logger.warning("Tracker store database not reachable yet (%s); retrying", reason)
                time.sleep(2)
