"""Training with bot.serving_models traces DIET's training step once; Rasa's own
DIET traces it twice, since its layers create their weights inside the first call."""
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


def traces_of_training_step(tmp_path, classifier):
    from rasa.model_training import train_nlu
    from rasa.utils.tensorflow.models import RasaModel

    calls = []
    original = RasaModel.train_step

    def counted(self, batch_in):  # Python runs only while TensorFlow traces the step
        calls.append(type(self).__name__)
        return original(self, batch_in)

    (tmp_path / "nlu.yml").write_text(NLU, encoding="utf-8")
    (tmp_path / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    config = tmp_path / "config.yml"
    config.write_text(f"""recipe: default.v1
language: da
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: {classifier}
    epochs: 2
    number_of_transformer_layers: 1
    transformer_size: 16
    random_seed: 1
""", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RasaModel, "train_step", counted)
        patch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / f"cache-{classifier}"))
        model = train_nlu(str(config), str(tmp_path / "nlu.yml"), str(tmp_path / "models"),
                          domain=str(tmp_path / "domain.yml"))
    assert model
    return calls


def test_training_traces_the_step_once_instead_of_twice(tmp_path):
    ours = traces_of_training_step(tmp_path, "bot.serving_models.ServingDIETClassifier")
    rasas = traces_of_training_step(tmp_path, "DIETClassifier")
    assert ours == ["ServingDIET"]
    assert rasas == ["DIET", "DIET"]
