"""Actions of the applications feature: the real domain, a built tracker, a fresh
dispatcher, and the real ApplicationService on a migrated SQLite database with a
fixed clock (Thursday 14 May 2026)."""
from __future__ import annotations

import shutil
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions import applications as app
from actions import services
from bot.applications import ApplicationService
from bot.db import DatabaseUnavailable, make_engine, make_session_factory, transaction, upgrade_schema
from bot.outbox import store
from bot.outbox.fake_teams import FakeTeamsWebhook
from bot.settings import Settings
from tests.actions.helpers import DOMAIN, run, tracker

NOW = datetime(2026, 5, 14, 8, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("applications-actions") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def world(tmp_path, template):
    path = tmp_path / "karriere.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    session_factory = make_session_factory(engine)
    settings = Settings(database_url=f"sqlite:///{path}", var_dir=tmp_path, knowledge_dir=tmp_path,
                        booking_config=tmp_path / "counsellors.yml", public_base_url="http://localhost:5005")
    clock = Clock()
    service = ApplicationService(session_factory, settings, clock=clock)
    services.override("applications", service)
    services.override("applications_settings", settings)
    services.override("applications_clock", clock)
    services.override("outbox", None)
    yield SimpleNamespace(service=service, settings=settings, clock=clock, session_factory=session_factory,
                          engine=engine)
    services.reset()
    engine.dispose()


FILLED = {
    app.KIND: "snusepraktik", app.PROFESSION: "sygeplejerske", app.WORKPLACE: "HGH",
    app.DEPARTMENT: "Kardiologisk afdeling", app.YEARS: 3.0, app.SPECIALTY: "neonatal",
    app.PLACE: "Neonatalklinikken på Rigshospitalet", app.DESIRED_WORKPLACE: "RH",
    app.DESIRED_DEPARTMENT: "Neonatalklinikken på Rigshospitalet", app.PERIOD: "uge 37",
    app.MOTIVATION: "Jeg vil gerne se, hvordan man arbejder med de mindste.", app.NAME: "Anna Jensen",
    app.EMAIL: "anna.jensen@regionh.dk", app.CONSENT: True, app.CONFIRMED: True,
}


def entity(name, value, text, word=None):
    start = text.index(word or value)
    return {"entity": name, "value": value, "start": start, "end": start + len(word or value)}


def answer(text, requested, slots=None, intent="nlu_fallback", entities=None, form=app.FORM):
    return tracker(text, intent, slots={**(slots or {}), "requested_slot": requested},
                   entities=entities, active_loop={"name": form})


def validate(t, action=None):
    """Responses sent and slots set; `requested_slot` is always filled in: when the
    validation action leaves it to Rasa, Rasa asks the first empty slot of the domain's list."""
    action = action or app.ValidateApplicationForm()
    messages, events = run(action, t)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    if "requested_slot" not in slots:
        merged = {**t.slots, **slots}
        slots["requested_slot"] = next(
            (s for s in DOMAIN["forms"][action.form_name()]["required_slots"] if merged.get(s) is None), None)
    return [m["response"] for m in messages], slots


def responses(messages):
    return [m["response"] for m in messages]


def submitted_count(world) -> int:
    return len(world.service.list_applications())


# ------------------------------------------------------------------ the form


def test_the_request_itself_fills_kind_profession_workplace_specialty_and_length(world):
    text = "jeg er SOSU-assistent på RH og vil gerne i snusepraktik på neonatal i 6 uger"
    found = [entity("profession", "sosu", text, "SOSU-assistent"), entity("workplace", "RH", text),
             entity("stay_kind", "snusepraktik", text), entity("specialty", "neonatal", text)]
    said, slots = validate(tracker(text, "apply_snusepraktik", entities=found))
    assert said == []
    assert slots[app.KIND] == "snusepraktik" and slots[app.PROFESSION] == "sosu"
    assert slots[app.WORKPLACE] == "RH" and slots[app.SPECIALTY] == "neonatal"
    assert slots[app.DURATION] == "6 uger" and slots[app.PERIOD] is None
    assert slots["requested_slot"] == app.DEPARTMENT


def test_a_hospital_after_the_wanted_specialty_is_where_the_employee_wants_to_go(world):
    text = "jeg vil gerne i snusepraktik på neonatal på Rigshospitalet efter sommerferien"
    found = [entity("stay_kind", "snusepraktik", text), entity("specialty", "neonatal", text),
             entity("workplace", "RH", text, "Rigshospitalet")]
    _, slots = validate(tracker(text, "apply_snusepraktik", entities=found))
    assert app.WORKPLACE not in slots or slots[app.WORKPLACE] is None
    assert slots[app.PLACE] == "Rigshospitalet" and slots[app.DESIRED_WORKPLACE] == "RH"
    assert slots[app.DESIRED_DEPARTMENT] is None
    assert slots[app.PERIOD] == "efter sommerferien"
    assert slots["requested_slot"] == app.PROFESSION


def test_profession_buttons_carry_canonical_keys(world):
    messages, _ = run(app.ActionAskApplicationProfession(), tracker())
    assert responses(messages) == ["utter_ask_application_profession"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/apply_snusepraktik{"profession": "sosu"}' in payloads


def test_free_text_profession_and_workplace_are_read_as_keys(world):
    _, slots = validate(answer("jeg er spl", app.PROFESSION, {app.KIND: "snusepraktik"}))
    assert slots[app.PROFESSION] == "sygeplejerske"
    _, slots = validate(answer("på Herlev Hospital", app.WORKPLACE, {app.KIND: "snusepraktik"}))
    assert slots[app.WORKPLACE] == "HGH"
    said, slots = validate(answer("Odense Universitetshospital", app.WORKPLACE, {app.KIND: "snusepraktik"}))
    assert said == ["utter_application_workplace_unknown"] and slots[app.WORKPLACE] is None


def test_years_are_read_from_danish_words(world):
    _, slots = validate(answer("halvandet år", app.YEARS, {app.KIND: "snusepraktik"}))
    assert slots[app.YEARS] == 1.5
    said, _ = validate(answer("det husker jeg ikke", app.YEARS, {app.KIND: "snusepraktik"}))
    assert said == ["utter_application_years_not_understood"]


def test_an_exchange_with_under_two_years_asks_about_the_guideline(world):
    slots = {app.KIND: "udveksling", app.PROFESSION: "sygeplejerske", app.WORKPLACE: "HGH",
             app.DEPARTMENT: "Kardiologi"}
    _, result = validate(answer("halvandet år", app.YEARS, slots))
    assert result["requested_slot"] == app.GUIDELINE
    _, result = validate(answer("4 år", app.YEARS, slots))
    assert result["requested_slot"] == app.SPECIALTY


@pytest.mark.parametrize("text, intent, expected", [
    ("snusepraktik", "ask_question", {app.KIND: "snusepraktik", app.GUIDELINE: None}),
    ("/affirm", "affirm", {app.GUIDELINE: "send"}),
    ("/book_session", "book_session", {app.GUIDELINE: "counsellor"}),
])
def test_the_guideline_offers_snusepraktik_a_counsellor_or_sending_anyway(world, text, intent, expected):
    slots = {app.KIND: "udveksling", app.PROFESSION: "laege", app.WORKPLACE: "RH",
             app.DEPARTMENT: "Kirurgi", app.YEARS: 1.0}
    said, result = validate(answer(text, app.GUIDELINE, slots, intent=intent))
    assert {k: result[k] for k in expected} == expected
    if expected.get(app.KIND) == "snusepraktik":
        assert said == ["utter_application_switched_to_snusepraktik"]
        assert result["requested_slot"] == app.SPECIALTY
    if expected.get(app.GUIDELINE) == "counsellor":
        assert result["requested_slot"] is None  # the form ends here


def test_choosing_a_counsellor_instead_stores_nothing(world):
    slots = {app.KIND: "udveksling", app.YEARS: 1.0, app.GUIDELINE: "counsellor"}
    messages, events = run(app.ActionSubmitApplication(), tracker(slots=slots))
    assert responses(messages) == ["utter_application_counsellor_instead"]
    assert SlotSet(app.KIND, None) in events and submitted_count(world) == 0


def test_a_length_alone_is_kept_and_the_start_is_asked_for(world):
    said, slots = validate(answer("6 uger", app.PERIOD, {app.KIND: "udveksling"}))
    assert said == [] and slots[app.PERIOD] is None and slots[app.DURATION] == "6 uger"
    messages, _ = run(app.ActionAskApplicationPeriod(), tracker(slots={app.DURATION: "6 uger"}))
    assert responses(messages) == ["utter_ask_application_period_start"]
    assert messages[0]["duration"] == "6 uger"
    _, slots = validate(answer("uge 12", app.PERIOD, {app.KIND: "udveksling", app.DURATION: "6 uger"}))
    assert slots[app.PERIOD] == "uge 12 i 6 uger"


def test_a_past_period_and_an_unreadable_one_get_different_explanations(world):
    said, slots = validate(answer("1.-5. marts 2026", app.PERIOD, {app.KIND: "snusepraktik"}))
    assert said == ["utter_application_period_in_past"] and slots[app.PERIOD] is None
    said, slots = validate(answer("når det passer", app.PERIOD, {app.KIND: "snusepraktik"}))
    assert said == ["utter_application_period_not_understood"] and slots[app.PERIOD] is None
    _, slots = validate(answer("i marts", app.PERIOD, {app.KIND: "snusepraktik"}))
    assert slots[app.PERIOD] == "i marts"


def test_the_motivation_has_the_services_maximum_length(world):
    said, slots = validate(answer("x" * 1001, app.MOTIVATION, {app.KIND: "snusepraktik"}))
    assert said == ["utter_application_motivation_too_long"] and slots[app.MOTIVATION] is None


def test_the_email_must_be_a_work_address_and_the_question_says_which(world):
    messages, _ = run(app.ActionAskApplicationEmail(), tracker())
    assert responses(messages) == ["utter_ask_application_email"] and messages[0]["domains"] == "@regionh.dk"
    said, slots = validate(answer("anna@gmail.com", app.EMAIL, {app.KIND: "snusepraktik"}))
    assert said == ["utter_application_email_domain_not_allowed"] and slots[app.EMAIL] is None
    said, _ = validate(answer("min mail", app.EMAIL, {app.KIND: "snusepraktik"}))
    assert said == ["utter_application_email_invalid"]
    _, slots = validate(answer("Den er Anna.Jensen@RegionH.dk.", app.EMAIL, {app.KIND: "snusepraktik"}))
    assert slots[app.EMAIL] == "anna.jensen@regionh.dk"


def test_the_name_question_comes_after_saying_an_application_is_not_anonymous(world):
    text = DOMAIN["responses"]["utter_ask_application_name"][0]["text"]
    assert text.index("anonym") < text.index("navn?")


def test_a_third_invalid_answer_offers_a_way_out(world):
    said, slots = validate(answer("ved ikke", app.YEARS, {app.KIND: "snusepraktik", app.INVALID: 2}))
    assert said == ["utter_application_years_not_understood", "utter_application_way_out"]
    assert slots[app.INVALID] == 0


def test_stop_lets_the_form_be_rejected_so_the_stop_rule_runs(world):
    messages, events = run(app.ValidateApplicationForm(),
                           answer("stop", app.YEARS, {app.KIND: "snusepraktik"}, intent="stop"))
    assert messages == [] and {e["name"] for e in events} <= {"requested_slot"}


def test_a_change_of_mind_changes_the_kind_without_taking_it_as_the_answer(world):
    text = "nej, hellere udveksling"
    said, slots = validate(answer(text, app.YEARS, {app.KIND: "snusepraktik"},
                                  entities=[entity("stay_kind", "udveksling", text)]))
    assert said == ["utter_application_change_noted"]
    assert slots[app.KIND] == "udveksling" and app.YEARS not in slots


def test_declining_consent_ends_the_form_and_nothing_is_stored(world):
    slots = {k: v for k, v in FILLED.items() if k not in (app.CONSENT, app.CONFIRMED)}
    _, result = validate(answer("/deny", app.CONSENT, slots, intent="deny"))
    assert result[app.CONSENT] is False and result["requested_slot"] is None
    messages, events = run(app.ActionSubmitApplication(), tracker(slots={**slots, app.CONSENT: False}))
    assert responses(messages) == ["utter_application_not_stored"]
    assert submitted_count(world) == 0 and SlotSet(app.NAME, None) in events


def test_the_summary_offers_send_a_correction_per_field_and_stop(world):
    messages, events = run(app.ActionAskApplicationConfirmed(), tracker(slots={**FILLED, app.CONFIRMED: None}))
    assert responses(messages) == ["utter_ask_application_confirmed"] and events == []
    message = messages[0]
    assert message["profession"] == "Sygeplejerske" and message["workplace"] == "Herlev og Gentofte Hospital"
    assert message["kind"] == "Snusepraktik" and message["years"] == "3"
    assert message["start"] == "den 7. september" and message["end"] == "den 13. september"
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads[0] == "/affirm" and payloads[-1] == "/stop"
    assert '/apply_snusepraktik{"application_field": "period"}' in payloads
    assert len(payloads) == len(app.CORRECTABLE) + 2
    assert message["buttons"][0]["title"] == "Send ansøgningen"


def test_a_correction_button_clears_that_field_and_asks_it_again(world):
    slots = {**FILLED, app.CONFIRMED: None, app.DURATION: None}
    t = answer('/apply_snusepraktik{"application_field": "period"}', app.CONFIRMED, slots,
               intent="apply_snusepraktik", entities=[{"entity": "application_field", "value": "period"}])
    _, result = validate(t)
    assert result[app.PERIOD] is None and result[app.CONFIRMED] is None
    assert result["requested_slot"] == app.PERIOD


def test_a_new_period_at_the_summary_replaces_the_old_one(world):
    said, result = validate(answer("nej, hellere uge 40", app.CONFIRMED, {**FILLED, app.CONFIRMED: None},
                                   intent="deny"))
    assert said == ["utter_application_change_noted"]
    assert result[app.PERIOD] == "uge 40" and result["requested_slot"] == app.CONFIRMED


def test_a_confirmed_application_is_stored_and_the_reference_given(world):
    messages, events = run(app.ActionSubmitApplication(), tracker(slots=FILLED))
    assert responses(messages) == ["utter_application_submitted", "utter_application_next_steps"]
    assert messages[0]["reference"] == "SP-2026-0001"
    assert all(e["value"] is None for e in events)
    with transaction(world.session_factory) as session:
        assert store.counts(session)["pending"] == 1  # the counsellors' notice waits in the outbox


def test_an_exchange_below_the_guideline_is_sent_with_a_note(world):
    slots = {**FILLED, app.KIND: "udveksling", app.YEARS: 1.5, app.GUIDELINE: "send", app.PERIOD: "i september"}
    messages, _ = run(app.ActionSubmitApplication(), tracker(slots=slots))
    assert responses(messages) == ["utter_application_submitted", "utter_application_submitted_below_guideline",
                                   "utter_application_next_steps"]
    assert world.service.list_applications()[0].below_guideline


def test_a_refused_value_at_submission_reopens_the_form_at_that_question(world):
    settings = Settings(**{**world.settings.__dict__, "allowed_email_domains": ("rh.dk",)})
    services.override("applications_settings", settings)
    services.override("applications", ApplicationService(world.session_factory, settings, clock=world.clock))
    messages, events = run(app.ActionSubmitApplication(), tracker(slots=FILLED))
    assert responses(messages) == ["utter_application_email_domain_not_allowed"]
    assert SlotSet(app.EMAIL, None) in events and ActiveLoop(app.FORM) in events
    assert submitted_count(world) == 0


class DownService:
    def __getattr__(self, name):
        raise DatabaseUnavailable("down")


def test_a_database_outage_at_submission_stores_nothing_and_asks_to_confirm_again(world):
    class Down(ApplicationService):
        def submit(self, draft):
            raise DatabaseUnavailable("down")

    services.override("applications", Down(world.session_factory, world.settings, clock=world.clock))
    messages, events = run(app.ActionSubmitApplication(), tracker(slots=FILLED))
    assert responses(messages) == ["utter_application_database_down"]
    assert events == [SlotSet(app.CONFIRMED, None), ActiveLoop(app.FORM)]


def test_stop_says_nothing_was_stored_and_clears_the_answers(world):
    messages, events = run(app.ActionStopApplication(), tracker(slots=FILLED))
    assert responses(messages) == ["utter_application_stopped"] and SlotSet(app.EMAIL, None) in events
    messages, _ = run(app.ActionStopApplication(), tracker(slots={app.REQUEST: "status"}))
    assert responses(messages) == ["utter_application_lookup_stopped"]


# ------------------------------------------------------------------ status and withdrawal


def submit(world) -> str:
    _, _ = run(app.ActionSubmitApplication(), tracker(slots=FILLED))
    return world.service.list_applications()[0].reference


def lookup(text, requested, slots=None, intent="nlu_fallback", entities=None):
    t = answer(text, requested, slots, intent=intent, entities=entities, form=app.LOOKUP_FORM)
    return validate(t, app.ValidateApplicationLookupForm())


def test_a_status_question_with_the_reference_asks_for_the_email(world):
    text = "hvad er status på SP-2026-0042"
    said, slots = validate(tracker(text, "check_application_status",
                                   entities=[entity("application_reference", "SP-2026-0042", text)]),
                           app.ValidateApplicationLookupForm())
    assert slots[app.REQUEST] == "status" and slots[app.REFERENCE] == "SP-2026-0042"
    assert slots["requested_slot"] == app.LOOKUP_EMAIL


def test_status_with_the_right_email_tells_the_state_in_danish(world):
    reference = submit(world)
    _, slots = lookup("anna.jensen@regionh.dk", app.LOOKUP_EMAIL, {app.REQUEST: "status", app.REFERENCE: reference})
    assert slots["requested_slot"] is None and slots[app.LOOKUP_EMAIL] == "anna.jensen@regionh.dk"
    messages, events = run(app.ActionAnswerApplicationLookup(), tracker(slots={
        app.REQUEST: "status", app.REFERENCE: reference, app.LOOKUP_EMAIL: "anna.jensen@regionh.dk"}))
    assert responses(messages) == ["utter_application_status_modtaget"]
    assert messages[0]["reference"] == reference and messages[0]["kind"] == "Snusepraktik"
    assert SlotSet(app.LOOKUP_EMAIL, None) in events


def test_a_rejection_is_told_with_the_coordinators_reason(world):
    reference = submit(world)
    world.service.transition(reference, "afvist", "koordinator", "Afdelingen har ikke plads i foråret.")
    messages, _ = run(app.ActionAnswerApplicationLookup(), tracker(slots={
        app.REQUEST: "status", app.REFERENCE: reference, app.LOOKUP_EMAIL: "anna.jensen@regionh.dk"}))
    assert responses(messages) == ["utter_application_status_afvist"]
    assert messages[0]["reason"] == "Afdelingen har ikke plads i foråret."


def test_every_state_has_a_danish_status_text():
    from bot.applications import ApplicationState
    for state in ApplicationState:
        assert f"utter_application_status_{state.value}" in DOMAIN["responses"]
        assert f"utter_application_state_label_{state.value}" in DOMAIN["responses"]


def test_a_wrong_email_and_an_unknown_reference_get_the_same_neutral_answer(world):
    reference = submit(world)
    wrong_email, slots = lookup("bo@regionh.dk", app.LOOKUP_EMAIL, {app.REQUEST: "status", app.REFERENCE: reference})
    unknown, _ = lookup("anna.jensen@regionh.dk", app.LOOKUP_EMAIL,
                        {app.REQUEST: "status", app.REFERENCE: "SP-2026-0999"})
    assert wrong_email == unknown == ["utter_application_not_found"]
    assert slots[app.REFERENCE] is None and slots[app.LOOKUP_EMAIL] is None
    assert slots[app.FAILURES] == 1


def test_repeated_failed_lookups_slow_down(world):
    reference = submit(world)
    said, slots = lookup("bo@regionh.dk", app.LOOKUP_EMAIL,
                         {app.REQUEST: "status", app.REFERENCE: reference, app.FAILURES: 3})
    assert said == ["utter_application_not_found", "utter_application_lookup_wait"]
    assert slots[app.FAILURES] == 4 and slots[app.RETRY_AT] > NOW.timestamp()
    said, slots = lookup("anna.jensen@regionh.dk", app.LOOKUP_EMAIL, {
        app.REQUEST: "status", app.REFERENCE: reference, app.FAILURES: 4, app.RETRY_AT: slots[app.RETRY_AT]})
    assert said == ["utter_application_lookup_wait"] and slots[app.LOOKUP_EMAIL] is None
    world.clock.now += timedelta(minutes=2)
    said, slots = lookup("anna.jensen@regionh.dk", app.LOOKUP_EMAIL, {
        app.REQUEST: "status", app.REFERENCE: reference, app.FAILURES: 4, app.RETRY_AT: NOW.timestamp() + 2})
    assert said == [] and slots[app.FAILURES] == 0


def test_a_malformed_reference_is_explained(world):
    said, slots = lookup("min ansøgning", app.REFERENCE, {app.REQUEST: "status"})
    assert said == ["utter_application_reference_malformed"] and slots[app.REFERENCE] is None
    _, slots = lookup("sp 2026 42", app.REFERENCE, {app.REQUEST: "status"})
    assert slots[app.REFERENCE] == "SP-2026-0042"


def test_withdrawal_needs_reference_email_and_a_yes(world):
    reference = submit(world)
    text = f"træk {reference} tilbage"
    _, slots = validate(tracker(text, "withdraw_application",
                                entities=[entity("application_reference", reference, text)]),
                        app.ValidateApplicationLookupForm())
    assert slots[app.REQUEST] == "withdraw" and slots["requested_slot"] == app.LOOKUP_EMAIL
    state = {app.REQUEST: "withdraw", app.REFERENCE: reference}
    _, slots = lookup("anna.jensen@regionh.dk", app.LOOKUP_EMAIL, state)
    assert slots["requested_slot"] == app.WITHDRAW_CONFIRMED
    state[app.LOOKUP_EMAIL] = "anna.jensen@regionh.dk"
    _, slots = lookup("/affirm", app.WITHDRAW_CONFIRMED, state, intent="affirm")
    assert slots[app.WITHDRAW_CONFIRMED] is True and slots["requested_slot"] is None
    messages, _ = run(app.ActionAnswerApplicationLookup(), tracker(slots={**state, app.WITHDRAW_CONFIRMED: True}))
    assert responses(messages) == ["utter_application_withdrawn"]
    assert world.service.status(reference, "anna.jensen@regionh.dk").state == "trukket_tilbage"
    with transaction(world.session_factory) as session:
        assert store.counts(session)["pending"] == 2  # submitted + withdrawn notices


def test_saying_no_keeps_the_application(world):
    reference = submit(world)
    state = {app.REQUEST: "withdraw", app.REFERENCE: reference, app.LOOKUP_EMAIL: "anna.jensen@regionh.dk",
             app.WITHDRAW_CONFIRMED: False}
    messages, _ = run(app.ActionAnswerApplicationLookup(), tracker(slots=state))
    assert responses(messages) == ["utter_application_not_withdrawn"]
    assert world.service.status(reference, "anna.jensen@regionh.dk").state == "modtaget"


def test_a_closed_application_cannot_be_withdrawn(world):
    reference = submit(world)
    world.service.withdraw(reference, "anna.jensen@regionh.dk")
    said, slots = lookup("anna.jensen@regionh.dk", app.LOOKUP_EMAIL, {app.REQUEST: "withdraw", app.REFERENCE: reference})
    assert said == ["utter_application_already_closed"]
    assert slots[app.REQUEST] == "done" and slots["requested_slot"] is None


def test_a_database_outage_at_lookup_ends_the_form_with_a_clear_answer(world):
    services.override("applications", DownService())
    said, slots = lookup("anna.jensen@regionh.dk", app.LOOKUP_EMAIL, {app.REQUEST: "status",
                                                                      app.REFERENCE: "SP-2026-0001"})
    assert said == ["utter_application_database_down"] and slots["requested_slot"] is None


# ------------------------------------------------------------------ outbox dispatcher


def test_no_webhook_means_no_dispatcher_thread(world):
    assert app.build_outbox_runner(world.settings, world.session_factory) is None


def test_the_dispatcher_delivers_the_notice_once_the_webhook_answers(world, monkeypatch):
    monkeypatch.setenv("KA_OUTBOX_INTERVAL_SECONDS", "0.1")
    monkeypatch.setenv("KA_OUTBOX_RETRY_BASE_SECONDS", "0.1")
    submit(world)
    with FakeTeamsWebhook(statuses=[503]) as hook:
        settings = Settings(**{**world.settings.__dict__, "teams_webhook_url": hook.url})
        runner = app.build_outbox_runner(settings, world.session_factory)
        try:
            deadline = time.monotonic() + 15
            while not hook.delivered() and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            runner.stop()
        assert not runner.thread.is_alive()
        assert len(hook.delivered()) == 1 and len(hook.requests) == 2
