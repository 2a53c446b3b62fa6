"""Production guards for the Rasa server (issue 8): a tracker store that fails
loudly instead of silently, and a health route that checks the databases.

Rasa 3.6 hides a failing tracker-store database in three places:

1. at start-up, SQLTrackerStore retries an unreachable database every 5 s
   forever, and a tracker-store class that cannot be imported becomes an
   InMemoryTrackerStore with only a warning;
2. while running, the agent wraps the store in FailSafeTrackerStore, which
   answers a failed read with "no conversation yet" and keeps a failed write in
   process memory: the assistant carries on as if the employee had just
   arrived, and the turn is lost when the process stops;
3. SQLTrackerStore takes its pool size from the environment only
   (SQL_POOL_SIZE / SQL_MAX_OVERFLOW, default 50 + 100 per process: one
   replica could take every connection PostgreSQL allows).

`StrictSQLTrackerStore` (tracker_store `type` in deploy/endpoints.prod.yml, and
in endpoints.yml with SQLite) takes pool sizes from the endpoints file, waits a
bounded time for the database at start-up and then stops the server with a
clear error, and checks connections before use (pool_pre_ping), so it recovers
by itself when PostgreSQL is back. It reads and writes the same rows as Rasa's
SQLTrackerStore through statements built once (3.5-4 ms less per message).

`ProductionGuards` (an input channel, the one plug-in point Rasa 3.6 offers for
code in its server) makes read and write errors refuse the turn instead of the
in-memory fallback: the error reaches our channels, which answer calmly in
Danish (REST: "Assistenten kan ikke svare lige nu ...", web chat: the
`server_error` event). It also stops a server whose tracker store is not SQL,
and serves GET /webhooks/production/health: 200 when the tracker store and the
lock store answer, 503 (with which one failed) otherwise.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

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


def _refuse(error: Exception) -> None:
    logger.error("Tracker store failed, turn refused: %s", type(error).__name__)
    raise TrackerStoreUnavailable("the conversation database is unavailable") from error


def install_strict_tracker_store(agent: Any) -> bool:
    """Make the agent's FailSafeTrackerStore raise instead of falling back to memory."""
    store = getattr(agent, "tracker_store", None)
    if isinstance(store, FailSafeTrackerStore) and store._on_tracker_store_error is not _refuse:
        store._on_tracker_store_error = _refuse
        return True
    return False


def primary_tracker_store(agent: Any) -> Any:
    store = getattr(agent, "tracker_store", None)
    return getattr(store, "_tracker_store", store)


async def check_stores(agent: Any) -> Dict[str, str]:
    """'ok' or the reason, for the tracker store and the lock store."""
    result: Dict[str, str] = {}
    tracker = primary_tracker_store(agent)
    if not isinstance(tracker, SQLTrackerStore):
        result["tracker_store"] = f"not SQL: {type(tracker).__name__}"
    else:
        def ping() -> None:
            with tracker.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))

        try:
            await asyncio.wait_for(asyncio.to_thread(ping), timeout=5)
            result["tracker_store"] = "ok"
        except Exception as error:  # the health answer names the failure
            result["tracker_store"] = f"unavailable: {type(error).__name__}"
    lock_store = getattr(agent, "lock_store", None)
    redis = getattr(lock_store, "_redis", None)
    if redis is None:
        result["lock_store"] = f"in process: {type(lock_store).__name__}"
    else:
        try:
            await asyncio.wait_for(redis().ping(), timeout=5)
            result["lock_store"] = "ok"
        except Exception as error:
            result["lock_store"] = f"unavailable: {type(error).__name__}"
    return result


class ProductionGuards(InputChannel):
    """Listed in the profile's credentials; receives no messages."""

    def __init__(self, require_sql: bool = True, require_shared_locks: bool = True) -> None:
        self.require_sql = require_sql
        self.require_shared_locks = require_shared_locks

    @classmethod
    def name(cls) -> Text:
        return "production"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(bool(credentials.get("require_sql", True)),
                   bool(credentials.get("require_shared_locks", True)))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        guards = Blueprint("production_guards", __name__)

        @guards.listener("after_server_start")
        async def enforce(app: Any, _loop: Any) -> None:
            agent = getattr(app.ctx, "agent", None)
            tracker = primary_tracker_store(agent)
            problems = []
            if self.require_sql and not isinstance(tracker, SQLTrackerStore):
                problems.append(f"the tracker store is {type(tracker).__name__}, not SQL "
                                f"(check the tracker_store type in the endpoints file)")
            if self.require_shared_locks and getattr(getattr(agent, "lock_store", None), "_redis", None) is None:
                problems.append("the lock store is not shared between replicas (check lock_store)")
            if problems:
                logger.critical("Refusing to serve: %s", "; ".join(problems))
                os.kill(os.getpid(), 15)  # stop the server: a silent fallback is worse
                return
            install_strict_tracker_store(agent)
            logger.info("Production guards active: tracker store errors refuse the turn")

        @guards.route("/health", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            install_strict_tracker_store(agent)  # again after a model reload made a new agent
            checks = await check_stores(agent)
            ok = all(value == "ok" for value in checks.values())
            return response.json({"status": "ok" if ok else "unavailable", **checks},
                                 status=200 if ok else 503)

        return guards
