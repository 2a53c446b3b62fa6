"""Fixtures: a migrated SQLite database per test (copied from one template)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.db import upgrade_schema


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("teams-template") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(tmp_path, migrated_template) -> str:
    path = tmp_path / "teams.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"
