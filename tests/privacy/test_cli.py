"""The `python -m bot.privacy` command line (SQLite)."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.channels.teams.activities import Activity, pseudonym
from bot.privacy.__main__ import main, teams_sender_id
from bot.settings import Settings
from tests.privacy.conftest import Databases

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(tmp_path, migrated_sqlite) -> Settings:
    ours = tmp_path / "karriere.db"
    ours.write_bytes(migrated_sqlite)
    return replace(Settings.from_env({"KA_VAR_DIR": str(tmp_path)}), database_url=f"sqlite:///{ours}")


def _write_events(settings: Settings, sender_id: str, days_ago: float) -> None:
    Databases(settings.tracker_store_url, settings.database_url).write_conversation(
        sender_id, [days_ago], now=datetime.now(timezone.utc))


def test_tracker_store_url_defaults_to_the_sqlite_file_of_endpoints_yml(tmp_path):
    settings = Settings.from_env({"KA_VAR_DIR": str(tmp_path)})
    assert settings.tracker_store_url == f"sqlite:///{tmp_path / 'trackers.db'}"
    assert Settings.from_env({"KA_TRACKER_STORE_URL": "postgresql://x/y"}).tracker_store_url == "postgresql://x/y"


def test_retention_command_prints_what_it_deleted(settings, capsys):
    _write_events(settings, "old", 40)
    _write_events(settings, "new", 1)

    assert main(["retention"], settings) == 0

    out = capsys.readouterr().out
    assert "window: 30 days" in out and "conversation events deleted: 3" in out
    assert "closed handoff cases deleted: 0" in out


def test_erase_command_erases_one_conversation(settings, capsys):
    _write_events(settings, "x" * 32, 1)
    _write_events(settings, "y" * 32, 1)

    assert main(["erase", "x" * 32], settings) == 0

    out = capsys.readouterr().out
    assert "conversation events deleted: 3" in out and "handoff cases deleted: 0" in out


def test_erase_by_teams_user_uses_the_channels_pseudonym():
    secret = "s" * 40
    fields = {f.name: "" for f in dataclasses.fields(Activity)}
    activity = Activity(**{**fields, "user_id": "29:x", "user_aad_id": "aad-123"})
    assert teams_sender_id("aad-123", secret) == pseudonym(secret, activity)


def test_bad_arguments_exit_with_code_2(settings):
    with pytest.raises(SystemExit) as exit_info:
        main(["erase"], settings)
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(["retention", "--days", "0"], settings)


def test_unreachable_database_exits_with_code_3(settings, capsys):
    down = replace(settings, tracker_store_url="postgresql+psycopg2://u@127.0.0.1:1/none")
    assert main(["retention"], down) == 3
    assert "could not be reached" in capsys.readouterr().err


def test_module_runs_from_the_command_line(tmp_path):
    env = {"KA_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "bot.privacy", "retention", "--dry-run"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "conversation events would delete: 0" in result.stdout


def test_erase_by_case_code_erases_the_conversation_behind_the_case(settings, capsys):
    from bot.db import make_engine, make_session_factory
    from bot.handoff import HandoffService
    from bot.handoff.hours import AlwaysOpen

    factory = make_session_factory(make_engine(settings.database_url))
    ticket = HandoffService(factory, AlwaysOpen()).leave_message("z" * 32, "webchat", "Ring til mig")
    _write_events(settings, "z" * 32, 1)

    assert main(["erase", "--case-code", ticket.code.lower()], settings) == 0

    out = capsys.readouterr().out
    assert f"conversation {'z' * 32}:" in out
    assert "conversation events deleted: 3" in out and "handoff cases deleted: 1" in out
    assert main(["erase", "--case-code", ticket.code], settings) == 0
    assert "no case with that code" in capsys.readouterr().out
