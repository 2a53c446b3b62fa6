"""Rasa's DIET, ResponseSelector and TED, loaded and called for answering.

Rasa 3.6 builds every TensorFlow model at load time by training it for one step on
one example (`RasaModel.load` calls `fit`), only to create weights of the right
shapes before it restores the trained ones. That traces the whole training graph
(gradients, optimiser): measured on our model, 547 MB of the Rasa server's memory
and 20 s of its start-up for DIET alone, 131 MB and 9 s for TED.

The classes here are the same components with one change: the weights are created
by one forward pass of the loss (no gradients, no optimiser, no traced training
graph) and then restored from the trained checkpoint. Everything else (training,
features, prediction) is Rasa's own code. With `--finetune` Rasa's loading is kept,
since fine-tuning needs the optimiser state.

DIET, the ResponseSelector and TED also create their weights this way before Keras'
`fit` at training (TED from every example, see `ServingTED`), and the
optimiser's slots with them. Otherwise the layers create their weights inside the
first call of the traced training step, and TensorFlow then traces that step a
second time (a `tf.function` that creates variables is traced once to create them
and once more to run): 22 s per trace for DIET with its entity layer on 2 cores,
about 5 s for TED.

Answering calls the traced prediction graph directly (`FlatPredictStep`): Rasa calls
it through `tf.function`, whose Python argument matching took as long as the graph
itself (DIET 5.8 -> 2.6 ms, TED 5.3 -> 2.1 ms per call, four calls per message).

The ResponseSelector picks an answer only for messages whose intent is its retrieval
intent (out_of_scope): no other turn reads that answer, and skipping it saves 3.4 ms
on every other message.

Importing this module also makes the server check the action server's answers with
one JSON-schema validator instead of a new one per call (bot/action_validation.py),
and the training cache compute Rasa's fingerprints faster, with the same results
(bot/training_fingerprints.py).

config.yml names them by module path. tests/rasa/test_serving_models.py checks that
a model loaded this way answers exactly as one loaded by Rasa.
"""
from __future__ import annotations

import warnings
from typing import Any, List, Optional, Sequence, Text, Type

import tensorflow as tf
from rasa.core.policies.ted_policy import TED, TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.nlu.selectors.response_selector import DIET2BOW, DIET2DIET, ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

from bot import action_validation, training_fingerprints

# Every Rasa server imports this module when it loads the model, and every
# training before its graph runs (config.yml names it): the place to make the
# server check action-server answers with one validator, and the training cache
# compute Rasa's fingerprints faster (the same fingerprints).
action_validation.install()
training_fingerprints.install()

# Rasa's recipe validator looks for its own classes by identity (not isinstance),
# so at training it would warn that there is no ResponseSelector and no entity
# extractor, which is false for these subclasses. Only those three are silenced.
for false_warning in (
    "You have defined training data with examples for training a response selector",
    "You have defined training data consisting of entity examples",
    "You have defined training data consisting of lookup tables",
):
    warnings.filterwarnings("ignore", message=false_warning, category=UserWarning)


class FlatPredictStep:
    """A traced `tf.function` prediction step, called without `tf.function`'s dispatch.

    `tf.function.__call__` matches the Python arguments against its signature on
    every call (nest flattening, casting, signature lookup). The step Rasa traces
    has one fixed input signature, so its concrete function is called with the
    flat list of tensors instead. Inputs that do not fit that signature (another
    dtype, rank or last dimension) go through the `tf.function` as before.
    """

    def __init__(self, function: Any) -> None:
        self.function = function
        self.concrete = function.get_concrete_function()
        count = len(self.concrete.inputs) - len(self.concrete.captured_inputs)
        self.specs = [(graph_input.dtype, graph_input.shape)
                      for graph_input in self.concrete.inputs[:count]]

    def __call__(self, batch_in: Sequence[Any]) -> Any:
        tensors: List[tf.Tensor] = [tf.convert_to_tensor(value) for value in batch_in]
        if len(tensors) != len(self.specs) or not all(
            tensor.dtype == dtype and shape.is_compatible_with(tensor.shape)
            for tensor, (dtype, shape) in zip(tensors, self.specs)
        ):
            return self.function(batch_in)
        return self.concrete._call_flat(tensors, self.concrete.captured_inputs)


