"""Danish text analysis for the knowledge retriever.

Articles and questions go through the same steps:

1. fold (lower case, æ/ø/å = ae/oe/aa) and split into words (`bot.knowledge.text`);
2. find profession, workplace and synonym names, also multi-word ones, and add
   their concept tokens (`bot.knowledge.lexicon`);
3. drop stop words, stem the rest with the Danish Snowball stemmer;
4. split compounds into known words and add the parts' stems (and concepts).

A question additionally has its unknown words corrected when they are one typo
away from a known word (or, failing that, read as a compound whose last part is
known: "centralintroen" -> ... + "introen"). The analyser groups a question's
tokens into *units* (one per word or per matched phrase) so the retriever can
tell how much of the question an article covers; question words and everyday
verbs (data/weak_words.txt) are searched for but not required. Measured
alternatives that did not help and were left out: spaCy's Danish lookup
lemmatiser instead of / before the stemmer, word bigrams, multi-word tag phrases.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from bot.knowledge.cues import CueDetector, QuestionCues
from bot.knowledge.lexicon import AUDIENCE_PREFIXES, PROFESSION, WORKPLACE, Concept, Lexicon
from bot.knowledge.text import load_stopwords, load_weak_words, stem, words
from bot.knowledge.wordforms import CompoundSplitter, SpellingCorrector


# One way of reading a question word: a sequence of parts, each part a set of
# alternative index tokens (stem or concept). "udvekslingsophold" has the
# readings ((udvekslingsophold, _s_udveksling),) and ((udveksling, _s_udveksling), (ophold,)).
Part = Tuple[str, ...]
Reading = Tuple[Part, ...]


@dataclass(frozen=True)
class QueryUnit:
    text: str  # the word(s) as folded
    readings: Tuple[Reading, ...]
    known: bool  # at least one token occurs in the index
    concept: bool = False  # a profession/workplace/synonym name
    weak: bool = False  # a question word or everyday verb: searched, not required

    @property
    def names_audience(self) -> bool:
        """The unit is a profession or workplace name ("spl", "Rigshospitalet")."""
        return self.concept and all(t.startswith(AUDIENCE_PREFIXES) for t in self.readings[0][0])

    @property
    def tokens(self) -> Tuple[str, ...]:
        """All index tokens that stand for this unit (what BM25 searches for)."""
        return tuple(dict.fromkeys(t for reading in self.readings for part in reading for t in part))


@dataclass(frozen=True)
class QueryAnalysis:
    units: Tuple[QueryUnit, ...]
    professions: Tuple[str, ...]  # profession keys named in the question
    workplaces: Tuple[str, ...]
    cues: QuestionCues = QuestionCues()

    @property
    def tokens(self) -> List[str]:
        """The tokens BM25 searches for, each once."""
        seen: Dict[str, None] = {}
        for unit in self.units:
            for token in unit.tokens:
                seen.setdefault(token, None)
        return list(seen)


@dataclass(frozen=True)
class Vocabulary:
    """What the index knows, for analysing questions against it."""

    tokens: FrozenSet[str]
    splitter: CompoundSplitter
    corrector: SpellingCorrector


class Analyzer:
    """Turns article fields into index tokens and questions into query units."""

    def __init__(
        self,
        lexicon: Lexicon,
        stopwords: Optional[FrozenSet[str]] = None,
        weak_words: Optional[FrozenSet[str]] = None,
        *,
        split_compounds: bool = True,
        correct_typos: bool = True,
    ) -> None:
        self.lexicon = lexicon
        self.stopwords = load_stopwords() if stopwords is None else stopwords
        self.weak_words = load_weak_words() if weak_words is None else weak_words
        self.cues = CueDetector(lexicon, self.stopwords, self.weak_words)
        self.split_compounds = split_compounds
        self.correct_typos = correct_typos

    # -- building an index -------------------------------------------------

    def surface_words(self, texts: Iterable[str]) -> Counter:
        """Frequencies of the folded words in `texts` (pass 1 of building an index)."""
        counts: Counter = Counter()
        for text in texts:
            counts.update(words(text))
        return counts

    def word_forms(self, surface: Counter) -> Tuple[CompoundSplitter, SpellingCorrector]:
        """Compound splitter and spelling corrector over the article words and all names."""
        known = Counter(surface)
        for word in self.lexicon.name_words:
            known[word] += 1
        return CompoundSplitter(known, self.stopwords), SpellingCorrector(known)

    def document_tokens(self, text: str, splitter: Optional[CompoundSplitter]) -> List[str]:
        """Index tokens of an article field (pass 2 of building an index)."""
        folded = words(text)
        tokens: List[str] = []
        in_phrase: Set[int] = set()
        for match in self.lexicon.match(folded):
            tokens.extend(concept.token for concept in match.concepts)
            in_phrase.update(range(match.start, match.end))
        for position, word in enumerate(folded):
            if self._skip(word):
                continue
            tokens.append(stem(word))
            if splitter is not None and self.split_compounds:
                tokens.extend(self._part_tokens(word, splitter, with_concepts=position not in in_phrase))
        return tokens

    # -- analysing a question ---------------------------------------------

    def query(self, text: str, vocabulary: Vocabulary) -> QueryAnalysis:
        folded = words(text)
        units: List[QueryUnit] = []
        professions: List[str] = []
        workplaces: List[str] = []
        starts: Dict[int, Tuple[int, Tuple[Concept, ...]]] = {
            m.start: (m.end, m.concepts) for m in self.lexicon.match(folded)
        }
        position = 0
        while position < len(folded):
            if position in starts:
                end, concepts = starts[position]
                span = folded[position:end]
                stems = tuple(stem(w) for w in span if not self._skip(w))
                alternatives = tuple(c.token for c in concepts)
                readings: List[Reading] = [(alternatives,)]
                if stems and all(t in vocabulary.tokens for t in stems):
                    readings.append(tuple((t,) for t in stems))
                for concept in concepts:
                    if concept.kind == PROFESSION and concept.key not in professions:
                        professions.append(concept.key)
                    elif concept.kind == WORKPLACE and concept.key not in workplaces:
                        workplaces.append(concept.key)
                units.append(self._unit(" ".join(span), readings, vocabulary, concept=True))
                position = end
                continue
            word = folded[position]
            position += 1
            if not self._skip(word):
                units.append(self._word_unit(word, vocabulary))
        cues = self.cues.detect(folded, units)
        return QueryAnalysis(tuple(units), tuple(professions), tuple(workplaces), cues)

    def _readings(self, word: str, vocabulary: Vocabulary, concepts: Sequence[Concept] = ()) -> List[Reading]:
        readings: List[Reading] = [((stem(word), *(c.token for c in concepts)),)]
        if self.split_compounds:
            parts = vocabulary.splitter.split(word)
            if parts:
                readings.append(
                    tuple(
                        (stem(p), *(c.token for c in self.lexicon.concepts_of_word(p)))
                        for p in parts
                        if p not in self.stopwords
                    )
                )
        return readings

    def _word_unit(self, word: str, vocabulary: Vocabulary) -> QueryUnit:
        readings = self._readings(word, vocabulary)
        if len(readings) == 1 and stem(word) not in vocabulary.tokens:
            corrected = vocabulary.corrector.correct(word) if self.correct_typos else None
            if corrected is not None:
                readings = self._readings(corrected, vocabulary, self.lexicon.concepts_of_word(corrected))
            elif self.split_compounds:
                loose = vocabulary.splitter.split_tail(word)
                if loose is not None:
                    head, tail = loose
                    readings.append(((stem(head),), (stem(tail), *(c.token for c in self.lexicon.concepts_of_word(tail)))))
        return self._unit(word, readings, vocabulary, weak=word in self.weak_words)

    @staticmethod
    def _unit(
        text: str, readings: Sequence[Reading], vocabulary: Vocabulary, concept: bool = False, weak: bool = False
    ) -> QueryUnit:
        known = any(t in vocabulary.tokens for reading in readings for part in reading for t in part)
        return QueryUnit(text, tuple(readings), known, concept, weak)

    # -- helpers -----------------------------------------------------------

    def _skip(self, word: str) -> bool:
        return word in self.stopwords or (len(word) < 2 and not word.isdigit())

    def _part_tokens(self, word: str, splitter: CompoundSplitter, *, with_concepts: bool) -> List[str]:
        parts = splitter.split(word)
        if not parts:
            return []
        tokens: List[str] = []
        for part in parts:
            if part in self.stopwords:
                continue
            tokens.append(stem(part))
            if with_concepts:
                tokens.extend(c.token for c in self.lexicon.concepts_of_word(part))
        return tokens
