"""Fixtures: a migrated SQLite database per test (copied from one template)."""
from __future__ import annotations

import shutil

import pytest


@pytest.fixture
def db_url(tmp_path, migrated_template) -> str:
    path = tmp_path / "teams.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"