class ForwardPassLoading:
    """Mixin for a RasaModel subclass: `load` without a training step, flat prediction calls."""

    def _create_weights(self, model_data: RasaModelData, examples: int = 1) -> None:
        """Create every layer's weights by one eager forward pass of the loss on the
        first examples: the loss touches every layer the training step and the
        checkpoint have weights for (the prediction alone skips e.g. the loss's label
        embedding)."""
        batch, _ = RasaBatchDataGenerator(model_data, batch_size=examples, shuffle=False)[0]
        self._training = True  # type: ignore[attr-defined]
        self.batch_loss(batch)  # type: ignore[attr-defined]
        self._training = None  # type: ignore[attr-defined]

    def _rasa_predict(self, batch_in: Any) -> Any:
        step = self._tf_predict_step  # type: ignore[attr-defined]
        if step is not None and not isinstance(step, FlatPredictStep):
            self._tf_predict_step = FlatPredictStep(step)
        return super()._rasa_predict(batch_in)  # type: ignore[misc]

    @classmethod
    def load(
        cls,
        model_file_name: Text,
        model_data_example: RasaModelData,
        predict_data_example: Optional[RasaModelData] = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode:
            return super().load(  # type: ignore[misc]
                model_file_name, model_data_example, predict_data_example, finetune_mode,
                *args, **kwargs,
            )
        model = cls(*args, **kwargs)  # type: ignore[call-arg]
        model._create_weights(model_data_example)
        # The checkpoint also holds the optimiser's state, which answering never uses.
        model.load_weights(model_file_name).expect_partial()
        if predict_data_example:
            # Trace the prediction graph now rather than on the first message.
            model.run_inference(predict_data_example)
        return model


class ForwardPassTraining(ForwardPassLoading):
    """Mixin for Rasa's models: weights and optimiser slots created before Keras'
    `fit`, so the traced training step is traced once."""

    def _examples_for_weights(self, model_data: RasaModelData) -> int:
        """How many examples the forward pass that creates the weights takes; 0 leaves
        it to Keras (two traces)."""
        return 1

    def fit(self, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        """Keras' `fit`, with the weights and the optimiser's slots created first, so
        the traced training step creates no variables and is traced once, not twice."""
        if (isinstance(x, RasaBatchDataGenerator) and not self.trainable_variables  # type: ignore[attr-defined]
                and not self.run_eagerly):  # type: ignore[attr-defined]
            examples = self._examples_for_weights(x.model_data)
            if examples:
                self._create_weights(x.model_data, examples)
                self.optimizer.build(self.trainable_variables)  # type: ignore[attr-defined]
        return super().fit(x, *args, **kwargs)  # type: ignore[misc]


class ServingDIET(ForwardPassTraining, DIET):
    pass


class ServingDIET2BOW(ForwardPassTraining, DIET2BOW):
    pass


class ServingDIET2DIET(ForwardPassTraining, DIET2DIET):
    pass


class ServingTED(ForwardPassTraining, TED):
    def _examples_for_weights(self, model_data: RasaModelData) -> int:
        """Every example: TED creates the layers for a kind of feature (slots, active
        forms, ...) only when a batch has such features (inside `tf.cond`), and every
        kind in the data occurs in some example, since only those kinds make up the
        data. One example cannot create them all; the trace would then create the
        rest after the optimiser was built for fewer, which Keras refuses. So Rasa's
        own loading (`RasaModel.load`, as with --finetune), which fits one stored
        example, is left to Keras as in Rasa."""
        examples = model_data.number_of_examples()
        return examples if examples > 1 else 0


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
     DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class ServingDIETClassifier(DIETClassifier):
    @staticmethod
    def model_class() -> Type[RasaModel]:
        return ServingDIET


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ServingResponseSelector(ResponseSelector):
    @staticmethod
    def model_class(use_text_as_label: bool) -> Type[RasaModel]:  # type: ignore[override]
        return ServingDIET2DIET if use_text_as_label else ServingDIET2BOW

    def process(self, messages: List[Message]) -> List[Message]:
        """Select a response only for messages classified as the retrieval intent."""
        if not self.retrieval_intent:
            return super().process(messages)
        asked = [message for message in messages
                 if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == self.retrieval_intent]
        super().process(asked)
        return messages


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True
)
class ServingTEDPolicy(TEDPolicy):
    @staticmethod
    def model_class() -> Type[TED]:
        return ServingTED
