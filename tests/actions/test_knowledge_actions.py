from pathlib import Path

import pytest

from actions import services
from actions.knowledge import ActionAnswerQuestion, ActionRecordAnswerFeedback
from bot.db import DatabaseUnavailable
from bot.knowledge import KnowledgeBase
from bot.knowledge.refresh import RefreshingKnowledgeBase
from tests.actions.helpers import run, tracker

ROOT = Path(__file__).resolve().parents[2]


class FakeFeedback:
    def __init__(self, down: bool = False):
        self.down = down
        self.feedback, self.unanswered = [], []

    def record_feedback(self, slug, helpful, question=None):
        if self.down:
            raise DatabaseUnavailable("down")
        self.feedback.append((slug, helpful, question))

    def record_unanswered(self, question, best_guess=None):
        if self.down:
            raise DatabaseUnavailable("down")
        self.unanswered.append(question)
        return True


@pytest.fixture(scope="module")
def knowledge():
    return RefreshingKnowledgeBase(KnowledgeBase(ROOT / "knowledge", "https://karriere.test"))


@pytest.fixture
def feedback(knowledge):
    fake = FakeFeedback()
    services.override("knowledge", knowledge)
    services.override("knowledge_feedback", fake)
    yield fake
    services.reset()


def slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_a_question_is_answered_with_source_link_related_articles_and_feedback_buttons(feedback):
    messages, events = run(ActionAnswerQuestion(),
                           tracker("hvor længe varer en snusepraktik?", "ask_question"))
    assert [m["response"] for m in messages] == [
        "utter_knowledge_answer", "utter_knowledge_related", "utter_knowledge_was_it_helpful"]
    answer = messages[0]
    assert "uge" in answer["answer"]
    assert answer["url"].startswith("https://karriere.test/viden/")
    assert answer["source"] and answer["heading"]
    assert all(b["payload"].startswith("/ask_question{") for b in messages[1]["buttons"])
    assert slots(events)["answered_article"]
    assert feedback.unanswered == []


def test_a_question_outside_the_documents_is_declined_and_kept_for_the_counsellors(feedback):
    messages, events = run(ActionAnswerQuestion(),
                           tracker("hvad bliver min pension hvis jeg går på deltid?", "ask_question"))
    assert messages[0]["response"] == "utter_knowledge_declined"
    assert "utter_knowledge_answer" not in [m["response"] for m in messages]
    assert feedback.unanswered == ["hvad bliver min pension hvis jeg går på deltid?"]
    assert slots(events)["answered_article"] is None


def test_a_related_article_button_answers_that_article(feedback, knowledge):
    slug = knowledge.current().articles()[0].slug
    messages, _ = run(ActionAnswerQuestion(),
                      tracker(f'/ask_question{{"article_slug": "{slug}"}}', "ask_question",
                              slots={"article_slug": slug}))
    assert messages[0]["url"].endswith(f"/viden/{slug}")


def test_feedback_is_stored_with_the_article_and_thanked(feedback):
    t = tracker("ja", "affirm", slots={"answered_article": "snusepraktik-varighed",
                                       "answered_question": "hvor længe?"})
    messages, _ = run(ActionRecordAnswerFeedback(), t)
    assert feedback.feedback == [("snusepraktik-varighed", True, "hvor længe?")]
    assert messages[0]["response"] == "utter_knowledge_feedback_thanks"
    messages, _ = run(ActionRecordAnswerFeedback(), tracker("nej", "deny", slots={
        "answered_article": "snusepraktik-varighed"}))
    assert feedback.feedback[-1][1] is False
    assert messages[0]["response"] == "utter_knowledge_feedback_sorry"


def test_a_database_that_is_down_does_not_stop_the_answer(knowledge):
    services.override("knowledge", knowledge)
    services.override("knowledge_feedback", FakeFeedback(down=True))
    try:
        messages, _ = run(ActionAnswerQuestion(), tracker("hvad koster en parkeringsplads?", "ask_question"))
        assert messages[0]["response"] == "utter_knowledge_declined"
        messages, _ = run(ActionRecordAnswerFeedback(), tracker("ja", "affirm", slots={
            "answered_article": "snusepraktik-varighed"}))
        assert messages[0]["response"] == "utter_knowledge_feedback_thanks"
    finally:
        services.reset()
