"""Shared fixtures: a real PostgreSQL (tests/postgres.py) and the running
assistant (tests/stack.py), each started once per test session when needed."""
import pytest

from tests.postgres import postgres_url  # noqa: F401
from tests.stack import Stack, start_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()
