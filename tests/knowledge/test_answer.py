"""What the employee gets back: a short answer from the best article with its
source and link, 2-3 related articles, or a plain decline with best guesses."""
from bot.knowledge import Answer, Declined
from bot.knowledge.answer import body_sentences, source_label


def test_an_answer_is_the_lead_with_source_link_and_related_articles(kb):
    answer = kb.answer("hvad er en snusepraktik")
    assert isinstance(answer, Answer)
    assert answer.text.startswith("En snusepraktik er et kort ophold på få dage op til omkring en uge")
    assert answer.title == "Hvad er en snusepraktik?"
    assert answer.slug == "hvad-er-snusepraktik"
    assert answer.url == "https://assistent.example/viden/hvad-er-snusepraktik"
    assert answer.source_file == "001_9708e173bc7df114.txt"
    assert answer.source_heading == "Forslag 4.6: Formål og indhold"
    assert answer.source_label == "Budgetforslag 4.6: Fleksible kompetence- og karriereforløb"
    assert 1 <= len(answer.related) <= 3  # the real knowledge base gives 2-3 (see test_real_knowledge)
    assert answer.related[0].slug == "udvekslingsophold"
    assert "hvad-er-snusepraktik" not in [r.slug for r in answer.related]
    assert all(r.url.endswith("/viden/" + r.slug) for r in answer.related)


def test_the_answer_adds_the_body_sentence_with_the_asked_fact(kb):
    answer = kb.answer("faar jeg min loen under en snusepraktik")
    assert isinstance(answer, Answer)
    assert "Du tager din egen løn med." in answer.text
    assert len(answer.text) <= 520


def test_the_answer_stays_the_lead_when_the_lead_already_covers_the_question(kb):
    answer = kb.answer("hvor mange dage varer en snusepraktik")
    assert isinstance(answer, Answer)
    assert answer.text.endswith("uden at du skifter job.")


def test_a_decline_carries_the_question_and_the_best_guesses(kb):
    result = kb.answer("hvor meget indbetaler regionen til min pension i en snusepraktik")
    assert isinstance(result, Declined)
    assert result.question == "hvor meget indbetaler regionen til min pension i en snusepraktik"
    assert result.best_guesses and result.best_guesses[0].slug == "hvad-er-snusepraktik"
    assert result.best_guesses[0].url == "https://assistent.example/viden/hvad-er-snusepraktik"
    assert 0.0 <= result.confidence < 0.5


def test_every_seed_file_has_a_short_human_source_label():
    labels = [source_label(f"00{i}" + suffix) for i, suffix in enumerate(
        ["_40f61af9cf8ccdc1.txt", "_9708e173bc7df114.txt", "_fe0580c55ca7b1c0.txt",
         "_35af126a7f68e598.txt", "_1dfc0b006ea4b91e.txt"])]
    assert labels[0] == "Budgetinitiativ 4.4: Karriereudvikling"
    assert all(label and not label.endswith(".txt") and len(label) <= 80 for label in labels)
    assert source_label("ukendt.txt") == "ukendt.txt"


def test_body_sentences_treat_list_items_as_sentences_and_keep_abbreviations():
    text = "Ordningen har tre dele:\n\n- **Mentor**, en erfaren kollega.\n- Et kursus på fx. 2 dage.\n\nDet koster 2,3 mio. kr. om året. Det er meget."
    assert body_sentences(text) == [
        "Ordningen har tre dele:",
        "Mentor, en erfaren kollega.",
        "Et kursus på fx. 2 dage.",
        "Det koster 2,3 mio. kr. om året.",
        "Det er meget.",
    ]
