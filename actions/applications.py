"""Snusepraktik and exchange applications in the chat (issue 5): the Rasa side of
bot.applications.

Two forms:
- application_form: kind of stay, profession, current workplace and department,
  years in the specialty (with the ~2-year guideline for an exchange), desired
  specialty and place, period, motivation, name, work e-mail, consent, and a
  summary to confirm or correct; then action_submit_application stores it.
- application_lookup_form: what the employee wants (status or withdrawal), the
  reference, the e-mail used (both must match), and for a withdrawal a yes/no;
  then action_answer_application_lookup tells the state or withdraws.

All slot filling happens in one place per form (`extract_application_kind`,
`extract_application_request`: the first required slot, so rasa-sdk calls it
every turn): it decides what the latest message answers, including entities
given with the request itself ("i snusepraktik på neonatal i 6 uger") and a
change of mind ("nej, hellere udveksling"). The slot validators only check one
value each with the service's check functions. Slots hold keys and the texts
the employee wrote; no slot keeps personal data after a flow ends.

The outbox dispatcher, which delivers the counsellors' Teams notices, is started
here once (builder "outbox"), only when KA_TEAMS_WEBHOOK_URL is set.
"""
from __future__ import annotations

import atexit
import logging
import math
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.responses import response_text
from bot.applications import (
    ApplicationClosed,
    ApplicationDraft,
    ApplicationNotFound,
    ApplicationService,
    ApplicationStatus,
    ConsentMissing,
    EmailDomainNotAllowed,
    FieldTooLong,
    IllegalTransition,
    InvalidDraft,
    InvalidEmail,
    InvalidPeriod,
    InvalidYearsInSpecialty,
    MissingField,
    MotivationTooLong,
    Period,
    PeriodInPast,
    PeriodTooLong,
    below_two_year_guideline,
    check_email,
    check_motivation,
    normalise_reference,
    parse_period,
    parse_years,
)
from bot.applications.states import CLOSED_STATES, ApplicationState
from bot.applications.validation import check_period, check_text, check_years
from bot.booking import wrong_code_delay
from bot.danish import MONTHS, format_date
from bot.db import DatabaseUnavailable
from bot.outbox import OutboxDispatcher, make_sender, start_dispatcher_thread
from bot.outbox.clock import system_clock
from bot.settings import Settings
from bot.vocabulary import Term

log = logging.getLogger(__name__)

# ------------------------------------------------------------------ names

FORM, LOOKUP_FORM = "application_form", "application_lookup_form"
REQUESTED = "requested_slot"
KIND, PROFESSION = "application_kind", "application_profession"
WORKPLACE, DEPARTMENT = "application_workplace", "application_department"
YEARS, GUIDELINE = "application_years", "application_guideline"
SPECIALTY, PLACE = "application_specialty", "application_desired_place"
DESIRED_WORKPLACE, DESIRED_DEPARTMENT = "application_desired_workplace", "application_desired_department"
PERIOD, DURATION = "application_period", "application_duration"
MOTIVATION, NAME, EMAIL = "application_motivation", "application_name", "application_email"
CONSENT, CONFIRMED = "application_consent", "application_confirmed"
INVALID = "application_invalid_answers"
REQUEST, REFERENCE = "application_request", "application_reference"
LOOKUP_EMAIL, WITHDRAW_CONFIRMED = "application_lookup_email", "application_withdraw_confirmed"
# Kept when a flow ends or stops: the slowdown of failed lookups must survive "stop".
FAILURES, RETRY_AT = "application_lookup_failures", "application_lookup_retry_at"

FORM_ORDER = (KIND, PROFESSION, WORKPLACE, DEPARTMENT, YEARS, GUIDELINE, SPECIALTY, PLACE,
              PERIOD, MOTIVATION, NAME, EMAIL, CONSENT, CONFIRMED)
FORM_SLOTS = FORM_ORDER + (DESIRED_WORKPLACE, DESIRED_DEPARTMENT, DURATION, INVALID)
LOOKUP_SLOTS = (REQUEST, REFERENCE, LOOKUP_EMAIL, WITHDRAW_CONFIRMED, INVALID)

# Values of slots (keys, never Danish labels).
SEND_ANYWAY, SEE_COUNSELLOR = "send", "counsellor"
NOT_KNOWN = "unknown"  # desired place not known yet
STATUS, WITHDRAW, DONE = "status", "withdraw", "done"  # DONE: the form has answered already
CORRECT_PREFIX = "correct:"
KINDS = ("snusepraktik", "udveksling")

# Fields the summary offers to correct: key (button payload) -> slots cleared.
CORRECTABLE: Dict[str, Tuple[str, ...]] = {
    "kind": (KIND, GUIDELINE),
    "profession": (PROFESSION,),
    "workplace": (WORKPLACE,),
    "department": (DEPARTMENT,),
    "years": (YEARS, GUIDELINE),
    "specialty": (SPECIALTY,),
    "place": (PLACE, DESIRED_WORKPLACE, DESIRED_DEPARTMENT),
    "period": (PERIOD, DURATION),
    "motivation": (MOTIVATION,),
    "name": (NAME,),
    "email": (EMAIL,),
}
# The service's field names (InvalidDraft.field) -> slots to ask again.
FIELD_SLOTS: Dict[str, Tuple[str, ...]] = {
    "kind": CORRECTABLE["kind"], "profession": CORRECTABLE["profession"],
    "current_workplace": CORRECTABLE["workplace"], "current_department": CORRECTABLE["department"],
    "years_in_specialty": CORRECTABLE["years"], "desired_specialty": CORRECTABLE["specialty"],
    "desired_department": CORRECTABLE["place"], "desired_workplace": CORRECTABLE["place"],
    "period": CORRECTABLE["period"], "period_text": CORRECTABLE["period"],
    "motivation": CORRECTABLE["motivation"], "name": CORRECTABLE["name"], "email": CORRECTABLE["email"],
}
# Answers that are the employee's own words: a stay kind mentioned in them is no change of mind.
OWN_WORDS = (MOTIVATION,)
MAX_INVALID_ANSWERS = 3
MAX_WORDS_OF_A_CHANGE = 6

