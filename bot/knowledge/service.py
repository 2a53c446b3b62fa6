"""The knowledge base service: load articles, answer questions, reload safely.

    kb = KnowledgeBase(settings.knowledge_dir, settings.public_base_url)
    report = kb.reload()                      # at start-up and on "Genindlæs"
    result = kb.answer("hvad er snusepraktik", profession="sygeplejerske", workplace="RH")
    if isinstance(result, Answer): ...        # else Declined

`reload()` builds a complete new index next to the old one and swaps a single
reference, so questions answered meanwhile see either the old or the new
snapshot, never a half-built one. Reloads are serialised by a lock.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from bot.knowledge.analysis import Analyzer
from bot.knowledge.answer import (
    Answer,
    Declined,
    article_url,
    compose,
    load_labels,
    related_articles,
    source_label,
)
from bot.knowledge.articles import Article, ArticleProblem, load_articles
from bot.knowledge.lexicon import DEFAULT_SYNONYMS, DEFAULT_VOCABULARY, PROFESSION, WORKPLACE, load_lexicon
from bot.knowledge.retriever import Index, RetrieverConfig, SearchResult

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000  # longer questions are cut before analysis


class KnowledgeFolderMissing(Exception):
    """The configured knowledge folder does not exist; the previous index stays in use."""


@dataclass(frozen=True)
class ReloadReport:
    articles: int
    areas: Dict[str, int]  # area folder -> number of articles
    skipped: Tuple[ArticleProblem, ...]  # files left out of the index
    warnings: Tuple[ArticleProblem, ...]  # loaded, but something should be fixed
    seconds: float  # time to load and index

    @property
    def ok(self) -> bool:
        return not self.skipped


@dataclass(frozen=True)
class _Snapshot:
    index: Index
    report: ReloadReport
    by_slug: Dict[str, Article] = field(default_factory=dict)


class KnowledgeBase:
    def __init__(
        self,
        knowledge_dir: Path,
        public_base_url: str,
        *,
        config: Optional[RetrieverConfig] = None,
        vocabulary_path: Path = DEFAULT_VOCABULARY,
        synonyms_path: Optional[Path] = DEFAULT_SYNONYMS,
    ) -> None:
        self.knowledge_dir = Path(knowledge_dir)
        self.public_base_url = public_base_url.rstrip("/")
        self.config = config or RetrieverConfig()
        self._vocabulary_path = vocabulary_path
        self._synonyms_path = synonyms_path
        self._snapshot: Optional[_Snapshot] = None
        self._reload_lock = threading.Lock()

    # -- loading -----------------------------------------------------------

    def reload(self) -> ReloadReport:
        """Re-read articles, vocabulary and synonyms; swap in the new index atomically.

        Raises KnowledgeFolderMissing (and keeps the old index) if the folder is gone.
        """
        with self._reload_lock:
            started = time.perf_counter()
            if not self.knowledge_dir.is_dir():
                raise KnowledgeFolderMissing(str(self.knowledge_dir))
            lexicon = load_lexicon(self._vocabulary_path, self._synonyms_path)
            articles, problems = load_articles(
                self.knowledge_dir,
                professions=list(lexicon.professions),
                workplaces=list(lexicon.workplaces),
                source_files=list(load_labels()[0]),
            )
            index = Index(articles, Analyzer(lexicon), self.config)
            report = ReloadReport(
                articles=len(articles),
                areas=dict(sorted(Counter(a.area for a in articles).items())),
                skipped=tuple(p for p in problems if p.skipped),
                warnings=tuple(p for p in problems if not p.skipped),
                seconds=time.perf_counter() - started,
            )
            self._snapshot = _Snapshot(index, report, {a.slug: a for a in articles})
        log.info(
            "Knowledge base loaded: %d articles, %d skipped, %d warnings, %.0f ms",
            report.articles, len(report.skipped), len(report.warnings), report.seconds * 1000,
        )
        return report

    def validate(self) -> List[ArticleProblem]:
        """Problems in the knowledge folder as it is now (the index is not touched)."""
        lexicon = load_lexicon(self._vocabulary_path, self._synonyms_path)
        return load_articles(
            self.knowledge_dir,
            professions=list(lexicon.professions),
            workplaces=list(lexicon.workplaces),
            source_files=list(load_labels()[0]),
        )[1]

    def _current(self) -> _Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            self.reload()
            snapshot = self._snapshot
        assert snapshot is not None
        return snapshot

    @property
    def last_report(self) -> Optional[ReloadReport]:
        snapshot = self._snapshot
        return snapshot.report if snapshot else None

    # -- reading -----------------------------------------------------------

    def articles(self) -> List[Article]:
        return list(self._current().index.articles)

    def article(self, slug: str) -> Optional[Article]:
        return self._current().by_slug.get(slug)

    def url(self, slug: str) -> str:
        return article_url(self.public_base_url, slug)

    @property
    def index(self) -> Index:
        """The current snapshot (for benchmarks and the page renderer)."""
        return self._current().index

    # -- answering ---------------------------------------------------------

    def _context(self, index: Index, profession: Optional[str], workplace: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
        lexicon = index.analyzer.lexicon
        return lexicon.resolve(PROFESSION, profession), lexicon.resolve(WORKPLACE, workplace)

    def search(
        self, question: str, profession: Optional[str] = None, workplace: Optional[str] = None, k: int = 5
    ) -> SearchResult:
        """Ranked hits with confidences (no answer composed)."""
        index = self._current().index
        profession, workplace = self._context(index, profession, workplace)
        return index.search(question[:MAX_QUESTION_CHARS], profession, workplace, k=k)

    def answer(
        self, question: str, profession: Optional[str] = None, workplace: Optional[str] = None
    ) -> Union[Answer, Declined]:
        """Answer from the best article, or decline when no article answers reliably.

        `profession` and `workplace` are canonical keys from bot/vocabulary.yml
        (names and abbreviations are accepted too); unknown values are ignored.
        """
        index = self._current().index
        profession, workplace = self._context(index, profession, workplace)
        result = index.search(question[:MAX_QUESTION_CHARS], profession, workplace, k=5)
        return compose(index, result, question, self.public_base_url)

    def answer_article(self, slug: str) -> Optional[Answer]:
        """The answer for one chosen article (the employee clicked a related article)."""
        snapshot = self._current()
        article = snapshot.by_slug.get(slug)
        if article is None:
            return None
        return Answer(
            text=article.lead,
            title=article.title,
            slug=article.slug,
            url=article_url(self.public_base_url, article.slug),
            source_file=article.source_file,
            source_heading=article.source_heading,
            source_label=source_label(article.source_file),
            related=related_articles(snapshot.index, article, self.public_base_url),
            confidence=1.0,
            last_reviewed=article.last_reviewed,
        )
