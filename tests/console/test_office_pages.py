"""Bookings, applications and the knowledge base in the console."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.applications import ApplicationDraft
from bot.knowledge.feedback import FeedbackStore


@pytest.fixture
def bookings(console):
    """One booking with Anne (raadgiver-1) and one with Bo (raadgiver-2)."""
    service = console.deps.bookings
    made = {}
    for counsellor in ("raadgiver-1", "raadgiver-2"):
        slot = service.free_slots(counsellor_id=counsellor, format="teams", limit=1)[0]
        made[counsellor] = service.book(slot, "andet", "teams")
    return made


def day_of(console, booking) -> str:
    return booking.starts_at.astimezone(console.deps.bookings.config.tz).date().isoformat()


def test_a_counsellor_sees_their_bookings_of_the_day_and_week(console, bookings):
    anne = console.login()
    mine = bookings["raadgiver-1"]
    page = anne.get(f"{console.url}/konsol/bookinger?dag={day_of(console, mine)}").text
    assert mine.display_code in page and "Teams-møde" in page
    assert bookings["raadgiver-2"].display_code not in page
    everyone = anne.get(f"{console.url}/konsol/bookinger?dag={day_of(console, mine)}&alle=1").text
    assert "Du ser alle rådgiveres bookinger" in everyone


def test_a_counsellor_cancels_their_own_booking_with_a_reason(console, bookings):
    anne = console.login()
    mine, theirs = bookings["raadgiver-1"], bookings["raadgiver-2"]
    without_reason = console.post(anne, f"/konsol/bookinger/{mine.display_code}/aflys", {"aarsag": " "})
    assert "fejl=begrundelse" in without_reason.headers["Location"]
    done = console.post(anne, f"/konsol/bookinger/{mine.display_code}/aflys", {"aarsag": "Syg"})
    assert "ok=aflyst" in done.headers["Location"]
    assert console.deps.bookings.find(mine.code).cancel_reason == "Syg"
    refused = console.post(anne, f"/konsol/bookinger/{theirs.display_code}/aflys", {"aarsag": "Nej"})
    assert "fejl=ikke_din" in refused.headers["Location"]
    assert console.deps.bookings.find(theirs.code).is_active


def test_a_counsellor_blocks_time_in_their_own_calendar_only(console):
    anne = console.login()
    day = date.today() + timedelta(days=7)
    response = console.post(anne, "/konsol/bookinger/bloker",
                            {"dato": day.isoformat(), "fra": "10:00", "til": "12:00", "aarsag": "Kursus"})
    assert "ok=blokeret" in response.headers["Location"]
    service = console.deps.bookings
    tz = service.config.tz
    from datetime import datetime, time
    start = datetime.combine(day, time(0), tzinfo=tz)
    [block] = service.list_blocks(None, start, start + timedelta(days=1))
    assert block.counsellor_id == "raadgiver-1" and block.reason == "Kursus"
    bad = console.post(anne, "/konsol/bookinger/bloker",
                       {"dato": day.isoformat(), "fra": "12:00", "til": "10:00"})
    assert "fejl=ugyldig_tid" in bad.headers["Location"]
    bo = console.login("bo")
    assert "fejl=ikke_din" in console.post(bo, f"/konsol/bookinger/blokeringer/{block.id}/fjern").headers["Location"]
    assert "ok=blokering_fjernet" in console.post(anne, f"/konsol/bookinger/blokeringer/{block.id}/fjern").headers["Location"]


@pytest.fixture
def application(console):
    start = date.today() + timedelta(days=60)
    draft = ApplicationDraft(
        kind="snusepraktik", profession="sygeplejerske", current_workplace="HGH",
        current_department="Kardiologisk afdeling", years_in_specialty=3.0,
        desired_specialty="neonatal", period_start=start, period_end=start + timedelta(days=4),
        period_text="en uge", name="Anna Jensen", email="anna.jensen@regionh.dk", consent=True,
        motivation="Jeg vil se de mindste patienter.",
    )
    return console.deps.applications.submit(draft).reference


def test_applications_move_through_states_with_the_counsellor_recorded(console, application):
    bo = console.login("bo")
    listing = bo.get(f"{console.url}/konsol/ansoegninger").text
    assert application in listing and "Modtaget" in listing
    detail = bo.get(f"{console.url}/konsol/ansoegninger/{application}").text
    assert "Anna Jensen" in detail and "Under behandling" in detail
    moved = console.post(bo, f"/konsol/ansoegninger/{application}/status", {"til": "under_behandling"})
    assert "ok=status_aendret" in moved.headers["Location"]
    no_reason = console.post(bo, f"/konsol/ansoegninger/{application}/status", {"til": "afvist"})
    assert "fejl=begrundelse" in no_reason.headers["Location"]
    history = console.deps.applications.history(application)
    assert [(h.actor, h.to_state) for h in history][-1] == ("bo", "under_behandling")


def test_the_knowledge_page_lists_questions_and_reloads_the_base(console):
    feedback: FeedbackStore = console.deps.feedback
    feedback.record_unanswered("kan jeg tage min hund med på arbejde")
    feedback.record_feedback("snusepraktik", False, "hvor længe varer det")
    anne = console.login()
    page = anne.get(f"{console.url}/konsol/viden").text
    assert "kan jeg tage min hund med på arbejde" in page
    assert "hvor længe varer det" in page and "Hvad er en snusepraktik?" in page
    reloaded = console.post(anne, "/konsol/viden/genindlaes")
    assert "ok=genindlaest" in reloaded.headers["Location"] and console.knowledge.reloads == 1
    assert console.knowledge.requested == 1  # the action servers reload too
    assert "Videnbasen er genindlæst" in anne.get(f"{console.url}{reloaded.headers['Location']}").text
    [question] = feedback.list_unanswered()
    handled = console.post(anne, f"/konsol/viden/ubesvarede/{question.id}/haandteret")
    assert "ok=haandteret" in handled.headers["Location"]
    assert feedback.list_unanswered() == []
