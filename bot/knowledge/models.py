"""Tables of the knowledge feature: feedback on answers and questions the
assistant declined. Neither holds any identity: no sender or conversation id,
only the day (not the time) an entry was made, and question text masked by
bot.knowledge.privacy before it is stored."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, Integer, String

from bot.db import Base

QUESTION_MAX_CHARS = 500
SLUG_MAX_CHARS = 120


class FeedbackRecord(Base):
    __tablename__ = "knowledge_feedback"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_on = Column(Date, nullable=False)
    slug = Column(String(SLUG_MAX_CHARS), nullable=False)
    helpful = Column(Boolean, nullable=False)
    question = Column(String(QUESTION_MAX_CHARS), nullable=True)

    __table_args__ = (Index("ix_knowledge_feedback_slug", "slug"),)


class UnansweredRecord(Base):
    __tablename__ = "knowledge_unanswered"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_on = Column(Date, nullable=False)
    question = Column(String(QUESTION_MAX_CHARS), nullable=False)
    best_guess = Column(String(SLUG_MAX_CHARS), nullable=True)  # slug of the nearest article, if any
    handled = Column(Boolean, nullable=False, default=False)

    __table_args__ = (Index("ix_knowledge_unanswered_handled", "handled"),)


KNOWLEDGE_TABLES = ("knowledge_feedback", "knowledge_unanswered")
