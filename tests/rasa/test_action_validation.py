"""bot/action_validation.py: the Rasa server accepts and rejects the action
server's answers exactly as Rasa's own check does, with the same message."""
import copy

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa_sdk.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    ConversationPaused,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
)

from bot import action_validation

VALID = [
    {"events": [], "responses": []},
    {},
    # What our actions answer: slots, forms, follow-ups, handoff pauses.
    {"events": [SlotSet("article_slug", None), SlotSet("answered_article", "snusepraktik"),
                SlotSet("answered_question", "hvad er en snusepraktik?")],
     "responses": [{"response": "utter_knowledge_answer", "answer": "Kort ophold ...",
                    "source": "Snusepraktik", "heading": "Hvad", "url": "http://x/y"},
                   {"response": "utter_knowledge_related",
                    "buttons": [{"title": "Udveksling", "payload": "/ask_question"}]}]},
    {"events": [ActiveLoop("booking_form"), SlotSet("requested_slot", "day"),
                FollowupAction("action_listen")], "responses": [{"text": "Hvilken dag?"}]},
    {"events": [ConversationPaused(), AllSlotsReset(), Restarted(), SessionStarted(),
                ActionExecuted("action_listen")], "responses": []},
    {"events": [SlotSet("booking_code", 1234)]},  # any JSON value may go into a slot
]

INVALID = [
    {"events": "SlotSet"},
    {"events": [{"name": "x"}]},  # no event type
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "value": "x"}]},  # a slot event without its name
    {"events": [None]},
    {"responses": "utter_greet"},
    {"responses": ["utter_greet"]},
    [],
    "ok",
]


@pytest.fixture
def restore():
    before = RemoteAction._validate_action_result
    yield
    RemoteAction._validate_action_result = before


def verdict(result):
    try:
        action = RemoteAction("action_answer_question", None)
        return action._validate_action_result(copy.deepcopy(result)), None
    except ValidationError as error:
        return False, error.message


@pytest.mark.parametrize("result", VALID + INVALID)
def test_same_verdict_and_message_as_rasa(restore, result):
    action_validation.uninstall()
    expected = verdict(result)
    action_validation.install()
    assert verdict(result) == expected
    assert verdict(result) == expected  # the kept validator holds no state between calls
    assert expected[0] is (result in VALID)


def test_rejection_names_the_docs_like_rasa(restore):
    action_validation.install()
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_x", None)._validate_action_result({"events": [{"event": "nope"}]})


def test_the_rasa_server_gets_it_with_the_model_components(restore):
    action_validation.uninstall()
    import importlib

    import bot.serving_models  # what config.yml makes every Rasa server import

    importlib.reload(bot.serving_models)

    assert RemoteAction._validate_action_result is action_validation.validate_action_result
