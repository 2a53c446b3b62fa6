"""Write the generated NLU files from their single sources:
- data/nlu/vocabulary.yml (synonyms and lookup tables for the entities
  `profession` and `workplace`) from bot/vocabulary.yml;
- data/nlu/concepts.yml (one regex feature per word group) from
  bot/intent_concepts.yml.
Run by `make vocabulary`; tests/rasa/test_rasa_data.py fails when either is stale."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.intent_concepts import load_concept_patterns  # noqa: E402
from bot.vocabulary import load_vocabulary  # noqa: E402

TARGET = ROOT / "data" / "nlu" / "vocabulary.yml"
CONCEPTS_TARGET = ROOT / "data" / "nlu" / "concepts.yml"


def _header(source: str) -> List[str]:
    return [f"# GENERATED from {source} by scripts/generate_nlu_vocabulary.py: do not edit.",
            'version: "3.1"', "nlu:"]


def render() -> str:
    vocabulary = load_vocabulary()
    lines = _header("bot/vocabulary.yml")
    for entity, terms in (("profession", vocabulary.professions), ("workplace", vocabulary.workplaces)):
        lines += [f"- lookup: {entity}", "  examples: |"]
        for term in terms:
            lines += [f"    - {spelling}" for spelling in term.spellings()]
        for term in terms:
            lines += [f"- synonym: {term.key}", "  examples: |"]
            lines += [f"    - {spelling}" for spelling in term.spellings() if spelling != term.key]
    return "\n".join(lines) + "\n"


def render_concepts() -> str:
    lines = _header("bot/intent_concepts.yml")
    for name, pattern in load_concept_patterns().items():
        lines += [f"- regex: {name}", "  examples: |", f"    - {pattern}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    for target, text in ((TARGET, render()), (CONCEPTS_TARGET, render_concepts())):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
