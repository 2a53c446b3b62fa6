"""Anonymous booking of counselling sessions (issue 4): the Rasa side of bot.booking.

Two forms:
- booking_form: topic, format, counsellor, preferred time, a concrete free slot,
  confirmation; then action_book_session books it.
- booking_lookup_form: the booking code, then (by what the employee asked for)
  nothing more (check), a yes/no (cancel) or a new time, slot and confirmation
  (reschedule); then action_change_booking shows, cancels or moves it.

Actions only read slots, call bot.booking and name responses from domain.yml.
Slots hold keys ("ledelse", "teams", "raadgiver-2"), never Danish labels; the
labels come from config/counsellors.yml when a response is filled in. No slot
keeps the booking code after a flow ends, and nothing identifying is stored.
"""
from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.responses import response_text
from bot.booking import (
    Booking,
    BookingAlreadyCancelled,
    BookingConfig,
    BookingInThePast,
    BookingNotFound,
    BookingService,
    InvalidBookingCode,
    Slot,
    SlotAlreadyTaken,
    SlotNotAvailable,
    TimePreference,
    UnknownChoice,
    find_code_in_text,
    format_code,
    load_booking_config,
    parse_time_preference,
    system_clock,
    wrong_code_delay,
)
from bot.danish import format_slot
from bot.db import DatabaseUnavailable
from bot.settings import Settings

# ------------------------------------------------------------------ names

BOOKING_FORM = "booking_form"
LOOKUP_FORM = "booking_lookup_form"
TOPIC, FORMAT, COUNSELLOR = "booking_topic", "booking_format", "booking_counsellor"
TIME, SLOT, CONFIRMED = "booking_time", "booking_slot", "booking_confirmed"
CODE, REQUEST, CANCEL_CONFIRMED = "booking_code", "booking_request", "booking_cancel_confirmed"
ALTERNATIVES, INVALID = "booking_alternatives", "booking_invalid_answers"
# Kept when a flow stops: the slowdown of wrong codes must survive "stop".
CODE_FAILURES, RETRY_AT = "booking_code_failures", "booking_code_retry_at"

FORM_ORDER = (TOPIC, FORMAT, COUNSELLOR, TIME, SLOT, CONFIRMED)
FLOW_SLOTS = FORM_ORDER + (CODE, REQUEST, CANCEL_CONFIRMED, ALTERNATIVES, INVALID)
ANY_COUNSELLOR = "any"
OFFERED_SLOTS = 5
MAX_INVALID_ANSWERS = 3

# Responses the forms send by name (utter_ask_<slot>), listed so one search
# finds every response this feature uses.
FORM_QUESTIONS = (
    "utter_ask_booking_topic",
    "utter_ask_booking_time",
    "utter_ask_booking_lookup_form_booking_time",
    "utter_ask_booking_code",
)


@services.register("booking")
def build_booking_service(settings: Settings, session_factory: Any) -> BookingService:
    return BookingService(
        session_factory, load_booking_config(settings.booking_config), secret_key=settings.secret_key
    )


@services.register("booking_clock")
def build_booking_clock(settings: Settings, session_factory: Any):
    return system_clock


def _service() -> BookingService:
    return services.get("booking")


def _now() -> datetime:
    return services.get("booking_clock")()


# ------------------------------------------------------------------ helpers


def encode_slot(slot: Slot) -> str:
    """A slot as a button/slot value: '2026-11-26T09:00:00+00:00|raadgiver-1'."""
    return f"{slot.starts_at.astimezone(timezone.utc).isoformat()}|{slot.counsellor_id}"


def decode_slot(value: Any, config: BookingConfig) -> Optional[Slot]:
    """The Slot in a value made by encode_slot; None for anything else."""
    if not isinstance(value, str) or value.count("|") != 1:
        return None
    start_text, counsellor_id = value.split("|")
    try:
        start = datetime.fromisoformat(start_text)
        config.counsellor(counsellor_id)
    except (ValueError, UnknownChoice):
        return None
    if start.tzinfo is None:
        return None
    return Slot(start, counsellor_id, start + timedelta(minutes=config.session_minutes))


