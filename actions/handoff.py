"""Human handoff (issue 6): the Rasa side of bot.handoff.

- action_check_handoff: can a counsellor take over now? Sets handoff_availability
  (the rules branch on it); when not, says why and offers booking or a message.
- handoff_form asks for consent to share the conversation so far (handoff_consent);
  action_start_handoff opens the live case and gives the case code. From then on
  the web chat sends the employee's messages to the counsellor, not to the NLU.
- action_end_handoff: the employee ends it ("afslut", the button, end_handoff).
- action_handoff_returned / action_handoff_missed: run by the console inside the
  Rasa server (bot.console.bridge) when a counsellor hands back, or when nobody
  took the handoff in time; they only send their domain response.
- leave_message_form + action_leave_message: a message with a case code.
- check_case_form + action_check_case: read the counsellors' answers by code.
- action_default_fallback: after two failed attempts the assistant offers a
  counsellor directly when one is free, else Rasa's usual utter_default.

Actions read slots, call one service function, and name responses from domain.yml.
The conversation shared with consent is read from the tracker's events here.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from bot.danish import format_slot
from bot.db import DatabaseUnavailable
from bot.handoff import (
    Author,
    AvailabilityStatus,
    CaseNotFound,
    EmptyMessage,
    HandoffService,
    InvalidCaseCode,
    LiveChannelNotSupported,
    NoCounsellorAvailable,
    OutsideOpeningHours,
    TranscriptLine,
    code_in_text,
    display_code,
    wrong_code_delay,
)
from bot.handoff.factory import build_handoff

logger = logging.getLogger(__name__)

AVAILABILITY, CONSENT = "handoff_availability", "handoff_consent"
MESSAGE, CODE, FAILURES = "handoff_message", "case_code", "case_code_failures"
# Responses the forms send by name (utter_ask_<slot>), listed so one search finds them.
FORM_QUESTIONS = ("utter_ask_handoff_consent", "utter_ask_handoff_message", "utter_ask_case_code")
TRANSCRIPT_LINES = 40


@services.register("handoff")
def build_handoff_service(settings: Any, session_factory: Any) -> HandoffService:
    return build_handoff(settings, session_factory)[0]


def _service() -> HandoffService:
    try:
        services.get("outbox")  # the Teams notices this service enqueues need a dispatcher
    except KeyError:
        pass
    return services.get("handoff")


@services.register("handoff_clock")
def build_handoff_clock(settings: Any, session_factory: Any):
    return lambda: datetime.now(timezone.utc)


def _now() -> datetime:
    return services.get("handoff_clock")()


def utter_unavailable(dispatcher: CollectingDispatcher, status: AvailabilityStatus,
                      opens_at: Optional[datetime] = None) -> None:
    """Why nobody can take over now, with the offer to book or leave a message."""
    if status is AvailabilityStatus.CLOSED and opens_at is not None:
        dispatcher.utter_message(response="utter_handoff_closed", opens=format_slot(opens_at, now=_now()))
    elif status is AvailabilityStatus.CLOSED:
        dispatcher.utter_message(response="utter_handoff_closed_unknown")
    elif status is AvailabilityStatus.NOT_LIVE_CHANNEL:
        dispatcher.utter_message(response="utter_handoff_not_in_this_channel")
    else:
        dispatcher.utter_message(response="utter_handoff_nobody")


def transcript(events: List[Dict[str, Any]], limit: int = TRANSCRIPT_LINES) -> List[TranscriptLine]:
    """The texts of this session (employee and assistant), oldest first; button
    payloads ("/affirm") are left out: they are not what the employee wrote."""
    lines: List[TranscriptLine] = []
    for event in events:
        kind = event.get("event")
        if kind == "action" and event.get("name") == "action_session_start":
            lines = []
        text = (event.get("text") or "").strip()
        if not text:
            continue
        if kind == "user" and not text.startswith("/"):
            lines.append(TranscriptLine(Author.EMPLOYEE, text))
        elif kind == "bot":
            lines.append(TranscriptLine(Author.ASSISTANT, text))
    return lines[-limit:]


class ActionCheckHandoff(Action):
    def name(self) -> Text:
        return "action_check_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        try:
            availability = _service().availability(tracker.get_latest_input_channel())
        except DatabaseUnavailable:
            logger.exception("handoff availability unknown")
            dispatcher.utter_message(response="utter_handoff_failed")
            return [SlotSet(AVAILABILITY, "unavailable")]
        if availability.available:
            return [SlotSet(AVAILABILITY, "available"), SlotSet(CONSENT, None)]
        utter_unavailable(dispatcher, availability.status, availability.opens_at)
        return [SlotSet(AVAILABILITY, "unavailable")]


class ActionStartHandoff(Action):
    def name(self) -> Text:
        return "action_start_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        consent = tracker.get_slot(CONSENT) is True
        reset = [SlotSet(CONSENT, None), SlotSet(AVAILABILITY, None)]
        try:
            ticket = _service().request_live(
                tracker.sender_id, tracker.get_latest_input_channel() or "", consent=consent,
                transcript=transcript(tracker.events) if consent else (),
            )
        except OutsideOpeningHours as closed:
            utter_unavailable(dispatcher, AvailabilityStatus.CLOSED, closed.opens_at)
            return reset
        except NoCounsellorAvailable:
            utter_unavailable(dispatcher, AvailabilityStatus.NOBODY)
            return reset
        except LiveChannelNotSupported:
            utter_unavailable(dispatcher, AvailabilityStatus.NOT_LIVE_CHANNEL)
            return reset
        except DatabaseUnavailable:
            logger.exception("handoff could not be opened")
            dispatcher.utter_message(response="utter_handoff_failed")
            return reset
        dispatcher.utter_message(response="utter_handoff_waiting", case_code=ticket.code)
        return reset


class ActionEndHandoff(Action):
    def name(self) -> Text:
        return "action_end_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        try:
            ended = _service().end_by_employee(tracker.sender_id)
        except DatabaseUnavailable:
            logger.exception("handoff could not be ended")
            dispatcher.utter_message(response="utter_handoff_failed")
            return []
        dispatcher.utter_message(
            response="utter_handoff_ended_by_you" if ended else "utter_handoff_nothing_to_end")
        return []


class ActionHandoffReturned(Action):
    """Run by the console (bot.console.bridge) after a counsellor handed back."""

    def name(self) -> Text:
        return "action_handoff_returned"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff_returned")
        return [SlotSet(AVAILABILITY, None)]


class ActionHandoffMissed(Action):
    """Run by the console's sweeper when nobody took the handoff in time."""

    def name(self) -> Text:
        return "action_handoff_missed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff_missed")
        return [SlotSet(AVAILABILITY, None)]


class ValidateLeaveMessageForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_leave_message_form"

    async def validate_handoff_message(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = value.strip() if isinstance(value, str) else ""
        if not text or text.startswith("/"):
            dispatcher.utter_message(response="utter_handoff_message_empty")
            return {MESSAGE: None}
        return {MESSAGE: text}


class ActionLeaveMessage(Action):
    def name(self) -> Text:
        return "action_leave_message"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        try:
            ticket = _service().leave_message(tracker.sender_id,
                                              tracker.get_latest_input_channel() or "",
                                              tracker.get_slot(MESSAGE))
        except EmptyMessage:
            dispatcher.utter_message(response="utter_handoff_message_empty")
            return [SlotSet(MESSAGE, None)]
        except DatabaseUnavailable:
            logger.exception("message could not be stored")
            dispatcher.utter_message(response="utter_handoff_failed")
            return [SlotSet(MESSAGE, None)]
        dispatcher.utter_message(response="utter_handoff_message_left", case_code=ticket.code)
        return [SlotSet(MESSAGE, None)]


class ValidateCheckCaseForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_check_case_form"

    async def validate_case_code(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        code = code_in_text(value if isinstance(value, str) else "")
        if code is None:
            # "jeg har en sagskode" without the code: just ask for it.
            if (tracker.latest_message.get("intent") or {}).get("name") != "check_case":
                dispatcher.utter_message(response="utter_case_code_malformed")
            return {CODE: None}
        return {CODE: display_code(code)}


class ActionCheckCase(Action):
    def name(self) -> Text:
        return "action_check_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        code = tracker.get_slot(CODE) or ""
        failures = int(tracker.get_slot(FAILURES) or 0)
        try:
            reading = _service().read_case(code)
        except InvalidCaseCode:
            dispatcher.utter_message(response="utter_case_code_malformed")
            return [SlotSet(CODE, None)]
        except CaseNotFound:
            failures += 1
            # Repeated wrong codes are answered ever more slowly (capped at a minute).
            await asyncio.sleep(wrong_code_delay(failures))
            dispatcher.utter_message(response="utter_case_not_found", code=code)
            return [SlotSet(CODE, None), SlotSet(FAILURES, failures)]
        except DatabaseUnavailable:
            logger.exception("case could not be read")
            dispatcher.utter_message(response="utter_handoff_failed")
            return [SlotSet(CODE, None)]
        if not reading.answers:
            dispatcher.utter_message(response="utter_case_no_answer_yet", code=code)
        for answer in reading.answers:
            dispatcher.utter_message(response="utter_case_answer", answer=answer.text,
                                     when=format_slot(answer.created_at, now=_now()))
        if reading.closed:
            dispatcher.utter_message(response="utter_case_closed")
        return [SlotSet(CODE, None), SlotSet(FAILURES, 0)]


class ActionDefaultFallback(Action):
    """Two failed attempts in a row (Rasa's two-stage fallback gives up, or no
    rule or story fits): offer a counsellor at once when one is free."""

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        try:
            available = _service().availability(tracker.get_latest_input_channel()).available
        except DatabaseUnavailable:
            available = False
        dispatcher.utter_message(
            response="utter_handoff_offer_after_fallback" if available else "utter_default")
        return [UserUtteranceReverted()]
