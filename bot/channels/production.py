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

`StrictSQLTrackerStore` (tracker_store `type` in deploy/endpoints.prod.yml)
takes pool sizes from the endpoints file, waits a bounded time for the database
at start-up and then stops the server with a clear error, and checks
connections before use (pool_pre_ping), so it recovers by itself when
PostgreSQL is back.

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
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, TrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import Settings

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(RuntimeError):
    """The conversation database cannot be read or written: the turn is refused."""


def _safe_url(url: Any) -> str:
    return sa.engine.make_url(str(url)).render_as_string(hide_password=True)


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
        engine_kwargs: Dict[str, Any] = {"pool_pre_ping": True}
        if str(url).startswith("sqlite"):
            engine_kwargs["connect_args"] = {"timeout": 30}
        else:
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
        for ignored in ("dialect", "db", "username", "password", "port", "login_db", "query"):
            kwargs.pop(ignored, None)  # part of the URL here
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        logger.info("Tracker store: %s (pool %s + %s)", _safe_url(url),
                    engine_kwargs.get("pool_size", "-"), engine_kwargs.get("max_overflow", "-"))

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
