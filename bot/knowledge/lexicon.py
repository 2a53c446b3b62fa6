"""Concepts the retriever knows by name: professions and workplaces from
bot/vocabulary.yml and the curated synonym groups in bot/knowledge/synonyms.yml.

Every name (a word or a phrase) maps to a concept token such as `_p_sygeplejerske`,
`_w_rh` or `_s_udveksling`. The analyser adds these tokens on the article side
and on the question side, so "spl", "sygeplejersker" and "nurse" meet in the
index, and it reports which profession and workplace a question mentions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

from bot.knowledge.text import fold, words

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_VOCABULARY = PACKAGE_DIR.parent / "vocabulary.yml"
DEFAULT_SYNONYMS = PACKAGE_DIR / "synonyms.yml"

PROFESSION = "profession"
WORKPLACE = "workplace"
SYNONYM = "synonym"
_PREFIX = {PROFESSION: "_p_", WORKPLACE: "_w_", SYNONYM: "_s_"}
AUDIENCE_PREFIXES = (_PREFIX[PROFESSION], _PREFIX[WORKPLACE])

# Name words of at least this many letters also match their inflected forms
# (name + one of the Danish noun/verb endings below), so "sygeplejerskerne" and
# "lægen" match, but "lægger" does not match "læge" as a stemmer would make it.
_MIN_INFLECTED = 4
_ENDINGS = ("", "e", "n", "r", "s", "en", "er", "et", "ne", "es", "ns", "rs", "ts",
            "ene", "ens", "ere", "ers", "ets", "rne", "ernes", "erne", "nes", "rnes", "ede")


@dataclass(frozen=True)
class Concept:
    kind: str  # PROFESSION, WORKPLACE or SYNONYM
    key: str  # canonical key ("sygeplejerske", "RH", "udveksling")

    @property
    def token(self) -> str:
        return _PREFIX[self.kind] + fold(self.key).replace(" ", "_")


@dataclass(frozen=True)
class Match:
    start: int  # index of the first word
    end: int  # index after the last word
    concepts: Tuple[Concept, ...]


@dataclass
class Lexicon:
    """Phrase matcher from folded word sequences to concepts."""

    professions: Dict[str, str] = field(default_factory=dict)  # key -> label
    workplaces: Dict[str, str] = field(default_factory=dict)
    _phrases: Dict[str, List[Tuple[Tuple[str, ...], Concept]]] = field(default_factory=dict)
    _names: List[str] = field(default_factory=list)
    _forms: Dict[str, str] = field(default_factory=dict)  # inflected form -> name word

    def _key(self, word: str) -> str:
        return self._forms.get(word, word)

    def add(self, concept: Concept, name: str) -> None:
        name_words = words(name)
        if not name_words:
            return
        for word in name_words:
            self._forms[word] = word  # a name word always stands for itself
        for word in name_words:
            if len(word) >= _MIN_INFLECTED and word.isalpha():
                for ending in _ENDINGS:
                    self._forms.setdefault(word + ending, word)
        keys = tuple(name_words)
        bucket = self._phrases.setdefault(keys[0], [])
        if (keys, concept) not in bucket:
            bucket.append((keys, concept))
            bucket.sort(key=lambda item: -len(item[0]))
        self._names.extend(name_words)

    @property
    def name_words(self) -> List[str]:
        """Every folded word used in a name (known words for compound splitting and spelling)."""
        return list(self._names)

    def match(self, folded_words: Sequence[str]) -> List[Match]:
        """Longest non-overlapping matches, left to right."""
        keys = [self._key(word) for word in folded_words]
        found: List[Match] = []
        i = 0
        while i < len(keys):
            best_len = 0
            concepts: List[Concept] = []
            for phrase, concept in self._phrases.get(keys[i], ()):
                n = len(phrase)
                if n < best_len:
                    break
                if tuple(keys[i : i + n]) == phrase:
                    if n > best_len:
                        best_len, concepts = n, []
                    if concept not in concepts:
                        concepts.append(concept)
            if best_len:
                found.append(Match(i, i + best_len, tuple(concepts)))
                i += best_len
            else:
                i += 1
        return found

    def concepts_of_word(self, folded_word: str) -> Tuple[Concept, ...]:
        """Concepts of a single word (used for compound parts)."""
        key = self._key(folded_word)
        return tuple(c for phrase, c in self._phrases.get(key, ()) if len(phrase) == 1)

    def resolve(self, kind: str, value: Optional[str]) -> Optional[str]:
        """Canonical key for a profession/workplace given as key, label or any name."""
        if not value or not value.strip():
            return None
        table = self.professions if kind == PROFESSION else self.workplaces
        for key in table:
            if fold(key) == fold(value):
                return key
        for match in self.match(words(value)):
            for concept in match.concepts:
                if concept.kind == kind:
                    return concept.key
        return None


def _load_yaml(path: Path) -> Mapping:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path} must contain a mapping")
    return data


def _add_table(lexicon: Lexicon, kind: str, table: Mapping, labels: Dict[str, str]) -> None:
    for key, entry in (table or {}).items():
        key = str(key)
        entry = entry or {}
        label = str(entry.get("label", key))
        labels[key] = label
        concept = Concept(kind, key)
        names: Iterable[str] = [key, label, *[str(n) for n in entry.get("names", [])]]
        for name in names:
            lexicon.add(concept, name)


def load_lexicon(
    vocabulary_path: Path = DEFAULT_VOCABULARY, synonyms_path: Optional[Path] = DEFAULT_SYNONYMS
) -> Lexicon:
    """Build the lexicon from the shared vocabulary and the curated synonym groups."""
    lexicon = Lexicon()
    vocabulary = _load_yaml(vocabulary_path)
    _add_table(lexicon, PROFESSION, vocabulary.get("professions", {}), lexicon.professions)
    _add_table(lexicon, WORKPLACE, vocabulary.get("workplaces", {}), lexicon.workplaces)
    if synonyms_path is not None and synonyms_path.exists():
        for key, names in (_load_yaml(synonyms_path).get("groups") or {}).items():
            concept = Concept(SYNONYM, str(key))
            for name in [str(key), *[str(n) for n in names or []]]:
                lexicon.add(concept, name)
    return lexicon
