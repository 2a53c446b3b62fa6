"""Article pages for employees: one page per article and an index by area.

Plain render functions returning HTML strings (Jinja2 with autoescaping;
article Markdown through the `markdown` package with raw HTML switched off),
so the lead can mount them at /viden and /viden/<slug> in any web framework.
All Danish wording lives in the templates (bot/knowledge/templates/).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Sequence

import jinja2
import markdown as md
from markupsafe import Markup

from bot.danish import month_name
from bot.knowledge.answer import area_label, related_articles, source_label
from bot.knowledge.articles import AUDIENCE_ALL, Article
from bot.knowledge.service import KnowledgeBase

TEMPLATES = Path(__file__).resolve().parent / "templates"
BASE_PATH = "/viden"


class ArticleNotFound(Exception):
    """No article with that slug (the web layer answers 404)."""


@dataclass(frozen=True)
class _Group:
    label: str
    anchor: str
    articles: Sequence[Article]


def danish_date(day: dt.date) -> str:
    """2026-11-22 -> '22. november 2026'."""
    return f"{day.day}. {month_name(day.month)} {day.year}"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["danish_date"] = danish_date
    return env


def markdown_to_html(text: str) -> Markup:
    """Article Markdown -> HTML. Raw HTML in the source is escaped, not passed through."""
    converter = md.Markdown(extensions=["sane_lists"], output_format="html")
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return Markup(converter.convert(text))


def _labels(keys: Sequence[str], table: dict) -> List[str]:
    return [table.get(key, key) for key in keys if key != AUDIENCE_ALL]


def render_article(kb: KnowledgeBase, slug: str, *, base_path: str = BASE_PATH) -> str:
    """The page for one article; raises ArticleNotFound."""
    article = kb.article(slug)
    if article is None:
        raise ArticleNotFound(slug)
    lexicon = kb.index.analyzer.lexicon
    return _environment().get_template("article.html").render(
        article=article,
        body_html=markdown_to_html(article.body),
        area_label=area_label(article.area),
        source_label=source_label(article.source_file),
        professions=_labels(article.professions, lexicon.professions),
        workplaces=_labels(article.workplaces, lexicon.workplaces),
        related=related_articles(kb.index, article, kb.public_base_url),
        base_path=base_path.rstrip("/"),
    )


def _anchor(text: str) -> str:
    return "omraade-" + (re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "andet")


def render_index(kb: KnowledgeBase, *, base_path: str = BASE_PATH) -> str:
    """All articles grouped by area, areas and titles in alphabetical order."""
    by_area: dict = {}
    for article in kb.articles():
        by_area.setdefault(article.area, []).append(article)
    groups = sorted(
        (
            _Group(area_label(area), _anchor(area), sorted(items, key=lambda a: a.title.lower()))
            for area, items in by_area.items()
        ),
        key=lambda g: g.label.lower(),
    )
    return _environment().get_template("index.html").render(groups=groups, base_path=base_path.rstrip("/"))
