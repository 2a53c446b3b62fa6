"""The intent ensemble (bot/intent_ensemble.py): DIET's ranking averaged with a
linear model trained on the examples' text, stored and loaded with the model."""
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intent_concepts import concept_pattern
from bot.intent_ensemble import IntentEnsemble

EXAMPLES = {
    "book_session": ["book en samtale", "jeg vil booke en tid", "kan jeg få en samtale",
                     "book mig en karrieresamtale", "reserver en tid til mig"],
    "cancel_booking": ["aflys min tid", "jeg vil aflyse min samtale", "slet min booking",
                       "aflys samtalen", "jeg kan ikke komme, aflys"],
    "greet": ["hej", "goddag", "godmorgen", "hej med dig", "halløj"],
}


# A word group as scripts/generate_nlu_vocabulary.py writes it from
# bot/intent_concepts.yml: words for distress that the examples do not contain.
DISTRESS = {"name": "concept_distress",
            "pattern": concept_pattern(stems=["stress", "udbrænd", "angst", "græd"],
                                       phrases=["kan ikke sove"])}
FEELINGS = {
    "sensitive_topic": ["jeg er så stresset", "jeg har angst før vagten", "jeg græder hele tiden",
                        "jeg er stresset på arbejdet", "jeg kan ikke sove for angst"],
    "out_of_scope": ["hvad bliver vejret i morgen", "hvornår får vi løn", "min printer virker ikke",
                     "hvad er klokken", "hvordan bytter jeg en vagt"],
}


def trained(tmp_path, examples=None, regex_features=(), **config):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("ensemble")
    context = ExecutionContext(GraphSchema({}), "test")
    component = IntentEnsemble.create({**IntentEnsemble.get_default_config(), **config},
                                      storage, resource, context)
    messages = [Message(data={"text": text, "intent": intent})
                for intent, texts in (examples or EXAMPLES).items() for text in texts]
    component.train(TrainingData(messages, regex_features=list(regex_features)))
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


def test_a_word_group_carries_words_the_examples_never_used(tmp_path):
    diet = [{"name": "out_of_scope", "confidence": 0.5}, {"name": "sensitive_topic", "confidence": 0.5}]
    text = "udbrændt"  # in no example
    (tmp_path / "without").mkdir()
    (tmp_path / "with").mkdir()
    without = trained(tmp_path / "without", FEELINGS, diet_weight=0.0)
    with_group = trained(tmp_path / "with", FEELINGS, [DISTRESS], diet_weight=0.0)
    [plain] = without.process([parsed(text, diet)])
    [grouped] = with_group.process([parsed(text, diet)])
    assert plain.get("intent")["name"] == "out_of_scope"
    assert grouped.get("intent")["name"] == "sensitive_topic"


def test_fast_probabilities_match_the_regression_with_word_groups(tmp_path):
    import numpy as np

    component = trained(tmp_path, FEELINGS, [DISTRESS])
    for text in ["jeg er udbrændt", "angst angst angst angst stress", "UDBRAENDT", "",
                 "hvad er klokken", "jeg kan   ikke sove " * 500]:
        assert np.allclose(component.probabilities(text),
                           component.model.predict_proba([text])[0], atol=1e-9), text
