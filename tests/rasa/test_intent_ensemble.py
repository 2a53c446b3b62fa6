"""The intent ensemble (bot/intent_ensemble.py): DIET's ranking averaged with a
linear model trained on the examples' text, stored and loaded with the model."""
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intent_ensemble import IntentEnsemble

EXAMPLES = {
    "book_session": ["book en samtale", "jeg vil booke en tid", "kan jeg få en samtale",
                     "book mig en karrieresamtale", "reserver en tid til mig"],
    "cancel_booking": ["aflys min tid", "jeg vil aflyse min samtale", "slet min booking",
                       "aflys samtalen", "jeg kan ikke komme, aflys"],
    "greet": ["hej", "goddag", "godmorgen", "hej med dig", "halløj"],
}


def trained(tmp_path, **config):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("ensemble")
    context = ExecutionContext(GraphSchema({}), "test")
    component = IntentEnsemble.create({**IntentEnsemble.get_default_config(), **config},
                                      storage, resource, context)
    messages = [Message(data={"text": text, "intent": intent})
                for intent, texts in EXAMPLES.items() for text in texts]
    component.train(TrainingData(messages))
    return IntentEnsemble.load({**IntentEnsemble.get_default_config(), **config},
                               storage, resource, context)


def parsed(text, diet_ranking):
    message = Message(data={"text": text})
    message.set("intent", dict(diet_ranking[0]))
    message.set("intent_ranking", diet_ranking)
    return message


def test_the_text_outvotes_a_diet_guess_that_is_only_slightly_ahead(tmp_path):
    component = trained(tmp_path)  # loaded back from the model storage
    diet = [{"name": "book_session", "confidence": 0.45},
            {"name": "cancel_booking", "confidence": 0.40},
            {"name": "greet", "confidence": 0.15}]
    [message] = component.process([parsed("aflys min samtale", diet)])
    assert message.get("intent")["name"] == "cancel_booking"
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking][0] == "cancel_booking"
    assert len({r["name"] for r in ranking}) == len(ranking) <= 10
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6


def test_a_confident_diet_is_kept_when_the_text_is_unclear(tmp_path):
    component = trained(tmp_path)
    diet = [{"name": "greet", "confidence": 0.98},
            {"name": "book_session", "confidence": 0.01},
            {"name": "cancel_booking", "confidence": 0.01}]
    [message] = component.process([parsed("nå", diet)])
    assert message.get("intent")["name"] == "greet"


def test_diet_alone_decides_with_weight_one(tmp_path):
    component = trained(tmp_path, diet_weight=1.0)
    diet = [{"name": "book_session", "confidence": 0.45},
            {"name": "cancel_booking", "confidence": 0.40},
            {"name": "greet", "confidence": 0.15}]
    [message] = component.process([parsed("aflys min samtale", diet)])
    assert message.get("intent") == {"name": "book_session", "confidence": 0.45}


def test_its_fast_probabilities_are_the_regressions_own(tmp_path):
    import numpy as np

    component = trained(tmp_path)
    texts = ["aflys min samtale", "hej", "book en tid", "noget helt andet", "",
             "hej hej hej aflys aflys",  # repeated terms: sublinear term frequency
             "🙂🙂 ###", "AFLYS Min Samtale", "aflys " * 2000]
    for text in texts:
        assert np.allclose(component.probabilities(text),
                           component.model.predict_proba([text])[0], atol=1e-9), text


def test_messages_without_text_or_ranking_pass_untouched(tmp_path):
    component = trained(tmp_path)
    empty = Message(data={"text": ""})
    [message] = component.process([empty])
    assert message.get("intent") is None