def _fold(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def match_choice(text: Any, options: Mapping[str, str]) -> Optional[str]:
    """The one key of `options` (key -> label) that free `text` names, else None.

    A key or a whole label inside the text counts ('noget andet' -> andet), and
    so does a text that is part of exactly one label ('udveksling').
    """
    folded = _fold(str(text or ""))
    if not folded:
        return None
    words = set(folded.split())
    hits = set()
    for key, label in options.items():
        folded_label = _fold(label)
        if (
            _fold(key) in words
            or f" {folded_label} " in f" {folded} "
            or (len(folded) >= 4 and folded in folded_label)
        ):
            hits.add(key)
    return hits.pop() if len(hits) == 1 else None


def _latest_text(tracker: Tracker) -> str:
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def _preference(text: Any, now: datetime) -> Optional[TimePreference]:
    if not isinstance(text, str) or not text.strip() or text.startswith("/"):
        return None
    return parse_time_preference(text, now)


def _labels(config: BookingConfig, topic: str, fmt: str) -> Dict[str, str]:
    return {"topic": config.topics[topic], "format": config.formats[fmt].label}


def _display(code: Any) -> str:
    try:
        return format_code(code)
    except InvalidBookingCode:
        return str(code or "")


def _fitting(config: BookingConfig, topic: Any, fmt: Any) -> List[str]:
    """Ids of the counsellors with `topic` in focus who offer `fmt` (unknown = any)."""
    return [c.id for c in config.counsellors_for(topic if topic in config.topics else None,
                                                  fmt if fmt in config.formats else None)]


def _calendar_url(code: str) -> str:
    return f"{Settings.from_env().public_base_url}/kalender/booking/{code}.ics"


def _reset(names: Iterable[str]) -> List[EventType]:
    return [SlotSet(name, None) for name in names]


def _slot_buttons(slots: Sequence[Slot], now: datetime, intent: str) -> List[Dict[str, str]]:
    return [
        {"title": format_slot(s.starts_at, now=now), "payload": f'/{intent}{{"{SLOT}": "{encode_slot(s)}"}}'}
        for s in slots
    ]


def _distinct_times(slots: Iterable[Slot], limit: int = OFFERED_SLOTS) -> List[Slot]:
    """One slot per start time (the first counsellor), so no two buttons read alike."""
    seen, result = set(), []
    for slot in slots:
        if slot.starts_at not in seen:
            seen.add(slot.starts_at)
            result.append(slot)
    return result[:limit]


def find_slots(
    service: BookingService,
    now: datetime,
    preference: Optional[TimePreference],
    *,
    topic: Optional[str],
    fmt: Optional[str],
    counsellor_id: Optional[str],
) -> Tuple[str, List[Slot]]:
    """Free slots to offer and the response that introduces them: those fitting
    the preference, else the first free from that day on, else any free at all
    (with any counsellor as the last resort)."""
    single_day = preference is not None and preference.latest == preference.earliest
    attempts: List[Tuple[str, Optional[TimePreference], Optional[str]]] = [
        ("utter_ask_booking_slot", preference, counsellor_id)
    ]
    if preference is not None:
        attempts.append(("utter_booking_no_slots_for_preference", TimePreference(earliest=preference.earliest), counsellor_id))
        attempts.append(("utter_booking_no_slots_for_preference", None, counsellor_id))
    if counsellor_id is not None:
        attempts.append(("utter_booking_no_slots_with_counsellor", None, None))
    for response, wanted, who in attempts:
        found = service.free_slots(
            topic=topic, format=fmt, counsellor_id=who, preference=wanted,
            limit=OFFERED_SLOTS * 4, max_per_day=None if single_day and wanted is preference else 2,
        )
        if found:
            return response, _distinct_times(found)
    return "utter_booking_no_free_slots", []


def _booked_messages(dispatcher: CollectingDispatcher, booking: Booking, config: BookingConfig,
                     now: datetime, outcome: str) -> None:
    """Confirmation (booked or moved), how the meeting happens and the calendar link."""
    counsellor = config.counsellor(booking.counsellor_id)
    dispatcher.utter_message(
        response=outcome, code=booking.display_code, time=format_slot(booking.starts_at, now=now),
        counsellor=counsellor.name, **_labels(config, booking.topic, booking.format),
    )
    dispatcher.utter_message(
        response=f"utter_booking_next_steps_{booking.format}", teams_url=counsellor.teams_url,
        phone=counsellor.phone, address=config.office_address,
    )
    dispatcher.utter_message(response="utter_booking_calendar_link", url=_calendar_url(booking.code))


def _invalid(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, response: str,
             **values: Any) -> Dict[str, Any]:
    """Reject an answer with a short explanation; every third time offer a way out."""
    dispatcher.utter_message(response=response, **values)
    count = int(tracker.get_slot(INVALID) or 0) + 1
    if count >= MAX_INVALID_ANSWERS:
        dispatcher.utter_message(response="utter_booking_way_out")
        count = 0
    return {slot: None, INVALID: count}


def _changing(tracker: Tracker, slot: str) -> bool:
    """True when `slot` is answered again after the form has moved past it."""
    requested = tracker.get_slot("requested_slot")
    return requested in FORM_ORDER and FORM_ORDER.index(requested) > FORM_ORDER.index(slot)


def _earlier_answer_changed(tracker: Tracker, slot: str) -> bool:
    """True when this turn also answered a question that comes before `slot`
    (its validation has then reset what depends on it)."""
    earlier = FORM_ORDER[: FORM_ORDER.index(slot)]
    return any(name in earlier for name in tracker.slots_to_validate())


def _new_time_chosen() -> Dict[str, Any]:
    return {SLOT: None, CONFIRMED: None, ALTERNATIVES: None}


# ------------------------------------------------------------------ validation


class _TimeAndSlot:
    """Validation shared by both forms: preferred time, chosen slot, confirmation.

    A new time ("nej, hellere torsdag") at the slot or confirmation question
    replaces the preference and leads to fresh offers.
    """

    def validate_booking_time(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if _preference(value, _now()) is None:
            return _invalid(dispatcher, tracker, TIME, "utter_booking_time_not_understood")
        result = {TIME: value, INVALID: 0}
        if _changing(tracker, TIME):
            result.update(_new_time_chosen())
        return result

    def validate_booking_slot(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        slot = decode_slot(value, _service().config)
        if slot is None and _earlier_answer_changed(tracker, SLOT):
            return {SLOT: None}  # "nej, hellere om ledelse": handled by that answer
        if slot is not None:
            return {SLOT: encode_slot(slot), ALTERNATIVES: None, INVALID: 0}
        if _preference(value, _now()) is not None:
            return {TIME: value, INVALID: 0, **_new_time_chosen()}
        return _invalid(dispatcher, tracker, SLOT, "utter_booking_slot_not_understood")

    def validate_booking_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if _earlier_answer_changed(tracker, CONFIRMED):
            return {CONFIRMED: None}  # "nej, hellere torsdag" or another topic: new offers
        if value is True:
            return {CONFIRMED: True, INVALID: 0}
        text = _latest_text(tracker)
        if _preference(text, _now()) is not None:
            return {TIME: text, INVALID: 0, **_new_time_chosen()}
        if value is False:
            dispatcher.utter_message(response="utter_booking_pick_another_time")
            return {TIME: None, INVALID: 0, **_new_time_chosen()}
        return _invalid(dispatcher, tracker, CONFIRMED, "utter_booking_confirm_yes_or_no")


class ValidateBookingForm(_TimeAndSlot, FormValidationAction):
    def name(self) -> Text:
        return "validate_booking_form"

    def _request_text(self, tracker: Tracker, slot: str) -> str:
        """The text of the booking request itself when `slot` is still open, else ''."""
        if tracker.get_slot(slot) or tracker.get_slot("requested_slot") is not None:
            return ""
        if (tracker.latest_message.get("intent") or {}).get("name") != "book_session":
            return ""
        return _latest_text(tracker)

    # "Book en teams-samtale om ledelse på torsdag": what the request itself
    # says, even where the NLU found no entity.
    async def extract_booking_topic(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[str, Any]:
        topic = match_choice(self._request_text(tracker, TOPIC), _service().config.topics)
        return {TOPIC: topic} if topic else {}

    async def extract_booking_format(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[str, Any]:
        formats = {key: info.label for key, info in _service().config.formats.items()}
        fmt = match_choice(self._request_text(tracker, FORMAT), formats)
        return {FORMAT: fmt} if fmt else {}

    async def extract_booking_time(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[str, Any]:
        text = self._request_text(tracker, TIME)
        return {TIME: text} if _preference(text, _now()) is not None else {}

    def _fitting_counsellor(self, config: BookingConfig, topic: Optional[str], fmt: Optional[str],
                            current: Any) -> Any:
        """The counsellor answer that still fits topic and format: 'any' when only
        one counsellor fits (no need to ask), None when it must be asked again."""
        if topic is None or fmt is None:
            return current
        fitting = _fitting(config, topic, fmt)
        if len(fitting) == 1:
            return ANY_COUNSELLOR
        if current == ANY_COUNSELLOR or current in fitting:
            return current
        return None

    def _time_instead(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str,
                      value: Any) -> Optional[Dict[str, Any]]:
        """'Nej, hellere fredag' where another question was asked: keep the new
        time, say so, and ask the question again."""
        if tracker.get_slot("requested_slot") != slot or _preference(value, _now()) is None:
            return None
        dispatcher.utter_message(response="utter_booking_change_noted")
        result = {slot: None, TIME: value}
        if tracker.get_slot(SLOT) is not None:
            result.update(_new_time_chosen())
        return result

    def _changed(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str,
                 result: Dict[str, Any]) -> Dict[str, Any]:
        if _changing(tracker, slot):
            dispatcher.utter_message(response="utter_booking_change_noted")
            result.update(_new_time_chosen())
        return result

    def validate_booking_topic(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        config = _service().config
        topic = value if value in config.topics else None
        if topic is None and "stay_kind" in {e.get("entity") for e in tracker.latest_message.get("entities", [])}:
            topic = "snusepraktik"  # the applications feature's entity: snusepraktik/udveksling
        topic = topic or match_choice(value, config.topics)
        if topic is None:
            return self._time_instead(dispatcher, tracker, TOPIC, value) or _invalid(
                dispatcher, tracker, TOPIC, "utter_booking_topic_not_understood")
        result: Dict[str, Any] = {TOPIC: topic, INVALID: 0}
        fmt = tracker.get_slot(FORMAT)
        answered_now = FORMAT in tracker.slots_to_validate()  # then validate_booking_format judges it
        if fmt in config.formats and not answered_now and not config.counsellors_for(topic, fmt):
            dispatcher.utter_message(response="utter_booking_format_not_offered")
            fmt = result[FORMAT] = None
        fmt = fmt if fmt in config.formats else None
        result[COUNSELLOR] = self._fitting_counsellor(config, topic, fmt, tracker.get_slot(COUNSELLOR))
        return self._changed(dispatcher, tracker, TOPIC, result)

    def validate_booking_format(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        config = _service().config
        fmt = value if value in config.formats else match_choice(
            value, {key: info.label for key, info in config.formats.items()}
        )
        if fmt is None:
            return self._time_instead(dispatcher, tracker, FORMAT, value) or _invalid(
                dispatcher, tracker, FORMAT, "utter_booking_format_not_understood")
        topic = tracker.get_slot(TOPIC)
        topic = topic if topic in config.topics else None
        if not config.counsellors_for(topic, fmt):
            return _invalid(dispatcher, tracker, FORMAT, "utter_booking_format_not_offered")
        result: Dict[str, Any] = {FORMAT: fmt, INVALID: 0}
        result[COUNSELLOR] = self._fitting_counsellor(config, topic, fmt, tracker.get_slot(COUNSELLOR))
        return self._changed(dispatcher, tracker, FORMAT, result)

    def validate_booking_counsellor(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        config = _service().config
        fitting = _fitting(config, tracker.get_slot(TOPIC), tracker.get_slot(FORMAT))
        if value == ANY_COUNSELLOR or value in fitting:
            return self._changed(dispatcher, tracker, COUNSELLOR, {COUNSELLOR: value, INVALID: 0})
        preference = _preference(value, _now())
        if preference is not None:  # "første ledige", "lige meget", or a time already
            result: Dict[str, Any] = {COUNSELLOR: ANY_COUNSELLOR, INVALID: 0}
            if not preference.asap and tracker.get_slot(TIME) is None:
                result[TIME] = value
            return result
        return _invalid(dispatcher, tracker, COUNSELLOR, "utter_booking_counsellor_not_understood")


class ValidateBookingLookupForm(_TimeAndSlot, FormValidationAction):
    def name(self) -> Text:
        return "validate_booking_lookup_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        request = tracker.get_slot(REQUEST)
        if request == "cancel":
            return [CODE, CANCEL_CONFIRMED]
        if request == "reschedule":
            return [CODE, TIME, SLOT, CONFIRMED]
        return [CODE]

    async def extract_booking_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[str, Any]:
        """'aflys k7mq 4xtr': a code in the request itself, even if the NLU missed it."""
        if tracker.get_slot(CODE) or tracker.get_slot("requested_slot") is not None:
            return {}
        code = find_code_in_text(_latest_text(tracker))
        return {CODE: code} if code else {}

    def validate_booking_code(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        now = _now().timestamp()
        retry_at = float(tracker.get_slot(RETRY_AT) or 0)
        if retry_at > now:  # refuse lookups until the pause has passed
            dispatcher.utter_message(response="utter_booking_code_wait", seconds=math.ceil(retry_at - now))
            return {CODE: None}
        code = find_code_in_text(str(value or "")) or find_code_in_text(_latest_text(tracker))
        if code is None:
            return _invalid(dispatcher, tracker, CODE, "utter_booking_code_malformed")
        try:
            booking = _service().find(code)
        except (BookingNotFound, InvalidBookingCode):
            return self._wrong_code(dispatcher, tracker, code, now)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_booking_database_down")
            return {CODE: None}
        result: Dict[str, Any] = {CODE: booking.code, CODE_FAILURES: 0, RETRY_AT: None, INVALID: 0}
        if tracker.get_slot(REQUEST) in ("cancel", "reschedule"):
            problem = self._unchangeable(booking)
            if problem:
                dispatcher.utter_message(response=problem, code=booking.display_code,
                                         time=format_slot(booking.starts_at, now=_now()))
                result[REQUEST] = None  # nothing more to ask; the form ends
        return result

    def _unchangeable(self, booking: Booking) -> Optional[str]:
        if not booking.is_active:
            return "utter_booking_already_cancelled"
        if booking.starts_at <= _now():
            return "utter_booking_in_the_past"
        return None

    def _wrong_code(self, dispatcher: CollectingDispatcher, tracker: Tracker, code: str,
                    now: float) -> Dict[str, Any]:
        failures = int(tracker.get_slot(CODE_FAILURES) or 0) + 1
        dispatcher.utter_message(response="utter_booking_code_not_found", code=_display(code))
        result: Dict[str, Any] = {CODE: None, CODE_FAILURES: failures}
        delay = wrong_code_delay(failures)
        if delay > 0:
            dispatcher.utter_message(response="utter_booking_code_wait", seconds=math.ceil(delay))
            result[RETRY_AT] = now + delay
        if failures % MAX_INVALID_ANSWERS == 0:
            dispatcher.utter_message(response="utter_booking_code_lost")
        return result

    def validate_booking_cancel_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                          tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if isinstance(value, bool):
            return {CANCEL_CONFIRMED: value, INVALID: 0}
        return _invalid(dispatcher, tracker, CANCEL_CONFIRMED, "utter_booking_cancel_yes_or_no")


# ------------------------------------------------------------------ questions


class ActionAskBookingFormat(Action):
    """The formats that counsellors with the chosen topic offer, as buttons."""

    def name(self) -> Text:
        return "action_ask_booking_format"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        config = _service().config
        topic = tracker.get_slot(TOPIC)
        offered = {f for c in map(config.counsellor, _fitting(config, topic, None)) for f in c.formats}
        buttons = [
            {"title": info.label, "payload": f'/book_session{{"{FORMAT}": "{key}"}}'}
            for key, info in config.formats.items() if key in offered
        ]
        dispatcher.utter_message(response="utter_ask_booking_format", buttons=buttons)
        return []


class ActionAskBookingCounsellor(Action):
    """One button per fitting counsellor, named by focus, plus 'the first free one'."""

    def name(self) -> Text:
        return "action_ask_booking_counsellor"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        config = _service().config
        template = response_text(domain, "utter_booking_counsellor_button") or "{focus}"
        buttons = [
            {
                "title": template.format(focus=", ".join(config.topics[t].lower() for t in c.focus if t != "andet")),
                "payload": f'/book_session{{"{COUNSELLOR}": "{c.id}"}}',
            }
            for c in map(config.counsellor, _fitting(config, tracker.get_slot(TOPIC), tracker.get_slot(FORMAT)))
        ]
        buttons.append({
            "title": response_text(domain, "utter_booking_counsellor_any_button"),
            "payload": f'/book_session{{"{COUNSELLOR}": "{ANY_COUNSELLOR}"}}',
        })
        dispatcher.utter_message(response="utter_ask_booking_counsellor", buttons=buttons)
        return []


class ActionAskBookingSlot(Action):
    """Concrete free slots as buttons: the nearest alternatives after a clash,
    else those fitting the preferred time."""

    intent = "book_session"  # of the buttons' payloads

    def name(self) -> Text:
        return "action_ask_booking_slot"

    def criteria(self, dispatcher: CollectingDispatcher,
                 tracker: Tracker) -> Optional[Tuple[Optional[str], Optional[str], Optional[str]]]:
        """(topic, format, counsellor id or None) to look for, or None to ask nothing."""
        counsellor = tracker.get_slot(COUNSELLOR)
        return tracker.get_slot(TOPIC), tracker.get_slot(FORMAT), (
            None if counsellor in (None, ANY_COUNSELLOR) else counsellor
        )

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        service, now = _service(), _now()
        alternatives = [s for s in (decode_slot(v, service.config) for v in tracker.get_slot(ALTERNATIVES) or []) if s]
        try:
            if alternatives:
                response, slots = "utter_booking_nearest_slots", alternatives
            else:
                criteria = self.criteria(dispatcher, tracker)
                if criteria is None:
                    return []
                topic, fmt, counsellor_id = criteria
                response, slots = find_slots(service, now, _preference(tracker.get_slot(TIME), now),
                                             topic=topic, fmt=fmt, counsellor_id=counsellor_id)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_booking_database_down")
            return []
        dispatcher.utter_message(response=response, buttons=_slot_buttons(slots, now, self.intent))
        return []


class ActionAskBookingConfirmed(Action):
    """The summary of the new booking and the yes/no question."""

    def name(self) -> Text:
        return "action_ask_booking_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        config = _service().config
        slot = decode_slot(tracker.get_slot(SLOT), config)
        topic, fmt = tracker.get_slot(TOPIC), tracker.get_slot(FORMAT)
        if slot is None or topic not in config.topics or fmt not in config.formats:
            return [SlotSet(SLOT, None)]
        dispatcher.utter_message(
            response="utter_ask_booking_confirmed", time=format_slot(slot.starts_at, now=_now()),
            counsellor=config.counsellor(slot.counsellor_id).name, **_labels(config, topic, fmt),
        )
        return []


class _LookupQuestion:
    """Mixin for questions about an existing booking: looks it up by the code in
    the slot. (Not an Action itself: the action server registers every Action.)"""

    def booking(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[Booking]:
        try:
            return _service().find(tracker.get_slot(CODE) or "")
        except (BookingNotFound, InvalidBookingCode):
            dispatcher.utter_message(response="utter_booking_code_not_found",
                                     code=_display(tracker.get_slot(CODE)))
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_booking_database_down")
        return None


class ActionAskBookingCancelConfirmed(_LookupQuestion, Action):
    def name(self) -> Text:
        return "action_ask_booking_cancel_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        booking = self.booking(dispatcher, tracker)
        if booking is not None:
            config = _service().config
            dispatcher.utter_message(
                response="utter_ask_booking_cancel_confirmed", code=booking.display_code,
                time=format_slot(booking.starts_at, now=_now()), **_labels(config, booking.topic, booking.format),
            )
        return []


class ActionAskBookingLookupFormBookingSlot(_LookupQuestion, ActionAskBookingSlot):
    """New times for a booking being moved: same topic and format, the same
    counsellor first."""

    intent = "reschedule_booking"

    def name(self) -> Text:
        return "action_ask_booking_lookup_form_booking_slot"

    def criteria(self, dispatcher: CollectingDispatcher,
                 tracker: Tracker) -> Optional[Tuple[Optional[str], Optional[str], Optional[str]]]:
        booking = self.booking(dispatcher, tracker)
        return None if booking is None else (booking.topic, booking.format, booking.counsellor_id)


class ActionAskBookingLookupFormBookingConfirmed(_LookupQuestion, Action):
    def name(self) -> Text:
        return "action_ask_booking_lookup_form_booking_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        config = _service().config
        slot = decode_slot(tracker.get_slot(SLOT), config)
        booking = self.booking(dispatcher, tracker)
        if booking is None or slot is None:
            return [] if booking is None else [SlotSet(SLOT, None)]
        now = _now()
        dispatcher.utter_message(
            response="utter_ask_booking_lookup_form_booking_confirmed",
            old_time=format_slot(booking.starts_at, now=now), time=format_slot(slot.starts_at, now=now),
            counsellor=config.counsellor(slot.counsellor_id).name,
        )
        return []


# ------------------------------------------------------------------ outcomes


class ActionBookSession(Action):
    """Books the confirmed slot. A slot taken meanwhile reopens the form with
    the nearest free alternatives; a database outage asks to confirm again."""

    def name(self) -> Text:
        return "action_book_session"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        service = _service()
        slot = decode_slot(tracker.get_slot(SLOT), service.config)
        topic, fmt = tracker.get_slot(TOPIC), tracker.get_slot(FORMAT)
        if slot is None or not topic or not fmt or tracker.get_slot(CONFIRMED) is not True:
            dispatcher.utter_message(response="utter_booking_start_again")
            return _reset(FLOW_SLOTS)
        try:
            booking = service.book(slot, topic, fmt)
        except (SlotAlreadyTaken, SlotNotAvailable) as problem:
            taken = isinstance(problem, SlotAlreadyTaken)
            dispatcher.utter_message(response="utter_booking_slot_taken" if taken else "utter_booking_slot_unavailable")
            return [SlotSet(SLOT, None), SlotSet(CONFIRMED, None),
                    SlotSet(ALTERNATIVES, [encode_slot(s) for s in problem.alternatives] or None),
                    ActiveLoop(BOOKING_FORM)]
        except UnknownChoice:
            dispatcher.utter_message(response="utter_booking_start_again")
            return _reset(FLOW_SLOTS)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_booking_database_down")
            return [SlotSet(CONFIRMED, None), ActiveLoop(BOOKING_FORM)]
        _booked_messages(dispatcher, booking, service.config, _now(), "utter_booking_confirmed")
        return _reset(FLOW_SLOTS)


class ActionChangeBooking(Action):
    """After the lookup form: show, cancel or move the booking with the code."""

    def name(self) -> Text:
        return "action_change_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        request, code = tracker.get_slot(REQUEST), tracker.get_slot(CODE)
        if not code or request not in ("check", "cancel", "reschedule"):
            return _reset(FLOW_SLOTS)  # the form has already said why it stopped
        service, now = _service(), _now()
        try:
            if request == "check":
                self.show(dispatcher, domain, service.find(code), now)
            elif request == "cancel":
                if tracker.get_slot(CANCEL_CONFIRMED) is not True:
                    dispatcher.utter_message(response="utter_booking_kept")
                else:
                    booking = service.cancel(code)
                    dispatcher.utter_message(response="utter_booking_cancelled", code=booking.display_code,
                                             time=format_slot(booking.starts_at, now=now))
            else:
                slot = decode_slot(tracker.get_slot(SLOT), service.config)
                if slot is None or tracker.get_slot(CONFIRMED) is not True:
                    dispatcher.utter_message(response="utter_booking_not_moved")
                else:
                    booking = service.reschedule(code, slot)
                    _booked_messages(dispatcher, booking, service.config, now, "utter_booking_moved")
        except (SlotAlreadyTaken, SlotNotAvailable) as problem:
            taken = isinstance(problem, SlotAlreadyTaken)
            dispatcher.utter_message(response="utter_booking_slot_taken" if taken else "utter_booking_slot_unavailable")
            return [SlotSet(SLOT, None), SlotSet(CONFIRMED, None),
                    SlotSet(ALTERNATIVES, [encode_slot(s) for s in problem.alternatives] or None),
                    ActiveLoop(LOOKUP_FORM)]
        except (BookingNotFound, InvalidBookingCode):
            dispatcher.utter_message(response="utter_booking_code_not_found", code=_display(code))
        except BookingAlreadyCancelled as error:
            dispatcher.utter_message(response="utter_booking_already_cancelled", code=error.booking.display_code,
                                     time=format_slot(error.booking.starts_at, now=now))
        except BookingInThePast as error:
            dispatcher.utter_message(response="utter_booking_in_the_past", code=error.booking.display_code,
                                     time=format_slot(error.booking.starts_at, now=now))
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_booking_database_down")
        return _reset(FLOW_SLOTS)

    def show(self, dispatcher: CollectingDispatcher, domain: DomainDict, booking: Booking,
             now: datetime) -> None:
        config = _service().config
        values = dict(code=booking.display_code, time=format_slot(booking.starts_at, now=now),
                      counsellor=config.counsellor(booking.counsellor_id).name,
                      **_labels(config, booking.topic, booking.format))
        if not booking.is_active:
            dispatcher.utter_message(response="utter_booking_details_cancelled", **values)
            return
        if booking.starts_at <= now:
            dispatcher.utter_message(response="utter_booking_details_past", **values)
            return
        # The buttons carry the code, so no slot has to keep it after this answer.
        buttons = [
            {"title": response_text(domain, f"utter_booking_button_{intent}"),
             "payload": f'/{intent}{{"{CODE}": "{booking.code}"}}'}
            for intent in ("reschedule_booking", "cancel_booking")
        ]
        dispatcher.utter_message(response="utter_booking_details", buttons=buttons, **values)
        dispatcher.utter_message(response="utter_booking_calendar_link", url=_calendar_url(booking.code))


class ActionStopBooking(Action):
    """'stop' / 'glem det' in either form: nothing is booked or changed."""

    def name(self) -> Text:
        return "action_stop_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_booking_stopped")
        return _reset(FLOW_SLOTS)
