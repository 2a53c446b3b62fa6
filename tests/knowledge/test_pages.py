"""Article pages: readable Danish HTML with the source, escaped content and
links between articles."""
import pytest

from bot.knowledge import KnowledgeBase
from bot.knowledge.pages import ArticleNotFound, render_article, render_index
from tests.knowledge.conftest import write_article


def test_an_article_page_shows_title_text_source_and_review_date(kb):
    html = render_article(kb, "hvad-er-snusepraktik")
    assert '<html lang="da">' in html
    assert "<h1>Hvad er en snusepraktik?</h1>" in html
    assert "<p>En snusepraktik er et kort ophold" in html
    assert "Budgetforslag 4.6: Fleksible kompetence- og karriereforløb" in html
    assert "Forslag 4.6: Formål og indhold" in html
    assert "22. november 2026" in html
    assert 'href="/viden/udvekslingsophold"' in html  # related article
    assert 'href="#indhold"' in html  # skip link


def test_the_audience_is_shown_with_labels(kb):
    html = render_article(kb, "mentor-ahh")
    assert "Amager og Hvidovre Hospital" in html
    assert "Alle faggrupper" in html


def test_html_in_an_article_is_escaped_not_executed(knowledge_dir):
    write_article(
        knowledge_dir, "farlig", "Titel med <b>fed</b>",
        'Første afsnit <script>alert("x")</script> og [et link](https://regionh.dk).\n\n<div onclick="x()">blok</div>',
    )
    kb = KnowledgeBase(knowledge_dir, "https://assistent.example")
    kb.reload()
    html = render_article(kb, "farlig")
    assert "<script>" not in html and "<div onclick" not in html
    assert "&lt;script&gt;" in html
    assert "Titel med &lt;b&gt;fed&lt;/b&gt;" in html
    assert '<a href="https://regionh.dk">et link</a>' in html  # Markdown still works


def test_an_unknown_slug_raises_article_not_found(kb):
    with pytest.raises(ArticleNotFound):
        render_article(kb, "findes-ikke")


def test_the_index_lists_every_article_grouped_by_area(kb):
    html = render_index(kb)
    assert "<h1>Videnbasen</h1>" in html
    for article in kb.articles():
        assert f'href="/viden/{article.slug}"' in html
    assert html.index("Karrierekontoret") < html.index("Snusepraktik og udveksling")  # areas sorted by label
    assert 'id="omraade-snusepraktik"' in html


def test_pages_can_be_mounted_under_another_path(kb):
    assert 'href="/hjaelp/viden/udvekslingsophold"' in render_article(kb, "hvad-er-snusepraktik", base_path="/hjaelp/viden/")
