"""An application over the REST channel with the real servers and model, and the
counsellors' Teams notice through a fake webhook on loopback that is down at
first: the notice arrives once it is back, exactly once.

This module starts its own stack (the outbox dispatcher needs the webhook URL
and short intervals in the action server's environment). KA_E2E_MODEL may
point at another trained model than models/karriereassistent.tar.gz.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from bot.outbox.fake_teams import FakeTeamsWebhook
from tests.rest_client import Conversation
from tests.stack import start_stack

pytestmark = pytest.mark.e2e

EMAIL = "anna.jensen@regionh.dk"


@pytest.fixture(scope="module")
def teams():
    with FakeTeamsWebhook(default_status=503) as hook:  # Teams is down until a test says otherwise
        yield hook


@pytest.fixture(scope="module")
def app_stack(tmp_path_factory, teams):
    model = os.environ.get("KA_E2E_MODEL")
    running = start_stack(
        tmp_path_factory.mktemp("applications-stack"),
        extra_env={"KA_TEAMS_WEBHOOK_URL": teams.url, "KA_OUTBOX_INTERVAL_SECONDS": "0.2",
                   "KA_OUTBOX_RETRY_BASE_SECONDS": "0.2"},
        model=Path(model) if model else None,
    )
    yield running
    running.stop()


def notices(hook: FakeTeamsWebhook, title: str, delivered: bool = True):
    bodies = hook.delivered() if delivered else hook.requests
    return [b for b in bodies if b.get("summary") == title]


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def apply(conversation: Conversation) -> str:
    """The whole application, with one wrong e-mail on the way; returns the reference."""
    intro = conversation.texts("Jeg vil gerne i snusepraktik på neonatal")
    assert "løn" in intro and "leder" in intro
    assert "stilling" in intro  # kind and specialty came with the request
    assert "Hvor arbejder du" in conversation.texts("sygeplejerske")
    assert "afdeling" in conversation.texts("Herlev")
    assert "nuværende speciale" in conversation.texts("Kardiologisk afdeling")
    assert "hvilken afdeling og hvilket hospital" in conversation.texts("halvandet år")
    assert "Hvornår" in conversation.texts("/deny")
    assert "hvorfor" in conversation.texts("uge 12")
    name_question = conversation.texts("Jeg vil gerne se, hvordan man arbejder med de mindste patienter.")
    assert name_question.index("anonym") < name_question.index("navn")
    assert "@regionh.dk" in conversation.texts("Anna Jensen")
    assert "arbejdsmail fra regionen" in conversation.texts("anna@gmail.com")
    assert "gemme din ansøgning" in conversation.texts(EMAIL)
    summary = conversation.say("/affirm")
    assert "Herlev og Gentofte Hospital" in summary[0]["text"] and "uge 12" in summary[0]["text"]
    assert "Ret periode" in [b["title"] for b in summary[0]["buttons"]]
    sent = conversation.texts("/affirm")
    reference = re.search(r"SP-\d{4}-\d{4}", sent)
    assert reference, sent
    assert "Karrierekontoret" in sent
    return reference.group(0)


def test_an_application_is_sent_and_the_notice_arrives_once_teams_is_back(app_stack, teams):
    reference = apply(Conversation(app_stack.rasa_url))
    title = f"Ny ansøgning {reference}"
    assert wait_until(lambda: len(notices(teams, title, delivered=False)) >= 2, 20), "no retries while down"
    assert notices(teams, title) == []
    teams.default_status = 200  # Teams is back
    assert wait_until(lambda: notices(teams, title), 30), "the notice never arrived"
    time.sleep(2)  # a duplicate would show up by now
    assert len(notices(teams, title)) == 1


def test_status_needs_the_right_email_and_a_withdrawal_reaches_the_counsellors(app_stack, teams):
    teams.default_status = 200
    conversation = Conversation(app_stack.rasa_url)
    reference = apply(conversation)
    assert "referencenummer" in conversation.texts("Hvad er status på min ansøgning?")
    assert "e-mailadresse" in conversation.texts(reference)
    wrong = conversation.texts("bo.hansen@regionh.dk")
    assert "kan ikke finde" in wrong and "referencenummer" in wrong
    conversation.texts(reference)
    assert "er modtaget" in conversation.texts(EMAIL)

    assert "referencenummer" in conversation.texts("jeg vil trække min ansøgning tilbage")
    conversation.texts(reference)
    assert "trække ansøgning" in conversation.texts(EMAIL)
    assert "er trukket tilbage" in conversation.texts("/affirm")
    title = f"Ansøgning {reference} trukket tilbage"
    assert wait_until(lambda: notices(teams, title), 30)
    time.sleep(1)
    assert len(notices(teams, title)) == 1


def test_stop_in_the_middle_stores_nothing(app_stack):
    conversation = Conversation(app_stack.rasa_url)
    conversation.texts("jeg vil gerne søge udveksling")
    conversation.texts("læge")
    assert "hverken gemt eller sendt" in conversation.texts("stop")
