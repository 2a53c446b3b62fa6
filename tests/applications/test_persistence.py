"""Persistence: the schema, models vs migrations, rollback of the application
and its notice together, and unique references under concurrent submits."""
from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

import bot.all_models  # noqa: F401
from bot.applications import ApplicationService
from bot.applications.orm import ApplicationEventRow, ApplicationRow
from bot.db import Base, DatabaseUnavailable, make_engine, make_session_factory, transaction
from bot.outbox.models import OutboxMessage

from .conftest import make_draft

TABLES = {"applications", "application_events", "application_reference_sequences"}


def counts(session_factory):
    with transaction(session_factory) as session:
        return tuple(
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (ApplicationRow, ApplicationEventRow, OutboxMessage)
        )


def test_upgrade_schema_creates_the_application_tables(engine):
    assert TABLES <= set(inspect(engine).get_table_names())


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, kind, reflected, other: (
                    (obj.table.name if kind in ("column", "index", "unique_constraint",
                                                "foreign_key_constraint") else name) in TABLES
                ),
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def add_trigger(engine, table: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            f"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'simulated failure'); END"
        ))


def test_if_the_notice_cannot_be_stored_no_application_is_stored(engine, service, draft):
    add_trigger(engine, "outbox_messages")
    with pytest.raises(IntegrityError):
        service.submit(draft)
    assert counts(make_session_factory(engine)) == (0, 0, 0)
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER fail_outbox_messages"))
    # The reference number was given back with the rollback.
    assert service.submit(draft).reference == "SP-2026-0001"


def test_if_the_application_cannot_be_stored_no_notice_is_stored(engine, service, draft):
    # The audit row is written after the notice in the same transaction.
    add_trigger(engine, "application_events")
    with pytest.raises(IntegrityError):
        service.submit(draft)
    assert counts(make_session_factory(engine)) == (0, 0, 0)


def test_a_failed_withdrawal_leaves_state_and_outbox_unchanged(engine, service, draft):
    reference = service.submit(draft).reference
    add_trigger(engine, "outbox_messages")
    with pytest.raises(IntegrityError):
        service.withdraw(reference, draft.email)
    assert service.status(reference, draft.email).state == "modtaget"
    assert counts(make_session_factory(engine)) == (1, 1, 1)


def test_an_unreachable_database_is_reported_as_unavailable(tmp_path, settings, clock, draft):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no schema
    service = ApplicationService(make_session_factory(engine), settings, clock=clock)
    with pytest.raises(DatabaseUnavailable):
        service.submit(draft)
    engine.dispose()


def test_references_stay_unique_and_gap_free_under_concurrent_submits(db_url, settings, clock):
    threads, per_thread = 6, 5
    references, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def replica() -> None:
        # Each thread is its own "server replica": own engine, own service.
        engine = make_engine(db_url)
        service = ApplicationService(make_session_factory(engine), settings, clock=clock)
        barrier.wait()
        try:
            for _ in range(per_thread):
                reference = service.submit(make_draft()).reference
                with lock:
                    references.append(reference)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    workers = [threading.Thread(target=replica) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert sorted(references) == [f"SP-2026-{n:04d}" for n in range(1, threads * per_thread + 1)]


def test_the_reference_column_is_unique_in_the_database(engine, service, draft):
    reference = service.submit(draft).reference
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO applications (reference, kind, state, profession, current_workplace,"
                " years_in_specialty, desired_specialty, period_start, period_end,"
                " period_approximate, below_guideline, guideline_notes, created_at, updated_at)"
                " SELECT reference, kind, state, profession, current_workplace, years_in_specialty,"
                " desired_specialty, period_start, period_end, period_approximate, below_guideline,"
                " guideline_notes, created_at, updated_at FROM applications WHERE reference = :r"
            ), {"r": reference})


def test_migrations_run_on_an_empty_database(tmp_path):
    from bot.db import upgrade_schema

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade_schema(url)
    upgrade_schema(url)  # idempotent
    engine = create_engine(url)
    assert TABLES | {"outbox_messages"} <= set(inspect(engine).get_table_names())
    engine.dispose()
