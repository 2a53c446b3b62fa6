"""Applications on PostgreSQL: references under concurrent submits from several
"replicas", and models vs migrations; on the throw-away server of
tests/postgres.py (skipped locally without PostgreSQL, required on CI)."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import create_engine

from bot.db import make_engine, make_session_factory, upgrade_schema
from tests.postgres import create_database

from . import test_persistence
from .conftest import make_draft


@pytest.fixture
def pg_url(postgres_url) -> str:
    url = create_database(postgres_url, "applications")
    upgrade_schema(url)
    return url


def test_references_are_unique_across_replicas_on_postgres(pg_url, settings, clock):
    test_persistence.test_references_stay_unique_and_gap_free_under_concurrent_submits(
        pg_url, replace(settings, database_url=pg_url), clock
    )


def test_models_and_migrations_agree_on_postgres(pg_url):
    engine = create_engine(pg_url, future=True)
    test_persistence.test_models_and_migrations_agree(engine)
    engine.dispose()


def test_the_use_cases_work_on_postgres(pg_url, settings, clock):
    from bot.applications import ApplicationService

    engine = make_engine(pg_url)
    service = ApplicationService(make_session_factory(engine),
                                 replace(settings, database_url=pg_url), clock=clock)
    draft = make_draft()
    reference = service.submit(draft).reference
    service.transition(reference, "under_behandling", actor="mette.k")
    assert service.withdraw(reference, draft.email).state == "trukket_tilbage"
    clock.advance(days=400)
    assert service.anonymise_expired() == 1
    assert [h.to_state for h in service.history(reference)] == [
        "modtaget", "under_behandling", "trukket_tilbage", "trukket_tilbage"]
    engine.dispose()
