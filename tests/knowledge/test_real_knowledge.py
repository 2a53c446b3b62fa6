"""The real knowledge folder with the evaluation questions: every article
loads, every question points at an existing article, and answer quality does
not regress below what benchmarks/knowledge_eval.py measured (minus a margin).

Measured (263 articles, 291 answerable + 75 unanswerable questions):
facts 90.0 %, hit@1 89.7 %, hit@3 97.3 %, declined 90.7 % (targets: 90 % / 90 %).
The question files keep growing, so the floors below sit a few points lower.
"""
import pytest

from bot.knowledge import Answer, KnowledgeBase
from bot.knowledge.evaluation import evaluate, knowledge_base_system, load_question_sets
from bot.settings import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"
QUESTIONS = PROJECT_ROOT / "tests" / "knowledge" / "questions"
MIN_QUESTIONS = 100  # below this the figures say too little

FACTS_AT_LEAST = 0.86
DECLINED_AT_LEAST = 0.86
HIT1_AT_LEAST = 0.86
HIT3_AT_LEAST = 0.94


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    kb = KnowledgeBase(KNOWLEDGE, "https://assistent.example")
    kb.reload()
    return kb


@pytest.fixture(scope="module")
def questions():
    return load_question_sets(QUESTIONS)


def test_every_real_article_loads(real_kb):
    report = real_kb.last_report
    assert report.articles > 0
    assert [f"{p.path}: {p.message}" for p in report.skipped] == []


def test_every_question_file_is_well_formed_and_points_at_an_existing_article(real_kb, questions):
    assert list(questions.problems) == []
    slugs = {a.slug for a in real_kb.articles()}
    missing = sorted({f"{q.source}: {q.article}" for q in questions.answerable if q.article not in slugs})
    assert missing == []
    assert all(q.facts for q in questions.answerable)


def test_answer_quality_does_not_regress(real_kb, questions):
    if len(questions.answerable) < MIN_QUESTIONS:
        pytest.skip(f"only {len(questions.answerable)} evaluation questions so far")
    report, _, _ = evaluate(knowledge_base_system(real_kb), questions)
    summary = (
        f"facts {report.facts_ok:.1%}, hit@1 {report.hit1:.1%}, hit@3 {report.hit3:.1%}, "
        f"declined {report.declined:.1%}\n" + "\n".join(report.failures)
    )
    assert report.facts_ok >= FACTS_AT_LEAST, summary
    assert report.hit1 >= HIT1_AT_LEAST, summary
    assert report.hit3 >= HIT3_AT_LEAST, summary
    assert report.declined >= DECLINED_AT_LEAST, summary


def test_real_answers_offer_two_or_three_related_articles(real_kb, questions):
    answers = [real_kb.answer(q.question, q.profession, q.workplace) for q in questions.answerable[:40]]
    answered = [a for a in answers if isinstance(a, Answer)]
    assert answered
    assert all(2 <= len(a.related) <= 3 for a in answered)
    assert all(a.source_label and not a.source_label.endswith(".txt") for a in answered)
