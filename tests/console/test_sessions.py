"""Console accounts and sessions in the database: the tables match their
migration, only a hash of the session cookie is stored, sessions expire."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from argon2 import PasswordHasher
from sqlalchemy import inspect, select

import bot.all_models  # noqa: F401
from bot.console.auth import AccountStore, WeakPassword
from bot.console.models import AccountRow, SessionRow
from bot.db import Base, make_engine, make_session_factory, transaction

TABLES = {"console_accounts", "console_sessions"}


@pytest.fixture
def engine(tmp_path, migrated_template):
    path = tmp_path / "k.db"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(engine, clock) -> AccountStore:
    store = AccountStore(make_session_factory(engine), session_hours=10, clock=clock,
                         hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    store.create_account("anne", "Anne", "raadgiver-1", "korrekt-hest-batteri")
    return store


def test_the_console_tables_match_their_migration(engine):
    assert TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_object": lambda obj, name, kind, reflected, other: (
                (obj.table.name if kind in ("column", "index", "unique_constraint",
                                            "foreign_key_constraint") else name) in TABLES
            ),
        })
        assert compare_metadata(context, Base.metadata) == []


def test_neither_password_nor_session_cookie_is_stored_in_clear(engine, store):
    token = store.login("anne", "korrekt-hest-batteri").session_token
    with transaction(make_session_factory(engine)) as session:
        account = session.execute(select(AccountRow)).scalar_one()
        stored = session.execute(select(SessionRow)).scalar_one()
    assert account.password_hash.startswith("$argon2id$")
    assert "korrekt-hest-batteri" not in account.password_hash
    assert stored.token_hash != token and token not in stored.token_hash


def test_a_session_expires_after_the_idle_time_and_slides_while_used(store, clock):
    token = store.login("anne", "korrekt-hest-batteri").session_token
    clock.now += timedelta(hours=9)
    assert store.user_for(token).username == "anne"  # used: extended
    clock.now += timedelta(hours=9)
    assert store.user_for(token) is not None
    clock.now += timedelta(hours=10, minutes=1)
    assert store.user_for(token) is None
    assert store.purge_expired_sessions() == 0  # the expired one was already removed


def test_short_passwords_are_refused(store):
    with pytest.raises(WeakPassword):
        store.create_account("bo", "Bo", "raadgiver-2", "kort")
