"""Words of distress are never refused as out of scope (bot/care_first.py)."""
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.care_first import CareFirst
from bot.intent_concepts import load_concept_patterns


def trained(tmp_path, regex_features=None):
    if regex_features is None:  # the shipped word group, as data/nlu/concepts.yml has it
        regex_features = [{"name": "concept_distress",
                           "pattern": load_concept_patterns()["concept_distress"]}]
    storage = LocalModelStorage(tmp_path)
    resource = Resource("care_first")
    context = ExecutionContext(GraphSchema({}), "test")
    config = CareFirst.get_default_config()
    CareFirst.create(config, storage, resource, context).train(
        TrainingData(regex_features=regex_features))
    return CareFirst.load(config, storage, resource, context)


def parsed(component, text, ranking):
    message = Message(data={"text": text})
    message.set("intent", dict(ranking[0]))
    message.set("intent_ranking", [dict(entry) for entry in ranking])
    component.process([message])
    return message


OUT_OF_SCOPE_FIRST = [{"name": "out_of_scope", "confidence": 0.62},
                      {"name": "sensitive_topic", "confidence": 0.21},
                      {"name": "ask_question", "confidence": 0.09}]


def test_distress_next_to_rota_words_gets_the_careful_answer(tmp_path):
    message = parsed(trained(tmp_path), "i cry in the changing room after my shifts",
                     OUT_OF_SCOPE_FIRST)
    assert message.get("intent") == {"name": "sensitive_topic", "confidence": 0.62}
    assert [(e["name"], e["confidence"]) for e in message.get("intent_ranking")] == [
        ("sensitive_topic", 0.62), ("out_of_scope", 0.21), ("ask_question", 0.09)]


def test_a_plain_rota_question_is_still_refused(tmp_path):
    message = parsed(trained(tmp_path), "hvordan bytter jeg en vagt", OUT_OF_SCOPE_FIRST)
    assert message.get("intent")["name"] == "out_of_scope"
    assert message.get("intent_ranking") == OUT_OF_SCOPE_FIRST


def test_other_intents_are_left_alone_even_with_distress_words(tmp_path):
    ranking = [{"name": "book_session", "confidence": 0.8},
               {"name": "sensitive_topic", "confidence": 0.1}]
    message = parsed(trained(tmp_path), "book en samtale om stress", ranking)
    assert message.get("intent")["name"] == "book_session"


def test_sensitive_topic_missing_from_a_short_ranking_is_added(tmp_path):
    message = parsed(trained(tmp_path), "jeg vil ikke leve mere",
                     [{"name": "out_of_scope", "confidence": 0.55}])
    assert [(e["name"], e["confidence"]) for e in message.get("intent_ranking")] == [
        ("sensitive_topic", 0.55), ("out_of_scope", 0.0)]


def test_training_data_without_the_word_group_is_refused(tmp_path):
    with pytest.raises(ValueError, match="make vocabulary"):
        trained(tmp_path, regex_features=[])
