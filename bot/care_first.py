"""NLU component: a message with words of distress is never refused as out of
scope; it gets the careful answer of the intent `sensitive_topic` instead.

"I cry in the changing room after my shifts" has words of distress and words of
rota and pay, and the classifier sometimes ranks out_of_scope first: the employee
would then read that shifts are a matter for their manager. The two mistakes do
not cost the same. A refusal to someone in distress is the worse one; the careful
answer to a rota question with a word like "stress" in it still names where to
get help. So when the top intent is one of `instead_of` and the message matches
the word group `concept` (bot/intent_concepts.yml, a regex feature of the training
data), `intent` and the top intent swap places and confidences.

Measured on our data (5-fold cross-validated predictions of the regression over
all 2,220 examples): no out-of-scope example has a word of distress, and two
sensitive messages ranked out_of_scope first are answered with care ("I have
suicidal thoughts", "i cry in the changing room after my shifts").

In config.yml it sits after the intent ensemble and before the ResponseSelector
and the FallbackClassifier, which then see the corrected intent.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

PATTERN_FILE = "care_first.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CareFirst(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"concept": "concept_distress", "instead_of": ["out_of_scope"],
                "intent": "sensitive_topic"}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, pattern: Optional[str] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._regex = re.compile(pattern) if pattern else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CareFirst":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Keep the word group's pattern with the model, so the trained assistant
        does not depend on the file it came from."""
        name = self.config["concept"]
        found = [r["pattern"] for r in training_data.regex_features if r["name"] == name]
        if not found:
            raise ValueError(f"CareFirst: the training data has no regex feature {name!r} "
                             "(run `make vocabulary`)")
        self._regex = re.compile(found[0])
        with self._model_storage.write_to(self._resource) as directory:
            (directory / PATTERN_FILE).write_text(json.dumps({"pattern": found[0]}),
                                                  encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "CareFirst":
        with model_storage.read_from(resource) as directory:
            pattern = json.loads((directory / PATTERN_FILE).read_text(encoding="utf-8"))["pattern"]
        return cls(config, model_storage, resource, pattern)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._regex is None:
            return messages
        refused, careful = set(self.config["instead_of"]), self.config["intent"]
        for message in messages:
            text, intent = message.get(TEXT), message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) not in refused or not text or not self._regex.search(text):
                continue
            # the two intents swap confidences, so the fallback's ambiguity
            # check sees the same gap to the runner-up as before
            confidences = {e[INTENT_NAME_KEY]: e[PREDICTED_CONFIDENCE_KEY]
                           for e in message.get(INTENT_RANKING_KEY) or []}
            confidence = intent.get(PREDICTED_CONFIDENCE_KEY)
            confidences[intent[INTENT_NAME_KEY]] = confidences.get(careful, 0.0)
            confidences[careful] = confidence
            ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: value} for name, value
                       in sorted(confidences.items(), key=lambda item: item[1] or 0.0, reverse=True)]
            message.set(INTENT, {INTENT_NAME_KEY: careful, PREDICTED_CONFIDENCE_KEY: confidence},
                        add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
