from actions.fallback import ActionDefaultAskAffirmation
from tests.actions.helpers import DOMAIN, run, tracker


def test_did_you_mean_offers_the_likeliest_intents_as_danish_buttons():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5},
               {"name": "book_session", "confidence": 0.4},
               {"name": "out_of_scope", "confidence": 0.3},
               {"name": "ask_question", "confidence": 0.2},
               {"name": "request_human", "confidence": 0.1},
               {"name": "help", "confidence": 0.05}]
    messages, _ = run(ActionDefaultAskAffirmation(), tracker("bok en tid?", "nlu_fallback", ranking=ranking))
    assert messages[0]["response"] == "utter_did_you_mean"
    titles = [b["title"] for b in messages[0]["buttons"]]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ["/book_session", "/ask_question", "/request_human", "/out_of_scope"]
    assert titles[0] == DOMAIN["responses"]["utter_intent_label_book_session"][0]["text"]
    assert titles[-1] == "Ingen af delene"


def test_did_you_mean_without_guesses_still_lets_the_user_say_none():
    messages, _ = run(ActionDefaultAskAffirmation(), tracker("?", "nlu_fallback"))
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/out_of_scope"]
