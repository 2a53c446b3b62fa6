"""Booking a session anonymously, end to end over the REST channel with the real
servers and model: book, change one's mind, lose the chosen time to someone
else, get the code and the calendar file, then cancel with the code. Needs the
calendar channel in credentials.yml."""
import re
import urllib.request

import pytest

from actions.booking import decode_slot
from bot.booking import BookingService, find_code_in_text, format_code, load_booking_config
from bot.db import make_engine, make_session_factory
from bot.settings import PROJECT_ROOT
from tests.rest_client import Conversation

pytestmark = pytest.mark.e2e

SLOT_TITLE = re.compile(
    r"((i dag|i morgen|i overmorgen), )?(mandag|tirsdag|onsdag|torsdag|fredag) den \d+\. [a-z]+( \d{4})? kl\. \d+\.\d\d"
)


CONFIG = load_booking_config(PROJECT_ROOT / "config" / "counsellors.yml")


def other_employee(stack) -> BookingService:
    """The booking service on the running stack's database, as another chat would use it."""
    return BookingService(make_session_factory(make_engine(stack.env["KA_DATABASE_URL"])), CONFIG,
                          secret_key=stack.env["KA_SECRET_KEY"])


def buttons(replies):
    return [b for r in replies for b in r.get("buttons", [])]


def text(replies):
    return "\n".join(r.get("text", "") for r in replies)


def test_booking_anonymously_then_cancelling_with_the_code(stack):
    chat = Conversation(stack.rasa_url)

    replies = chat.say("Jeg vil gerne booke en samtale")
    assert "fortrolig" in text(replies) and "uafhængig af din leder" in text(replies)
    assert "Ledelse" in [b["title"] for b in buttons(replies)]

    replies = chat.say('/book_session{"booking_topic": "andet"}')
    formats = {b["title"]: b["payload"] for b in buttons(replies)}
    assert "Teams-møde (video)" in formats

    replies = chat.say(formats["Teams-møde (video)"])
    counsellors = buttons(replies)
    assert any("fokus på" in b["title"] for b in counsellors)
    assert counsellors[-1]["title"] == "Den første ledige"

    replies = chat.say(counsellors[-1]["payload"])
    assert "hurtigst muligt" in text(replies)

    replies = chat.say("noget med blomster")  # not a time: asked again with examples
    assert "kunne jeg ikke forstå" in text(replies)

    replies = chat.say("en eftermiddag i næste uge")
    offered = buttons(replies)
    assert offered and all(SLOT_TITLE.fullmatch(b["title"]) for b in offered), offered

    replies = chat.say("nej, hellere torsdag")  # a change of mind gives fresh offers
    offered = buttons(replies)
    assert offered and all(SLOT_TITLE.fullmatch(b["title"]) for b in offered), offered
    if "ingen ledige tider" not in text(replies):  # unless that Thursday is a holiday
        assert all("torsdag" in b["title"] for b in offered)

    replies = chat.say(offered[0]["payload"])
    assert "Skal jeg booke" in text(replies) and offered[0]["title"] in text(replies)

    # Someone else books that very time before the employee says yes.
    taken = re.search(r'"booking_slot": "([^"]+)"', offered[0]["payload"]).group(1)
    other_employee(stack).book(decode_slot(taken, CONFIG), "andet", "teams")
    replies = chat.say("ja")
    assert "nåede en anden" in text(replies)
    nearest = buttons(replies)
    assert nearest and taken not in " ".join(b["payload"] for b in nearest)

    replies = chat.say(nearest[0]["payload"])
    assert "Skal jeg booke" in text(replies)
    replies = chat.say("ja")
    answer = text(replies)
    code = format_code(find_code_in_text(answer))
    assert f"bookingkode er {code}" in answer
    assert "som gæst" in answer and "kameraet" in answer
    link = re.search(r"https?://\S+/kalender/booking/\S+\.ics", answer).group(0)
    with urllib.request.urlopen(link, timeout=30) as response:
        ics = response.read().decode("utf-8")
    assert response.status == 200 and "BEGIN:VEVENT" in ics and code in ics

    replies = chat.say("jeg vil aflyse min samtale")
    assert "bookingkode" in text(replies)
    replies = chat.say(code.lower())
    assert "Vil du aflyse" in text(replies)
    replies = chat.say("ja")
    assert "er aflyst" in text(replies)


def test_unknown_codes_get_a_clear_answer_and_stop_ends_the_lookup(stack):
    chat = Conversation(stack.rasa_url)
    chat.say("se min booking")
    assert "kan ikke finde en booking" in chat.texts("HJ3P-9QWE")
    assert "ligner ikke en bookingkode" in chat.texts("det kan jeg ikke huske")
    assert "stoppet" in chat.texts("stop")
    assert "Hvad vil du gerne tale om" in chat.texts("/book_session")  # a new flow starts at once
