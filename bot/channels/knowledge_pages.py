"""The knowledge articles as pages at /viden/ and /viden/<slug>, so answers can
link to them. Served by the Rasa server as a custom "channel" (Rasa 3.6 has no
other plug-in point for routes); it receives no messages."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.knowledge import KnowledgeBase
from bot.knowledge.pages import ArticleNotFound, render_article, render_index
from bot.knowledge.refresh import RefreshingKnowledgeBase
from bot.settings import Settings

NOT_FOUND = "<!doctype html><html lang=da><meta charset=utf-8><title>Ikke fundet</title><p>Den artikel findes ikke. <a href=/viden/>Se alle artikler</a>.</p></html>"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
}


class KnowledgePages(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "viden"

    def url_prefix(self) -> Text:
        return "/viden"

    def __init__(self) -> None:
        self._knowledge: Optional[RefreshingKnowledgeBase] = None

    def knowledge(self) -> KnowledgeBase:
        if self._knowledge is None:
            settings = Settings.from_env()
            self._knowledge = RefreshingKnowledgeBase(
                KnowledgeBase(settings.knowledge_dir, settings.public_base_url)
            )
        return self._knowledge.current()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        pages = Blueprint("knowledge_pages", __name__)

        @pages.route("/", methods=["GET"])
        async def index(_: Request) -> HTTPResponse:
            return response.html(render_index(self.knowledge(), base_path="/viden"), headers=HEADERS)

        @pages.route("/<slug:str>", methods=["GET"])
        async def article(request: Request, slug: str) -> HTTPResponse:
            if not slug:  # "/viden/" is the index too
                return await index(request)
            try:
                html = render_article(self.knowledge(), slug, base_path="/viden")
            except ArticleNotFound:
                return response.html(NOT_FOUND, status=404, headers=HEADERS)
            return response.html(html, headers=HEADERS)

        return pages
