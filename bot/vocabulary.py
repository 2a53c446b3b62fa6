"""Professions and workplaces the assistant knows (bot/vocabulary.yml), with the
spelling variants users write (æ/ø/å as ae/oe/aa). Shared by the NLU generator
and the knowledge retriever."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

import yaml

VOCABULARY_FILE = Path(__file__).resolve().parent / "vocabulary.yml"
_ASCII_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def ascii_variant(text: str) -> str:
    """'lægesekretær' -> 'laegesekretaer' (how people type without Danish keys)."""
    return text.lower().translate(_ASCII_FOLD)


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    names: Tuple[str, ...]

    def spellings(self) -> Tuple[str, ...]:
        """Every name plus its ae/oe/aa variant, lower case, without duplicates."""
        seen: Dict[str, None] = {}
        for name in self.names:
            for variant in (name.lower(), ascii_variant(name)):
                seen.setdefault(variant, None)
        return tuple(seen)


@dataclass(frozen=True)
class Vocabulary:
    professions: Tuple[Term, ...]
    workplaces: Tuple[Term, ...]

    def profession(self, key: Optional[str]) -> Optional[Term]:
        return next((t for t in self.professions if t.key == key), None)

    def workplace(self, key: Optional[str]) -> Optional[Term]:
        return next((t for t in self.workplaces if t.key == key), None)

    def canonical_profession(self, text: Optional[str]) -> Optional[str]:
        return _canonical(self.professions, text)

    def canonical_workplace(self, text: Optional[str]) -> Optional[str]:
        return _canonical(self.workplaces, text)


def _canonical(terms: Tuple[Term, ...], text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    wanted = text.strip().lower()
    for term in terms:
        if wanted == term.key.lower() or wanted in term.spellings():
            return term.key
    return None


def _terms(section: Dict[str, dict]) -> Tuple[Term, ...]:
    return tuple(
        Term(key=key, label=entry["label"], names=tuple(str(n) for n in entry["names"]))
        for key, entry in section.items()
    )


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Vocabulary(professions=_terms(raw["professions"]), workplaces=_terms(raw["workplaces"]))
