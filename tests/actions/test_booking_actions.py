"""Booking actions against the real domain, a real (migrated SQLite) booking
service and a fake clock: now = Monday 23 November 2026, 08:00 Danish time.

Each test runs an action the way the action server does and asserts response
names and slot events, never Danish texts.
"""
from __future__ import annotations

import asyncio
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml

from actions import services
from actions.booking import (
    ActionAskBookingCancelConfirmed,
    ActionAskBookingConfirmed,
    ActionAskBookingCounsellor,
    ActionAskBookingFormat,
    ActionAskBookingLookupFormBookingSlot,
    ActionAskBookingSlot,
    ActionBookSession,
    ActionChangeBooking,
    ActionStopBooking,
    ValidateBookingForm,
    ValidateBookingLookupForm,
    decode_slot,
    encode_slot,
    match_choice,
)
from bot.booking import CODE_PATTERN, BookingService, Slot, load_booking_config
from bot.booking.codes import format_code, new_code
from bot.db import DatabaseUnavailable, make_engine, make_session_factory, upgrade_schema
from bot.settings import PROJECT_ROOT
from tests.actions.helpers import DOMAIN, action_names, run, tracker
from tests.booking.conftest import CPH, FakeClock

CONFIG = load_booking_config(PROJECT_ROOT / "config" / "counsellors.yml")


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("booking-actions") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(tmp_path, template_db, clock, monkeypatch):
    monkeypatch.setenv("KA_PUBLIC_BASE_URL", "https://karriere.example")
    path = tmp_path / "karriere.db"
    shutil.copy(template_db, path)
    engine = make_engine(f"sqlite:///{path}")
    booking = BookingService(make_session_factory(engine), CONFIG, clock=clock, secret_key="test")
    services.override("booking", booking)
    services.override("booking_clock", clock)
    yield booking
    services.reset()
    engine.dispose()


def form_tracker(form: str, requested: Optional[str], slots: Dict[str, Any],
                 candidates: Dict[str, Any], text: str = "", intent: str = "", entities=None):
    """The tracker a form hands its validation action: candidates at the end."""
    events = [{"event": "action", "name": form}] + [
        {"event": "slot", "name": k, "value": v} for k, v in candidates.items()
    ]
    return tracker(text, intent, slots={**slots, **candidates, "requested_slot": requested},
                   entities=entities, events=events, active_loop={"name": form})


def slot_values(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def names(messages) -> List[str]:
    return [m["response"] for m in messages]


def one_slot(service, **criteria) -> Slot:
    return service.free_slots(limit=1, **criteria)[0]


BOOKING = dict(booking_topic="ledelse", booking_format="teams", booking_counsellor="any",
               booking_time="hurtigst muligt")


# ------------------------------------------------------------------ NLU data


def test_the_nlu_regex_for_codes_is_the_services_pattern_and_matches_real_codes():
    nlu = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "booking.yml").read_text("utf-8"))["nlu"]
    [regex] = [item for item in nlu if item.get("regex") == "booking_code"]
    assert [line[2:] for line in regex["examples"].splitlines() if line.strip()] == [CODE_PATTERN]
    pattern = re.compile(CODE_PATTERN)
    for _ in range(300):
        code = new_code()
        for variant in (code, format_code(code), format_code(code).lower(), f"{code[:4]} {code[4:]}"):
            assert pattern.search(f"min kode er {variant}, tak"), variant
    for word in ("torsdagen", "K0MQ-4XTR", "K7MQ-4XTR9"):
        assert not pattern.fullmatch(word)


def test_annotated_codes_in_the_nlu_examples_are_real_codes():
    text = (PROJECT_ROOT / "data" / "nlu" / "booking.yml").read_text("utf-8")
    codes = re.findall(r"\[([^\]]+)\]\(booking_code\)", text)
    assert len(codes) >= 15
    for code in codes:
        assert re.fullmatch(CODE_PATTERN, code), code


