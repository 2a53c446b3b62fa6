"""What a question demands of its answer, beyond sharing its words.

Cues that lower the confidence of an article that shares a question's words
but cannot answer it:

- *must-cover topics* (data/must_cover.txt): pay, pension, holidays, notice,
  parking, contact details, dated facts ("næste", "ledige"), ... If the question
  names one (also inside a compound: "grundlønnen", "feriedage") and the
  article does not, the article is at best near the question: decline, don't guess.
- *expected answer type*: "hvor mange" (a count), "hvor meget" / "hvad koster"
  (an amount of money), "hvornår" (a time). The article must state one in a
  sentence about the thing asked for ("hvor mange timer ..." needs a sentence
  with "timer" and a number).

And one cue that helps ranking: the *question type* ("why", "when", "how_long",
...), compared with the article's title, which is a question too.

The article side (`ArticleFacts`) is computed once per article at index time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from bot.knowledge.lexicon import Lexicon
from bot.knowledge.text import load_word_list, split_sentences, stem, words

MUST_COVER_FILE = Path(__file__).resolve().parent / "data" / "must_cover.txt"

COUNT = "count"  # "hvor mange timer"
AMOUNT = "amount"  # "hvor meget", "hvad koster"
TIME = "time"  # "hvornår"
_ANSWER_TYPE_CUES: Tuple[Tuple[Tuple[str, ...], str], ...] = (
    (("hvor", "mange"), COUNT),
    (("how", "many"), COUNT),
    (("antal",), COUNT),
    (("hvor", "meget"), AMOUNT),
    (("hvad", "koster"), AMOUNT),
    (("how", "much"), AMOUNT),
    (("hvornaar",), TIME),
    (("when",), TIME),
    (("hvilken", "dato"), TIME),
)
# Words that state a number in an article sentence (besides digits that are not years).
_NUMBER_WORDS = frozenset(
    "to tre fire fem seks syv otte ni ti elleve tolv femten tyve tredive fyrre halvtreds hundrede "
    "tusind million millioner mio halv halvt halvdelen dobbelt faa par procent kr kroner".split()
)
_MONEY_WORDS = frozenset("kr kroner mio million millioner mia procent pct euro".split())
_TIME_WORDS = frozenset(
    "januar februar marts april maj juni juli august september oktober november december "
    "mandag tirsdag onsdag torsdag fredag uge uger maaned maaneder aar aarligt aarlig siden".split()
)
_YEAR = re.compile(r"^(19|20)\d\d$")

# Question words -> question type.
_QUESTION_WORDS = {
    "hvad": "what", "what": "what", "hvem": "who", "who": "who", "hvordan": "how", "how": "how",
    "hvorfor": "why", "why": "why", "hvornaar": "when", "when": "when", "hvor": "where", "where": "where",
    "hvilke": "which", "hvilken": "which", "hvilket": "which", "which": "which",
}
_TWO_WORD_TYPES = {
    ("hvor", "mange"): "how_many", ("hvor", "meget"): "how_many", ("how", "many"): "how_many",
    ("how", "much"): "how_many", ("hvor", "laenge"): "how_long", ("hvor", "lang"): "how_long",
    ("how", "long"): "how_long",
}


def question_type(folded: Sequence[str]) -> Optional[str]:
    """The kind of question the first question word asks, or None."""
    for i, word in enumerate(folded):
        if word in _QUESTION_WORDS:
            pair = (word, folded[i + 1]) if i + 1 < len(folded) else None
            return _TWO_WORD_TYPES.get(pair, _QUESTION_WORDS[word]) if pair else _QUESTION_WORDS[word]
    return None


@dataclass(frozen=True)
class QuestionCues:
    must_cover: Tuple[Tuple[str, ...], ...] = ()  # per topic: tokens any one of which must be in the article
    answer_type: Optional[str] = None  # COUNT, AMOUNT or TIME
    focus: Tuple[Tuple[Tuple[str, ...], ...], ...] = ()  # readings of what is counted ("timer"), may be empty
    question_type: Optional[str] = None  # "why", "how_long", ... (see question_type)


@dataclass(frozen=True)
class ArticleFacts:
    """Tokens of an article's sentences that state a number, an amount of money, a time."""

    counted: FrozenSet[str]
    money: FrozenSet[str]
    dated: FrozenSet[str]

    def for_type(self, answer_type: str) -> FrozenSet[str]:
        return {AMOUNT: self.money, TIME: self.dated}.get(answer_type, self.counted)


