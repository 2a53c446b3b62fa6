"""The life cycle of a live handoff: waiting, taken, replies, handed back."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest
from sqlalchemy import select

from bot.db import transaction
from bot.handoff import (
    Author,
    CaseClosed,
    CaseKind,
    CaseNotTaken,
    CaseState,
    CaseTakenByOther,
    EmptyMessage,
    Event,
    IllegalCaseTransition,
    TranscriptLine,
)
from bot.outbox.models import OutboxMessage

SENDER = "0123456789abcdef0123456789abcdef"
R1, R2 = "raadgiver-1", "raadgiver-2"


@pytest.fixture
def case(service, counsellor_ready):
    return service.request_live(SENDER, "webchat", consent=False)


def test_a_request_opens_a_waiting_case_with_a_typeable_code(case):
    assert case.state is CaseState.WAITING and case.kind is CaseKind.LIVE
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", case.code)


def test_asking_twice_gives_the_same_case(service, case):
    again = service.request_live(SENDER, "webchat", consent=True)
    assert again.case_number == case.case_number and again.code == case.code


def test_the_new_case_is_announced_without_personal_data(service, case, session_factory):
    service.record_employee_message(SENDER, "Jeg hedder Mette og er stresset")
    with transaction(session_factory) as session:
        [notice] = session.execute(select(OutboxMessage)).scalars().all()
    body = json.dumps(notice.payload, ensure_ascii=False)
    assert notice.kind == "handoff.requested"
    assert notice.payload["case_number"] == case.case_number
    assert SENDER not in body and "Mette" not in body and case.code not in body


def test_employee_messages_go_to_the_case_only_while_it_is_live(service, desk, case):
    assert service.record_employee_message(SENDER, "Hej, er der nogen?") is True
    assert service.record_employee_message("f" * 32, "hej") is False  # another conversation
    texts = [m.text for m in desk.case(case.case_number, R1).messages if m.author is Author.EMPLOYEE]
    assert texts == ["Hej, er der nogen?"]


def test_the_conversation_so_far_is_shared_only_with_consent(service, desk, counsellor_ready):
    before = [TranscriptLine(Author.EMPLOYEE, "hvad er en snusepraktik"),
              TranscriptLine(Author.ASSISTANT, "En snusepraktik er ...")]
    without = service.request_live(SENDER, "webchat", consent=False, transcript=before)
    assert [m for m in desk.case(without.case_number, R1).messages if m.before_handoff] == []
    service.end_by_employee(SENDER)
    with_consent = service.request_live(SENDER, "webchat", consent=True, transcript=before)
    shared = [(m.author, m.text) for m in desk.case(with_consent.case_number, R1).messages
              if m.before_handoff]
    assert shared == [(Author.EMPLOYEE, "hvad er en snusepraktik"),
                      (Author.ASSISTANT, "En snusepraktik er ...")]
    assert desk.case(with_consent.case_number, R1).summary.consent is True


def test_taking_a_case_makes_it_active_with_that_counsellor(service, desk, case):
    taken = desk.take(case.case_number, R1)
    assert taken.state is CaseState.ACTIVE and taken.counsellor_id == R1
    assert service.live_state(SENDER) is CaseState.ACTIVE
    events = [m.event for m in desk.case(case.case_number, R1).messages]
    assert Event.TAKEN in events


def test_a_taken_case_cannot_be_taken_or_answered_by_a_colleague(desk, case):
    desk.take(case.case_number, R1)
    with pytest.raises(CaseTakenByOther) as raised:
        desk.take(case.case_number, R2)
    assert raised.value.holder == R1
    with pytest.raises(CaseTakenByOther):
        desk.reply(case.case_number, R2, "Jeg kan også hjælpe")
    with pytest.raises(CaseTakenByOther):
        desk.hand_back(case.case_number, R2)
    with pytest.raises(CaseTakenByOther):
        desk.close(case.case_number, R2)


def test_an_explicit_take_over_is_allowed_and_recorded(desk, case):
    desk.take(case.case_number, R1)
    taken = desk.take(case.case_number, R2, take_over=True)
    assert taken.counsellor_id == R2
    lines = desk.case(case.case_number, R2).messages
    assert [(m.event, m.counsellor_id) for m in lines if m.author is Author.SYSTEM] == [
        (Event.TAKEN, R1), (Event.TAKEN_OVER, R2)]
    desk.reply(case.case_number, R2, "Jeg overtager")
    with pytest.raises(CaseTakenByOther):
        desk.reply(case.case_number, R1, "Det er stadig mig")


def test_a_reply_needs_the_case_to_be_taken_first(desk, case):
    with pytest.raises(CaseNotTaken):
        desk.reply(case.case_number, R1, "Hej")


def test_an_empty_reply_is_refused(desk, case):
    desk.take(case.case_number, R1)
    with pytest.raises(EmptyMessage):
        desk.reply(case.case_number, R1, "   ")


def test_handing_back_closes_the_case_and_the_assistant_takes_over(service, desk, case):
    desk.take(case.case_number, R1)
    delivery = desk.reply(case.case_number, R1, "Hej, jeg hedder Anne. Hvad kan jeg hjælpe med?")
    assert delivery.recipient == SENDER and delivery.channel == "webchat"
    recipient = desk.hand_back(case.case_number, R1)
    assert (recipient.recipient, recipient.reason) == (SENDER, Event.HANDED_BACK)
    assert service.live_state(SENDER) is None
    assert service.record_employee_message(SENDER, "hvad er en snusepraktik") is False
    with pytest.raises(CaseClosed):
        desk.reply(case.case_number, R1, "en sidste ting")


def test_only_an_active_case_can_be_handed_back(desk, case):
    with pytest.raises(CaseNotTaken):
        desk.hand_back(case.case_number, R1)


def test_the_employee_can_end_the_handoff(service, desk, case):
    desk.take(case.case_number, R1)
    ended = service.end_by_employee(SENDER)
    assert ended.case_number == case.case_number
    assert service.live_state(SENDER) is None
    assert service.end_by_employee(SENDER) is None
    assert desk.case(case.case_number, R1).summary.state is CaseState.CLOSED


def test_closing_a_waiting_case_gives_the_conversation_back(service, desk, case):
    recipient = desk.close(case.case_number, R1)
    assert recipient.reason is Event.CLOSED and recipient.recipient == SENDER
    assert service.live_state(SENDER) is None


def test_a_case_nobody_takes_in_time_is_missed_once(service, desk, case, clock):
    clock.advance(minutes=2, seconds=59)
    assert service.expire_waiting() == []
    clock.advance(seconds=2)
    [missed] = service.expire_waiting()
    assert (missed.case_number, missed.recipient, missed.reason) == (case.case_number, SENDER, Event.EXPIRED)
    assert service.expire_waiting() == []
    assert service.live_state(SENDER) is None
    assert service.record_employee_message(SENDER, "hallo?") is False


def test_a_taken_case_does_not_expire(service, desk, case, clock):
    desk.take(case.case_number, R1)
    clock.advance(minutes=30)
    assert service.expire_waiting() == []
    assert service.live_state(SENDER) is CaseState.ACTIVE


def test_the_queues_show_waiting_and_active_cases_with_unread_lines(service, desk, counsellor_ready):
    first = service.request_live("1" * 32, "webchat", consent=False)
    second = service.request_live("2" * 32, "webchat", consent=False)
    desk.take(second.case_number, R1)
    service.record_employee_message("2" * 32, "hej igen")
    service.record_employee_message("2" * 32, "er du der?")
    queues = desk.queues()
    assert [c.case_number for c in queues.waiting] == [first.case_number]
    [active] = queues.active
    assert (active.case_number, active.counsellor_id, active.unread) == (second.case_number, R1, 2)
    desk.case(second.case_number, R1)  # the holder reads it
    assert desk.queues().active[0].unread == 0
    assert queues.available_counsellors == (R1,)


def test_the_counsellors_never_see_the_channel_id(service, desk, counsellor_ready):
    sender = "teams-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    case = service.request_live(sender, "teams", consent=True,
                                transcript=[TranscriptLine(Author.EMPLOYEE, "hej")])
    desk.take(case.case_number, R1)
    service.record_employee_message(sender, "jeg har det svært")
    desk.reply(case.case_number, R1, "Det lyder hårdt")
    seen = repr(desk.queues()) + repr(desk.case(case.case_number, R1))
    seen += json.dumps([dataclasses.asdict(m) for m in desk.lines(case.case_number, R1)], default=str)
    assert sender not in seen and "9f8e7d6c" not in seen
    assert case.code.replace("-", "") not in seen and case.code not in seen


def test_illegal_moves_are_refused(service, desk, case, clock):
    clock.advance(minutes=5)
    service.expire_waiting()
    desk.take(case.case_number, R1)  # a missed case becomes a message to answer
    with pytest.raises(IllegalCaseTransition):
        desk.hand_back(case.case_number, R1)
