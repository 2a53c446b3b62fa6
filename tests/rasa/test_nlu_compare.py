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