def _is_number(word: str) -> bool:
    if word.isdigit():
        return not _YEAR.match(word)
    return word in _NUMBER_WORDS


def article_facts(text: str, tokenize: Callable[[str], List[str]]) -> ArticleFacts:
    """`tokenize` is the index's analyser, so the tokens compare with question tokens."""
    found: Dict[str, Set[str]] = {COUNT: set(), AMOUNT: set(), TIME: set()}
    for sentence in (s for block in text.split("\n") for s in split_sentences(block)):
        sentence_words = words(sentence)
        kinds = []
        if any(_is_number(w) for w in sentence_words):
            kinds.append(COUNT)
            if "%" in sentence or any(w in _MONEY_WORDS for w in sentence_words):
                kinds.append(AMOUNT)
        if any(_YEAR.match(w) or w in _TIME_WORDS for w in sentence_words):
            kinds.append(TIME)
        if kinds:
            tokens = tokenize(sentence)
            for kind in kinds:
                found[kind].update(tokens)
    return ArticleFacts(frozenset(found[COUNT]), frozenset(found[AMOUNT]), frozenset(found[TIME]))


class CueDetector:
    def __init__(
        self,
        lexicon: Lexicon,
        stopwords: FrozenSet[str],
        weak_words: FrozenSet[str],
        must_cover_words: Optional[Iterable[str]] = None,
    ) -> None:
        self.stopwords = stopwords
        self.weak_words = weak_words
        listed = load_word_list(MUST_COVER_FILE) if must_cover_words is None else frozenset(must_cover_words)
        tokens: Set[str] = set()
        for word in listed:
            tokens.add(stem(word))
            tokens.update(c.token for c in lexicon.concepts_of_word(word))
        self.must_cover_tokens: FrozenSet[str] = frozenset(tokens)

    def detect(self, folded: Sequence[str], units: Sequence) -> QuestionCues:
        must_cover = [hit for hit in (tuple(t for t in u.tokens if t in self.must_cover_tokens) for u in units) if hit]
        answer_type, focus_word = self._answer_type(folded)
        focus = ()
        if focus_word:
            focus = next((u.readings for u in units if focus_word in u.text.split()), ())
        return QuestionCues(tuple(must_cover), answer_type, focus, question_type(folded))

    def _answer_type(self, folded: Sequence[str]) -> Tuple[Optional[str], Optional[str]]:
        """(COUNT/AMOUNT/TIME or None, the counted word for COUNT)."""
        for i in range(len(folded)):
            for cue, kind in _ANSWER_TYPE_CUES:
                if tuple(folded[i : i + len(cue)]) != cue:
                    continue
                if kind == COUNT:
                    for word in folded[i + len(cue) : i + len(cue) + 3]:
                        if word not in self.stopwords and word not in self.weak_words and not word.isdigit():
                            return COUNT, word
                return kind, None
        return None, None


def missing_must_cover(cues: QuestionCues, doc_tokens: FrozenSet[str]) -> bool:
    return any(not any(t in doc_tokens for t in topic) for topic in cues.must_cover)


def missing_answer_type(cues: QuestionCues, article: ArticleFacts, unit_tokens: List[Tuple[str, ...]]) -> bool:
    """True if the question asks for a number, amount or time the article does not
    state in a sentence about what the question asks."""
    if cues.answer_type is None:
        return False
    found = article.for_type(cues.answer_type)
    if cues.focus:  # all parts of the counted thing ("ferie" and "dage" for "feriedage")
        return not any(all(any(t in found for t in part) for part in reading) for reading in cues.focus)
    return not any(t in found for tokens in unit_tokens for t in tokens)
