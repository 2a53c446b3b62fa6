"""Feedback on answers ("Var det svaret, du søgte?") and declined questions,
kept for the counsellors without any identity.

Nothing here accepts a sender id or conversation id. Question text is masked
(e-mail, phone, CPR-like numbers) and cut to 500 characters before it is
stored, and entries carry only the day they were made. One short transaction
per use case; database errors surface as bot.db.DatabaseUnavailable.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, List, Optional

from sqlalchemy import case, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import DatabaseUnavailable, transaction
from bot.knowledge.models import QUESTION_MAX_CHARS, SLUG_MAX_CHARS, FeedbackRecord, UnansweredRecord
from bot.knowledge.privacy import clean_question


class UnansweredQuestionNotFound(Exception):
    """No declined question with that id."""


@dataclass(frozen=True)
class FeedbackEntry:
    id: int
    created_on: dt.date
    slug: str
    helpful: bool
    question: Optional[str]


@dataclass(frozen=True)
class UnansweredQuestion:
    id: int
    created_on: dt.date
    question: str
    best_guess: Optional[str]
    handled: bool


@dataclass(frozen=True)
class ArticleFeedback:
    slug: str
    helpful: int
    not_helpful: int


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


class FeedbackStore:
    def __init__(self, session_factory: sessionmaker, *, today: Callable[[], dt.date] = _today) -> None:
        self._session_factory = session_factory
        self._today = today

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        try:
            with transaction(self._session_factory) as session:
                yield session
        except OperationalError as error:
            raise DatabaseUnavailable(str(error.orig)) from error

    # -- recording -----------------------------------------------------------

    def record_feedback(self, slug: str, helpful: bool, question: Optional[str] = None) -> None:
        """Store a yes/no on the answer from article `slug` (the question is optional)."""
        text = clean_question(question, QUESTION_MAX_CHARS) if question and question.strip() else None
        with self._transaction() as session:
            session.add(
                FeedbackRecord(
                    created_on=self._today(), slug=slug.strip()[:SLUG_MAX_CHARS], helpful=bool(helpful), question=text
                )
            )

    def record_unanswered(self, question: str, best_guess: Optional[str] = None) -> bool:
        """Store a question the assistant declined; blank questions are ignored (returns False)."""
        text = clean_question(question or "", QUESTION_MAX_CHARS)
        if not text:
            return False
        with self._transaction() as session:
            session.add(
                UnansweredRecord(
                    created_on=self._today(),
                    question=text,
                    best_guess=best_guess[:SLUG_MAX_CHARS] if best_guess else None,
                    handled=False,
                )
            )
        return True

    def mark_handled(self, entry_id: int) -> None:
        """A counsellor has dealt with a declined question (e.g. wrote an article)."""
        with self._transaction() as session:
            record = session.get(UnansweredRecord, entry_id)
            if record is None:
                raise UnansweredQuestionNotFound(entry_id)
            record.handled = True

    # -- listing (counsellors' console) -------------------------------------

    def list_feedback(self, *, slug: Optional[str] = None, limit: int = 200) -> List[FeedbackEntry]:
        """Newest first."""
        query = select(FeedbackRecord).order_by(FeedbackRecord.id.desc()).limit(limit)
        if slug:
            query = query.where(FeedbackRecord.slug == slug)
        with self._transaction() as session:
            return [
                FeedbackEntry(r.id, r.created_on, r.slug, r.helpful, r.question)
                for r in session.execute(query).scalars()
            ]

    def feedback_summary(self) -> List[ArticleFeedback]:
        """Yes/no counts per article, most "no" first."""
        not_helpful = func.sum(case((FeedbackRecord.helpful.is_(False), 1), else_=0))
        helpful = func.sum(case((FeedbackRecord.helpful.is_(True), 1), else_=0))
        query = (
            select(FeedbackRecord.slug, helpful, not_helpful)
            .group_by(FeedbackRecord.slug)
            .order_by(not_helpful.desc(), FeedbackRecord.slug)
        )
        with self._transaction() as session:
            return [ArticleFeedback(slug, int(yes or 0), int(no or 0)) for slug, yes, no in session.execute(query)]

    def list_unanswered(self, *, include_handled: bool = False, limit: int = 200) -> List[UnansweredQuestion]:
        """Newest first; handled ones only when asked for."""
        query = select(UnansweredRecord).order_by(UnansweredRecord.id.desc()).limit(limit)
        if not include_handled:
            query = query.where(UnansweredRecord.handled.is_(False))
        with self._transaction() as session:
            return [
                UnansweredQuestion(r.id, r.created_on, r.question, r.best_guess, r.handled)
                for r in session.execute(query).scalars()
            ]
