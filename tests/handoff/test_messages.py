"""Left messages, case codes, and replies that wait for the employee."""
from __future__ import annotations

import pytest

from bot.handoff import (
    CaseKind,
    CaseNotFound,
    CaseState,
    EmptyMessage,
    InvalidCaseCode,
    code_in_text,
)

SENDER = "0123456789abcdef0123456789abcdef"
R1 = "raadgiver-1"


def test_a_left_message_gets_a_case_and_a_code(service, desk, hours):
    hours.open = False
    ticket = service.leave_message(SENDER, "webchat", "  Kan I ringe mig op om specialeskift?  ")
    assert ticket.kind is CaseKind.MESSAGE and ticket.state is CaseState.OPEN
    [row] = desk.queues().messages
    assert row.case_number == ticket.case_number
    texts = [m.text for m in desk.case(ticket.case_number, R1).messages if m.text]
    assert texts == ["Kan I ringe mig op om specialeskift?"]


def test_an_empty_message_is_refused(service):
    with pytest.raises(EmptyMessage):
        service.leave_message(SENDER, "webchat", " \n ")


def test_a_message_after_a_missed_handoff_keeps_the_same_case_and_code(service, desk, clock, counsellor_ready):
    live = service.request_live(SENDER, "webchat", consent=False)
    service.record_employee_message(SENDER, "hallo?")
    clock.advance(minutes=4)
    service.expire_waiting()
    left = service.leave_message(SENDER, "webchat", "Skriv gerne tilbage i morgen")
    assert (left.case_number, left.code, left.state) == (live.case_number, live.code, CaseState.OPEN)
    texts = [m.text for m in desk.case(left.case_number, R1).messages if m.text]
    assert texts == ["hallo?", "Skriv gerne tilbage i morgen"]


def test_the_answer_is_read_with_the_code_in_any_form(service, desk):
    ticket = service.leave_message(SENDER, "webchat", "Hvordan skifter jeg speciale?")
    assert service.read_case(ticket.code).answers == ()
    desk.take(ticket.case_number, R1)
    desk.reply(ticket.case_number, R1, "Start med at tale med din leder.")
    typed = ticket.code.lower().replace("-", " ")
    reading = service.read_case(typed)
    assert [a.text for a in reading.answers] == ["Start med at tale med din leder."]
    assert reading.state is CaseState.ANSWERED and not reading.closed


def test_a_wrong_code_is_told_apart_from_a_malformed_one(service):
    with pytest.raises(InvalidCaseCode):
        service.read_case("hej med dig")
    with pytest.raises(CaseNotFound):
        service.read_case("K7MQ-4XTR")


def test_a_reply_waits_undelivered_until_the_employee_is_back(service, desk, counsellor_ready):
    case = service.request_live(SENDER, "webchat", consent=False)
    desk.take(case.case_number, R1)
    first = desk.reply(case.case_number, R1, "Er du der stadig?")
    second = desk.reply(case.case_number, R1, "Jeg venter gerne.")
    waiting = service.undelivered_for(SENDER)
    assert [d.text for d in waiting] == ["Er du der stadig?", "Jeg venter gerne."]
    assert service.undelivered_for("f" * 32) == []
    assert service.mark_delivered([first.message_id]) == 1
    assert service.mark_delivered([first.message_id]) == 0  # idempotent
    assert [d.message_id for d in service.undelivered_for(SENDER)] == [second.message_id]
    desk.hand_back(case.case_number, R1)
    # Still waiting after the hand-back; reading with the code delivers it.
    assert len(service.undelivered_for(SENDER)) == 1
    service.read_case(case.code)
    assert service.undelivered_for(SENDER) == []
    counsellor_lines = [m for m in desk.case(case.case_number, R1).messages if m.text and m.counsellor_id]
    assert all(m.delivered for m in counsellor_lines)


def test_a_closed_message_is_still_readable_with_the_code(service, desk):
    ticket = service.leave_message(SENDER, "webchat", "Tak for sidst")
    desk.take(ticket.case_number, R1)
    desk.reply(ticket.case_number, R1, "Selv tak")
    desk.close(ticket.case_number, R1)
    reading = service.read_case(ticket.code)
    assert reading.closed and [a.text for a in reading.answers] == ["Selv tak"]


def test_a_code_is_found_in_a_sentence():
    assert code_in_text("min sagskode er k7mq-4xtr tak") == "K7MQ4XTR"
    assert code_in_text("jeg har en sagskode") is None


def test_old_closed_cases_are_purged(service, desk, clock):
    ticket = service.leave_message(SENDER, "webchat", "hej")
    desk.close(ticket.case_number, R1)
    clock.advance(days=29)
    assert desk.purge_closed(30) == 0
    clock.advance(days=2)
    assert desk.purge_closed(30) == 1
    with pytest.raises(CaseNotFound):
        service.read_case(ticket.code)
