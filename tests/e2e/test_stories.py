"""Runs every test story (tests/test_stories/) against the trained model and the
running action server: each rule and story of every feature must hold."""
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_all_test_stories_pass(stack, tmp_path):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "test", "core",
         "--stories", str(ROOT / "tests" / "test_stories"),
         "--model", str(ROOT / "models" / "karriereassistent.tar.gz"),
         "--endpoints", str(stack.workdir / "endpoints.yml"),
         "--out", str(tmp_path), "--fail-on-prediction-errors", "--no-plot"],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=1200,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, (result.stdout[-2000:] + result.stderr[-3000:] + details)
