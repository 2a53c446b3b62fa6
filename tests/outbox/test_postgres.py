"""The PostgreSQL claim (SELECT ... FOR UPDATE SKIP LOCKED) under concurrent
dispatchers, on the throw-away server of tests/postgres.py (skipped locally
without PostgreSQL, required on CI)."""
from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import create_engine

from bot.db import make_engine, make_session_factory, upgrade_schema
from bot.outbox.clock import system_clock
from tests.postgres import create_database

from . import test_enqueue
from .conftest import add_message
from .test_dispatcher import run_dispatchers


@pytest.fixture
def pg_url(postgres_url) -> str:
    url = create_database(postgres_url, "outbox")
    upgrade_schema(url)
    return url


def test_concurrent_dispatchers_on_postgres_deliver_each_notice_once(pg_url, webhook):
    engine = make_engine(pg_url)
    webhook.script(503, 503)
    for n in range(1, 41):
        add_message(make_session_factory(engine), payload={"reference": f"SP-2026-{n:04d}"},
                    now=system_clock())
    run_dispatchers(pg_url, webhook.url, 3, stop_when=lambda: len(webhook.delivered()) >= 40)
    time.sleep(0.1)
    titles = Counter(body["summary"] for body in webhook.delivered())
    assert len(titles) == 40 and set(titles.values()) == {1}
    assert len(webhook.requests) == 42
    engine.dispose()


def test_the_outbox_table_matches_its_migration_on_postgres(pg_url):
    engine = create_engine(pg_url, future=True)
    test_enqueue.test_the_outbox_table_matches_its_migration(engine)
    engine.dispose()