# Responses sent by name from the forms (utter_ask_<slot>), listed so one search
# finds every response this feature uses.
FORM_QUESTIONS = (
    "utter_ask_application_kind", "utter_ask_application_workplace",
    "utter_ask_application_department", "utter_ask_application_years",
    "utter_ask_application_guideline", "utter_ask_application_specialty",
    "utter_ask_application_desired_place", "utter_ask_application_motivation",
    "utter_ask_application_name", "utter_ask_application_reference",
    "utter_ask_application_lookup_email", "utter_ask_application_withdraw_confirmed",
)

# ------------------------------------------------------------------ composition


@services.register("applications")
def build_application_service(settings: Settings, session_factory: Any) -> ApplicationService:
    return ApplicationService(session_factory, settings)


@services.register("applications_settings")
def build_application_settings(settings: Settings, session_factory: Any) -> Settings:
    """Allowed e-mail domains and retention, as the questions tell them."""
    return settings


@services.register("applications_clock")
def build_application_clock(settings: Settings, session_factory: Any):
    return system_clock


@dataclass
class OutboxRunner:
    """The dispatcher thread delivering outbox notices, and how to stop it."""

    thread: threading.Thread
    stop_event: threading.Event

    def stop(self, timeout: float = 5.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


def _env_seconds(name: str, default: float) -> float:
    # Timing knobs that only tests turn down; not (yet) part of Settings.
    try:
        return max(0.05, float(os.environ.get(name, default)))
    except ValueError:
        return default


@services.register("outbox")
def build_outbox_runner(settings: Settings, session_factory: Any) -> Optional[OutboxRunner]:
    """Start the outbox dispatcher once per action server, when a webhook is configured.

    Without KA_TEAMS_WEBHOOK_URL the notices stay stored in the outbox (deliver
    them later with `python -m bot.outbox.cli deliver`).
    """
    sender = make_sender(settings.teams_webhook_url, console_url=f"{settings.public_base_url}/konsol")
    if sender is None:
        log.info("No Teams webhook configured: outbox notices stay stored")
        return None
    dispatcher = OutboxDispatcher(
        session_factory, sender, base_delay=_env_seconds("KA_OUTBOX_RETRY_BASE_SECONDS", 5.0),
    )
    thread, stop_event = start_dispatcher_thread(
        dispatcher, interval_seconds=_env_seconds("KA_OUTBOX_INTERVAL_SECONDS", 5.0),
    )
    runner = OutboxRunner(thread, stop_event)
    atexit.register(runner.stop)
    return runner


def _service() -> ApplicationService:
    services.get("outbox")  # the notices this service enqueues need a running dispatcher
    return services.get("applications")


def _settings() -> Settings:
    return services.get("applications_settings")


def _now() -> datetime:
    return services.get("applications_clock")()


# ------------------------------------------------------------------ reading messages

_NUMBER_WORDS = ("en", "et", "én", "ét", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni",
                 "ti", "elleve", "tolv", "halvanden")
_DURATION = re.compile(
    r"\b(?:" + "|".join(_NUMBER_WORDS) + r"|\d+(?:[.,]5)?)\s+"
    r"(?:dage|dag|ugers|uger|uge|måneders|måneder|måned|maaneder|maaned|mdr|md)\b\.?"
)
_MONTHS = "|".join(MONTHS)
_PERIOD_HINT = re.compile(
    r"\b(?:uge(?:rne)?\s*\d{1,2}(?:\s*(?:-|til|og)\s*(?:uge\s*)?\d{1,2})?(?:\s+\d{4})?"
    rf"|(?:{_MONTHS})(?:\s+\d{{4}})?(?:\s*(?:-|til)\s*(?:{_MONTHS})(?:\s+\d{{4}})?)?"
    r"|efter\s+sommer(?:en|ferien|ferie)?|(?:foråret|sommeren|efteråret|vinteren)"
    r"|næste\s+(?:uge|måned|år)|efter\s+(?:jul|nytår))\b"
)
_EMAIL_LIKE = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
_REFERENCE_LIKE = re.compile(r"\bsp\s*[-–/ ]?\s*\d{4}\s*[-–/ ]?\s*\d{1,6}\b", re.IGNORECASE)
_KIND_WORD = re.compile(r"\b(?:snuse\s*-?\s*praktik\w*|udveksling\w*)", re.IGNORECASE)
_CURRENT_HINT = re.compile(r"\b(?:arbejder|ansat|jeg er|til daglig)\b")
_NOT_KNOWN_TEXTS = {"ved ikke", "ved ikke endnu", "det ved jeg ikke", "det ved jeg ikke endnu",
                    "ikke endnu", "nej", "ingen", "ingen idé", "aner det ikke", "-", "?"}
_EDGE_WORDS = {"på", "paa", "i", "og", "ved", "hos", "fra", "til", "-", "–"}


def _text(tracker: Tracker) -> str:
    """The latest message's text; '' for a button payload like '/affirm'."""
    text = (tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


def _entities(tracker: Tracker, name: str) -> List[Dict[str, Any]]:
    return [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == name]


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    found = _entities(tracker, name)
    value = found[0].get("value") if found else None
    return str(value) if value not in (None, "") else None


def _intent(tracker: Tracker) -> Optional[str]:
    """The intent NLU chose ('nlu_fallback' when unsure: then no yes, no or stop is read)."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def kind_of(value: Any) -> Optional[str]:
    """'snusepraktik' or 'udveksling' for an entity value or free text; None if unclear."""
    text = str(value or "").lower()
    short = any(word in text for word in ("snuse", "kort", "praktik"))
    exchange = any(word in text for word in ("udveks", "exchange", "uddannelsesophold", "lang"))
    if short == exchange:
        return None
    return "snusepraktik" if short else "udveksling"


def find_term(text: str, terms: Iterable[Term]) -> Optional[Tuple[str, int, int]]:
    """(key, start, end) of the longest spelling of one of `terms` in `text`, as a whole word."""
    lowered, best = text.lower(), None
    for term in terms:
        for spelling in term.spellings():
            pattern = r"(?<!\w)" + re.escape(str(spelling)) + r"(?!\w)"
            for match in re.finditer(pattern, lowered):
                if best is None or match.end() - match.start() > best[2] - best[1]:
                    best = (term.key, match.start(), match.end())
    return best


def _has_words_besides(text: str, start: int, end: int) -> bool:
    """True when `text` says more than the span [start, end) and a few linking words."""
    words = [w for w in re.split(r"[\s,.]+", (text[:start] + " " + text[end:]).lower()) if w]
    return any(w not in _EDGE_WORDS and re.search(r"[a-zæøå]{2}", w) for w in words)


def duration_in(text: str) -> Optional[str]:
    """'6 uger' in 'jeg vil gerne i udveksling i 6 uger'."""
    match = _DURATION.search(text.lower())
    return match.group(0).rstrip(".") if match else None


def _parse(text: str, today) -> Optional[Period]:
    try:
        return parse_period(text, today)
    except PeriodInPast:
        return None


def period_in(text: str, today) -> Optional[str]:
    """The period a longer message names, as parse_period reads it: 'efter
    sommerferien i 6 uger' in '... på neonatal efter sommerferien i 6 uger', or
    only the length ('i 6 uger') when no start is named."""
    hint = _PERIOD_HINT.search(text.lower())
    anchor = hint.group(0) if hint and _parse(hint.group(0), today) else None
    duration = duration_in(text)
    if anchor is None and duration is None:
        return None
    return " i ".join(part for part in (anchor, duration) if part)


def _is_current_workplace(text: str, entity: Dict[str, Any], tracker: Tracker) -> bool:
    """In the request itself, is a workplace where the employee works now ('jeg er
    spl på RH og vil ...') rather than where they want to go ('... på neonatal på RH')?"""
    start = entity.get("start")
    if not isinstance(start, int):
        return False
    before = text[:start].lower()
    markers = [m.end() for m in _CURRENT_HINT.finditer(before)]
    markers += [e.get("end", -1) for e in _entities(tracker, "profession") if e.get("end", 10**6) <= start]
    targets = [e.get("end", -1) for name in ("stay_kind", "specialty") for e in _entities(tracker, name)
               if e.get("end", 10**6) <= start]
    return bool(markers) and max(markers) > max(targets, default=-1)


def _prefill(tracker: Tracker) -> Dict[str, Any]:
    """What the request to apply already says ('Jeg er SOSU-assistent på RH og vil
    gerne i snusepraktik på neonatal i 6 uger')."""
    text = tracker.latest_message.get("text") or ""
    found: Dict[str, Any] = {}
    kind = kind_of(_entity(tracker, "stay_kind"))
    if kind:
        found[KIND] = kind
    if _entity(tracker, "profession"):
        found[PROFESSION] = _entity(tracker, "profession")
    workplaces = _service().vocabulary.workplaces
    for workplace in _entities(tracker, "workplace"):
        key = str(workplace.get("value"))
        if _is_current_workplace(text, workplace, tracker):
            found.setdefault(WORKPLACE, key)
        else:  # the desired place is shown as written, so the hospital's name
            found.setdefault(PLACE, _label(workplaces, key))
    if _entity(tracker, "specialty"):
        found[SPECIALTY] = _entity(tracker, "specialty")
    period = None if text.startswith("/") else period_in(text, _service().today())
    if period:
        found[PERIOD] = period
    return found


# ------------------------------------------------------------------ helpers


def _reset(names: Iterable[str]) -> List[EventType]:
    return [SlotSet(name, None) for name in names]


def _requested(tracker: Tracker) -> Optional[str]:
    return tracker.get_slot(REQUESTED)


def _invalid(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, response: str,
             **values: Any) -> Dict[str, Any]:
    """Reject an answer with a short explanation; every third time offer a way out.
    A value taken from the request itself is dropped silently: the question follows."""
    if _requested(tracker) is None:
        return {slot: None}
    dispatcher.utter_message(response=response, **values)
    count = int(tracker.get_slot(INVALID) or 0) + 1
    if count >= MAX_INVALID_ANSWERS:
        dispatcher.utter_message(response="utter_application_way_out")
        count = 0
    return {slot: None, INVALID: count}


def _changing(tracker: Tracker, slot: str) -> bool:
    """True when `slot` is answered again after the form has moved past it."""
    requested = _requested(tracker)
    return requested in FORM_ORDER and slot in FORM_ORDER and FORM_ORDER.index(requested) > FORM_ORDER.index(slot)


def _accepted(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str,
              values: Dict[str, Any]) -> Dict[str, Any]:
    """An accepted answer; a change of an earlier answer is acknowledged."""
    result = {**values, INVALID: 0}
    if _changing(tracker, slot):
        dispatcher.utter_message(response="utter_application_change_noted")
        result[CONFIRMED] = None
    return result


def _domains_text(settings: Settings) -> str:
    return ", ".join(f"@{d.lstrip('@')}" for d in settings.allowed_email_domains)


def _years_text(years: Any) -> str:
    return f"{float(years):g}".replace(".", ",")


def _label(terms: Sequence[Term], key: Any) -> str:
    return next((t.label for t in terms if t.key == key), str(key or ""))


# ------------------------------------------------------------------ the application form


class ValidateApplicationForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_application_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        """The questions in order. The guideline question only for an exchange with
        under ~2 years; the form ends early (the last slot filled) when the employee
        chose a counsellor instead or declined consent."""
        slots = [KIND, PROFESSION, WORKPLACE, DEPARTMENT, YEARS]
        kind, years = tracker.get_slot(KIND), tracker.get_slot(YEARS)
        if kind in KINDS and isinstance(years, (int, float)) and below_two_year_guideline(kind, years):
            slots.append(GUIDELINE)
            if tracker.get_slot(GUIDELINE) == SEE_COUNSELLOR:
                return slots
        slots += [SPECIALTY, PLACE, PERIOD, MOTIVATION, NAME, EMAIL, CONSENT]
        if tracker.get_slot(CONSENT) is False:
            return slots
        return slots + [CONFIRMED]

    # --- extraction: what the latest message answers -----------------------

    async def extract_application_kind(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[str, Any]:
        """Every slot this turn fills (KIND is always the first required slot)."""
        if _intent(tracker) == "stop":
            return {}  # the form rejects; the stop rule takes over
        requested = _requested(tracker)
        if requested is None:
            return _prefill(tracker) if _intent(tracker) == "apply_snusepraktik" else {}
        text = _text(tracker)
        new_kind = kind_of(_entity(tracker, "stay_kind") or _first(_KIND_WORD, text))
        if (requested not in (KIND, GUIDELINE) + OWN_WORDS and new_kind
                and new_kind != tracker.get_slot(KIND)
                and len(text.split()) <= MAX_WORDS_OF_A_CHANGE):
            return {KIND: new_kind}  # "nej, hellere udveksling"
        return {requested: self._answer(requested, tracker, text)}

    def _answer(self, requested: str, tracker: Tracker, text: str) -> Any:
        """The value the latest message gives the requested slot (validated next)."""
        intent = _intent(tracker)
        if requested == KIND:
            return _entity(tracker, "stay_kind") or text
        if requested == PROFESSION:
            return _entity(tracker, "profession") or text
        if requested == WORKPLACE:
            return _entity(tracker, "workplace") or text
        if requested == SPECIALTY:
            return text or _entity(tracker, "specialty") or ""
        if requested == PLACE:
            return NOT_KNOWN if intent == "deny" or text.lower().strip(" .!") in _NOT_KNOWN_TEXTS else text
        if requested == GUIDELINE:
            if kind_of(_entity(tracker, "stay_kind") or text) == "snusepraktik":
                return "snusepraktik"
            if intent in ("book_session", "request_human"):
                return SEE_COUNSELLOR
            return SEND_ANYWAY if intent == "affirm" else text
        if requested in (CONSENT, CONFIRMED):
            field = _entity(tracker, "application_field")
            if requested == CONFIRMED and field in CORRECTABLE:
                return CORRECT_PREFIX + field
            if intent in ("affirm", "deny"):
                return intent == "affirm"
            return text
        return text

    # --- validation: one value each --------------------------------------------

    def validate_application_kind(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        kind = kind_of(value)
        if kind is None:
            return _invalid(dispatcher, tracker, KIND, "utter_application_kind_not_understood")
        return _accepted(dispatcher, tracker, KIND, {KIND: kind, GUIDELINE: None})

    def validate_application_profession(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        vocabulary = _service().vocabulary
        key = vocabulary.canonical_profession(str(value or ""))
        if key is None:
            found = find_term(str(value or ""), vocabulary.professions)
            key = found[0] if found else None
        if key is None:
            return _invalid(dispatcher, tracker, PROFESSION, "utter_application_profession_unknown")
        return _accepted(dispatcher, tracker, PROFESSION, {PROFESSION: key})

    def validate_application_workplace(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        vocabulary = _service().vocabulary
        key = vocabulary.canonical_workplace(str(value or ""))
        if key is None:
            found = find_term(str(value or ""), vocabulary.workplaces)
            key = found[0] if found else None
        if key is None:
            return _invalid(dispatcher, tracker, WORKPLACE, "utter_application_workplace_unknown")
        return _accepted(dispatcher, tracker, WORKPLACE, {WORKPLACE: key})

    def _free_text(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str,
                   field: str, value: Any, missing: str) -> Dict[str, Any]:
        try:
            cleaned = check_text(field, str(value or ""))
        except FieldTooLong as error:
            return _invalid(dispatcher, tracker, slot, "utter_application_text_too_long",
                            max_length=error.max_length)
        except MissingField:
            return _invalid(dispatcher, tracker, slot, missing)
        return _accepted(dispatcher, tracker, slot, {slot: cleaned})

    def validate_application_department(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        return self._free_text(dispatcher, tracker, DEPARTMENT, "current_department", value,
                               "utter_application_department_missing")

    def validate_application_years(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        years = value if isinstance(value, (int, float)) and not isinstance(value, bool) else parse_years(str(value or ""))
        try:
            years = check_years(years)
        except InvalidYearsInSpecialty:
            return _invalid(dispatcher, tracker, YEARS, "utter_application_years_not_understood")
        return _accepted(dispatcher, tracker, YEARS, {YEARS: years, GUIDELINE: None})

    def validate_application_guideline(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if value == "snusepraktik":
            dispatcher.utter_message(response="utter_application_switched_to_snusepraktik")
            return {KIND: "snusepraktik", GUIDELINE: None, INVALID: 0}
        if value in (SEND_ANYWAY, SEE_COUNSELLOR):
            return {GUIDELINE: value, INVALID: 0}
        return _invalid(dispatcher, tracker, GUIDELINE, "utter_application_guideline_not_understood")

    def validate_application_specialty(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        return self._free_text(dispatcher, tracker, SPECIALTY, "desired_specialty", value,
                               "utter_application_specialty_missing")

    def validate_application_desired_place(self, value: Any, dispatcher: CollectingDispatcher,
                                           tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if value == NOT_KNOWN:
            return _accepted(dispatcher, tracker, PLACE, {PLACE: NOT_KNOWN, DESIRED_WORKPLACE: None,
                                                          DESIRED_DEPARTMENT: None})
        result = self._free_text(dispatcher, tracker, PLACE, "desired_department", value,
                                 "utter_application_place_missing")
        text = result.get(PLACE)
        if text is None:
            return result
        found = find_term(text, _service().vocabulary.workplaces)
        result[DESIRED_WORKPLACE] = found[0] if found else None
        # Anything besides the workplace's name goes to the coordinator as written.
        result[DESIRED_DEPARTMENT] = text if not found or _has_words_besides(text, found[1], found[2]) else None
        return result

    def validate_application_period(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        text = " ".join(str(value or "").split())
        duration = duration_in(text)
        known_duration = tracker.get_slot(DURATION)
        wanted = text if duration or not known_duration else f"{text} i {known_duration}"
        today = _service().today()
        try:
            period = parse_period(wanted, today)
            if period is not None:
                check_period(period.start, period.end, today)
        except PeriodInPast:
            return _invalid(dispatcher, tracker, PERIOD, "utter_application_period_in_past")
        except PeriodTooLong as error:
            return _invalid(dispatcher, tracker, PERIOD, "utter_application_period_too_long",
                            max_days=error.max_days)
        except InvalidPeriod:
            period = None
        if period is None and duration:
            # Only how long ("i 6 uger"): the question for the start follows.
            return {PERIOD: None, DURATION: duration, INVALID: 0}
        if period is None:
            return _invalid(dispatcher, tracker, PERIOD, "utter_application_period_not_understood")
        return _accepted(dispatcher, tracker, PERIOD, {PERIOD: wanted, DURATION: duration or known_duration})

    def validate_application_motivation(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        try:
            text = check_motivation(str(value or ""))
        except MotivationTooLong as error:
            return _invalid(dispatcher, tracker, MOTIVATION, "utter_application_motivation_too_long",
                            max_length=error.max_length)
        if not text:
            return _invalid(dispatcher, tracker, MOTIVATION, "utter_application_motivation_missing")
        return _accepted(dispatcher, tracker, MOTIVATION, {MOTIVATION: text})

    def validate_application_name(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        text = " ".join(str(value or "").split())
        if not re.search(r"[^\W\d_]{2}", text) or re.search(r"[@\d/]", text):
            return _invalid(dispatcher, tracker, NAME, "utter_application_name_not_understood")
        return self._free_text(dispatcher, tracker, NAME, "name", text, "utter_application_name_not_understood")

    def validate_application_email(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        settings = _settings()
        candidate = _EMAIL_LIKE.search(str(value or ""))
        try:
            email = check_email(candidate.group(0).rstrip(".") if candidate else "",
                                settings.allowed_email_domains)
        except EmailDomainNotAllowed:
            return _invalid(dispatcher, tracker, EMAIL, "utter_application_email_domain_not_allowed",
                            domains=_domains_text(settings))
        except (InvalidEmail, MissingField):
            return _invalid(dispatcher, tracker, EMAIL, "utter_application_email_invalid",
                            domains=_domains_text(settings))
        return _accepted(dispatcher, tracker, EMAIL, {EMAIL: email})

    def validate_application_consent(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if isinstance(value, bool):
            return {CONSENT: value, INVALID: 0}
        return _invalid(dispatcher, tracker, CONSENT, "utter_application_consent_yes_or_no")

    def validate_application_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if value is True:
            return {CONFIRMED: True, INVALID: 0}
        if isinstance(value, str) and value.startswith(CORRECT_PREFIX):
            cleared = CORRECTABLE.get(value[len(CORRECT_PREFIX):], ())
            return {CONFIRMED: None, INVALID: 0, **{slot: None for slot in cleared}}
        text = _text(tracker)
        if _EMAIL_LIKE.search(text):  # "nej, det er anna.j@regionh.dk"
            return {CONFIRMED: None, **self.validate_application_email(text, dispatcher, tracker, domain)}
        period = period_in(text, _service().today())
        if period and _parse(period, _service().today()):  # "nej, hellere uge 14"
            return {CONFIRMED: None, **self.validate_application_period(period, dispatcher, tracker, domain)}
        if value is False:
            dispatcher.utter_message(response="utter_application_what_to_change")
            return {CONFIRMED: None, INVALID: 0}
        return _invalid(dispatcher, tracker, CONFIRMED, "utter_application_confirm_choose")


# ------------------------------------------------------------------ questions


class ActionAskApplicationProfession(Action):
    """The professions the assistant knows, as buttons (labels are data)."""

    def name(self) -> Text:
        return "action_ask_application_profession"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        buttons = [{"title": term.label, "payload": f'/apply_snusepraktik{{"profession": "{term.key}"}}'}
                   for term in _service().vocabulary.professions]
        dispatcher.utter_message(response="utter_ask_application_profession", buttons=buttons)
        return []


class ActionAskApplicationPeriod(Action):
    """When, with examples; only the start when the length is known ('i 6 uger')."""

    def name(self) -> Text:
        return "action_ask_application_period"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        duration = tracker.get_slot(DURATION)
        if duration:
            dispatcher.utter_message(response="utter_ask_application_period_start", duration=duration)
        else:
            dispatcher.utter_message(response="utter_ask_application_period")
        return []


class ActionAskApplicationEmail(Action):
    """The work e-mail, saying which domains are accepted."""

    def name(self) -> Text:
        return "action_ask_application_email"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_application_email", domains=_domains_text(_settings()))
        return []


class ActionAskApplicationConsent(Action):
    """Consent to store the application, saying how long it is kept."""

    def name(self) -> Text:
        return "action_ask_application_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_application_consent",
                                 days=_settings().application_retention_days)
        return []


def summary_values(tracker: Tracker, domain: DomainDict, service: ApplicationService) -> Optional[Dict[str, Any]]:
    """The values of the summary, or None when the period no longer reads as a future period."""
    vocabulary, today = service.vocabulary, service.today()
    period = _parse(tracker.get_slot(PERIOD) or "", today)
    if period is None:
        return None
    place = tracker.get_slot(PLACE)
    return dict(
        kind=response_text(domain, f"utter_application_kind_label_{tracker.get_slot(KIND)}") or "",
        profession=_label(vocabulary.professions, tracker.get_slot(PROFESSION)),
        workplace=_label(vocabulary.workplaces, tracker.get_slot(WORKPLACE)),
        department=tracker.get_slot(DEPARTMENT) or "",
        years=_years_text(tracker.get_slot(YEARS) or 0),
        specialty=tracker.get_slot(SPECIALTY) or "",
        place=response_text(domain, "utter_application_place_not_known") if place == NOT_KNOWN else place,
        period=period.text,
        start=format_date(period.start, today=today, with_weekday=False),
        end=format_date(period.end, today=today, with_weekday=False),
        motivation=tracker.get_slot(MOTIVATION) or "",
        name=tracker.get_slot(NAME) or "",
        email=tracker.get_slot(EMAIL) or "",
    )


class ActionAskApplicationConfirmed(Action):
    """The summary, with 'send', a button per field to correct, and 'drop it'."""

    def name(self) -> Text:
        return "action_ask_application_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        values = summary_values(tracker, domain, _service())
        if values is None:  # the period has passed since it was given: ask it again
            dispatcher.utter_message(response="utter_application_period_in_past")
            dispatcher.utter_message(response="utter_ask_application_period")
            return [SlotSet(PERIOD, None), SlotSet(DURATION, None), SlotSet(REQUESTED, PERIOD)]
        if tracker.get_slot(GUIDELINE) == SEND_ANYWAY:
            dispatcher.utter_message(response="utter_application_summary_guideline_note")
        buttons = [{"title": response_text(domain, "utter_application_button_send"), "payload": "/affirm"}]
        buttons += [
            {"title": response_text(domain, f"utter_application_button_correct_{field}"),
             "payload": f'/apply_snusepraktik{{"application_field": "{field}"}}'}
            for field in CORRECTABLE
        ]
        buttons.append({"title": response_text(domain, "utter_application_button_stop"), "payload": "/stop"})
        dispatcher.utter_message(response="utter_ask_application_confirmed", buttons=buttons, **values)
        return []


# ------------------------------------------------------------------ outcomes


class ActionSubmitApplication(Action):
    """After the form: store the confirmed application and give the reference,
    or say why nothing was stored. A value the service rejects reopens the form
    at that question; a database outage asks to confirm again."""

    def name(self) -> Text:
        return "action_submit_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        if tracker.get_slot(GUIDELINE) == SEE_COUNSELLOR:
            dispatcher.utter_message(response="utter_application_counsellor_instead")
            return _reset(FORM_SLOTS)
        if tracker.get_slot(CONSENT) is False:
            dispatcher.utter_message(response="utter_application_not_stored")
            return _reset(FORM_SLOTS)
        service = _service()
        draft = self._draft(tracker, service)
        if draft is None or tracker.get_slot(CONFIRMED) is not True:
            dispatcher.utter_message(response="utter_application_start_again")
            return _reset(FORM_SLOTS)
        try:
            submitted = service.submit(draft)
        except ConsentMissing:
            dispatcher.utter_message(response="utter_application_not_stored")
            return _reset(FORM_SLOTS)
        except InvalidDraft as error:
            self._explain(dispatcher, error)
            cleared = FIELD_SLOTS.get(error.field, ())
            if not cleared:
                dispatcher.utter_message(response="utter_application_start_again")
                return _reset(FORM_SLOTS)
            return [*_reset(cleared + (CONFIRMED,)), ActiveLoop(FORM)]
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_application_database_down")
            return [SlotSet(CONFIRMED, None), ActiveLoop(FORM)]
        dispatcher.utter_message(response="utter_application_submitted", reference=submitted.reference,
                                 email=draft.email)
        if submitted.below_guideline:
            dispatcher.utter_message(response="utter_application_submitted_below_guideline")
        dispatcher.utter_message(response="utter_application_next_steps")
        return _reset(FORM_SLOTS)

    @staticmethod
    def _draft(tracker: Tracker, service: ApplicationService) -> Optional[ApplicationDraft]:
        period_text = tracker.get_slot(PERIOD)
        years = tracker.get_slot(YEARS)
        required = (KIND, PROFESSION, WORKPLACE, DEPARTMENT, SPECIALTY, MOTIVATION, NAME, EMAIL)
        if not period_text or not isinstance(years, (int, float)) or not all(tracker.get_slot(s) for s in required):
            return None
        try:
            period = parse_period(period_text, service.today())
        except PeriodInPast:
            # Keep it: the service raises PeriodInPast and the form asks again.
            period = Period(service.today(), service.today(), period_text)
        if period is None:
            return None
        return ApplicationDraft(
            kind=tracker.get_slot(KIND), profession=tracker.get_slot(PROFESSION),
            current_workplace=tracker.get_slot(WORKPLACE), current_department=tracker.get_slot(DEPARTMENT),
            years_in_specialty=float(years), desired_specialty=tracker.get_slot(SPECIALTY),
            desired_department=tracker.get_slot(DESIRED_DEPARTMENT),
            desired_workplace=tracker.get_slot(DESIRED_WORKPLACE),
            period_start=period.start, period_end=period.end, period_text=period.text,
            period_approximate=period.approximate, motivation=tracker.get_slot(MOTIVATION),
            name=tracker.get_slot(NAME), email=tracker.get_slot(EMAIL),
            consent=tracker.get_slot(CONSENT) is True,
        )

    @staticmethod
    def _explain(dispatcher: CollectingDispatcher, error: InvalidDraft) -> None:
        if isinstance(error, PeriodInPast):
            dispatcher.utter_message(response="utter_application_period_in_past")
        elif isinstance(error, PeriodTooLong):
            dispatcher.utter_message(response="utter_application_period_too_long", max_days=error.max_days)
        elif isinstance(error, EmailDomainNotAllowed):
            dispatcher.utter_message(response="utter_application_email_domain_not_allowed",
                                     domains=_domains_text(_settings()))
        elif isinstance(error, MotivationTooLong):
            dispatcher.utter_message(response="utter_application_motivation_too_long",
                                     max_length=error.max_length)
        else:
            dispatcher.utter_message(response="utter_application_field_invalid")


class ActionStopApplication(Action):
    """'stop' / 'glem det' in either form (after action_deactivate_loop): nothing
    is stored, sent or withdrawn."""

    def name(self) -> Text:
        return "action_stop_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        lookup = tracker.get_slot(REQUEST) is not None  # set from the first turn of a lookup
        dispatcher.utter_message(response="utter_application_lookup_stopped" if lookup
                                 else "utter_application_stopped")
        return _reset(FORM_SLOTS + LOOKUP_SLOTS)


# ------------------------------------------------------------------ status and withdrawal


class ValidateApplicationLookupForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_application_lookup_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        request = tracker.get_slot(REQUEST)
        if request == DONE:
            return [REQUEST]
        if request == WITHDRAW:
            return [REQUEST, REFERENCE, LOOKUP_EMAIL, WITHDRAW_CONFIRMED]
        return [REQUEST, REFERENCE, LOOKUP_EMAIL]

    async def extract_application_request(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: DomainDict) -> Dict[str, Any]:
        """Every slot this turn fills (REQUEST is always the first required slot)."""
        intent = _intent(tracker)
        if intent == "stop":
            return {}
        requested, text = _requested(tracker), tracker.latest_message.get("text") or ""
        found: Dict[str, Any] = {}
        if requested is None:
            if tracker.get_slot(REQUEST) is not None:
                return {}
            found[REQUEST] = WITHDRAW if intent == "withdraw_application" else STATUS
        if requested in (None, REFERENCE):
            reference = _entity(tracker, "application_reference") or _first(_REFERENCE_LIKE, text)
            if reference or requested == REFERENCE:
                found[REFERENCE] = reference or _text(tracker)
        if requested == LOOKUP_EMAIL or (found.get(REFERENCE) and _EMAIL_LIKE.search(text)):
            found[LOOKUP_EMAIL] = _first(_EMAIL_LIKE, text) or _text(tracker)
        if requested == WITHDRAW_CONFIRMED:
            found[WITHDRAW_CONFIRMED] = intent == "affirm" if intent in ("affirm", "deny") else _text(tracker)
        return found

    def validate_application_request(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        return {REQUEST: value if value in (STATUS, WITHDRAW, DONE) else STATUS}

    def validate_application_reference(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        reference = normalise_reference(str(value or "").strip(" .,!?"))
        if reference is None:
            return _invalid(dispatcher, tracker, REFERENCE, "utter_application_reference_malformed")
        return {REFERENCE: reference, INVALID: 0}

    def validate_application_lookup_email(self, value: Any, dispatcher: CollectingDispatcher,
                                          tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        """Looks the application up: both reference and e-mail must match."""
        reference = tracker.get_slot(REFERENCE)
        if reference is None:  # the reference in the same message was not one
            return {LOOKUP_EMAIL: None}
        now = _now().timestamp()
        retry_at = float(tracker.get_slot(RETRY_AT) or 0)
        if retry_at > now:  # refuse lookups until the pause has passed
            dispatcher.utter_message(response="utter_application_lookup_wait", seconds=math.ceil(retry_at - now))
            return {REFERENCE: None, LOOKUP_EMAIL: None}
        email = str(value or "").strip().rstrip(".").lower()
        if "@" not in email:
            return _invalid(dispatcher, tracker, LOOKUP_EMAIL, "utter_application_lookup_email_invalid")
        try:
            status = _service().status(reference, email)
        except ApplicationNotFound:
            return self._not_found(dispatcher, tracker, now)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_application_database_down")
            return {REQUEST: DONE}
        result: Dict[str, Any] = {LOOKUP_EMAIL: email, FAILURES: 0, RETRY_AT: None, INVALID: 0}
        if tracker.get_slot(REQUEST) == WITHDRAW and ApplicationState(status.state) in CLOSED_STATES:
            dispatcher.utter_message(response="utter_application_already_closed", reference=status.reference,
                                     state=response_text(domain, f"utter_application_state_label_{status.state}"))
            result[REQUEST] = DONE
        return result

    def _not_found(self, dispatcher: CollectingDispatcher, tracker: Tracker, now: float) -> Dict[str, Any]:
        """One neutral answer for an unknown reference and a wrong e-mail alike;
        repeated failures slow down."""
        failures = int(tracker.get_slot(FAILURES) or 0) + 1
        dispatcher.utter_message(response="utter_application_not_found")
        result: Dict[str, Any] = {REFERENCE: None, LOOKUP_EMAIL: None, FAILURES: failures}
        delay = wrong_code_delay(failures)
        if delay > 0:
            dispatcher.utter_message(response="utter_application_lookup_wait", seconds=math.ceil(delay))
            result[RETRY_AT] = now + delay
        if failures % MAX_INVALID_ANSWERS == 0:
            dispatcher.utter_message(response="utter_application_lookup_help")
        return result

    def validate_application_withdraw_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                                tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if isinstance(value, bool):
            return {WITHDRAW_CONFIRMED: value, INVALID: 0}
        return _invalid(dispatcher, tracker, WITHDRAW_CONFIRMED, "utter_application_withdraw_yes_or_no")


def _first(pattern: "re.Pattern[str]", text: str) -> Optional[str]:
    match = pattern.search(text or "")
    return match.group(0).rstrip(".") if match else None


class ActionAnswerApplicationLookup(Action):
    """After the lookup form: the state of the application in Danish, or the withdrawal."""

    def name(self) -> Text:
        return "action_answer_application_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        request = tracker.get_slot(REQUEST)
        reference, email = tracker.get_slot(REFERENCE), tracker.get_slot(LOOKUP_EMAIL)
        if request not in (STATUS, WITHDRAW) or not reference or not email:
            return _reset(LOOKUP_SLOTS)  # the form has already said why it stopped
        service = _service()
        try:
            if request == STATUS:
                self.show(dispatcher, domain, service.status(reference, email))
            elif tracker.get_slot(WITHDRAW_CONFIRMED) is not True:
                dispatcher.utter_message(response="utter_application_not_withdrawn", reference=reference)
            else:
                status = service.withdraw(reference, email)
                dispatcher.utter_message(response="utter_application_withdrawn", reference=status.reference)
        except ApplicationNotFound:
            dispatcher.utter_message(response="utter_application_not_found")
        except (ApplicationClosed, IllegalTransition) as error:
            dispatcher.utter_message(
                response="utter_application_already_closed", reference=reference,
                state=response_text(domain, f"utter_application_state_label_{error.from_state}"),
            )
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_application_database_down")
        return _reset(LOOKUP_SLOTS)

    @staticmethod
    def show(dispatcher: CollectingDispatcher, domain: DomainDict, status: ApplicationStatus) -> None:
        dispatcher.utter_message(
            response=f"utter_application_status_{status.state}", reference=status.reference,
            kind=response_text(domain, f"utter_application_kind_label_{status.kind}") or status.kind,
            specialty=status.desired_specialty, reason=status.reason or "",
            date=format_date(status.updated_at.date(), with_weekday=False),
        )
