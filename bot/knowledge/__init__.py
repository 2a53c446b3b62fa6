"""Knowledge base (videnbasen): articles in knowledge/, Danish retrieval,
answers with source and link, declines, feedback and article pages.

Public API: KnowledgeBase, Answer, Declined, RelatedArticle, ReloadReport,
Article, ArticleProblem, KnowledgeFolderMissing, validate, FeedbackStore;
the page renderers live in bot.knowledge.pages.
"""
from bot.knowledge.answer import Answer, Declined, RelatedArticle
from bot.knowledge.articles import Article, ArticleProblem, validate
from bot.knowledge.feedback import FeedbackStore, UnansweredQuestionNotFound
from bot.knowledge.service import KnowledgeBase, KnowledgeFolderMissing, ReloadReport

__all__ = [
    "Answer",
    "Article",
    "ArticleProblem",
    "Declined",
    "FeedbackStore",
    "KnowledgeBase",
    "KnowledgeFolderMissing",
    "RelatedArticle",
    "ReloadReport",
    "UnansweredQuestionNotFound",
    "validate",
]
