"""Retrieval on a tiny article set: the right article for the employee's own
words, the employee's workplace preferred, declines when no article answers,
and reloads that pick up changes without a restart."""
import threading
from pathlib import Path

import pytest

from bot.knowledge import Answer, Declined, KnowledgeBase, KnowledgeFolderMissing, validate
from tests.knowledge.conftest import write_article


def best(kb: KnowledgeBase, question: str, **context) -> str:
    result = kb.search(question, **context)
    assert result.hits, question
    return result.hits[0].article.slug


@pytest.mark.parametrize(
    "question",
    [
        "hvad er en snusepraktik",
        "hvad er en snuse praktik?",
        "hvad er en snusepraktk",  # typo
        "SNUSEPRAKTIK!!",
    ],
)
def test_the_employees_own_spelling_finds_the_article(kb, question):
    assert best(kb, question) == "hvad-er-snusepraktik"


def test_ae_oe_aa_spellings_rank_like_danish_letters(kb):
    assert best(kb, "hvordan faar jeg karriereraadgivning") == best(kb, "hvordan får jeg karriererådgivning") == "karrieraadgivning"


def test_a_compound_question_finds_the_article_using_its_parts(kb):
    assert best(kb, "sygeplejerskeuddannelse klinisk undervisning") == "sygeplejerskeuddannelse-klinik"
    assert best(kb, "hvor lang tid varer et udvekslingsforløb") == "udvekslingsophold"


def test_english_synonym_finds_the_danish_article(kb):
    assert best(kb, "how long is an exchange") == "udvekslingsophold"


def test_the_employees_workplace_decides_between_otherwise_equal_articles(kb):
    question = "er der en mentorordning for nyansatte"
    assert best(kb, question, workplace="RH") == "mentor-rh"
    assert best(kb, question, workplace="AHH") == "mentor-ahh"
    assert best(kb, question, workplace="Hvidovre") == "mentor-ahh"  # names are accepted too


def test_a_workplace_named_in_the_question_wins_over_the_context(kb):
    assert best(kb, "mentorordning for nyansatte paa riget", workplace="AHH") == "mentor-rh"


def test_a_question_outside_the_articles_is_declined(kb):
    for question in ["hvor meget indbetaler regionen til min pension", "hvor kan jeg parkere", "hej"]:
        assert isinstance(kb.answer(question), Declined), question


def test_a_near_miss_about_pay_is_declined_even_if_the_topic_matches(kb):
    result = kb.answer("hvad sker der med min pension i en snusepraktik")
    assert isinstance(result, Declined)
    assert "hvad-er-snusepraktik" in [guess.slug for guess in result.best_guesses]


def test_a_good_match_is_answered_with_a_calibrated_confidence(kb):
    answer = kb.answer("hvad er en snusepraktik")
    assert isinstance(answer, Answer)
    assert 0.5 <= answer.confidence <= 1.0
    declined = kb.answer("hvor mange feriedage har jeg")
    assert declined.confidence < answer.confidence


def test_reload_picks_up_a_new_article_without_restart(kb, knowledge_dir):
    assert best(kb, "hvad er en kompetencemodel") != "kompetencemodel"
    write_article(
        knowledge_dir, "kompetencemodel", "Hvad er en kompetencemodel?",
        "En kompetencemodel beskriver de faglige niveauer, du kan udvikle dig igennem.",
        tags=["kompetencemodel", "niveau"],
    )
    report = kb.reload()
    assert report.articles == 7
    assert best(kb, "hvad er en kompetencemodel") == "kompetencemodel"
    assert kb.article("kompetencemodel") is not None


def test_a_broken_article_is_skipped_and_reported_not_fatal(knowledge_dir):
    write_article(knowledge_dir, "broken-yaml", "", "", raw="---\ntitle: [unclosed\n---\nTekst.\n")
    write_article(knowledge_dir, "no-owner", "", "", raw="---\ntitle: Uden ejer\n---\nTekst.\n")
    write_article(knowledge_dir, "hvad-er-snusepraktik", "Dublet", "Samme slug i en anden mappe.", area="tillaeg")
    (knowledge_dir / "_kladde.md").write_text("ikke en artikel", encoding="utf-8")

    kb = KnowledgeBase(knowledge_dir, "https://assistent.example")
    report = kb.reload()
    assert report.articles == 6
    assert not report.ok
    skipped = {p.path: p.message for p in report.skipped}
    assert set(skipped) == {"tillaeg/hvad-er-snusepraktik.md", "generelt/broken-yaml.md", "generelt/no-owner.md"}
    assert "owner" in skipped["generelt/no-owner.md"]
    assert "already used" in skipped["tillaeg/hvad-er-snusepraktik.md"]
    assert {p.path for p in validate(knowledge_dir) if p.skipped} == set(skipped)
    assert kb.article("hvad-er-snusepraktik").area == "snusepraktik"  # the first one stays


def test_unknown_audience_keys_are_warnings_and_the_article_still_loads(knowledge_dir):
    write_article(knowledge_dir, "ukendt-arbejdsplads", "Hvad tilbyder Odense?", "Noget om Odense.", workplaces=["OUH"])
    kb = KnowledgeBase(knowledge_dir, "https://assistent.example")
    report = kb.reload()
    assert kb.article("ukendt-arbejdsplads") is not None
    assert any("OUH" in w.message for w in report.warnings)


def test_a_missing_folder_raises_and_keeps_the_previous_index(kb, knowledge_dir, tmp_path):
    knowledge_dir.rename(tmp_path / "moved")
    with pytest.raises(KnowledgeFolderMissing):
        kb.reload()
    assert best(kb, "hvad er en snusepraktik") == "hvad-er-snusepraktik"


def test_questions_are_answered_consistently_while_reloads_run(kb):
    errors = []

    def ask() -> None:
        try:
            for _ in range(30):
                assert best(kb, "hvad er en snusepraktik") == "hvad-er-snusepraktik"
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for _ in range(3):
        kb.reload()
    for thread in threads:
        thread.join()
    assert errors == []


def test_an_empty_folder_declines_everything(tmp_path: Path):
    (tmp_path / "tom").mkdir()
    kb = KnowledgeBase(tmp_path / "tom", "https://assistent.example")
    assert kb.reload().articles == 0
    result = kb.answer("hvad er en snusepraktik")
    assert isinstance(result, Declined) and result.best_guesses == ()


def test_validate_lists_problems_without_touching_the_index(kb, knowledge_dir):
    write_article(knowledge_dir, "Forkert_Slug", "Titel", "Tekst om noget.", professions=["astronaut"])
    problems = {p.message for p in kb.validate()}
    assert any("astronaut" in m for m in problems)
    assert any("not lowercase ASCII" in m for m in problems)
    assert kb.article("Forkert_Slug") is None  # not loaded until reload()
