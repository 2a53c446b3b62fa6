"""Fixtures: a migrated SQLite database per test (copied from one migrated
template), a settable clock, settings and a valid draft."""
from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.applications import ApplicationDraft, ApplicationService
from bot.db import make_engine, make_session_factory
from bot.settings import Settings

# Thursday 14 May 2026, 10:00 Danish summer time.
NOW = datetime(2026, 5, 14, 8, 0, tzinfo=timezone.utc)
TODAY = date(2026, 5, 14)


class FakeClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def db_url(tmp_path, migrated_template) -> str:
    path = tmp_path / "karriere.db"
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
def settings(tmp_path, db_url) -> Settings:
    return Settings(
        database_url=db_url,
        var_dir=tmp_path,
        knowledge_dir=tmp_path,
        booking_config=tmp_path / "counsellors.yml",
        public_base_url="http://localhost:5005",
        allowed_email_domains=("regionh.dk",),
        application_retention_days=365,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(session_factory, settings, clock) -> ApplicationService:
    return ApplicationService(session_factory, settings, clock=clock)


def make_draft(**overrides) -> ApplicationDraft:
    draft = ApplicationDraft(
        kind="snusepraktik",
        profession="sygeplejerske",
        current_workplace="HGH",
        current_department="Kardiologisk afdeling",
        years_in_specialty=3.0,
        desired_specialty="neonatal",
        desired_department="Neonatalklinikken",
        desired_workplace="RH",
        period_start=date(2026, 9, 7),
        period_end=date(2026, 9, 11),
        period_text="uge 37",
        motivation="Jeg vil gerne se, hvordan man arbejder med de mindste patienter.",
        name="Anna Jensen",
        email="anna.jensen@regionh.dk",
        consent=True,
    )
    return replace(draft, **overrides)


@pytest.fixture
def draft() -> ApplicationDraft:
    return make_draft()
