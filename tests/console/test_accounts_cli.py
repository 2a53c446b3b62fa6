"""`python -m bot.console.accounts`: counsellor accounts, password never in argv."""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from argon2 import PasswordHasher

from bot.console import accounts
from bot.console.auth import AccountStore, LoginRefused
from bot.db import make_engine, make_session_factory
from bot.settings import PROJECT_ROOT, Settings


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path) -> Settings:
    path = tmp_path / "karriere.db"
    shutil.copy(migrated_template, path)
    return Settings.from_env({"KA_DATABASE_URL": f"sqlite:///{path}", "KA_VAR_DIR": str(tmp_path)})


def store_for(settings: Settings) -> AccountStore:
    # A cheap argon2 setting keeps the tests fast; the module test below uses the real one.
    return AccountStore(make_session_factory(make_engine(settings.database_url)),
                        hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def cli(argv, settings: Settings, stdin: str = "") -> int:
    return accounts.main(argv, settings=settings, stdin=io.StringIO(stdin), store=store_for(settings))


def test_create_reads_the_password_from_stdin_and_the_account_can_log_in(settings, capsys):
    code = cli(["create", "anne", "--name", "Anne Rådgiver", "--counsellor-id", "raadgiver-1"],
               settings, "en-lang-hemmelig-sætning\n")
    assert code == 0 and "Created anne" in capsys.readouterr().out
    result = store_for(settings).login("anne", "en-lang-hemmelig-sætning")
    assert result.user.counsellor_id == "raadgiver-1" and result.user.name == "Anne Rådgiver"


def test_the_password_cannot_be_given_on_the_command_line(settings):
    with pytest.raises(SystemExit):
        accounts.main(["create", "anne", "--name", "A", "--counsellor-id", "raadgiver-1",
                       "--password", "en-lang-hemmelig-sætning"], settings=settings, stdin=io.StringIO(""))


@pytest.mark.parametrize("argv, password, message", [
    (["create", "anne", "--name", "A", "--counsellor-id", "c9"], "en-lang-hemmelig-sætning", "Unknown counsellor id"),
    (["create", "anne", "--name", "A", "--counsellor-id", "raadgiver-1"], "kort", "at least 12"),
    (["create", "Anne Hansen", "--name", "A", "--counsellor-id", "raadgiver-1"], "en-lang-hemmelig-sætning", "Usernames"),
])
def test_bad_accounts_are_refused_with_a_reason(settings, capsys, argv, password, message):
    assert cli(argv, settings, password + "\n") == 1
    assert message in capsys.readouterr().err
    assert store_for(settings).accounts() == []


def test_one_account_per_username_and_per_counsellor(settings, capsys):
    args = ["create", "anne", "--name", "A", "--counsellor-id", "raadgiver-1"]
    assert cli(args, settings, "en-lang-hemmelig-sætning\n") == 0
    other = ["create", "anne2", "--name", "B", "--counsellor-id", "raadgiver-1"]
    assert cli(other, settings, "en-lang-hemmelig-sætning\n") == 1
    assert "already has an account" in capsys.readouterr().err


def test_a_new_password_and_deactivation_end_access(settings):
    args = ["create", "anne", "--name", "A", "--counsellor-id", "raadgiver-1"]
    cli(args, settings, "en-lang-hemmelig-sætning\n")
    store = store_for(settings)
    session = store.login("anne", "en-lang-hemmelig-sætning").session_token
    cli(["password", "anne"], settings, "en-anden-lang-sætning\n")
    assert store.user_for(session) is None
    with pytest.raises(LoginRefused):
        store.login("anne", "en-lang-hemmelig-sætning")
    store.login("anne", "en-anden-lang-sætning")
    cli(["deactivate", "anne"], settings)
    with pytest.raises(LoginRefused):
        store.login("anne", "en-anden-lang-sætning")


def test_the_command_runs_as_a_module(settings):
    env = {"KA_DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "bot.console.accounts", "create", "bo", "--name", "Bo",
                             "--counsellor-id", "raadgiver-2"], input="en-lang-hemmelig-sætning\n",
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    listed = subprocess.run([sys.executable, "-m", "bot.console.accounts", "list"], cwd=PROJECT_ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert "bo\traadgiver-2\tactive\tBo" in listed.stdout
