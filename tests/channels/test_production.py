"""The production profile's tracker store (bot/channels/tracker_store.py), its
guards (bot/channels/production.py) and its endpoints file (deploy/endpoints.prod.yml)."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.redis_server import redis_url  # noqa: F401  (fixture)

from bot.channels.locks import AtomicRedisLockStore
from bot.channels.production import check_stores, install_strict_tracker_store
from bot.channels.tracker_store import StrictSQLTrackerStore, TrackerStoreUnavailable
from rasa.core.agent import Agent
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

ROOT = Path(__file__).resolve().parents[2]


def _config(url: str, **options) -> EndpointConfig:
    return EndpointConfig.from_dict({"type": "bot.channels.tracker_store.StrictSQLTrackerStore",
                                     "url": url, **options})


def test_rasa_loads_the_strict_store_by_module_path_and_it_keeps_conversations(tmp_path):
    store = TrackerStore.create(_config(f"sqlite:///{tmp_path / 'trackers.db'}"),
                                domain=Domain.empty())
    primary = getattr(store, "_tracker_store", store)
    assert isinstance(primary, StrictSQLTrackerStore)

    asyncio.run(store.save(DialogueStateTracker.from_events("c1", [UserUttered("hej")])))

    assert [e.text for e in asyncio.run(store.retrieve("c1")).events] == ["hej"]


def test_pool_sizes_come_from_the_endpoints_file(postgres_url):
    from tests.postgres import create_database

    store = StrictSQLTrackerStore(host=create_database(postgres_url, "trk"),
                                  pool_size="3", max_overflow="2", pool_timeout=4)
    try:
        assert (store.engine.pool.size(), store.engine.pool._max_overflow) == (3, 2)
        assert store.engine.pool._timeout == 4
    finally:
        store.engine.dispose()


def test_an_unreachable_database_stops_the_start_with_a_clear_error():
    started = time.monotonic()
    with pytest.raises(TrackerStoreUnavailable) as error:
        StrictSQLTrackerStore(host="postgresql+psycopg2://karriere:s3cret@127.0.0.1:1/none",
                              startup_timeout=1, connect_timeout=1)
    message = str(error.value)
    assert "could not be reached within 1 s" in message and "127.0.0.1:1/none" in message
    assert "s3cret" not in message
    assert time.monotonic() - started < 15


class _BrokenStore(InMemoryTrackerStore):
    async def retrieve(self, sender_id):
        raise ConnectionError("database gone")

    async def save(self, tracker):
        raise ConnectionError("database gone")


def test_rasa_alone_silently_starts_a_new_conversation_when_the_database_fails():
    failsafe = FailSafeTrackerStore(_BrokenStore(Domain.empty()))
    tracker = asyncio.run(failsafe.get_or_create_tracker("c1"))
    assert tracker.sender_id == "c1"  # a fresh tracker: the history is silently gone


def test_with_the_guard_a_failing_database_refuses_the_turn():
    agent = Agent(domain=Domain.empty(), tracker_store=_BrokenStore(Domain.empty()))
    assert install_strict_tracker_store(agent) is True
    assert install_strict_tracker_store(agent) is False  # idempotent

    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(agent.tracker_store.get_or_create_tracker("c1"))
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(agent.tracker_store.save(DialogueStateTracker.from_events("c1", [])))


def test_health_names_a_store_that_is_not_shared(tmp_path):
    store = StrictSQLTrackerStore(host=f"sqlite:///{tmp_path / 't.db'}")
    agent = Agent(domain=Domain.empty(), tracker_store=store, lock_store=InMemoryLockStore())
    checks = asyncio.run(check_stores(agent))
    assert checks == {"tracker_store": "ok", "lock_store": "in process: InMemoryLockStore"}
    memory_agent = Agent(domain=Domain.empty())
    assert asyncio.run(check_stores(memory_agent))["tracker_store"] == "not SQL: InMemoryTrackerStore"


def test_the_profiles_endpoints_file_names_our_stores(monkeypatch, tmp_path, redis_url):
    from rasa.core.utils import AvailableEndpoints

    monkeypatch.setenv("KA_ACTION_ENDPOINT_URL", "http://127.0.0.1:8055/webhook")
    monkeypatch.setenv("KA_ACTION_SECRET", "a" * 32)
    monkeypatch.setenv("KA_TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'trackers.db'}")
    monkeypatch.setenv("KA_REDIS_URL", redis_url)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "deploy" / "endpoints.prod.yml"))

    assert endpoints.action.headers == {"X-KA-Action-Secret": "a" * 32}
    assert endpoints.tracker_store.kwargs["pool_size"] + endpoints.tracker_store.kwargs["max_overflow"] <= 5
    tracker_store = TrackerStore.create(endpoints.tracker_store, domain=Domain.empty())
    lock_store = AtomicRedisLockStore(endpoints.lock_store)
    assert isinstance(getattr(tracker_store, "_tracker_store", tracker_store), StrictSQLTrackerStore)
    assert lock_store.url == redis_url and lock_store.wait_timeout == 20


def test_the_profiles_endpoints_file_refuses_a_missing_secret(monkeypatch):
    from rasa.core.utils import AvailableEndpoints

    for name in ("KA_ACTION_ENDPOINT_URL", "KA_ACTION_SECRET", "KA_TRACKER_STORE_URL", "KA_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(Exception, match="KA_"):
        AvailableEndpoints.read_endpoints(str(ROOT / "deploy" / "endpoints.prod.yml"))

