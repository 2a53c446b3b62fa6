"""Low-level Danish text normalisation: folding, word splitting, stemming, stop words.

Folding makes "Løn", "LOEN" and "løn" the same word: Unicode NFKC, lower case,
æ/ø/å written as ae/oe/aa (the spelling people use on keyboards without them),
other accents removed. Stems come from PyStemmer's Danish Snowball stemmer,
applied to the folded form (both articles and questions go the same way).
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, List

import Stemmer

STOPWORDS_FILE = Path(__file__).resolve().parent / "data" / "stopwords.txt"
WEAK_WORDS_FILE = Path(__file__).resolve().parent / "data" / "weak_words.txt"

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# A word: letters/digits, with inner apostrophes ("sosu'er") or dots in
# abbreviations ("ph.d.") kept together; hyphens split ("sosu-assistent").
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# Sentence ends: ., ! or ? followed by space and an upper-case letter or digit;
# abbreviations whose dot does not end a sentence are glued back ("fx. 2 år").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9\"“])")
_ABBREVIATION_END = re.compile(
    r"(?:^|\s)(?:fx|f\.eks|bl\.a|ca|evt|dvs|mht|jf|nr|pkt|kr|mio|inkl|ekskl|mdr|min|tlf)\.$", re.I
)
_ABBREVIATION_DOT = re.compile(r"(?<=[a-z])\.(?=[a-z]\.)")
_STEMMER = Stemmer.Stemmer("danish")
_STEM_LOCK = threading.Lock()


def fold(text: str) -> str:
    """Lower-case, NFKC and æ/ø/å -> ae/oe/aa; strip other diacritics."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_DANISH)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> List[str]:
    """Folded words of `text` in order (punctuation dropped, "ph.d." -> "phd")."""
    folded = fold(text)
    folded = _ABBREVIATION_DOT.sub("", folded)  # "ph.d." -> "phd.", "bl.a." -> "bla."
    return [w.replace("'", "").replace("’", "") for w in _WORD.findall(folded)]


def split_sentences(text: str) -> List[str]:
    """Sentences of a plain-text paragraph."""
    pieces: List[str] = []
    for piece in (p.strip() for p in _SENTENCE_END.split(text) if p.strip()):
        if pieces and _ABBREVIATION_END.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return pieces


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Danish Snowball stem of a folded word. Short words and numbers stay as they are."""
    if len(word) <= 3 or word.isdigit():
        return word
    with _STEM_LOCK:  # a PyStemmer object is not thread-safe
        return _STEMMER.stemWord(word)


@lru_cache(maxsize=4)
def load_word_list(path: Path = STOPWORDS_FILE) -> FrozenSet[str]:
    """Folded words from a one-word-per-line file (# starts a comment)."""
    result = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            result.update(words(line))
    return frozenset(result)


def load_stopwords() -> FrozenSet[str]:
    return load_word_list(STOPWORDS_FILE)


def load_weak_words() -> FrozenSet[str]:
    return load_word_list(WEAK_WORDS_FILE)
