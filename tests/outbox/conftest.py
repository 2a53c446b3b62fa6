"""Fixtures: a migrated SQLite database per test, a settable clock, and a fake
Teams webhook on loopback."""
from __future__ import annotations

import random
import shutil
from datetime import datetime, timedelta, timezone

import pytest

from bot.db import make_engine, make_session_factory, transaction
from bot.outbox import enqueue
from bot.outbox.fake_teams import FakeTeamsWebhook

NOW = datetime(2026, 5, 14, 8, 0, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def db_url(tmp_path, migrated_template) -> str:
    path = tmp_path / "outbox.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def rng() -> random.Random:
    return random.Random(7)


@pytest.fixture
def webhook():
    with FakeTeamsWebhook() as hook:
        yield hook


def add_message(session_factory, kind="application.submitted", payload=None, now=NOW) -> int:
    with transaction(session_factory) as session:
        return enqueue(session, kind, payload or {"reference": "SP-2026-0042",
                                                  "kind": "snusepraktik",
                                                  "desired_specialty": "neonatal"}, now=now)
