"""Questions over the REST channel, answered from the knowledge base, and the pages."""
import urllib.error
import urllib.request

import pytest

from tests.rest_client import Conversation

pytestmark = pytest.mark.e2e


def test_a_question_gets_a_short_sourced_answer_with_a_link_that_works(stack):
    conversation = Conversation(stack.rasa_url)
    replies = conversation.say("hvor lang tid varer en snusepraktik?")
    # Channels show each paragraph as its own bubble: answer, then source and link.
    text = "\n".join(r.get("text", "") for r in replies)
    assert "uge" in text and "Kilde:" in text
    link = text.rsplit("Læs hele artiklen: ", 1)[1].split()[0]
    assert link.startswith(f"{stack.rasa_url}/viden/")
    with urllib.request.urlopen(link) as page:
        html = page.read().decode()
    assert page.status == 200 and "<html" in html and 'lang="da"' in html
    assert replies[-1]["text"] == "Var det svaret, du søgte?"
    assert "Godt at høre" in conversation.texts("/affirm")


def test_what_the_employee_told_earlier_is_used(stack):
    conversation = Conversation(stack.rasa_url)
    conversation.say("hej, jeg er sygeplejerske på Bornholms Hospital")
    text = conversation.texts("har i en mentorordning for nye?")
    assert "Bornholm" in text


def test_a_question_the_documents_cannot_answer_is_declined_honestly(stack):
    replies = Conversation(stack.rasa_url).say("hvad er min opsigelsesvarsel hvis jeg vil stoppe?")
    assert "ikke gætte" in replies[0]["text"]
    assert "/book_session" in [b["payload"] for b in replies[0]["buttons"]]


def test_the_article_index_page_lists_the_articles(stack):
    with urllib.request.urlopen(f"{stack.rasa_url}/viden/") as page:
        assert "Snusepraktik" in page.read().decode()


def test_an_unknown_article_is_a_danish_404(stack):
    try:
        urllib.request.urlopen(f"{stack.rasa_url}/viden/findes-ikke")
    except urllib.error.HTTPError as error:
        assert error.code == 404 and "findes ikke" in error.read().decode()
    else:
        raise AssertionError("expected 404")
