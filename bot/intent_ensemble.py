"""NLU component: DIET's intent probabilities averaged with a linear model's.

On our held-out split (benchmarks/nlu_compare.py) DIET alone reaches macro-F1
0.869, a TF-IDF (word and character 2-5 grams) logistic regression alone about
0.89, and the two averaged, with the fallback at 0.3 instead of 0.55, 0.893 with
DIET at 40 epochs (accuracy 0.835 -> 0.868, fallback rate 0.093 -> 0.054) and
0.884 with DIET at 30 epochs, as config.yml trains it to stay within 3 minutes
(accuracy 0.855, fallback rate 0.059). The two err on different messages.

The regression also sees which of the training data's regex features a message
matches, among them the word groups of bot/intent_concepts.yml (words for
distress, medicine, IT, pay and rota, leaving, saying no): held-out macro-F1
0.884 -> 0.900, accuracy 0.855 -> 0.876 (the regression alone 0.895 -> 0.922).
With the message shapes of the same file, DIET's share down from 0.5 to 0.3
(chosen by cross-validation, see get_default_config) and 285 English examples:
0.939 on the same held-out messages (nlu_compare.py --held-out-as-of 91aaca3;
0.931 in a second training with the examples in another order), and 0.945 with
421 more examples for the weakest intents.

The linear model trains in seconds on the intent examples' text. It sits after
DIET (which must rank every intent: `ranking_length: 0`) and before the
ResponseSelector and the FallbackClassifier in config.yml, so both see the
combined intent.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text, Tuple

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline

MODEL_FILE = "intent_ensemble.joblib"
RANKING_LENGTH = 10
# The regex features' share beside the n-grams: 5-fold cross-validated macro-F1
# of the regression alone on the training part (seed 42, three fold seeds) 0.876
# without them, 0.890 at 0.3, 0.888 at 0.5, 0.884 at 0.7, 0.879 at 1.0.
REGEX_WEIGHT = 0.3
MAX_MATCHES = 3


class RegexMatches:
    """Turns a text into the names of the regex features it matches, once per
    match and at most MAX_MATCHES times each ("concept_distress concept_distress
    concept_negation"), or "none". The training data's regex features include the
    word groups of bot/intent_concepts.yml: they give the regression words that
    are not in its examples. Picklable, so the trained model keeps its patterns."""

    def __init__(self, patterns: Iterable[Tuple[str, str]]) -> None:
        self.patterns = [(name, re.compile(pattern)) for name, pattern in patterns]

    def __call__(self, text: str) -> str:
        names: List[str] = []
        for name, pattern in self.patterns:
            count = sum(1 for _ in zip(range(MAX_MATCHES), pattern.finditer(text)))
            names += [name] * count
        return " ".join(names) or "none"


def text_features(regexes: Iterable[Tuple[str, str]] = ()) -> FeatureUnion:
    """TF-IDF of character 2-5 grams within words and of whole words, sublinear:
    the linear model's features here and in benchmarks/nlu_compare.py's reference;
    with `regexes` (name, pattern), also which of them the text matches."""
    blocks = [
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ("words", TfidfVectorizer(sublinear_tf=True)),
    ]
    regexes = list(regexes)
    if regexes:
        blocks.append(("regexes", TfidfVectorizer(preprocessor=RegexMatches(regexes),
                                                  token_pattern=r"\S+", sublinear_tf=True)))
    return FeatureUnion(blocks, transformer_weights={"regexes": REGEX_WEIGHT} if regexes else None)


class _Block:
    """One TF-IDF vectorizer of the union and the regression's weights for its
    columns. `scores` is `vectorizer.transform([text]) @ weights`: count the
    text's n-grams that are in the vocabulary, sublinear term frequency times
    idf, L2-normalised, as `TfidfVectorizer` does."""

    def __init__(self, vectorizer: TfidfVectorizer, weights: np.ndarray) -> None:
        if vectorizer.norm != "l2" or not vectorizer.use_idf:
            raise ValueError("only L2-normalised TF-IDF features are supported")
        self.analyzer = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.idf = vectorizer.idf_
        self.sublinear = vectorizer.sublinear_tf
        self.weights = np.ascontiguousarray(weights)

    def scores(self, text: str) -> np.ndarray:
        counts: Counter = Counter()
        for term in self.analyzer(text):
            column = self.vocabulary.get(term)
            if column is not None:
                counts[column] += 1
        if not counts:
            return np.zeros(self.weights.shape[1])
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            values = np.log(values) + 1.0
        values *= self.idf[columns]
        values /= np.sqrt(values @ values)
        return values @ self.weights[columns]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentEnsemble(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # diet_weight: DIET's share of the average. 5-fold cross-validated
        # macro-F1 of the whole ensemble with the fallback on the training part
        # (DIET's out-of-fold probabilities, seed 42): 0.897 at 0.15, 0.900 at
        # 0.2, 0.901 at 0.25 and 0.3, 0.897 at 0.35, 0.893 at 0.4, 0.886 at 0.5,
        # 0.874 at 0.6; the regression alone 0.890, DIET alone 0.852.
        # C: the regression's inverse regularisation (10, 30 and 100 measured
        # within 0.01 of each other).
        return {"diet_weight": 0.3, "C": 30.0, "random_seed": 42}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, model: Optional[Pipeline] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self._prepare()

    def _prepare(self) -> None:
        """Split the regression's weights by feature block, for `probabilities`."""
        self._blocks: List[_Block] = []
        if self.model is None:
            return
        union, regression = self.model.steps[0][1], self.model.steps[-1][1]
        coef, intercept = regression.coef_, regression.intercept_
        if coef.shape[0] == 1:  # two intents: a sigmoid, which is a softmax over (0, score)
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([[0.0], intercept])
        scale = union.transformer_weights or {}
        start = 0
        for name, vectorizer in union.transformer_list:
            width = len(vectorizer.vocabulary_)
            weights = coef[:, start:start + width].T * scale.get(name, 1.0)
            self._blocks.append(_Block(vectorizer, weights))
            start += width
        self._intercept = intercept
        self._classes: Sequence[str] = list(regression.classes_)

    def probabilities(self, text: str) -> np.ndarray:
        """The regression's class probabilities for one text: the same numbers as
        `model.predict_proba` (tested to 1e-9), computed from the few features the
        text has instead of through scikit-learn's sparse matrices and per-call
        checks: 2.5 ms per message through `predict_proba`, 0.8 ms through the
        vectorizers' `transform`, 0.13 ms here (trained model, median over 400 examples)."""
        scores = self._intercept.copy()
        for block in self._blocks:
            scores += block.scores(text)
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "IntentEnsemble":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        if len({m.get(INTENT) for m in examples}) >= 2:
            regexes = [(r["name"], r["pattern"]) for r in training_data.regex_features]
            self.model = make_pipeline(
                text_features(regexes),
                LogisticRegression(C=float(self.config["C"]), max_iter=3000,
                                   random_state=self.config["random_seed"]),
            )
            self.model.fit([m.get(TEXT) for m in examples],  # the vectorizers lower-case
                           [m.get(INTENT) for m in examples])
            self._prepare()
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self.model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "IntentEnsemble":
        with model_storage.read_from(resource) as directory:
            model = joblib.load(directory / MODEL_FILE)
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        weight = float(self.config["diet_weight"])
        for message in messages:
            text = message.get(TEXT)
            ranking = message.get(INTENT_RANKING_KEY)
            if not text or not ranking:
                continue
            combined = {entry[INTENT_NAME_KEY]: weight * float(entry[PREDICTED_CONFIDENCE_KEY])
                        for entry in ranking}
            linear = self.probabilities(text)
            for intent, probability in zip(self._classes, linear):
                combined[intent] = combined.get(intent, 0.0) + (1.0 - weight) * float(probability)
            ordered = sorted(combined.items(), key=lambda item: item[1], reverse=True)
            new_ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                           for name, confidence in ordered[:RANKING_LENGTH]]
            message.set(INTENT, dict(new_ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, new_ranking, add_to_output=True)
        return messages
