"""The handoff on PostgreSQL (the production profile), on the throw-away server
of tests/postgres.py (skipped locally without PostgreSQL, required on CI):
migrations match the models, one live case per conversation, and concurrent
counsellors and sweepers never both win."""
from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot.all_models  # noqa: F401
from bot.db import Base, make_engine, make_session_factory, upgrade_schema
from bot.handoff import CaseTakenByOther, CounsellorDesk, HandoffConfig, HandoffService
from tests.postgres import create_database

from .conftest import SwitchableHours

TABLES = {"handoff_cases", "handoff_messages", "handoff_presence", "console_accounts", "console_sessions"}


@pytest.fixture
def pg(postgres_url):
    url = create_database(postgres_url, "handoff")
    upgrade_schema(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    config = HandoffConfig(wait_minutes=0)
    service = HandoffService(factory, SwitchableHours(), config)
    desk = CounsellorDesk(factory, config)
    desk.heartbeat("raadgiver-1", available=True)
    yield engine, service, desk
    engine.dispose()


def test_the_tables_match_their_migrations_on_postgres(pg):
    engine, _, _ = pg
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_object": lambda obj, name, kind, reflected, other: (
                (obj.table.name if kind in ("column", "index", "unique_constraint",
                                            "foreign_key_constraint") else name) in TABLES
            ),
        })
        assert compare_metadata(context, Base.metadata) == []


def race(*targets):
    results, barrier = [], threading.Barrier(len(targets))

    def run(target):
        barrier.wait()
        try:
            results.append(target())
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_requests_from_one_conversation_open_one_case(pg):
    _, service, _ = pg
    sender = "a" * 32
    results = race(*[lambda: service.request_live(sender, "webchat", consent=False)] * 4)
    assert len({r.case_number for r in results}) == 1


def test_two_counsellors_taking_at_once_one_wins(pg):
    _, service, desk = pg
    case = service.request_live("b" * 32, "webchat", consent=False)
    results = race(lambda: desk.take(case.case_number, "raadgiver-1"),
                   lambda: desk.take(case.case_number, "raadgiver-2"))
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, CaseTakenByOther) for r in results if isinstance(r, Exception))


def test_concurrent_sweepers_report_each_missed_case_once(pg):
    _, service, _ = pg
    for n in range(5):
        service.request_live(f"{n}" * 32, "webchat", consent=False)
    results = race(service.expire_waiting, service.expire_waiting, service.expire_waiting)
    assert sorted(r.case_number for batch in results for r in batch) == list(range(1, 6))
