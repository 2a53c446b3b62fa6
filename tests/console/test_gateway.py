"""The web chat's side of a handoff: which messages the NLU never sees, and
replies that wait until the employee is back."""
from __future__ import annotations

import asyncio

import pytest

from bot.console.delivery import Pushers
from bot.console.gateway import HandoffGateway
from bot.handoff import END_PAYLOAD, CounsellorDesk, HandoffConfig, HandoffService
from tests.console.conftest import FakeAssistant, FakePusher, OpenHours

SENDER = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def parts(tmp_path, migrated_template):
    import shutil

    from bot.db import make_engine, make_session_factory

    path = tmp_path / "k.db"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    config = HandoffConfig(wait_minutes=0)
    service, desk = HandoffService(factory, OpenHours(), config), CounsellorDesk(factory, config)
    pusher, assistant = FakePusher(), FakeAssistant()
    gateway = HandoffGateway(service, Pushers({"webchat": pusher}), assistant)
    desk.heartbeat("raadgiver-1", available=True)
    yield service, desk, gateway, pusher, assistant
    engine.dispose()


def run(coro):
    return asyncio.run(coro)


def test_outside_a_handoff_every_message_goes_to_the_assistant(parts):
    service, desk, gateway, *_ = parts
    assert run(gateway.intercept(SENDER, "hvad er en snusepraktik")) == "hvad er en snusepraktik"
    assert run(gateway.intercept(SENDER, "afslut")) == "afslut"


def test_during_a_handoff_messages_go_to_the_counsellor_not_the_nlu(parts):
    service, desk, gateway, *_ = parts
    case = service.request_live(SENDER, "webchat", consent=False)
    assert run(gateway.intercept(SENDER, "jeg vil gerne afslutte min uddannelse")) is None
    assert run(gateway.intercept(SENDER, "😢")) is None
    texts = [m.text for m in desk.lines(case.case_number, "raadgiver-1") if m.text]
    assert texts == ["jeg vil gerne afslutte min uddannelse", "😢"]


@pytest.mark.parametrize("typed", ["afslut", "Afslut!", "stop samtalen", "  STOP SAMTALEN. ", "/end_handoff"])
def test_a_typed_end_command_ends_the_handoff_through_the_assistant(parts, typed):
    service, desk, gateway, *_ = parts
    service.request_live(SENDER, "webchat", consent=False)
    assert run(gateway.intercept(SENDER, typed)) == END_PAYLOAD


def test_buttons_still_reach_the_assistant_during_a_handoff(parts):
    service, desk, gateway, *_ = parts
    service.request_live(SENDER, "webchat", consent=False)
    assert run(gateway.intercept(SENDER, "/book_session")) == "/book_session"


def test_a_broken_database_lets_the_assistant_answer(parts, monkeypatch):
    service, desk, gateway, *_ = parts

    def broken(*_args):
        raise RuntimeError("database is away")

    monkeypatch.setattr(service, "record_employee_message", broken)
    assert run(gateway.intercept(SENDER, "hej")) == "hej"


def test_a_reconnecting_page_gets_its_state_and_the_replies_that_waited(parts):
    service, desk, gateway, pusher, _ = parts
    case = service.request_live(SENDER, "webchat", consent=False)
    desk.take(case.case_number, "raadgiver-1")
    pusher.acknowledge = False
    first = desk.reply(case.case_number, "raadgiver-1", "Er du der?")
    assert run(gateway.deliver(first)) is False
    desk.reply(case.case_number, "raadgiver-1", "Jeg venter.")
    assert len(service.undelivered_for(SENDER)) == 2
    pusher.acknowledge = True
    pusher.replies.clear()
    run(gateway.on_session(SENDER))
    assert pusher.states[-1] == (SENDER, "active")
    assert [p["text"] for _, p in pusher.replies] == ["Er du der?", "Jeg venter."]
    assert all(p["from_counsellor"] and p["case_message_id"] for _, p in pusher.replies)
    assert service.undelivered_for(SENDER) == []


def test_an_unanswered_handoff_is_swept_and_the_assistant_says_so(parts):
    service, desk, gateway, pusher, assistant = parts
    service.request_live(SENDER, "webchat", consent=False)
    assert run(gateway.sweep()) == 1
    assert assistant.runs == [(SENDER, "webchat", "action_handoff_missed")]
    assert pusher.states[-1] == (SENDER, None)
    assert run(gateway.sweep()) == 0
