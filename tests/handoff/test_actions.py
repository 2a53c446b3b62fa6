"""The thin Rasa actions of the handoff: a built tracker, a fresh dispatcher,
the real domain, and the real service on SQLite (switchable opening hours)."""
from __future__ import annotations

import pytest

from actions import services
from actions.handoff import (
    ActionCheckCase,
    ActionCheckHandoff,
    ActionDefaultFallback,
    ActionEndHandoff,
    ActionLeaveMessage,
    ActionStartHandoff,
    ValidateCheckCaseForm,
    transcript,
)
from bot.handoff import Author
from tests.actions.helpers import DOMAIN, run, tracker

SENDER = "0123456789abcdef0123456789abcdef"


def on(channel: str, **kwargs):
    t = tracker(sender_id=SENDER, **kwargs)
    t.events.insert(0, {"event": "user", "text": "x", "input_channel": channel, "parse_data": {}})
    return t


@pytest.fixture(autouse=True)
def wired(service, clock):
    services.override("handoff", service)
    services.override("handoff_clock", clock)
    services.override("outbox", None)
    yield
    services.reset()


def responses(messages):
    return [m["response"] for m in messages]


def slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_a_free_counsellor_leads_to_the_consent_question(counsellor_ready):
    messages, events = run(ActionCheckHandoff(), on("webchat"))
    assert messages == [] and slots(events)["handoff_availability"] == "available"


def test_outside_opening_hours_the_employee_hears_when_they_are_back(hours, clock, counsellor_ready):
    from datetime import timedelta

    hours.open, hours.opens_at = False, clock() + timedelta(days=1)
    messages, events = run(ActionCheckHandoff(), on("webchat"))
    assert responses(messages) == ["utter_handoff_closed"]
    assert messages[0]["opens"].startswith("i morgen, onsdag den 25. november kl.")
    assert slots(events)["handoff_availability"] == "unavailable"
    buttons = DOMAIN["responses"]["utter_handoff_closed"][0]["buttons"]
    assert {b["payload"] for b in buttons} == {"/book_session", "/leave_message"}


def test_nobody_present_and_channels_without_live_replies_are_told_apart(counsellor_ready, desk):
    assert responses(run(ActionCheckHandoff(), on("rest"))[0]) == ["utter_handoff_not_in_this_channel"]
    desk.go_offline("raadgiver-1")
    assert responses(run(ActionCheckHandoff(), on("webchat"))[0]) == ["utter_handoff_nobody"]


def test_with_consent_the_conversation_so_far_goes_with_the_case(counsellor_ready, desk):
    t = on("webchat", slots={"handoff_consent": True})
    t.events.extend([
        {"event": "user", "text": "hvad er en snusepraktik", "input_channel": "webchat"},
        {"event": "bot", "text": "En snusepraktik er et kort ophold."},
        {"event": "user", "text": "/request_human", "input_channel": "webchat"},
    ])
    messages, events = run(ActionStartHandoff(), t)
    assert responses(messages) == ["utter_handoff_waiting"]
    code = messages[0]["case_code"]
    case = desk.queues().waiting[0]
    shared = [(m.author, m.text) for m in desk.case(case.case_number, "raadgiver-1").messages if m.before_handoff]
    assert (Author.EMPLOYEE, "hvad er en snusepraktik") in shared
    assert (Author.ASSISTANT, "En snusepraktik er et kort ophold.") in shared
    assert all(text != "/request_human" for _, text in shared)
    assert slots(events)["handoff_consent"] is None and len(code) == 9


def test_without_consent_nothing_before_is_shared(counsellor_ready, desk):
    t = on("webchat", slots={"handoff_consent": False})
    t.events.append({"event": "user", "text": "mit navn er Mette", "input_channel": "webchat"})
    run(ActionStartHandoff(), t)
    case = desk.queues().waiting[0]
    assert [m for m in desk.case(case.case_number, "raadgiver-1").messages if m.before_handoff] == []


def test_a_counsellor_who_left_meanwhile_is_reported_honestly(desk, counsellor_ready):
    desk.go_offline("raadgiver-1")
    messages, _ = run(ActionStartHandoff(), on("webchat", slots={"handoff_consent": True}))
    assert responses(messages) == ["utter_handoff_nobody"]


def test_the_employee_ends_the_handoff(counsellor_ready, service):
    service.request_live(SENDER, "webchat", consent=False)
    assert responses(run(ActionEndHandoff(), on("webchat"))[0]) == ["utter_handoff_ended_by_you"]
    assert responses(run(ActionEndHandoff(), on("webchat"))[0]) == ["utter_handoff_nothing_to_end"]


def test_a_left_message_gives_a_code_that_reads_the_answer(desk):
    messages, events = run(ActionLeaveMessage(), on("rest", slots={"handoff_message": "Ring gerne"}))
    assert responses(messages) == ["utter_handoff_message_left"]
    code = messages[0]["case_code"]
    assert slots(events)["handoff_message"] is None
    number = desk.queues().messages[0].case_number
    desk.take(number, "raadgiver-2")
    desk.reply(number, "raadgiver-2", "Jeg ringer i morgen.")
    messages, events = run(ActionCheckCase(), on("teams", slots={"case_code": code}))
    assert responses(messages) == ["utter_case_answer"]
    assert messages[0]["answer"] == "Jeg ringer i morgen." and messages[0]["when"].startswith("i dag")


def test_a_case_without_an_answer_yet_says_so(service):
    ticket = service.leave_message(SENDER, "webchat", "hej")
    messages, _ = run(ActionCheckCase(), on("webchat", slots={"case_code": ticket.code}))
    assert responses(messages) == ["utter_case_no_answer_yet"]


def test_a_wrong_code_is_counted(monkeypatch):
    monkeypatch.setattr("actions.handoff.asyncio.sleep", _no_sleep)
    messages, events = run(ActionCheckCase(), on("webchat", slots={"case_code": "K7MQ-4XTR",
                                                                   "case_code_failures": 3}))
    assert responses(messages) == ["utter_case_not_found"]
    assert slots(events)["case_code_failures"] == 4


async def _no_sleep(_seconds):
    return None


@pytest.mark.parametrize("text, intent, expected, complaint", [
    ("min sagskode er k7mq 4xtr", "check_case", "K7MQ-4XTR", False),
    ("jeg har en sagskode", "check_case", None, False),
    ("det ved jeg ikke", "deny", None, True),
])
def test_the_case_code_is_found_in_what_the_employee_writes(text, intent, expected, complaint):
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateCheckCaseForm().validate_case_code(
        text, dispatcher, tracker(text, intent), DOMAIN))
    assert result == {"case_code": expected}
    assert bool(dispatcher.messages) is complaint


def test_after_two_failures_a_free_counsellor_is_offered(counsellor_ready, desk):
    messages, events = run(ActionDefaultFallback(), on("webchat"))
    assert responses(messages) == ["utter_handoff_offer_after_fallback"]
    assert events[-1]["event"] == "rewind"
    desk.go_offline("raadgiver-1")
    assert responses(run(ActionDefaultFallback(), on("webchat"))[0]) == ["utter_default"]


def test_the_transcript_starts_at_the_current_session():
    events = [{"event": "user", "text": "gammel samtale"},
              {"event": "action", "name": "action_session_start"},
              {"event": "user", "text": "ny samtale"}]
    assert [line.text for line in transcript(events)] == ["ny samtale"]
