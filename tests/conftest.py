"""Shared fixtures: a migrated SQLite database per test (copied from one
template migrated once), a real PostgreSQL (tests/postgres.py) and the running
assistant (tests/stack.py), each started once per test session when needed."""
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from bot.db import make_engine, make_session_factory, upgrade_schema

from tests.postgres import postgres_url  # noqa: F401
from tests.stack import Stack, start_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our schema, migrated once with Alembic; tests copy it instead of migrating."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_template: Path) -> str:
    path = tmp_path / "karriere.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def session_factory(sqlite_url: str) -> Iterator:
    engine = make_engine(sqlite_url)
    yield make_session_factory(engine)
    engine.dispose()
