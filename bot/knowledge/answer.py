"""Composing what the assistant says from a search result.

An `Answer` is the best article's lead paragraph (plus, when it adds a fact the
question asks about and the answer stays short, the one best-matching sentence
from the rest of the article), with the source, the page link and 2-3 related
articles. A `Declined` says the knowledge base cannot answer reliably and carries
the best guesses so the assistant can offer them or hand over to a counsellor.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Mapping, Optional, Sequence, Tuple

import yaml

from bot.knowledge.articles import Article, strip_markdown
from bot.knowledge.retriever import Hit, Index, SearchResult
from bot.knowledge.text import split_sentences

LABELS_FILE = Path(__file__).resolve().parent / "data" / "labels.yml"

MAX_ANSWER_CHARS = 520  # lead + appended sentence
RELATED_MIN_SHARE = 0.35  # a related hit scores at least this share of the best
MAX_RELATED = 3
MIN_RELATED = 2
EXTRA_MIN_SHARE = 0.2  # an appended sentence must add this share of the question's topic words


@dataclass(frozen=True)
class RelatedArticle:
    title: str
    slug: str
    url: str


@dataclass(frozen=True)
class Answer:
    text: str
    title: str
    slug: str
    url: str
    source_file: str
    source_heading: str
    source_label: str
    related: Tuple[RelatedArticle, ...]
    confidence: float
    last_reviewed: dt.date


@dataclass(frozen=True)
class Declined:
    question: str
    best_guesses: Tuple[RelatedArticle, ...]  # may be empty
    confidence: float  # of the best guess (0 when there is none)


@lru_cache(maxsize=4)
def load_labels(path: Path = LABELS_FILE) -> Tuple[Mapping[str, str], Mapping[str, str]]:
    """(source file -> label, area folder -> label)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(data.get("sources") or {}), dict(data.get("areas") or {})


def source_label(source_file: str) -> str:
    return load_labels()[0].get(source_file, source_file)


def area_label(area: str) -> str:
    labels = load_labels()[1]
    if area in labels:
        return labels[area]
    return area.replace("-", " ").replace("_", " ").capitalize()


def article_url(public_base_url: str, slug: str) -> str:
    return f"{public_base_url.rstrip('/')}/viden/{slug}"


def body_sentences(markdown: str) -> List[str]:
    """Plain-text sentences of a Markdown body; every list item counts as one sentence."""
    sentences: List[str] = []
    for block in re.split(r"\n[ \t]*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)", markdown):
        text = strip_markdown(block)
        if not text or block.lstrip().startswith("#"):
            continue
        sentences.extend(split_sentences(text))
    return sentences


def best_extra_sentence(index: Index, result: SearchResult, article: Article, room: int) -> Optional[str]:
    """The sentence from the rest of the article that adds most of what the question asks.

    A sentence qualifies only if it contains topic words of the question (not
    question words or everyday verbs) that the lead lacks, worth at least
    EXTRA_MIN_SHARE of the question's topic words, and fits in `room` characters.
    """
    splitter = index.vocabulary.splitter
    analyzer = index.analyzer
    strong = [u for u in result.query.units if u.known and not u.weak]
    weights = {u: max((index.idf(t) for t in u.tokens), default=0.0) for u in strong}
    total = sum(weights.values())
    lead_tokens = set(analyzer.document_tokens(article.lead, splitter))
    missing = {u: w for u, w in weights.items() if not any(t in lead_tokens for t in u.tokens)}
    if not missing or room <= 0 or total <= 0:
        return None
    best: Tuple[float, Optional[str]] = (EXTRA_MIN_SHARE * total, None)
    for sentence in body_sentences(article.rest):
        if len(sentence) + 1 > room or sentence.endswith(":"):
            continue
        tokens = set(analyzer.document_tokens(sentence, splitter))
        gain = sum(w for u, w in missing.items() if any(t in tokens for t in u.tokens))
        if gain > best[0]:
            best = (gain, sentence)
    return best[1]


def _by_shared_tags(index: Index, chosen: Article, exclude: Sequence[Article], count: int) -> List[Article]:
    tags = {t.lower() for t in chosen.tags}
    skip = {a.slug for a in exclude} | {chosen.slug}
    ranked = sorted(
        (a for a in index.articles if a.slug not in skip),
        key=lambda a: (-len(tags & {t.lower() for t in a.tags}), a.area != chosen.area, a.slug),
    )
    return [a for a in ranked[:count] if tags & {t.lower() for t in a.tags}]


def related_articles(
    index: Index, chosen: Article, public_base_url: str, hits: Sequence[Hit] = ()
) -> Tuple[RelatedArticle, ...]:
    """2-3 other articles: strong runner-up hits, then articles sharing tags, then weaker hits
    and articles from the same area."""
    top = hits[0].score if hits else 0.0
    strong = [h.article for h in hits if h.score >= RELATED_MIN_SHARE * top]
    weaker = [h.article for h in hits]
    same_area = sorted((a for a in index.articles if a.area == chosen.area), key=lambda a: a.slug)
    related: List[Article] = []
    for group in (strong, _by_shared_tags(index, chosen, strong, MAX_RELATED), weaker, same_area):
        for article in group:
            if len(related) >= (MAX_RELATED if group is strong else MIN_RELATED):
                break
            if article.slug != chosen.slug and article not in related:
                related.append(article)
    return tuple(RelatedArticle(a.title, a.slug, article_url(public_base_url, a.slug)) for a in related)


def compose(index: Index, result: SearchResult, question: str, public_base_url: str) -> "Answer | Declined":
    """Turn a search result into an Answer (confident) or a Declined."""
    if not result.confident:
        top = result.hits[0].score if result.hits else 0.0
        guesses = tuple(
            RelatedArticle(h.article.title, h.article.slug, article_url(public_base_url, h.article.slug))
            for h in result.hits[:MAX_RELATED]
            if h.score >= RELATED_MIN_SHARE * top
        )
        best = result.best
        return Declined(question, guesses, best.confidence if best else 0.0)
    hit = result.hits[0]
    article = hit.article
    text = article.lead
    extra = best_extra_sentence(index, result, article, MAX_ANSWER_CHARS - len(text))
    if extra:
        text = f"{text} {extra}"
    return Answer(
        text=text,
        title=article.title,
        slug=article.slug,
        url=article_url(public_base_url, article.slug),
        source_file=article.source_file,
        source_heading=article.source_heading,
        source_label=source_label(article.source_file),
        related=related_articles(index, article, public_base_url, result.hits),
        confidence=hit.confidence,
        last_reviewed=article.last_reviewed,
    )
