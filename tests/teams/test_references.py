"""Persistence of conversation references and welcomes on real SQLite:
migrations, model agreement, rollback on error, purge."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import bot.all_models  # noqa: F401
from bot.channels.teams.models import TEAMS_TABLES
from bot.channels.teams.references import ConversationReference, ReferenceStore
from bot.db import Base, make_engine, make_session_factory, upgrade_schema

REFERENCE = ConversationReference("https://smba.trafficmanager.net/emea/", "a:1chat", "28:bot",
                                  "tenant-1", "msteams")
T0 = datetime(2026, 5, 14, 8, 0)


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine):
    return ReferenceStore(make_session_factory(engine), clock=lambda: T0)


def test_upgrade_schema_creates_the_teams_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade_schema(url)
    engine = make_engine(url)
    try:
        assert set(TEAMS_TABLES) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    ours = [d for d in differences if any(table in repr(d) for table in TEAMS_TABLES)]
    assert ours == []


def test_the_teams_branch_downgrades_cleanly(db_url, engine):
    from alembic import command
    from alembic.config import Config

    from bot.settings import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", db_url)
    command.downgrade(config, "teams@base")
    assert not set(TEAMS_TABLES) & set(inspect(engine).get_table_names())
    upgrade_schema(db_url)
    assert set(TEAMS_TABLES) <= set(inspect(engine).get_table_names())


def test_a_reference_is_saved_updated_found_and_forgotten(store):
    store.save("teams-a", REFERENCE)
    moved = ConversationReference("https://smba.trafficmanager.net/amer/", "a:1chat", "28:bot")
    store.save("teams-a", moved)
    assert store.find("teams-a") == moved
    assert store.find("teams-b") is None
    assert store.forget("teams-a") and store.find("teams-a") is None


def test_a_failing_save_changes_nothing(engine, store):
    store.save("teams-a", REFERENCE)

    def broken_clock():
        raise RuntimeError("clock broke mid-transaction")

    broken = ReferenceStore(make_session_factory(engine), clock=broken_clock)
    with pytest.raises(RuntimeError):
        broken.save("teams-a", ConversationReference("https://elsewhere/", "a:other", "28:bot"))
    with pytest.raises(RuntimeError):
        broken.save("teams-new", REFERENCE)
    assert store.find("teams-a") == REFERENCE
    assert store.find("teams-new") is None
    with pytest.raises(RuntimeError):
        broken.claim_welcome("k" * 64)
    assert not store.welcomed("k" * 64)


def test_a_conversation_is_welcomed_once_until_released(store):
    assert store.claim_welcome("c" * 64) is True
    assert store.claim_welcome("c" * 64) is False
    store.release_welcome("c" * 64)
    assert store.claim_welcome("c" * 64) is True


def test_unused_references_can_be_purged(engine):
    old = ReferenceStore(make_session_factory(engine), clock=lambda: T0 - timedelta(days=40))
    new = ReferenceStore(make_session_factory(engine), clock=lambda: T0)
    old.save("teams-old", REFERENCE)
    new.save("teams-new", REFERENCE)
    assert new.purge_older_than(T0 - timedelta(days=30)) == 1
    assert new.find("teams-old") is None and new.find("teams-new") == REFERENCE
