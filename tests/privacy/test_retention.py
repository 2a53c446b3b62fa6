"""Retention and erasure on Rasa's tracker store and our database, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.handoff import CounsellorDesk, HandoffService
from bot.handoff.hours import AlwaysOpen
from bot.handoff.models import CaseRow, MessageRow
from tests.privacy.conftest import NOW, FakeClock


def test_retention_deletes_events_older_than_the_window_and_keeps_recent_ones(databases, clock):
    databases.write_conversation("old", [45, 40])
    databases.write_conversation("mixed", [35, 2])
    databases.write_conversation("recent", [1, 0.1])

    report = databases.service(clock).retention()

    assert report.days == 30 and report.events_deleted == 3 * 2 + 3
    assert databases.stored_events("old") == []
    cutoff = (NOW - timedelta(days=30)).timestamp()
    mixed = databases.stored_events("mixed")
    assert len(mixed) == 3 and all(timestamp >= cutoff for _, timestamp in mixed)
    assert len(databases.stored_events("recent")) == 6


def test_retention_window_can_be_given_in_days(databases, clock):
    databases.write_conversation("a", [10, 3])

    report = databases.service(clock).retention(days=7)

    assert report.events_deleted == 3
    assert len(databases.stored_events("a")) == 3


def test_retention_in_small_batches_deletes_every_old_event(databases, clock):
    for n in range(4):
        databases.write_conversation(f"c{n}", [60, 50, 1])

    report = databases.service(clock, batch_size=2).retention()

    assert report.events_deleted == 4 * 6
    assert all(len(databases.stored_events(f"c{n}")) == 3 for n in range(4))


def test_dry_run_counts_without_deleting(databases, clock):
    databases.write_conversation("a", [40, 1])

    report = databases.service(clock).retention(dry_run=True)

    assert report.dry_run and report.events_deleted == 3
    assert len(databases.stored_events("a")) == 6


def test_retention_without_an_events_table_deletes_nothing(databases, clock):
    report = databases.service(clock).retention()

    assert report.events_deleted == 0


def test_erase_removes_exactly_one_conversation(databases, clock):
    databases.write_conversation("keep-1", [2])
    databases.write_conversation("erase-me", [40, 2, 0.5])
    databases.write_conversation("keep-2", [0.2])

    report = databases.service(clock).erase("erase-me")

    assert report.events_deleted == 9
    assert databases.stored_events("erase-me") == []
    assert len(databases.stored_events("keep-1")) == 3
    assert len(databases.stored_events("keep-2")) == 3


def test_erase_of_an_unknown_conversation_deletes_nothing(databases, clock):
    databases.write_conversation("someone", [1])

    report = databases.service(clock).erase("nobody")

    assert report.events_deleted == 0 and report.handoff_cases_deleted == 0
    assert len(databases.stored_events("someone")) == 3


def _closed_message_case(session_factory, sender_id: str, closed_days_ago: float) -> int:
    clock = FakeClock(NOW - timedelta(days=closed_days_ago))
    ticket = HandoffService(session_factory, AlwaysOpen(), clock=clock).leave_message(
        sender_id, "webchat", "Jeg vil gerne tale om min karriere")
    CounsellorDesk(session_factory, clock=clock).close(ticket.case_number, "c1")
    return ticket.case_number


def test_retention_deletes_handoff_cases_closed_before_the_window(databases, clock):
    factory = databases.session_factory()
    old = _closed_message_case(factory, "a" * 32, closed_days_ago=40)
    recent = _closed_message_case(factory, "b" * 32, closed_days_ago=5)
    still_open = HandoffService(factory, AlwaysOpen(), clock=FakeClock(NOW - timedelta(days=60))) \
        .leave_message("c" * 32, "webchat", "Ring til mig").case_number

    report = databases.service(clock).retention()

    assert report.handoff_cases_deleted == 1
    with factory() as session:
        cases = set(session.execute(select(CaseRow.id)).scalars())
        lines = set(session.execute(select(MessageRow.case_id)).scalars())
    assert cases == {recent, still_open} and old not in lines


def test_erase_deletes_the_conversations_handoff_cases_and_nothing_else(databases, clock):
    factory = databases.session_factory()
    mine = _closed_message_case(factory, "a" * 32, closed_days_ago=1)
    HandoffService(factory, AlwaysOpen(), clock=clock).leave_message("a" * 32, "webchat", "En til")
    other = _closed_message_case(factory, "b" * 32, closed_days_ago=1)

    report = databases.service(clock).erase("a" * 32)

    assert report.handoff_cases_deleted == 2 and report.handoff_lines_deleted >= 4
    with factory() as session:
        assert set(session.execute(select(CaseRow.id)).scalars()) == {other}
        assert set(session.execute(select(MessageRow.case_id)).scalars()) == {other}
    assert mine != other