def test_free_text_names_a_topic_or_format_only_when_unambiguous():
    formats = {key: info.label for key, info in CONFIG.formats.items()}
    assert match_choice("noget andet", CONFIG.topics) == "andet"
    assert match_choice("Udveksling", CONFIG.topics) == "snusepraktik"
    assert match_choice("jeg vil gerne tale om ledelse", CONFIG.topics) == "ledelse"
    assert match_choice("ledelse og efteruddannelse", CONFIG.topics) is None
    assert match_choice("fremmøde", formats) == "fremmoede"
    assert match_choice("video", formats) == "teams"
    assert match_choice("møde", formats) is None
    assert match_choice("", formats) is None


def test_a_slot_survives_the_round_trip_through_a_button_and_junk_does_not(service):
    slot = one_slot(service)
    assert decode_slot(encode_slot(slot), CONFIG) == slot
    for junk in ("", "x|y", "2026-11-24T10:00|raadgiver-9", "2026-11-24T10:00|raadgiver-1", None, 5):
        assert decode_slot(junk, CONFIG) is None


# ------------------------------------------------------------------ booking form


def test_a_topic_button_or_free_words_fill_the_topic(service):
    for value, text in (("ledelse", '/book_session{"booking_topic": "ledelse"}'), ("noget helt andet", "noget helt andet")):
        t = form_tracker("booking_form", "booking_topic", {}, {"booking_topic": value}, text=text)
        messages, events = run(ValidateBookingForm(), t)
        assert messages == []
        assert slot_values(events)["booking_topic"] in ("ledelse", "andet")


def test_an_unknown_topic_is_asked_again_and_the_third_miss_offers_a_way_out(service):
    t = form_tracker("booking_form", "booking_topic", {}, {"booking_topic": "blomster"}, text="blomster")
    messages, events = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_topic_not_understood"]
    assert slot_values(events)["booking_topic"] is None
    t = form_tracker("booking_form", "booking_topic", {"booking_invalid_answers": 2},
                     {"booking_topic": "blomster"}, text="blomster")
    messages, events = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_topic_not_understood", "utter_booking_way_out"]
    assert slot_values(events)["booking_invalid_answers"] == 0


def test_the_applications_stay_kind_entity_means_the_snusepraktik_topic(service):
    t = form_tracker("booking_form", "booking_topic", {}, {"booking_topic": "udvekslingsophold"},
                     text="udvekslingsophold", entities=[{"entity": "stay_kind", "value": "udveksling"}])
    _, events = run(ValidateBookingForm(), t)
    assert slot_values(events)["booking_topic"] == "snusepraktik"


def test_a_format_no_counsellor_with_the_topic_offers_is_asked_again(service):
    # snusepraktik is only raadgiver-3's focus, who does not meet in person
    t = form_tracker("booking_form", "booking_topic", {"booking_format": "fremmoede"},
                     {"booking_topic": "snusepraktik"})
    messages, events = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_format_not_offered"]
    assert slot_values(events)["booking_format"] is None
    t = form_tracker("booking_form", "booking_format", {"booking_topic": "snusepraktik"},
                     {"booking_format": "fremmoede"})
    messages, events = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_format_not_offered"]


