"""Rasa's DIET, ResponseSelector and TED, loaded for answering only.

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

config.yml names them by module path. tests/rasa/test_serving_models.py checks that
a model loaded this way answers exactly as one loaded by Rasa.
"""
from __future__ import annotations

import warnings
from typing import Any, Optional, Text, Type

from rasa.core.policies.ted_policy import TED, TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.nlu.selectors.response_selector import DIET2BOW, DIET2DIET, ResponseSelector
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

# Rasa's recipe validator looks for its own classes by identity (not isinstance),
# so at training it would warn that there is no ResponseSelector and no entity
# extractor, which is false for these subclasses. Only those three are silenced.
for false_warning in (
    "You have defined training data with examples for training a response selector",
    "You have defined training data consisting of entity examples",
    "You have defined training data consisting of lookup tables",
):
    warnings.filterwarnings("ignore", message=false_warning, category=UserWarning)


class ForwardPassLoading:
    """Mixin for a RasaModel subclass: `load` without a training step."""

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
        batch, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
        # The loss touches every layer the checkpoint has weights for (the
        # prediction alone skips e.g. the label embedding of the loss), in eager mode.
        model._training = True
        model.batch_loss(batch)
        model._training = None
        # The checkpoint also holds the optimiser's state, which answering never uses.
        model.load_weights(model_file_name).expect_partial()
        if predict_data_example:
            # Trace the prediction graph now rather than on the first message.
            model.run_inference(predict_data_example)
        return model


class ServingDIET(ForwardPassLoading, DIET):
    pass


class ServingDIET2BOW(ForwardPassLoading, DIET2BOW):
    pass


class ServingDIET2DIET(ForwardPassLoading, DIET2DIET):
    pass


class ServingTED(ForwardPassLoading, TED):
    pass


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


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True
)
class ServingTEDPolicy(TEDPolicy):
    @staticmethod
    def model_class() -> Type[TED]:
        return ServingTED
