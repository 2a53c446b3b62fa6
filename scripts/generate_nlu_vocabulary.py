"""Write data/nlu/vocabulary.yml (synonyms and lookup tables for the entities
`profession` and `workplace`) from bot/vocabulary.yml, the single source.
Run by `make vocabulary`; tests/rasa/test_vocabulary_sync.py fails when stale."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.vocabulary import load_vocabulary  # noqa: E402

TARGET = ROOT / "data" / "nlu" / "vocabulary.yml"


def render() -> str:
    vocabulary = load_vocabulary()
    lines = [
        "# GENERATED from bot/vocabulary.yml by scripts/generate_nlu_vocabulary.py: do not edit.",
        'version: "3.1"',
        "nlu:",
    ]
    for entity, terms in (("profession", vocabulary.professions), ("workplace", vocabulary.workplaces)):
        lines += [f"- lookup: {entity}", "  examples: |"]
        for term in terms:
            lines += [f"    - {spelling}" for spelling in term.spellings()]
        for term in terms:
            lines += [f"- synonym: {term.key}", "  examples: |"]
            lines += [f"    - {spelling}" for spelling in term.spellings() if spelling != term.key]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
