"""The REST channel at /webhooks/rest/webhook, hardened: a malformed body gets
HTTP 400 with a Danish message instead of a 500, and text passes the guard."""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import clean_user_text, valid_sender_id

logger = logging.getLogger(__name__)

BAD_REQUEST = "Beskeden kunne ikke læses. Send JSON med felterne \"sender\" og \"message\"."
UNAVAILABLE = "Assistenten kan ikke svare lige nu. Prøv igen om lidt."


def known_intents(request: Request) -> frozenset:
    agent = getattr(request.app.ctx, "agent", None)
    domain = getattr(agent, "domain", None)
    return frozenset(domain.intents) if domain else frozenset()


class GuardedRestInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body: Dict[str, Any] = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": BAD_REQUEST}, status=400)
            if not isinstance(body, dict) or not valid_sender_id(body.get("sender")):
                return response.json({"error": BAD_REQUEST}, status=400)
            text = clean_user_text(body.get("message"), known_intents(request))
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, body["sender"], input_channel=self.name(),
                                metadata=metadata)
                )
            except Exception:  # the user gets a calm answer, the log gets the trace
                logger.exception("REST message could not be handled")
                return response.json([{"recipient_id": body["sender"], "text": UNAVAILABLE}])
            return response.json(collector.messages)

        return webhook
