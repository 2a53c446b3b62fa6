"""bot/training_fingerprints.py gives exactly Rasa's fingerprints: on our own NLU data
after tokens and features, on our stories' trackers and on odd values. If it did
not, a training would reuse a cached result for changed data, or never reuse one."""
from pathlib import Path

import numpy as np
import pytest
import rasa.shared.utils.io as rasa_io
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import training_fingerprints

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("deep_container_fingerprint", "get_dictionary_fingerprint", "get_list_fingerprint")


def rasas_and_ours(compute, reset=lambda: None):
    """`compute()` once with Rasa's functions and once with ours installed."""
    results = []
    for functions in (training_fingerprints._ORIGINAL, training_fingerprints._FAST):
        with pytest.MonkeyPatch.context() as patch:
            for name in NAMES:
                patch.setattr(rasa_io, name, functions[name])
            reset()
            results.append(compute())
    return results


def forget_message_fingerprints(data: TrainingData):
    for message in data.training_examples:
        message._cached_fingerprint = None


@pytest.fixture(scope="module")
def importer():
    return TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")])


def test_our_nlu_data_with_tokens_and_features_has_rasas_fingerprint(importer, tmp_path):
    data = importer.get_nlu_data()
    context = ExecutionContext(GraphSchema({}), "test")
    storage = LocalModelStorage(tmp_path)
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("tokens"), context)
    tokenizer.process_training_data(data)
    featurizer = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb",
         "min_ngram": 2, "max_ngram": 4}, storage, Resource("features"), context)
    featurizer.train(data)
    featurizer.process_training_data(data)
    # the tokens and features are part of what is compared
    assert sum(1 for message in data.training_examples if message.features) > 2500

    rasas, ours = rasas_and_ours(data.fingerprint, lambda: forget_message_fingerprints(data))
    assert ours == rasas

    # and it still tells data apart: one changed letter in one example
    message = data.intent_examples[7]
    message.set("text", message.get("text") + "x")
    changed_rasas, changed_ours = rasas_and_ours(data.fingerprint,
                                                 lambda: forget_message_fingerprints(data))
    assert changed_ours == changed_rasas != rasas


def test_our_story_trackers_have_rasas_fingerprints(importer):
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(importer.get_stories(), domain,
                                     augmentation_factor=0).generate()
    assert len(trackers) > 50
    rasas, ours = rasas_and_ours(lambda: rasa_io.deep_container_fingerprint(trackers))
    assert ours == rasas
    rasas, ours = rasas_and_ours(lambda: [tracker.fingerprint() for tracker in trackers[:40]])
    assert ours == rasas
    assert len(set(ours)) > 1


class OwnFingerprint:
    def __init__(self, text):
        self.text = text

    def fingerprint(self):
        return self.text


class TextWithFingerprint(str):
    def fingerprint(self):
        return "0123abc"


ODD_VALUES = [
    {}, [], "", 0, -1.5, True, None, "hej", "æøå \"citat\" \\ \n", "x" * 5000,
    {1: "a", "1": "b"},  # two keys with the same fingerprint: the later one counts
    {"b": [1, 2, {"c": None}], "a": {"z": [], "y": {}}},
    [[1, 2], [2, 1]], (1, 2), frozenset({3, 4}), np.float32(0.5), np.arange(3),
    OwnFingerprint("abc123"), [OwnFingerprint("ABC")], {"k": OwnFingerprint('with "quotes"')},
    {OwnFingerprint("ÆØÅ"): 1}, TextWithFingerprint("hej"), [TextWithFingerprint("hej")],
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=range(len(ODD_VALUES)))
def test_odd_values_have_rasas_fingerprints(value):
    for name in NAMES:
        if name != "deep_container_fingerprint" and not isinstance(
                value, dict if name == "get_dictionary_fingerprint" else list):
            continue
        rasas, ours = rasas_and_ours(lambda: getattr(rasa_io, name)(value))
        assert ours == rasas, name


def test_loading_our_components_installs_the_faster_fingerprints():
    import bot.serving_models  # noqa: F401  (config.yml names it: every training imports it)

    assert rasa_io.deep_container_fingerprint is training_fingerprints.deep_container_fingerprint
    assert rasa_io.get_dictionary_fingerprint is training_fingerprints.get_dictionary_fingerprint
    assert rasa_io.get_list_fingerprint is training_fingerprints.get_list_fingerprint
