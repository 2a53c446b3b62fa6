"""The handoff tables: created by the migrations, matching the models, and
every use case one transaction that rolls back on error."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

import bot.all_models  # noqa: F401
from bot.db import Base, make_engine, transaction
from bot.handoff import service as service_module
from bot.handoff.models import CaseRow, MessageRow
from bot.outbox.models import OutboxMessage

TABLES = {"handoff_cases", "handoff_messages", "handoff_presence"}
SENDER = "0123456789abcdef0123456789abcdef"


def test_the_migrations_create_the_tables_and_they_match_the_models(sqlite_url):
    engine = make_engine(sqlite_url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True,
                "include_object": lambda obj, name, kind, reflected, other: (
                    (obj.table.name if kind in ("column", "index", "unique_constraint",
                                                "foreign_key_constraint") else name) in TABLES
                ),
            })
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_a_failing_notice_rolls_the_new_case_back(service, counsellor_ready, session_factory, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("outbox is broken")

    monkeypatch.setattr(service_module, "announce", broken)
    with pytest.raises(RuntimeError):
        service.request_live(SENDER, "webchat", consent=False)
    with transaction(session_factory) as session:
        assert session.execute(select(CaseRow)).all() == []
        assert session.execute(select(OutboxMessage)).all() == []
    assert service.live_state(SENDER) is None


def test_a_failing_message_rolls_back_the_reopened_case(service, session_factory, counsellor_ready, clock, monkeypatch):
    service.request_live(SENDER, "webchat", consent=False)
    clock.advance(minutes=5)
    service.expire_waiting()

    def broken(*_args, **_kwargs):
        raise RuntimeError("outbox is broken")

    monkeypatch.setattr(service_module, "announce", broken)
    with pytest.raises(RuntimeError):
        service.leave_message(SENDER, "webchat", "hej")
    with transaction(session_factory) as session:
        [case] = session.execute(select(CaseRow)).scalars().all()
        assert case.state == "missed"
        texts = session.execute(select(MessageRow.text).where(MessageRow.text.is_not(None))).all()
        assert texts == []


def test_the_database_allows_one_live_case_per_conversation(service, counsellor_ready, session_factory, clock):
    service.request_live(SENDER, "webchat", consent=False)
    with pytest.raises(IntegrityError):
        with transaction(session_factory) as session:
            now = clock().replace(tzinfo=None)
            session.add(CaseRow(kind="live", state="active", code="ABCD2345", sender_id=SENDER,
                                channel="webchat", consent=False, seen_up_to=0,
                                created_at=now, updated_at=now))
