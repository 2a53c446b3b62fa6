"""The NLU benchmark's held-out part as of a git revision (benchmarks/nlu_compare.py)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import nlu_compare  # noqa: E402


def _git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.skipif(_git("rev-parse", "HEAD").returncode != 0, reason="not a git checkout")
def test_the_held_out_part_of_a_revision_is_never_trained_on(tmp_path):
    data = nlu_compare.load_nlu_data()
    train, test = nlu_compare.split_as_of(data, "HEAD", 42, 0.2, tmp_path)
    held = {m.get("text") for m in test.intent_examples}
    trained = {m.get("text") for m in train.intent_examples}
    assert held and not held & trained
    assert trained | held >= {m.get("text") for m in data.intent_examples}
    assert train.regex_features == data.regex_features  # word groups and shapes stay
    if _git("diff", "--quiet", "HEAD", "--", "data/nlu").returncode == 0:
        # data/nlu as committed: the same held-out part as the ordinary split
        _, ordinary = data.train_test_split(train_frac=0.8, random_seed=42)
        assert held == {m.get("text") for m in ordinary.intent_examples}


def test_the_test_set_is_never_trained_on_and_covers_every_intent():
    data = nlu_compare.load_nlu_data()
    test_file = ROOT / "benchmarks" / "nlu_test_set.yml"
    train, test = nlu_compare.split_test_file(data, test_file)
    tested = {nlu_compare.same_text(m.get("text")) for m in test.intent_examples}
    trained = {nlu_compare.same_text(m.get("text")) for m in train.intent_examples}
    assert len(tested) == len(test.intent_examples) >= 300  # no message twice
    assert not tested & trained
    # everything else of data/nlu is trained on, word groups and shapes included
    assert len(train.intent_examples) == sum(
        nlu_compare.same_text(m.get("text")) not in tested for m in data.intent_examples)
    assert train.regex_features == data.regex_features
    intents = {m.get("intent") for m in data.intent_examples}
    assert {m.get("intent") for m in test.intent_examples} == intents
