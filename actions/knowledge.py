"""Answer career questions from the knowledge base, with source, link, related
articles and "Var det svaret, du søgte?"; record feedback and unanswered
questions without any identity."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from bot.db import DatabaseUnavailable
from bot.knowledge import Answer, FeedbackStore, KnowledgeBase
from bot.knowledge.refresh import RefreshingKnowledgeBase

logger = logging.getLogger(__name__)


@services.register("knowledge")
def build_knowledge(settings, _session_factory) -> RefreshingKnowledgeBase:
    return RefreshingKnowledgeBase(KnowledgeBase(settings.knowledge_dir, settings.public_base_url))


@services.register("knowledge_feedback")
def build_feedback(_settings, session_factory) -> FeedbackStore:
    return FeedbackStore(session_factory)


def _related_buttons(answer_or_guesses) -> List[Dict[str, str]]:
    return [
        {"title": article.title, "payload": f'/ask_question{{"article_slug": "{article.slug}"}}'}
        for article in answer_or_guesses
    ]


class ActionAnswerQuestion(Action):
    def name(self) -> Text:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        knowledge: RefreshingKnowledgeBase = services.get("knowledge")
        chosen_slug: Optional[str] = tracker.get_slot("article_slug")
        question = tracker.latest_message.get("text") or ""
        if chosen_slug:
            result = knowledge.answer_article(chosen_slug)
        else:
            result = knowledge.answer(
                question, tracker.get_slot("profession"), tracker.get_slot("workplace")
            )
        if not isinstance(result, Answer):
            self._record_unanswered(question, result)
            dispatcher.utter_message(response="utter_knowledge_declined")
            if result is not None and result.best_guesses:
                dispatcher.utter_message(
                    response="utter_knowledge_maybe", buttons=_related_buttons(result.best_guesses)
                )
            return [SlotSet("article_slug", None), SlotSet("answered_article", None),
                    SlotSet("answered_question", None)]
        dispatcher.utter_message(
            response="utter_knowledge_answer",
            answer=result.text,
            source=result.source_label,
            heading=result.source_heading,
            url=result.url,
        )
        if result.related:
            dispatcher.utter_message(
                response="utter_knowledge_related", buttons=_related_buttons(result.related)
            )
        dispatcher.utter_message(response="utter_knowledge_was_it_helpful")
        return [SlotSet("article_slug", None), SlotSet("answered_article", result.slug),
                SlotSet("answered_question", question[:500] if not chosen_slug else None)]

    @staticmethod
    def _record_unanswered(question: str, declined) -> None:
        if not question or question.startswith("/"):
            return
        guesses = getattr(declined, "best_guesses", ()) or ()
        try:
            services.get("knowledge_feedback").record_unanswered(
                question, guesses[0].slug if guesses else None
            )
        except DatabaseUnavailable:
            logger.warning("unanswered question not stored: database unavailable")


class ActionRecordAnswerFeedback(Action):
    """Stores "Var det svaret, du søgte?" (yes/no) with the article, no identity."""

    def name(self) -> Text:
        return "action_record_answer_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        slug = tracker.get_slot("answered_article")
        helpful = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        if not slug:  # the last turn was a decline: nothing to give feedback on
            dispatcher.utter_message(response="utter_help")
            return []
        if slug:
            try:
                services.get("knowledge_feedback").record_feedback(
                    slug, helpful, tracker.get_slot("answered_question")
                )
            except DatabaseUnavailable:
                logger.warning("answer feedback not stored: database unavailable")
        dispatcher.utter_message(
            response="utter_knowledge_feedback_thanks" if helpful else "utter_knowledge_feedback_sorry"
        )
        return [SlotSet("answered_article", None), SlotSet("answered_question", None)]
