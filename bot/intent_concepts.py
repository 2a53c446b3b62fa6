"""Word groups and message shapes that tell intents apart
(bot/intent_concepts.yml), as one regular expression each.
scripts/generate_nlu_vocabulary.py writes them to data/nlu/concepts.yml as regex
features, which DIET (through the RegexFeaturizer) and the intent ensemble's
linear model read from the training data."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable

import yaml

from bot.vocabulary import ascii_variant

CONCEPTS_FILE = Path(__file__).resolve().parent / "intent_concepts.yml"
CONCEPT_PREFIX = "concept_"
SHAPE_PREFIX = "shape_"


def _alternatives(terms: Iterable[str]) -> str:
    """The terms and their ae/oe/aa spellings as one alternation, longest first
    (so a phrase wins over its first word), any run of spaces between words."""
    terms = list(terms)
    odd = [t for t in terms if not isinstance(t, str)]
    if odd:  # YAML reads a bare no/yes as a boolean: quote it
        raise ValueError(f"not text: {odd!r}")
    spellings = set()
    for term in terms:
        term = " ".join(term.lower().split())
        if term:
            spellings.update((term, ascii_variant(term)))
    ordered = sorted(spellings, key=lambda t: (-len(t), t))
    return "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in ordered)


def concept_pattern(stems: Iterable[str] = (), phrases: Iterable[str] = ()) -> str:
    """One case-insensitive pattern: a word starting with a stem, or a phrase
    as whole words."""
    branches = []
    stems, phrases = list(stems), list(phrases)
    if stems:
        branches.append(rf"\b(?:{_alternatives(stems)})\w*")
    if phrases:
        branches.append(rf"\b(?:{_alternatives(phrases)})(?!\w)")
    if not branches:
        raise ValueError("a concept needs stems or phrases")
    return "(?i)" + "|".join(branches)


def shape_pattern(pattern: str) -> str:
    """A message shape's regular expression, checked and made case-insensitive."""
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"a shape needs a regular expression, not {pattern!r}")
    re.compile(pattern)  # a broken expression fails here, not in training
    return "(?i)" + pattern


def load_concept_patterns(path: Path = CONCEPTS_FILE) -> Dict[str, str]:
    """Regex feature name -> pattern, in the file's order: the word groups, then
    the message shapes."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    patterns = {
        CONCEPT_PREFIX + name: concept_pattern(spec.get("stems", ()), spec.get("phrases", ()))
        for name, spec in (data.get("concepts") or {}).items()
    }
    patterns.update((SHAPE_PREFIX + name, shape_pattern(pattern))
                    for name, pattern in (data.get("shapes") or {}).items())
    return patterns