def test_only_formats_offered_for_the_topic_become_buttons(service):
    messages, _ = run(ActionAskBookingFormat(), tracker(slots={"booking_topic": "snusepraktik"}))
    assert names(messages) == ["utter_ask_booking_format"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ['/book_session{"booking_format": "teams"}', '/book_session{"booking_format": "telefon"}']
    assert [b["title"] for b in messages[0]["buttons"]][0] == CONFIG.formats["teams"].label


def test_the_counsellor_question_is_skipped_when_only_one_counsellor_fits(service):
    t = form_tracker("booking_form", "booking_format", {"booking_topic": "ledelse"}, {"booking_format": "teams"})
    _, events = run(ValidateBookingForm(), t)
    assert slot_values(events)["booking_counsellor"] == "any"
    t = form_tracker("booking_form", "booking_format", {"booking_topic": "efteruddannelse"},
                     {"booking_format": "teams"})
    _, events = run(ValidateBookingForm(), t)
    assert slot_values(events)["booking_counsellor"] is None


def test_counsellor_buttons_name_each_focus_and_offer_the_first_free_one(service):
    t = tracker(slots={"booking_topic": "efteruddannelse", "booking_format": "teams"})
    messages, _ = run(ActionAskBookingCounsellor(), t)
    buttons = messages[0]["buttons"]
    assert names(messages) == ["utter_ask_booking_counsellor"]
    assert len(buttons) == 4
    template = DOMAIN["responses"]["utter_booking_counsellor_button"][0]["text"].split("{")[0]
    assert all(b["title"].startswith(template) for b in buttons[:3])
    assert "ledelse" in buttons[1]["title"]
    assert buttons[-1]["payload"] == '/book_session{"booking_counsellor": "any"}'


def test_no_particular_counsellor_or_the_first_free_one_means_any(service):
    for value in ("any", "første ledige", "lige meget"):
        t = form_tracker("booking_form", "booking_counsellor", {"booking_topic": "andet", "booking_format": "teams"},
                         {"booking_counsellor": value}, text=value)
        messages, events = run(ValidateBookingForm(), t)
        assert messages == [] and slot_values(events)["booking_counsellor"] == "any"
    t = form_tracker("booking_form", "booking_counsellor", {"booking_topic": "andet", "booking_format": "teams"},
                     {"booking_counsellor": "raadgiver-9"}, text="raadgiver-9")
    messages, _ = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_counsellor_not_understood"]


def test_a_time_said_with_the_request_is_kept(service):
    t = form_tracker("booking_form", None, {}, {}, text="jeg vil gerne booke en samtale på torsdag",
                     intent="book_session")
    _, events = run(ValidateBookingForm(), t)
    assert slot_values(events)["booking_time"] == "jeg vil gerne booke en samtale på torsdag"
    t = form_tracker("booking_form", None, {}, {}, text="jeg vil gerne booke en samtale", intent="book_session")
    _, events = run(ValidateBookingForm(), t)
    assert "booking_time" not in slot_values(events)


def test_an_unreadable_time_is_asked_again_with_examples(service):
    t = form_tracker("booking_form", "booking_time", BOOKING, {"booking_time": "når solen skinner"})
    messages, events = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_time_not_understood"]
    assert slot_values(events)["booking_time"] is None


def test_offered_slots_fit_the_preference_and_read_as_danish_dates(service):
    slots = dict(BOOKING, booking_topic="andet", booking_time="en eftermiddag i næste uge")
    messages, _ = run(ActionAskBookingSlot(), tracker(slots=slots))
    assert names(messages) == ["utter_ask_booking_slot"]
    buttons = messages[0]["buttons"]
    assert 1 <= len(buttons) <= 5
    for button in buttons:
        slot = decode_slot(re.search(r'"booking_slot": "([^"]+)"', button["payload"]).group(1), CONFIG)
        start = slot.starts_at.astimezone(CPH)
        assert date(2026, 11, 30) <= start.date() <= date(2026, 12, 6) and start.hour >= 12
        assert re.fullmatch(r"(mandag|tirsdag|onsdag|torsdag|fredag) den \d+\. (november|december) kl\. \d+\.\d\d",
                            button["title"]), button["title"]
    assert len({b["title"] for b in buttons}) == len(buttons)


def test_a_preference_nothing_fits_offers_the_nearest_free_times_instead(service):
    slots = dict(BOOKING, booking_time="lørdag")
    messages, _ = run(ActionAskBookingSlot(), tracker(slots=slots))
    assert names(messages) == ["utter_booking_no_slots_for_preference"]
    assert messages[0]["buttons"]


def test_another_time_at_the_slot_question_replaces_the_preference(service):
    t = form_tracker("booking_form", "booking_slot", BOOKING, {"booking_slot": "nej, hellere torsdag"},
                     text="nej, hellere torsdag", intent="deny")
    messages, events = run(ValidateBookingForm(), t)
    assert messages == []
    values = slot_values(events)
    assert values["booking_time"] == "nej, hellere torsdag" and values["booking_slot"] is None


def test_a_chosen_slot_is_kept_and_the_summary_asks_for_confirmation(service):
    chosen = encode_slot(one_slot(service, topic="ledelse", format="teams"))
    t = form_tracker("booking_form", "booking_slot", BOOKING, {"booking_slot": chosen})
    messages, events = run(ValidateBookingForm(), t)
    assert messages == [] and slot_values(events)["booking_slot"] == chosen
    messages, _ = run(ActionAskBookingConfirmed(), tracker(slots=dict(BOOKING, booking_slot=chosen)))
    assert names(messages) == ["utter_ask_booking_confirmed"]
    assert messages[0]["topic"] == "Ledelse" and messages[0]["time"].startswith("i dag, mandag den 23. november")


def test_no_with_a_new_day_at_the_confirmation_offers_new_times(service):
    chosen = encode_slot(one_slot(service, topic="ledelse", format="teams"))
    slots = dict(BOOKING, booking_slot=chosen)
    t = form_tracker("booking_form", "booking_confirmed", slots, {"booking_confirmed": False},
                     text="nej, hellere torsdag", intent="deny")
    _, events = run(ValidateBookingForm(), t)
    assert slot_values(events) == {"booking_time": "nej, hellere torsdag", "booking_invalid_answers": 0,
                                   "booking_slot": None, "booking_confirmed": None,
                                   "booking_alternatives": None}
    t = form_tracker("booking_form", "booking_confirmed", slots, {"booking_confirmed": False}, text="nej", intent="deny")
    messages, events = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_pick_another_time"]
    assert slot_values(events)["booking_time"] is None
    t = form_tracker("booking_form", "booking_confirmed", slots, {"booking_confirmed": "måske"}, text="måske")
    messages, _ = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_confirm_yes_or_no"]


def test_changing_the_topic_late_in_the_form_asks_for_a_new_time(service):
    chosen = encode_slot(one_slot(service, topic="ledelse", format="teams"))
    slots = dict(BOOKING, booking_slot=chosen)
    t = form_tracker("booking_form", "booking_confirmed", slots,
                     {"booking_topic": "efteruddannelse", "booking_confirmed": False},
                     text="nej, hellere om efteruddannelse", intent="deny")
    messages, events = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_change_noted"]
    values = slot_values(events)
    assert values["booking_topic"] == "efteruddannelse"
    assert values["booking_slot"] is None and values["booking_confirmed"] is None
    assert "booking_time" not in values  # the preferred time still holds


def test_booking_gives_the_code_how_to_meet_anonymously_and_a_calendar_link(service):
    chosen = one_slot(service, topic="ledelse", format="teams")
    slots = dict(BOOKING, booking_slot=encode_slot(chosen), booking_confirmed=True)
    messages, events = run(ActionBookSession(), tracker(slots=slots))
    assert names(messages) == ["utter_booking_confirmed", "utter_booking_next_steps_teams",
                               "utter_booking_calendar_link"]
    [booking] = service.list_bookings(day=date(2026, 11, 23))
    assert messages[0]["code"] == booking.display_code
    assert messages[1]["teams_url"] == CONFIG.counsellor(booking.counsellor_id).teams_url
    assert messages[2]["url"] == f"https://karriere.example/kalender/booking/{booking.code}.ics"
    assert all(value is None for value in slot_values(events).values())
    assert "booking_code" in slot_values(events)  # the code is not kept in the conversation


def test_a_slot_taken_meanwhile_reopens_the_form_with_the_nearest_free_times(service):
    chosen = one_slot(service, topic="ledelse", format="teams")
    service.book(chosen, "ledelse", "telefon")  # someone else was first
    slots = dict(BOOKING, booking_slot=encode_slot(chosen), booking_confirmed=True)
    messages, events = run(ActionBookSession(), tracker(slots=slots))
    assert names(messages) == ["utter_booking_slot_taken"]
    assert {"event": "active_loop", "name": "booking_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events]
    values = slot_values(events)
    assert values["booking_slot"] is None and values["booking_confirmed"] is None
    assert values["booking_alternatives"]
    messages, _ = run(ActionAskBookingSlot(), tracker(slots=dict(BOOKING, **values)))
    assert names(messages) == ["utter_booking_nearest_slots"]
    offered = [re.search(r'"booking_slot": "([^"]+)"', b["payload"]).group(1) for b in messages[0]["buttons"]]
    assert offered == values["booking_alternatives"]


class DownService:
    """A booking service whose database is unreachable."""

    def __init__(self, real: BookingService) -> None:
        self.config = real.config

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise DatabaseUnavailable("connection refused")
        return fail


def test_a_database_outage_books_nothing_and_asks_to_confirm_again(service):
    chosen = one_slot(service, topic="ledelse", format="teams")
    services.override("booking", DownService(service))
    slots = dict(BOOKING, booking_slot=encode_slot(chosen), booking_confirmed=True)
    messages, events = run(ActionBookSession(), tracker(slots=slots))
    assert names(messages) == ["utter_booking_database_down"]
    assert slot_values(events) == {"booking_confirmed": None}
    assert service.list_bookings(day=date(2026, 11, 23)) == []
    messages, _ = run(ActionAskBookingSlot(), tracker(slots=BOOKING))
    assert names(messages) == ["utter_booking_database_down"]


def test_stopping_resets_the_flow_but_not_the_wrong_code_counter(service):
    messages, events = run(ActionStopBooking(), tracker(slots=dict(BOOKING, booking_code_failures=5)))
    assert names(messages) == ["utter_booking_stopped"]
    values = slot_values(events)
    assert values["booking_topic"] is None and values["booking_code"] is None
    assert "booking_code_failures" not in values and "booking_code_retry_at" not in values


# ------------------------------------------------------------------ lookup form


def lookup(requested, slots, value, text=None, intent="check_booking"):
    return form_tracker("booking_lookup_form", requested, slots, {"booking_code": value},
                        text=text if text is not None else str(value), intent=intent)


def test_the_lookup_form_asks_what_the_request_needs(service):
    form = ValidateBookingLookupForm()
    for request, wanted in (("check", ["booking_code"]),
                            ("cancel", ["booking_code", "booking_cancel_confirmed"]),
                            ("reschedule", ["booking_code", "booking_time", "booking_slot", "booking_confirmed"])):
        t = tracker(slots={"booking_request": request})
        assert asyncio.run(form.required_slots([], None, t, DOMAIN)) == wanted


def test_a_code_in_a_sentence_is_found_in_any_spelling(service):
    booking = service.book(one_slot(service), "andet", "teams")
    spaced = f"{booking.code[:4]} {booking.code[4:]}".lower()
    t = lookup("booking_code", {"booking_request": "check"}, f"min kode er {spaced}")
    messages, events = run(ValidateBookingLookupForm(), t)
    assert messages == [] and slot_values(events)["booking_code"] == booking.code


def test_a_code_given_with_the_request_is_used_even_if_the_nlu_missed_it(service):
    booking = service.book(one_slot(service), "andet", "teams")
    t = form_tracker("booking_lookup_form", None, {"booking_request": "cancel"}, {},
                     text=f"aflys {booking.display_code.lower()}", intent="cancel_booking")
    _, events = run(ValidateBookingLookupForm(), t)
    assert slot_values(events)["booking_code"] == booking.code
    assert slot_values(events)["requested_slot"] == "booking_cancel_confirmed"


def test_malformed_and_unknown_codes_get_clear_answers(service):
    messages, events = run(ValidateBookingLookupForm(), lookup("booking_code", {}, "det kan jeg ikke huske"))
    assert names(messages) == ["utter_booking_code_malformed"]
    assert slot_values(events)["booking_code"] is None
    messages, events = run(ValidateBookingLookupForm(), lookup("booking_code", {}, "K7MQ-4XTR"))
    assert names(messages) == ["utter_booking_code_not_found"]
    assert messages[0]["code"] == "K7MQ-4XTR"
    assert slot_values(events)["booking_code_failures"] == 1


def test_repeated_wrong_codes_are_slowed_down_and_lookups_refused_meanwhile(service, clock):
    booking = service.book(one_slot(service), "andet", "teams")
    messages, events = run(ValidateBookingLookupForm(),
                           lookup("booking_code", {"booking_code_failures": 3}, "K7MQ-4XTR"))
    assert names(messages) == ["utter_booking_code_not_found", "utter_booking_code_wait"]
    assert messages[1]["seconds"] == 2
    values = slot_values(events)
    assert values["booking_code_failures"] == 4
    waiting = {"booking_code_failures": 4, "booking_code_retry_at": values["booking_code_retry_at"]}
    # even the right code is refused until the pause is over
    messages, events = run(ValidateBookingLookupForm(), lookup("booking_code", waiting, booking.code))
    assert names(messages) == ["utter_booking_code_wait"]
    assert slot_values(events)["booking_code"] is None
    clock.advance(seconds=3)
    messages, events = run(ValidateBookingLookupForm(), lookup("booking_code", waiting, booking.code))
    assert messages == []
    assert slot_values(events)["booking_code"] == booking.code
    assert slot_values(events)["booking_code_failures"] == 0


def test_every_third_wrong_code_explains_that_lost_codes_cannot_be_looked_up(service):
    messages, _ = run(ValidateBookingLookupForm(), lookup("booking_code", {"booking_code_failures": 2}, "K7MQ-4XTR"))
    assert names(messages) == ["utter_booking_code_not_found", "utter_booking_code_lost"]


def test_a_cancelled_booking_cannot_be_cancelled_or_moved_again(service):
    booking = service.book(one_slot(service), "andet", "teams")
    service.cancel(booking.code)
    messages, events = run(ValidateBookingLookupForm(),
                           lookup("booking_code", {"booking_request": "cancel"}, booking.display_code))
    assert names(messages) == ["utter_booking_already_cancelled"]
    values = slot_values(events)
    assert values["booking_request"] is None and values["requested_slot"] is None


def test_check_shows_the_booking_with_buttons_that_carry_the_code(service):
    booking = service.book(one_slot(service, topic="ledelse"), "ledelse", "telefon")
    t = tracker(slots={"booking_request": "check", "booking_code": booking.code})
    messages, events = run(ActionChangeBooking(), t)
    assert names(messages) == ["utter_booking_details", "utter_booking_calendar_link"]
    assert messages[0]["code"] == booking.display_code and messages[0]["format"] == "Telefonsamtale"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        f'/reschedule_booking{{"booking_code": "{booking.code}"}}',
        f'/cancel_booking{{"booking_code": "{booking.code}"}}',
    ]
    assert slot_values(events)["booking_code"] is None


def test_cancel_asks_first_and_then_frees_the_time(service):
    booking = service.book(one_slot(service), "andet", "teams")
    messages, _ = run(ActionAskBookingCancelConfirmed(), tracker(slots={"booking_code": booking.code}))
    assert names(messages) == ["utter_ask_booking_cancel_confirmed"]
    slots = {"booking_request": "cancel", "booking_code": booking.code, "booking_cancel_confirmed": False}
    messages, _ = run(ActionChangeBooking(), tracker(slots=slots))
    assert names(messages) == ["utter_booking_kept"] and service.find(booking.code).is_active
    slots["booking_cancel_confirmed"] = True
    messages, _ = run(ActionChangeBooking(), tracker(slots=slots))
    assert names(messages) == ["utter_booking_cancelled"]
    assert not service.find(booking.code).is_active


def test_moving_offers_times_for_the_same_booking_and_keeps_the_code(service):
    booking = service.book(one_slot(service, topic="ledelse"), "ledelse", "teams")
    slots = {"booking_request": "reschedule", "booking_code": booking.code, "booking_time": "torsdag"}
    messages, _ = run(ActionAskBookingLookupFormBookingSlot(), tracker(slots=slots))
    assert names(messages) == ["utter_ask_booking_slot"]
    payload = messages[0]["buttons"][0]["payload"]
    assert payload.startswith("/reschedule_booking{")
    new = decode_slot(re.search(r'"booking_slot": "([^"]+)"', payload).group(1), CONFIG)
    assert new.starts_at.astimezone(CPH).date() == date(2026, 11, 26)
    assert new.counsellor_id == booking.counsellor_id
    messages, _ = run(ActionChangeBooking(), tracker(slots=dict(slots, booking_slot=encode_slot(new),
                                                                 booking_confirmed=True)))
    assert names(messages) == ["utter_booking_moved", "utter_booking_next_steps_teams", "utter_booking_calendar_link"]
    assert messages[0]["code"] == booking.display_code
    assert service.find(booking.code).starts_at == new.starts_at


def test_a_new_time_taken_meanwhile_reopens_the_lookup_form(service):
    booking = service.book(one_slot(service, topic="ledelse"), "ledelse", "teams")
    other = service.free_slots(topic="ledelse", format="teams", limit=2)[1]
    service.book(other, "ledelse", "teams")
    slots = {"booking_request": "reschedule", "booking_code": booking.code, "booking_time": "hurtigst muligt",
             "booking_slot": encode_slot(other), "booking_confirmed": True}
    messages, events = run(ActionChangeBooking(), tracker(slots=slots))
    assert names(messages) == ["utter_booking_slot_taken"]
    assert any(e["event"] == "active_loop" and e["name"] == "booking_lookup_form" for e in events)
    assert slot_values(events)["booking_alternatives"]


def test_lookups_during_a_database_outage_say_so_and_count_no_failure(service):
    services.override("booking", DownService(service))
    messages, events = run(ValidateBookingLookupForm(), lookup("booking_code", {}, "K7MQ-4XTR"))
    assert names(messages) == ["utter_booking_database_down"]
    assert "booking_code_failures" not in slot_values(events)
    messages, _ = run(ActionChangeBooking(), tracker(slots={"booking_request": "check", "booking_code": "K7MQ4XTR"}))
    assert names(messages) == ["utter_booking_database_down"]


def test_topic_and_format_given_together_are_judged_once(service):
    t = form_tracker("booking_form", None, {}, {"booking_topic": "snusepraktik", "booking_format": "fremmoede"},
                     text="book en fysisk samtale om snusepraktik", intent="book_session")
    messages, events = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_format_not_offered"]
    assert slot_values(events)["booking_topic"] == "snusepraktik"
    assert slot_values(events)["booking_format"] is None


def test_the_action_server_registers_every_booking_action_the_domain_lists():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    booking_actions = [a for a in action_names(DOMAIN) if "booking" in a or a == "action_book_session"]
    assert len(booking_actions) == 12
    assert set(booking_actions) <= set(executor.actions)


def test_topic_format_and_time_in_the_request_itself_are_all_kept(service):
    text = "jeg vil gerne booke en teams-samtale om ledelse på torsdag"
    t = form_tracker("booking_form", None, {}, {}, text=text, intent="book_session")
    messages, events = run(ValidateBookingForm(), t)
    assert messages == []
    values = slot_values(events)
    assert (values["booking_topic"], values["booking_format"], values["booking_time"]) == ("ledelse", "teams", text)
    assert values["booking_counsellor"] == "any"  # only one counsellor has ledelse in focus


def test_a_new_time_at_another_question_is_kept_and_the_question_asked_again(service):
    t = form_tracker("booking_form", "booking_format", dict(BOOKING, booking_format=None),
                     {"booking_format": "nej, hellere fredag"}, text="nej, hellere fredag", intent="deny")
    messages, events = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_change_noted"]
    values = slot_values(events)
    assert values["booking_format"] is None and values["booking_time"] == "nej, hellere fredag"


def test_another_topic_at_the_slot_question_gives_one_answer_and_new_offers(service):
    t = form_tracker("booking_form", "booking_slot", BOOKING,
                     {"booking_topic": "efteruddannelse", "booking_slot": "nej, hellere om efteruddannelse"},
                     text="nej, hellere om efteruddannelse", intent="deny")
    messages, events = run(ValidateBookingForm(), t)
    assert names(messages) == ["utter_booking_change_noted"]
    values = slot_values(events)
    assert values["booking_topic"] == "efteruddannelse" and values["booking_slot"] is None
