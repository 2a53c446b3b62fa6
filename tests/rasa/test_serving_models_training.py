"""Training with bot.serving_models traces DIET's and TED's training step once;
Rasa's own traces it twice, since the layers create their weights inside the first
call. Each trace took 6-22 s of our training from scratch."""
import pytest

NLU = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hej
    - goddag
    - hej med dig
    - god morgen
- intent: apply
  examples: |
    - jeg vil i snusepraktik på [Herlev](workplace)
    - snusepraktik på [Hvidovre](workplace) tak
    - kan jeg komme i praktik på [Herlev](workplace)
    - praktik på [Bispebjerg](workplace)
"""
DOMAIN = """version: "3.1"
intents: [greet, apply]
entities: [workplace]
"""


CORE_DOMAIN = """version: "3.1"
intents: [greet, apply]
entities: [workplace]
slots:
  workplace:
    type: text
    mappings:
    - type: from_entity
      entity: workplace
responses:
  utter_greet:
  - text: Hej!
  utter_apply:
  - text: Godt.
"""
STORIES = """version: "3.1"
stories:
- story: greet
  steps:
  - intent: greet
  - action: utter_greet
- story: apply with a workplace
  steps:
  - intent: apply
    entities:
    - workplace: Herlev
  - slot_was_set:
    - workplace: Herlev
  - action: utter_apply
- story: greet, then apply
  steps:
  - intent: greet
  - action: utter_greet
  - intent: apply
  - action: utter_apply
"""


def traces_of_training_step(tmp_path, component, section, train):
    """The classes whose training step TensorFlow traced while `train(config)` ran a
    configuration with `component` alone in `section` (pipeline or policies)."""
    from rasa.utils.tensorflow.models import RasaModel

    calls = []
    original = RasaModel.train_step

    def counted(self, batch_in):  # Python runs only while TensorFlow traces the step
        calls.append(type(self).__name__)
        return original(self, batch_in)

    tokenizers = ("  - name: WhitespaceTokenizer\n  - name: CountVectorsFeaturizer\n"
                  if section == "pipeline" else "")
    config = tmp_path / f"config-{component}.yml"
    config.write_text(f"""recipe: default.v1
language: da
{section}:
{tokenizers}  - name: {component}
    epochs: 2
    random_seed: 1
""", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RasaModel, "train_step", counted)
        patch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / f"cache-{component}"))
        assert train(str(config), str(tmp_path / f"models-{component}"))
    return calls


def train_diet(tmp_path, classifier):
    from rasa.model_training import train_nlu

    (tmp_path / "nlu.yml").write_text(NLU, encoding="utf-8")
    (tmp_path / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    return traces_of_training_step(
        tmp_path, classifier, "pipeline",
        lambda config, out: train_nlu(config, str(tmp_path / "nlu.yml"), out,
                                      domain=str(tmp_path / "domain.yml")))


def train_ted(tmp_path, policy):
    from rasa.model_training import train_core

    (tmp_path / "stories.yml").write_text(STORIES, encoding="utf-8")
    (tmp_path / "core-domain.yml").write_text(CORE_DOMAIN, encoding="utf-8")
    return traces_of_training_step(
        tmp_path, policy, "policies",
        lambda config, out: train_core(str(tmp_path / "core-domain.yml"), config,
                                       str(tmp_path / "stories.yml"), out))


def test_training_traces_the_step_once_instead_of_twice(tmp_path):
    assert train_diet(tmp_path, "bot.serving_models.ServingDIETClassifier") == ["ServingDIET"]
    assert train_diet(tmp_path, "DIETClassifier") == ["DIET", "DIET"]


def test_ted_training_traces_the_step_once_instead_of_twice(tmp_path):
    """Slots and intents are features only some turns have: TED creates their
    layers only for a batch that has them, so the weights come from every example."""
    assert train_ted(tmp_path, "bot.serving_models.ServingTEDPolicy") == ["ServingTED"]
    assert train_ted(tmp_path, "TEDPolicy") == ["TED", "TED"]
