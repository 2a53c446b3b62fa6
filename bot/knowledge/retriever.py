"""BM25 retrieval over the knowledge articles, with audience preference and a
calibrated confidence.

An `Index` is an immutable snapshot built from a list of articles: one bm25s
index per field (title, tags, lead, rest of the body), summed with field weights.
Then, per question:

1. the employee's profession and workplace (from the conversation, or named in
   the question itself) multiply the score of articles written for them and
   lower articles written for another specific group; "alle" articles stay neutral
   (with no workplace known, articles for specific workplaces are lowered a little);
2. an article whose title asks the same kind of question ("Hvorfor ...?") gets a
   small boost (titles are questions);
3. the top candidates are re-ranked by how much of the question they cover
   (IDF-weighted; words the index never saw count against it);
4. the best hit's confidence is a logistic function of FEATURES: coverage, head
   coverage (title/tags/lead), lead over the runner-up, score, and three cues
   (a must-cover topic missing, the expected number/amount/time missing, an
   article for another or unknown workplace). The weights and the decline
   threshold are fitted on the evaluation questions by benchmarks/knowledge_eval.py.

All parameters live in `RetrieverConfig`; their defaults are the tuned values.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

import bm25s
import numpy as np

from bot.knowledge.analysis import Analyzer, QueryAnalysis, Vocabulary
from bot.knowledge.articles import Article
from bot.knowledge.cues import article_facts, missing_answer_type, missing_must_cover, question_type
from bot.knowledge.text import words

FIELDS: Tuple[str, ...] = ("title", "tags", "lead", "body")
# Per question unit: (weight, readings); a reading is ((alternative tokens, share of the unit), ...).
_CoveragePlan = Tuple[Tuple[float, Tuple[Tuple[Tuple[FrozenSet[str], float], ...], ...]], ...]
FEATURES: Tuple[str, ...] = (
    "coverage", "head_coverage", "margin", "log_score", "must_cover_missing", "answer_type_missing", "audience_unmatched",
)


@dataclass(frozen=True)
class RetrieverConfig:
    k1: float = 0.9
    b: float = 0.9
    field_weights: Tuple[float, float, float, float] = (2.0, 1.5, 1.5, 0.5)  # title, tags, lead, body
    profession_boost: float = 0.4  # article written for the employee's profession
    profession_penalty: float = 0.25  # written for other specific professions
    workplace_boost: float = 0.5
    workplace_penalty: float = 0.5
    unknown_workplace_penalty: float = 0.1  # workplace unknown: prefer articles for everyone a little
    question_type_boost: float = 0.3  # title asks the same kind of question ("Hvorfor ...?")
    rerank_depth: int = 20  # candidates re-ranked by how much of the question they cover
    coverage_power: float = 0.5  # score x (0.05 + coverage) ** power
    head_coverage_power: float = 0.5  # same for title, tags and lead only
    unknown_weight: float = 1.0  # coverage weight of a word the index lacks, x IDF of an unseen word
    # Logistic calibration: bias, then one weight per FEATURES entry.
    calibration: Tuple[float, ...] = (-1.03, 0.54, 1.49, 2.56, 0.15, -3.54, -3.11, -2.55)
    min_confidence: float = 0.52  # below this the assistant declines


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    confidence: float
    coverage: float  # share of the question (IDF-weighted) found in the article
    features: Tuple[float, ...] = ()  # what the confidence was computed from (see FEATURES)


@dataclass(frozen=True)
class SearchResult:
    query: QueryAnalysis
    hits: Tuple[Hit, ...]
    profession: Optional[str]  # the audience context actually used
    workplace: Optional[str]
    min_confidence: float

    @property
    def best(self) -> Optional[Hit]:
        return self.hits[0] if self.hits else None

    @property
    def confident(self) -> bool:
        return bool(self.hits) and self.hits[0].confidence >= self.min_confidence


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def _field_texts(article: Article) -> Tuple[str, str, str, str]:
    return (article.title, " ".join(article.tags), article.lead, article.rest)


class _WeightedFields:
    """BM25 per field (bm25s), merged into one token -> (article, weighted score) table.

    bm25s precomputes each field's BM25 contribution per (token, article); the
    field-weighted sum of those is again linear, so one table answers a question
    with a single np.bincount instead of one pass per field.
    """

    def __init__(
        self, field_tokens: Sequence[Sequence[Sequence[str]]], weights: Sequence[float], config: RetrieverConfig
    ) -> None:
        self.num_docs = len(field_tokens[0]) if field_tokens else 0
        self.vocab: Dict[str, int] = {}
        rows, cols, vals = [], [], []
        for tokens_per_doc, weight in zip(field_tokens, weights):
            if not weight or not self.num_docs:
                continue
            bm25 = bm25s.BM25(k1=config.k1, b=config.b, method="lucene")
            bm25.index([list(tokens) or ["_empty_"] for tokens in tokens_per_doc], show_progress=False)
            indptr = np.asarray(bm25.scores["indptr"])
            local_to_global = np.zeros(len(indptr) - 1, dtype=np.int64)
            for token, local in bm25.vocab_dict.items():
                if local < len(local_to_global):
                    local_to_global[local] = self.vocab.setdefault(token, len(self.vocab))
            rows.append(np.repeat(local_to_global, np.diff(indptr)))
            cols.append(np.asarray(bm25.scores["indices"], dtype=np.int64))
            vals.append(np.asarray(bm25.scores["data"], dtype=np.float64) * weight)
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        order = np.argsort(row, kind="stable")
        self._cols = (np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64))[order]
        self._vals = (np.concatenate(vals) if vals else np.zeros(0))[order]
        self._indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=len(self.vocab)))])

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        ids = [self.vocab[t] for t in tokens if t in self.vocab and t not in ("", "_empty_")]
        if not ids:
            return np.zeros(self.num_docs)
        spans = [slice(self._indptr[i], self._indptr[i + 1]) for i in ids]
        cols = np.concatenate([self._cols[s] for s in spans])
        vals = np.concatenate([self._vals[s] for s in spans])
        return np.bincount(cols, weights=vals, minlength=self.num_docs)


class Index:
    """An immutable, thread-safe search snapshot over `articles`."""

    def __init__(self, articles: Sequence[Article], analyzer: Analyzer, config: RetrieverConfig) -> None:
        self.articles: Tuple[Article, ...] = tuple(articles)
        self.analyzer = analyzer
        self.config = config
        texts = [_field_texts(a) for a in self.articles]
        surface = analyzer.surface_words(t for fields in texts for t in fields)
        splitter, corrector = analyzer.word_forms(surface)
        field_tokens: List[List[List[str]]] = [
            [analyzer.document_tokens(fields[i], splitter) for fields in texts] for i in range(len(FIELDS))
        ]
        self._scorer = _WeightedFields(field_tokens, config.field_weights, config)
        self._facts = [
            article_facts(f"{a.lead}\n{a.rest}", lambda text: analyzer.document_tokens(text, splitter))
            for a in self.articles
        ]
        self._title_types = np.array([question_type(words(a.title)) or "" for a in self.articles], dtype=object)
        self._doc_tokens: List[FrozenSet[str]] = []
        self._head_tokens: List[FrozenSet[str]] = []
        df: Dict[str, int] = {}
        for d in range(len(self.articles)):
            head = frozenset(t for i in range(3) for t in field_tokens[i][d])
            everything = head | frozenset(field_tokens[3][d])
            self._head_tokens.append(head)
            self._doc_tokens.append(everything)
            for token in everything:
                df[token] = df.get(token, 0) + 1
        n = len(self.articles)
        self._idf: Dict[str, float] = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._unseen_idf = math.log(1 + (n + 0.5) / 0.5)
        self.vocabulary = Vocabulary(frozenset(df), splitter, corrector)
        self._all_professions = np.array([a.for_all_professions for a in self.articles], dtype=bool)
        self._all_workplaces = np.array([a.for_all_workplaces for a in self.articles], dtype=bool)
        # How many workplaces an article is written for: an article for one
        # hospital answers "what does my hospital offer" better than an overview.
        self._workplace_count = np.array([max(1, len(a.workplaces)) for a in self.articles], dtype=float)
        self._member_cache: Dict[Tuple[str, str], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.articles)

    # -- scoring -----------------------------------------------------------

    def _members(self, kind: str, key: str) -> np.ndarray:
        """Which articles name `key` in their audience (cached per key; the index never changes)."""
        cached = self._member_cache.get((kind, key))
        if cached is None:
            field_of = (lambda a: a.professions) if kind == "profession" else (lambda a: a.workplaces)
            cached = np.array([key in field_of(a) for a in self.articles], dtype=bool)
            self._member_cache[(kind, key)] = cached
        return cached

    def audience_factors(self, profession: Optional[str], workplace: Optional[str]) -> np.ndarray:
        """Per article: >1 written for this profession/workplace, <1 for another specific one, 1 for "alle"."""
        cfg = self.config
        factors = np.ones(len(self.articles))
        if profession:
            ours = self._members("profession", profession)
            specific = ~self._all_professions
            factors *= np.where(specific & ours, 1 + cfg.profession_boost, 1.0)
            factors *= np.where(specific & ~ours, 1 - cfg.profession_penalty, 1.0)
        if workplace:
            ours = self._members("workplace", workplace)
            specific = ~self._all_workplaces
            factors *= np.where(specific & ours,
                                1 + cfg.workplace_boost / np.sqrt(self._workplace_count), 1.0)
            factors *= np.where(specific & ~ours, 1 - cfg.workplace_penalty, 1.0)
        elif cfg.unknown_workplace_penalty:
            factors *= np.where(self._all_workplaces, 1.0, 1 - cfg.unknown_workplace_penalty)
        return factors

    def _part_weight(self, part: Sequence[str]) -> float:
        known = [self._idf[t] for t in part if t in self._idf]
        return max(known) if known else self.config.unknown_weight * self._unseen_idf

    def _unit_weights(self, query: QueryAnalysis) -> List[float]:
        """Coverage weight per unit; weak words count only if the question has nothing else."""
        strong = any(not unit.weak for unit in query.units)
        return [0.0 if unit.weak and strong else self._part_weight(unit.tokens) for unit in query.units]

    def _coverage_plan(self, query: QueryAnalysis) -> _CoveragePlan:
        """Per unit: its weight and, per reading, its parts with their weights (computed once per question)."""
        plan = []
        for weight, unit in zip(self._unit_weights(query), query.units):
            if weight <= 0:
                continue
            readings = []
            for reading in unit.readings:
                part_weights = [self._part_weight(part) for part in reading]
                total = sum(part_weights)
                if total > 0:
                    readings.append(tuple((frozenset(part), w / total) for part, w in zip(reading, part_weights)))
            plan.append((weight, tuple(readings)))
        return tuple(plan)

    @staticmethod
    def _covered(plan: _CoveragePlan, tokens: FrozenSet[str]) -> float:
        total = sum(weight for weight, _ in plan)
        if total <= 0:
            return 0.0
        found = 0.0
        for weight, readings in plan:
            best = 0.0
            for reading in readings:
                share = 0.0
                for part, part_share in reading:
                    if not tokens.isdisjoint(part):
                        share += part_share
                if share > best:
                    best = share
            found += weight * best
        return found / total

    def coverage(self, query: QueryAnalysis, doc: int, head: bool = False) -> float:
        """IDF-weighted share of the question's units that occur in article `doc` (head: title/tags/lead)."""
        tokens = self._head_tokens[doc] if head else self._doc_tokens[doc]
        return self._covered(self._coverage_plan(query), tokens)

    def _rerank(self, query: QueryAnalysis, scores: np.ndarray, depth: int) -> List[Tuple[int, float, float, float]]:
        """Top candidates as (doc, final score, coverage, head coverage), best first."""
        cfg = self.config
        if len(scores) > depth:
            candidates = np.argpartition(-scores, depth)[:depth]
        else:
            candidates = np.arange(len(scores))
        plan = self._coverage_plan(query)
        ranked = []
        for doc in (int(i) for i in candidates):
            if scores[doc] <= 0:
                continue
            cov = self._covered(plan, self._doc_tokens[doc])
            head_cov = self._covered(plan, self._head_tokens[doc])
            final = float(scores[doc]) * (0.05 + cov) ** cfg.coverage_power * (0.05 + head_cov) ** cfg.head_coverage_power
            ranked.append((doc, final, cov, head_cov))
        ranked.sort(key=lambda item: (-item[1], item[0]))
        return ranked

    def _cue_features(
        self, query: QueryAnalysis, doc: int, profession: Optional[str], workplace: Optional[str]
    ) -> Tuple[float, float, float]:
        """(must-cover topic missing, expected answer type missing, audience not the employee's).

        The last is 1 for an article written for specific workplaces when the
        employee's workplace is another or unknown (or likewise for professions).
        """
        article = self.articles[doc]
        strong = [u.tokens for u in query.units if not u.weak and not u.names_audience]
        unmatched = (not article.for_all_workplaces and workplace not in article.workplaces) or (
            not article.for_all_professions and profession is not None and profession not in article.professions
        )
        return (
            float(missing_must_cover(query.cues, self._doc_tokens[doc])),
            float(missing_answer_type(query.cues, self._facts[doc], strong)),
            float(unmatched),
        )

    def confidence(self, features: Sequence[float]) -> float:
        bias, *weights = self.config.calibration
        return _sigmoid(bias + sum(w * f for w, f in zip(weights, features)))

    def raw_scores(
        self, query: QueryAnalysis, profession: Optional[str] = None, workplace: Optional[str] = None
    ) -> np.ndarray:
        n = len(self.articles)
        tokens = query.tokens
        total = np.zeros(n, dtype=np.float64)
        if not n or not tokens:
            return total
        total += self._scorer.scores(tokens)
        total *= self.audience_factors(profession, workplace)
        if query.cues.question_type and self.config.question_type_boost:
            total *= np.where(self._title_types == query.cues.question_type, 1 + self.config.question_type_boost, 1.0)
        return total

    def search(
        self,
        question: str,
        profession: Optional[str] = None,
        workplace: Optional[str] = None,
        k: int = 5,
    ) -> SearchResult:
        """Rank articles for `question`. A profession/workplace named in the question wins over the context."""
        query = self.analyzer.query(question, self.vocabulary)
        profession = query.professions[0] if len(query.professions) == 1 else profession
        workplace = query.workplaces[0] if len(query.workplaces) == 1 else workplace
        scores = self.raw_scores(query, profession, workplace)
        ranked = self._rerank(query, scores, max(k + 1, self.config.rerank_depth))
        hits: List[Hit] = []
        for rank, (doc, score, cov, head_cov) in enumerate(ranked[:k]):
            # Only the best hit is judged by its lead over the next; later hits get margin 0.
            runner_up = ranked[rank + 1][1] if rank == 0 and len(ranked) > 1 else (0.0 if rank == 0 else score)
            margin = (score - runner_up) / score if score > 0 else 0.0
            feats = (cov, head_cov, margin, math.log1p(score)) + self._cue_features(query, doc, profession, workplace)
            hits.append(Hit(self.articles[doc], score, self.confidence(feats), cov, feats))
        return SearchResult(query, tuple(hits), profession, workplace, self.config.min_confidence)

    def idf(self, token: str) -> float:
        return self._idf.get(token, 0.0)
