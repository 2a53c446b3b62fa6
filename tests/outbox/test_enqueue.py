"""enqueue: the notice is part of the caller's transaction."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

import bot.all_models  # noqa: F401
from bot.db import Base, transaction
from bot.outbox import enqueue
from bot.outbox.models import OutboxMessage
from bot.outbox.store import counts

from .conftest import NOW, add_message


def stored(session_factory):
    with transaction(session_factory) as session:
        return list(session.execute(select(OutboxMessage)).scalars())


def test_an_enqueued_notice_is_stored_and_due_at_once(session_factory):
    message_id = add_message(session_factory)
    [message] = stored(session_factory)
    assert message.id == message_id
    assert message.payload["reference"] == "SP-2026-0042"
    assert (message.attempts, message.delivered_at, message.failed_at) == (0, None, None)
    assert message.next_attempt_at == NOW.replace(tzinfo=None)


def test_a_rolled_back_transaction_takes_its_notice_with_it(session_factory):
    with pytest.raises(RuntimeError):
        with transaction(session_factory) as session:
            enqueue(session, "application.submitted", {"reference": "SP-2026-0001"})
            raise RuntimeError("the business change failed")
    assert stored(session_factory) == []


def test_a_payload_that_is_not_json_fails_inside_the_transaction(session_factory):
    with pytest.raises(TypeError):
        with transaction(session_factory) as session:
            enqueue(session, "x", {"when": object()})
    assert stored(session_factory) == []


def test_a_kind_is_required(session_factory):
    with pytest.raises(ValueError):
        with transaction(session_factory) as session:
            enqueue(session, "", {})


def test_counts_show_pending_messages(session_factory):
    add_message(session_factory)
    add_message(session_factory)
    with transaction(session_factory) as session:
        assert counts(session) == {"pending": 2, "delivered": 0, "failed": 0}


def test_the_outbox_table_matches_its_migration(engine):
    assert "outbox_messages" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_object": lambda obj, name, kind, reflected, other: (
                (obj.table.name if kind in ("column", "index") else name) == "outbox_messages"
            ),
        })
        assert compare_metadata(context, Base.metadata) == []
