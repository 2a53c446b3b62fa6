"""The trained model answers the same whether its TensorFlow parts are loaded and
called by bot.serving_models (one forward pass, flat graph calls, response selection
only for out-of-scope messages) or by Rasa's own code (one training step,
tf.function calls, response selection for every message)."""
import asyncio

import pytest

from tests.stack import MODEL

MESSAGES = [
    "hej", "tak for hjælpen", "farvel", "er du en robot?", "hvad kan du hjælpe med?",
    "hvad er en snusepraktik?", "kan man få anonym vejledning?",
    "jeg vil gerne i snusepraktik på neonatal", "book en samtale til mig",
    "jeg vil aflyse min tid", "hvornår er min samtale?", "kan jeg flytte min samtale?",
    "hvordan går det med min ansøgning?", "jeg vil tale med et menneske",
    "mit password virker ikke", "hvornår er der løn?", "hvordan bliver vejret i morgen?",
    "jeg er sygeplejerske på Rigshospitalet og vil være jordemoder", "ja tak", "nej",
    "asdfghjkl", "jeg er SOSU-assistent på Herlev og vil gerne videre",
]
CONVERSATIONS = [["hej", "jeg vil gerne booke en samtale"],
                 ["hvad er en snusepraktik?", "tak"],
                 ["jeg vil tale med et menneske"]]


def answers(agent):
    async def run():
        parsed = []
        for text in MESSAGES:
            result = await agent.parse_message(text)
            selector = result.get("response_selector", {}).get("out_of_scope", {})
            parsed.append({
                "text": text,
                "intent": result["intent"]["name"],
                "confidence": result["intent"]["confidence"],
                "ranking": [r["name"] for r in result.get("intent_ranking", [])],
                "entities": [(e["entity"], e["value"]) for e in result.get("entities", [])],
                "selected": selector.get("response", {}).get("intent_response_key"),
            })
        actions = []
        for number, conversation in enumerate(CONVERSATIONS):
            sender = f"equivalence-{number}"
            for text in conversation:
                await agent.handle_text(text, sender_id=sender)
            tracker = await agent.tracker_store.retrieve(sender)
            actions.append([e.action_name for e in tracker.events
                            if getattr(e, "type_name", "") == "action"])
        return parsed, actions

    return asyncio.run(run())


@pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model (make train)")
def test_serving_models_answer_exactly_like_rasas_own_code(monkeypatch):
    from rasa.core.agent import Agent
    from rasa.nlu.selectors.response_selector import ResponseSelector
    from rasa.utils.tensorflow.models import RasaModel

    from bot import serving_models

    ours_parsed, ours_actions = answers(Agent.load(str(MODEL)))

    monkeypatch.setattr(serving_models.ForwardPassLoading, "load",
                        classmethod(RasaModel.load.__func__))
    monkeypatch.setattr(serving_models.ForwardPassLoading, "_rasa_predict",
                        RasaModel._rasa_predict)
    monkeypatch.setattr(serving_models.ServingResponseSelector, "process",
                        ResponseSelector.process)
    rasa_parsed, rasa_actions = answers(Agent.load(str(MODEL)))

    assert ours_actions == rasa_actions
    assert any("utter_greet" in actions for actions in ours_actions)
    assert {p["selected"] for p in ours_parsed} >= {"out_of_scope/it", "out_of_scope/loen"}
    for ours, rasa in zip(ours_parsed, rasa_parsed):
        assert ours["confidence"] == pytest.approx(rasa["confidence"], abs=1e-5), ours["text"]
        ours.pop("confidence"), rasa.pop("confidence")
        if ours["intent"] != "out_of_scope":  # nobody reads the selection for other intents
            assert ours.pop("selected") is None and rasa.pop("selected") is not None
        assert ours == rasa
    assert {p["intent"] for p in ours_parsed} >= {"greet", "ask_question", "book_session",
                                                  "out_of_scope"}
