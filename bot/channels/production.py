"""Production guards for the Rasa server (issue 8): tracker-store failures refuse
the turn instead of being hidden, and a health route checks the databases.

Rasa 3.6 hides a failing tracker-store database: while running, the agent wraps
the store in FailSafeTrackerStore, which answers a failed read with "no
conversation yet" and keeps a failed write in process memory, so the assistant
carries on as if the employee had just arrived and the turn is lost when the
process stops; and a tracker-store class that cannot be imported becomes an
InMemoryTrackerStore with only a warning. The store itself, with a bounded,
loud start-up and sized pools, is `StrictSQLTrackerStore`
(bot/channels/tracker_store.py).

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
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.tracker_store import TrackerStoreUnavailable

logger = logging.getLogger(__name__)


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
