"""The application use cases against a real (SQLite) database."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.applications import ApplicationService
from bot.applications.errors import (
    ApplicationClosed,
    ApplicationNotFound,
    ConsentMissing,
    IllegalTransition,
    MissingField,
    ReasonRequired,
)
from bot.applications.orm import ApplicationRow
from bot.db import transaction
from bot.outbox.models import OutboxMessage

from .conftest import make_draft


def outbox(session_factory):
    with transaction(session_factory) as session:
        return [(m.kind, m.payload) for m in session.execute(select(OutboxMessage)).scalars()]


def test_submitting_gives_a_reference_with_year_and_sequence(service, draft):
    first = service.submit(draft)
    second = service.submit(draft)
    assert first.reference == "SP-2026-0001"
    assert second.reference == "SP-2026-0002"


def test_the_sequence_starts_again_in_a_new_year(service, draft, clock):
    service.submit(draft)
    clock.now = clock.now.replace(year=2027, month=1, day=4)
    assert service.submit(make_draft(period_start=date(2027, 2, 1), period_end=date(2027, 2, 5))
                          ).reference == "SP-2027-0001"


def test_a_new_application_is_received_and_the_counsellors_get_a_notice(service, draft,
                                                                        session_factory):
    submitted = service.submit(draft)
    status = service.status(submitted.reference, draft.email)
    assert status.state == "modtaget"
    assert status.kind == "snusepraktik" and status.desired_specialty == "neonatal"
    [(kind, payload)] = outbox(session_factory)
    assert kind == "application.submitted"
    assert payload["reference"] == submitted.reference
    # No personal data in the notice.
    text = repr(payload).lower()
    for personal in ("anna", "jensen", "regionh.dk", "kardiologisk", "patienter"):
        assert personal not in text


def test_an_exchange_with_little_experience_is_accepted_and_flagged(service, session_factory):
    submitted = service.submit(make_draft(kind="udveksling", years_in_specialty=1.0,
                                          period_start=date(2026, 9, 1),
                                          period_end=date(2026, 10, 31)))
    assert submitted.below_guideline is True
    details = service.get(submitted.reference)
    assert details.summary.below_guideline is True
    assert "below_two_years_in_specialty" in details.guideline_notes
    [(_, payload)] = outbox(session_factory)
    assert payload["below_guideline"] is True


def test_without_consent_nothing_is_stored(service, session_factory):
    with pytest.raises(ConsentMissing):
        service.submit(make_draft(consent=False))
    assert service.list_applications() == []
    assert outbox(session_factory) == []


def test_status_needs_both_reference_and_email(service, draft):
    reference = service.submit(draft).reference
    assert service.status(reference, "ANNA.JENSEN@regionh.dk ").state == "modtaget"
    assert service.status(reference.lower().replace("-", " "), draft.email).reference == reference
    with pytest.raises(ApplicationNotFound) as wrong_email:
        service.status(reference, "someone.else@regionh.dk")
    with pytest.raises(ApplicationNotFound) as unknown:
        service.status("SP-2026-0999", draft.email)
    with pytest.raises(ApplicationNotFound):
        service.status("not a reference", draft.email)
    # A wrong e-mail looks exactly like an unknown reference.
    assert type(wrong_email.value) is type(unknown.value)


def test_the_employee_can_withdraw_and_the_counsellors_are_told(service, draft, session_factory):
    reference = service.submit(draft).reference
    status = service.withdraw(reference, draft.email)
    assert status.state == "trukket_tilbage"
    assert service.status(reference, draft.email).state == "trukket_tilbage"
    kinds = [kind for kind, _ in outbox(session_factory)]
    assert kinds == ["application.submitted", "application.withdrawn"]
    assert service.history(reference)[-1].actor == "medarbejder"


def test_withdrawing_twice_says_it_is_closed(service, draft):
    reference = service.submit(draft).reference
    service.withdraw(reference, draft.email)
    with pytest.raises(ApplicationClosed):
        service.withdraw(reference, draft.email)


def test_nobody_can_withdraw_another_persons_application(service, draft):
    reference = service.submit(draft).reference
    with pytest.raises(ApplicationNotFound):
        service.withdraw(reference, "mallory@regionh.dk")
    assert service.status(reference, draft.email).state == "modtaget"


def test_coordinators_move_an_application_to_completion_with_an_audit_trail(service, draft, clock):
    reference = service.submit(draft).reference
    for state in ("under_behandling", "venter_paa_leder", "godkendt", "gennemfoert"):
        clock.advance(hours=1)
        status = service.transition(reference, state, actor="mette.k")
        assert status.state == state
    history = service.history(reference)
    assert [(h.from_state, h.to_state) for h in history] == [
        (None, "modtaget"),
        ("modtaget", "under_behandling"),
        ("under_behandling", "venter_paa_leder"),
        ("venter_paa_leder", "godkendt"),
        ("godkendt", "gennemfoert"),
    ]
    assert [h.actor for h in history] == ["medarbejder"] + ["mette.k"] * 4
    assert history[-1].at == clock.now
    assert service.status(reference, draft.email).updated_at == clock.now


def test_a_rejection_needs_a_reason_which_the_employee_sees(service, draft):
    reference = service.submit(draft).reference
    with pytest.raises(ReasonRequired):
        service.transition(reference, "afvist", actor="mette.k")
    assert service.status(reference, draft.email).state == "modtaget"
    service.transition(reference, "afvist", actor="mette.k", reason="Ingen plads i uge 37")
    status = service.status(reference, draft.email)
    assert (status.state, status.reason) == ("afvist", "Ingen plads i uge 37")


def test_an_illegal_move_changes_nothing(service, draft):
    reference = service.submit(draft).reference
    with pytest.raises(IllegalTransition):
        service.transition(reference, "godkendt", actor="mette.k")
    assert len(service.history(reference)) == 1


def test_a_move_needs_a_coordinator_name(service, draft):
    reference = service.submit(draft).reference
    with pytest.raises(MissingField):
        service.transition(reference, "under_behandling", actor="  ")


def test_the_console_list_is_newest_first_and_filters_by_state(service, draft, clock):
    first = service.submit(draft).reference
    clock.advance(minutes=5)
    second = service.submit(draft).reference
    service.transition(first, "under_behandling", actor="mette.k")
    assert [a.reference for a in service.list_applications()] == [second, first]
    assert [a.reference for a in service.list_applications("under_behandling")] == [first]
    assert service.list_applications("afvist") == []


def anonymised_count(session_factory):
    with transaction(session_factory) as session:
        return session.execute(
            select(func.count()).select_from(ApplicationRow)
            .where(ApplicationRow.anonymised_at.is_not(None))
        ).scalar_one()


def test_closed_applications_are_anonymised_after_the_retention_period(
        service, draft, clock, session_factory):
    old_closed = service.submit(draft).reference
    service.transition(old_closed, "afvist", actor="mette.k", reason="Anna har ikke 2 år")
    old_open = service.submit(draft).reference
    clock.advance(days=300)
    recent_closed = service.submit(make_draft(period_start=date(2027, 5, 3),
                                              period_end=date(2027, 5, 7))).reference
    service.withdraw(recent_closed, draft.email)
    clock.advance(days=70)  # old ones closed 370 days ago, the recent one 70

    assert service.anonymise_expired() == 1
    details = service.get(old_closed)
    assert (details.name, details.email, details.motivation) == (None, None, None)
    assert (details.current_department, details.desired_department, details.period_text,
            details.state_reason) == (None, None, None, None)
    # Kept for statistics.
    assert (details.state, details.summary.kind, details.summary.profession,
            details.summary.current_workplace, details.summary.period_start) == (
        "afvist", "snusepraktik", "sygeplejerske", "HGH", date(2026, 9, 7))
    assert all(entry.reason != "Anna har ikke 2 år" for entry in service.history(old_closed))
    assert service.history(old_closed)[-1].actor == "system"
    # The owner can no longer look it up (the e-mail is gone) ...
    with pytest.raises(ApplicationNotFound):
        service.status(old_closed, draft.email)
    # ... open and recently closed applications are untouched.
    assert service.get(old_open).name == "Anna Jensen"
    assert service.get(recent_closed).email == draft.email
    # Idempotent: a second run the same day does nothing.
    assert service.anonymise_expired() == 0
    assert anonymised_count(session_factory) == 1


def test_retention_follows_the_setting(session_factory, settings, clock, draft):
    from dataclasses import replace

    short = ApplicationService(session_factory, replace(settings, application_retention_days=10),
                               clock=clock)
    reference = short.submit(draft).reference
    short.withdraw(reference, draft.email)
    clock.advance(days=9)
    assert short.anonymise_expired() == 0
    clock.advance(days=2)
    assert short.anonymise_expired() == 1


def test_today_is_the_danish_date(service, clock):
    clock.now = clock.now.replace(hour=22, minute=30)  # 00:30 the next day in Copenhagen
    assert service.today() == clock.now.date() + timedelta(days=1)
