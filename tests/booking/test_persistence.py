"""Persistence on real SQLite: migrations match the models, the database itself
refuses double booking, and a failed use case leaves nothing behind."""
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

import bot.all_models  # noqa: F401
from bot.booking import Booking, BookingService, SlotAlreadyTaken
from bot.booking import repository
from bot.booking.models import BOOKING_TABLES, BookingRecord
from bot.db import Base, DatabaseUnavailable, make_engine, make_session_factory, transaction, upgrade_schema
from tests.booking.conftest import local
from tests.booking.test_service import TUESDAY_10, slot

IDENTIFYING = ("sender", "conversation", "name", "email", "e_mail", "phone", "employee", "user")


def booking(code: str, start: datetime = TUESDAY_10.starts_at, counsellor_id: str = "raadgiver-1") -> Booking:
    return Booking(code, counsellor_id, start, start + timedelta(minutes=45), "teams", "andet",
                   datetime(2026, 11, 23, 7, tzinfo=timezone.utc))


def test_upgrade_schema_creates_the_booking_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade_schema(url)
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(BOOKING_TABLES) <= tables
        indexes = {i["name"]: i for i in inspect(engine).get_indexes("bookings")}
        assert indexes["uq_bookings_active_slot"]["unique"]
    finally:
        engine.dispose()


def test_the_booking_branch_downgrades_cleanly(tmp_path):
    from alembic import command
    from alembic.config import Config

    from bot.settings import PROJECT_ROOT

    url = f"sqlite:///{tmp_path / 'down.db'}"
    upgrade_schema(url)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.downgrade(config, "booking@base")
    engine = make_engine(url)
    try:
        assert not set(BOOKING_TABLES) & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    upgrade_schema(url)  # and back up again


def test_models_and_migrations_agree(sqlite_url):
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    def table_of(diff) -> str:
        item = diff[0] if isinstance(diff, list) else diff
        for part in item[1:]:
            name = getattr(part, "name", None) if not isinstance(part, str) else part
            table = getattr(part, "table", None)
            if table is not None:
                return table.name
            if name in BOOKING_TABLES:
                return name
        return ""

    ours = [d for d in differences if table_of(d) in BOOKING_TABLES]
    assert ours == []


def test_no_column_can_hold_who_the_employee_is(sqlite_url):
    engine = make_engine(sqlite_url)
    try:
        for table in BOOKING_TABLES:
            for column in inspect(engine).get_columns(table):
                assert not any(word in column["name"] for word in IDENTIFYING), (table, column["name"])
    finally:
        engine.dispose()


def test_the_database_refuses_two_active_bookings_of_the_same_time(session_factory):
    with transaction(session_factory) as session:
        repository.insert_booking(session, booking("AAAA2222"))
    with pytest.raises(IntegrityError) as info:
        with transaction(session_factory) as session:
            repository.insert_booking(session, booking("BBBB3333"))
    assert repository.violated_constraint(info.value) == "slot"


def test_a_cancelled_booking_does_not_hold_its_time(session_factory):
    with transaction(session_factory) as session:
        repository.insert_booking(session, booking("AAAA2222"))
        repository.cancel_booking(session, "AAAA2222", datetime.now(timezone.utc), None)
    with transaction(session_factory) as session:
        repository.insert_booking(session, booking("BBBB3333"))
        assert session.execute(select(BookingRecord.code).where(BookingRecord.cancelled_at.is_(None))).scalars().all() == ["BBBB3333"]


def test_codes_are_unique_in_the_database(session_factory):
    with transaction(session_factory) as session:
        repository.insert_booking(session, booking("AAAA2222"))
    with pytest.raises(IntegrityError) as info:
        with transaction(session_factory) as session:
            repository.insert_booking(session, booking("AAAA2222", start=local(2026, 11, 25, 10)))
    assert repository.violated_constraint(info.value) == "code"


def test_an_error_inside_a_use_case_rolls_everything_back(session_factory):
    with pytest.raises(RuntimeError):
        with transaction(session_factory) as session:
            repository.insert_booking(session, booking("AAAA2222"))
            repository.insert_block(session, "raadgiver-1", local(2026, 11, 24, 12), local(2026, 11, 24, 13), None)
            raise RuntimeError("crash after the insert")
    with transaction(session_factory) as session:
        assert session.execute(text("SELECT COUNT(*) FROM bookings")).scalar() == 0
        assert session.execute(text("SELECT COUNT(*) FROM booking_blocks")).scalar() == 0


def test_the_database_guard_works_even_if_the_python_check_is_skipped(service, monkeypatch):
    service.book(TUESDAY_10, "andet", "teams")
    monkeypatch.setattr(repository, "bookings_near", lambda *args, **kwargs: False)
    with pytest.raises(SlotAlreadyTaken):
        service.book(TUESDAY_10, "andet", "teams")
    other = service.book(slot("raadgiver-1", local(2026, 11, 24, 13)), "andet", "teams")
    with pytest.raises(SlotAlreadyTaken):
        service.reschedule(other.code, TUESDAY_10)
    assert service.find(other.code).starts_at == local(2026, 11, 24, 13)


def test_a_code_collision_draws_a_new_code(service, monkeypatch):
    first = service.book(TUESDAY_10, "andet", "teams")
    codes = iter([first.code, "ZZZZ9999"])
    monkeypatch.setattr("bot.booking.service.new_code", lambda: next(codes))
    second = service.book(slot("raadgiver-1", local(2026, 11, 24, 13)), "andet", "teams")
    assert second.code == "ZZZZ9999"


def test_times_come_back_as_aware_utc(service):
    stored = service.find(service.book(TUESDAY_10, "andet", "teams").code)
    assert stored.starts_at.tzinfo is not None and stored.starts_at.utcoffset() == timedelta(0)
    assert stored.starts_at == TUESDAY_10.starts_at


def test_a_database_failure_becomes_database_unavailable(tmp_path, booking_config):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables
    try:
        service = BookingService(make_session_factory(engine), booking_config, secret_key="x")
        with pytest.raises(DatabaseUnavailable):
            service.find("K7MQ-4XTR")
    finally:
        engine.dispose()


def test_on_postgresql_the_schema_matches_and_the_use_cases_work(postgres_url, booking_config):
    from tests.booking.conftest import FakeClock
    from tests.postgres import create_database

    url = create_database(postgres_url, "booking_schema")
    upgrade_schema(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata) if "booking" in repr(d)]
        assert differences == []
        service = BookingService(make_session_factory(engine), booking_config, clock=FakeClock(), secret_key="x")
        booking = service.book(TUESDAY_10, "andet", "teams")
        assert service.find(booking.code.lower()).starts_at == TUESDAY_10.starts_at
        with pytest.raises(SlotAlreadyTaken):
            service.book(TUESDAY_10, "andet", "teams")
        moved = service.reschedule(booking.code, slot("raadgiver-1", local(2026, 11, 24, 13)))
        assert moved.starts_at == local(2026, 11, 24, 13) and moved.sequence == 1
        assert service.cancel(booking.code).cancelled_at is not None
        assert TUESDAY_10 in service.free_slots(counsellor_id="raadgiver-1")
    finally:
        engine.dispose()
