"""Word groups that tell intents apart (bot/intent_concepts.yml), as one regular
expression per group. scripts/generate_nlu_vocabulary.py writes them to
data/nlu/concepts.yml as regex features, which DIET (through the
RegexFeaturizer) and the intent ensemble's linear model read from the training
data."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable

import yaml

CONCEPTS_FILE = Path(__file__).resolve().parent / "intent_concepts.yml"
REGEX_PREFIX = "concept_"
_DANISH_LETTERS = {"æ": "(?:æ|ae)", "ø": "(?:ø|oe)", "å": "(?:å|aa)"}


def _spelling(term: str) -> str:
    """Regex for a term, matching æ/ø/å and their ae/oe/aa spellings, and any
    run of spaces between its words."""
    parts = []
    for char in term.lower().strip():
        if char in _DANISH_LETTERS:
            parts.append(_DANISH_LETTERS[char])
        elif char == " ":
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _alternatives(terms: Iterable[str]) -> str:
    terms = list(terms)
    odd = [t for t in terms if not isinstance(t, str)]
    if odd:  # YAML reads a bare no/yes as a boolean: quote it
        raise ValueError(f"not text: {odd!r}")
    # Longest first, so a phrase wins over its first word.
    unique = sorted({t.lower().strip() for t in terms if t.strip()}, key=lambda t: (-len(t), t))
    return "|".join(_spelling(t) for t in unique)


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


def load_concept_patterns(path: Path = CONCEPTS_FILE) -> Dict[str, str]:
    """Regex feature name -> pattern, in the file's order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        REGEX_PREFIX + name: concept_pattern(spec.get("stems", ()), spec.get("phrases", ()))
        for name, spec in (data.get("concepts") or {}).items()
    }
