"""Word forms the index does not contain as such: Danish compounds and typos.

`CompoundSplitter` splits a folded word into words the index knows
("sygeplejerskeuddannelse" -> sygeplejerske + uddannelse, "udvekslingsophold" ->
udveksling + (s) + ophold), trying the longest known head first and allowing the
Danish linking letters -s- and -e-. `SpellingCorrector` maps an unknown word to
the most frequent known word within one edit (Damerau-Levenshtein; two edits for
long words), using a symmetric-delete table so a look-up costs microseconds.
Both are built from the article vocabulary at index time and are immutable.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

MIN_PART = 4  # shortest compound part (folded letters)
MIN_COMPOUND = 8  # shortest word worth splitting
MIN_TAIL = 5  # shortest known last part when the first part is unknown
MIN_TYPO_WORD = 5  # shorter words are never "corrected"
LONG_WORD = 9  # words at least this long may be two edits away
LINKING = ("s", "e")


class CompoundSplitter:
    def __init__(self, known: Iterable[str], stopwords: FrozenSet[str] = frozenset()) -> None:
        self._known: FrozenSet[str] = frozenset(
            w for w in known if len(w) >= MIN_PART and w not in stopwords and not w.isdigit()
        )
        self._split = lru_cache(maxsize=50_000)(self._split_uncached)

    def is_known(self, word: str) -> bool:
        return word in self._known

    def split(self, word: str) -> Optional[Tuple[str, ...]]:
        """Parts of a compound word, or None if it cannot be split into known words."""
        if len(word) < MIN_COMPOUND or not word.isalpha():
            return None
        return self._split(word)

    def split_tail(self, word: str) -> Optional[Tuple[str, str]]:
        """(unknown head, known tail) for a compound whose last part alone is known.

        Danish compounds carry their meaning in the last part: "centralintroen"
        is a kind of "introen", "sommerkursus" a kind of "kursus".
        """
        if len(word) < MIN_COMPOUND or not word.isalpha():
            return None
        for cut in range(MIN_PART, len(word) - MIN_TAIL + 1):
            tail = word[cut:]
            if tail in self._known:
                head = word[:cut]
                if head[-1] in LINKING and word[: cut - 1] not in self._known and len(head) > MIN_PART:
                    head = head[:-1]
                return head, tail
        return None

    def _split_uncached(self, word: str) -> Optional[Tuple[str, ...]]:
        for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
            head, rest = word[:cut], word[cut:]
            if head not in self._known:
                continue
            tail = self._tail(rest)
            if tail is not None:
                return (head,) + tail
        return None

    def _tail(self, rest: str) -> Optional[Tuple[str, ...]]:
        candidates = [rest]
        if rest[0] in LINKING and len(rest) > MIN_PART:
            candidates.append(rest[1:])
        for candidate in candidates:
            if candidate in self._known:
                return (candidate,)
        for candidate in candidates:
            if len(candidate) >= 2 * MIN_PART:
                parts = self._split(candidate)
                if parts is not None:
                    return parts
        return None


def _deletes(word: str) -> Set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def damerau_levenshtein(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance; returns limit + 1 when above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: List[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        row_min = current[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class SpellingCorrector:
    def __init__(self, frequencies: Mapping[str, int]) -> None:
        self._freq: Dict[str, int] = {
            w: n for w, n in frequencies.items() if len(w) >= MIN_TYPO_WORD - 1 and w.isalpha()
        }
        table: Dict[str, List[str]] = {}
        for word in self._freq:
            for variant in _deletes(word) | {word}:
                table.setdefault(variant, []).append(word)
        self._table = table
        self._correct = lru_cache(maxsize=20_000)(self._correct_uncached)

    def correct(self, word: str) -> Optional[str]:
        """The known word closest to `word` (most frequent on ties), or None."""
        if len(word) < MIN_TYPO_WORD or not word.isalpha() or word in self._freq:
            return None
        return self._correct(word)

    def _correct_uncached(self, word: str) -> Optional[str]:
        limit = 2 if len(word) >= LONG_WORD else 1
        candidates: Counter = Counter()
        for variant in _deletes(word) | {word}:
            for known in self._table.get(variant, ()):
                candidates[known] = self._freq[known]
        best: Optional[str] = None
        best_key: Tuple[int, int] = (limit + 1, 0)
        for known, freq in candidates.items():
            if known[0] != word[0]:
                continue  # typos rarely hit the first letter; "keder" is not "leder"
            distance = damerau_levenshtein(word, known, limit)
            if distance <= limit and (distance, -freq) < best_key:
                best, best_key = known, (distance, -freq)
        return best
