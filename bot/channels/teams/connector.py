"""The Microsoft Teams channel at /webhooks/teams/webhook (replaces Rasa's
stock `botframework` connector; see docs/teams.md).

A request is answered as soon as it is authenticated and parsed (Bot Framework
wants an answer within 15 seconds); the turn itself runs as a task and replies
through the Bot Connector. Status codes: 401 bad or missing token, 400
unreadable activity, 403 channel not accepted, 503 not configured or signing
keys not loaded yet, 200 everything else (other activity types are ignored).
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Optional, Set, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import sessionmaker

from bot.channels.rest import known_intents
from bot.channels.teams.activities import (
    Activity, MalformedActivity, bot_was_added, bot_was_removed, conversation_key,
    parse_activity, pseudonym, user_text,
)
from bot.channels.teams.auth import (
    AuthenticationFailed, InboundAuthenticator, SigningKeyCache, SigningKeysUnavailable,
)
from bot.channels.teams.config import TeamsConfig
from bot.channels.teams.outbound import BotConnectorClient
from bot.channels.teams.proactive import TeamsMessenger, install_messenger
from bot.channels.teams.references import ConversationReference, ReferenceStore
from bot.settings import Settings

logger = logging.getLogger(__name__)

CHANNEL_NAME = "teams"
_RECENT_ACTIVITIES = 2048
_REMEMBERED_SENDERS = 4096
_DRAIN_SECONDS = 10.0
_RETRY_AFTER_SECONDS = "30"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class TeamsOutput(OutputChannel):
    """Bot messages into one conversation, or (proactively) into the personal
    chat stored for the recipient's pseudonymous sender id."""

    def __init__(self, messenger: TeamsMessenger,
                 reference: Optional[ConversationReference] = None) -> None:
        self.messenger = messenger
        self.reference = reference

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        reference = self.reference or await self.messenger.reference_for(recipient_id)
        await self.messenger.deliver(reference, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: Any,
                                     **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_quick_replies(self, recipient_id: Text, text: Text, quick_replies: Any,
                                 **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": quick_replies})

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})

    async def send_attachment(self, recipient_id: Text, attachment: Any, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"attachment": attachment})

    async def send_elements(self, recipient_id: Text, elements: Any, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"elements": list(elements)})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"custom": json_message})


class TeamsInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(TeamsConfig.from_settings(Settings.from_env(), credentials))

    def __init__(self, config: TeamsConfig, *, session_factory: Optional[sessionmaker] = None,
                 client: Optional[BotConnectorClient] = None) -> None:
        self.config = config
        self.problems = config.problems()
        self.keys = SigningKeyCache(config)
        self.authenticator = InboundAuthenticator(config, self.keys)
        self.client = client or BotConnectorClient(config)
        self._session_factory = session_factory
        self.messenger = TeamsMessenger(self.client, None)
        self._recent: "OrderedDict[str, None]" = OrderedDict()
        self._remembered: "OrderedDict[str, ConversationReference]" = OrderedDict()
        self._tasks: Set[asyncio.Task] = set()
        self._last_turn: Dict[str, asyncio.Task] = {}
        if self.problems:
            logger.warning("Teams channel is off until configured: %s", "; ".join(self.problems))

    @property
    def store(self) -> ReferenceStore:
        if self.messenger.store is None:
            factory = self._session_factory
            if factory is None:
                from bot.db import make_engine, make_session_factory

                factory = make_session_factory(make_engine(self.config.database_url))
            self.messenger.store = ReferenceStore(factory)
        return self.messenger.store

    def get_output_channel(self) -> Optional[OutputChannel]:
        """For trigger_intent with output_channel=teams: delivers by stored reference."""
        if self.problems:
            return None
        _ = self.store
        return TeamsOutput(self.messenger)

    # --- the webhook --------------------------------------------------------
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("teams_webhook", __name__)

        @webhook.listener("after_server_start")
        async def start(_app: Any, _loop: Any) -> None:
            if not self.problems:
                _ = self.store
                install_messenger(self.messenger)
                self.keys.start()  # returns at once; keys arrive in the background

        @webhook.listener("before_server_stop")
        async def stop(_app: Any, _loop: Any) -> None:
            await self.drain()
            await self.keys.stop()
            await self.client.close()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        return webhook

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        if self.problems:
            return _error("Teams channel is not configured", 503)
        try:
            identity = await self.authenticator.authenticate(request.headers.get("Authorization"))
        except AuthenticationFailed as exc:
            logger.info("Teams request refused: %s", exc)
            return _error("unauthorized", 401)
        except SigningKeysUnavailable:
            return _error("signing keys not loaded yet", 503, {"Retry-After": _RETRY_AFTER_SECONDS})
        except Exception:  # a token must never cause a 500
            logger.exception("unexpected error while checking a Teams token")
            return _error("unauthorized", 401)
        try:
            activity = parse_activity(json.loads(request.body or b""))
        except (MalformedActivity, ValueError, UnicodeDecodeError, RecursionError):
            return _error("malformed activity", 400)
        try:
            self.authenticator.check_activity(identity, activity.service_url, activity.channel_id)
        except AuthenticationFailed as exc:
            logger.info("Teams request refused: %s", exc)
            return _error("unauthorized", 401)
        if activity.channel_id not in self.config.channel_ids:
            return _error("channel not accepted", 403)
        if not self.config.service_url_allowed(activity.service_url):
            return _error("serviceUrl must be https", 400)
        if self._seen_before(activity):
            return response.empty(status=200)
        sender = pseudonym(self.config.pseudonym_secret, activity)
        self._spawn(sender, self._handle(activity, sender, on_new_message, known_intents(request)))
        return response.empty(status=200)

    def _seen_before(self, activity: Activity) -> bool:
        """Bot Framework redelivers an activity when we were slow; handle it once."""
        if not activity.id:
            return False
        key = f"{activity.conversation_id}|{activity.id}"
        if key in self._recent:
            return True
        self._recent[key] = None
        while len(self._recent) > _RECENT_ACTIVITIES:
            self._recent.popitem(last=False)
        return False

    def _spawn(self, sender: str, coroutine: Awaitable[None]) -> None:
        """Run a turn in the background, after the sender's previous turn: one
        employee's messages reach Rasa in the order they were sent."""
        previous = self._last_turn.get(sender)

        async def in_order() -> None:
            if previous is not None and not previous.done():
                await asyncio.wait({previous})
            await coroutine

        task = asyncio.ensure_future(in_order())
        self._tasks.add(task)
        self._last_turn[sender] = task

        def finished(done: asyncio.Task) -> None:
            self._tasks.discard(done)
            if self._last_turn.get(sender) is done:
                del self._last_turn[sender]

        task.add_done_callback(finished)

    async def drain(self, timeout: float = _DRAIN_SECONDS) -> None:
        """Wait for turns in progress (server stop, tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    # --- one turn -------------------------------------------------------------
    async def _handle(self, activity: Activity, sender: str, on_new_message: OnNewMessage,
                      intents: frozenset) -> None:
        try:
            reference = ConversationReference(activity.service_url, activity.conversation_id,
                                              activity.bot_id, activity.tenant_id,
                                              activity.channel_id)
            if activity.type == "message":
                await self._remember(sender, activity, reference)
                await self._turn(on_new_message, user_text(activity, intents), sender,
                                 activity, reference)
            elif bot_was_added(activity):
                await self._remember(sender, activity, reference)
                await self._welcome(on_new_message, sender, activity, reference)
            elif bot_was_removed(activity):
                await self._forget(sender, activity)
            else:
                logger.debug("Teams activity of type %s ignored", activity.type)
        except Exception:
            logger.exception("Teams activity of type %s could not be handled", activity.type)

    async def _turn(self, on_new_message: OnNewMessage, text: str, sender: str,
                    activity: Activity, reference: ConversationReference) -> None:
        await on_new_message(UserMessage(
            text, TeamsOutput(self.messenger, reference), sender, input_channel=CHANNEL_NAME,
            message_id=activity.id or None,
            metadata={"conversation_type": activity.conversation_type or "personal"},
        ))

    async def _welcome(self, on_new_message: OnNewMessage, sender: str, activity: Activity,
                       reference: ConversationReference) -> None:
        key = conversation_key(self.config.pseudonym_secret, activity.conversation_id)
        try:
            first = await asyncio.to_thread(self.store.claim_welcome, key)
        except Exception:  # database down: greet rather than stay silent
            logger.exception("could not record the Teams welcome; greeting anyway")
            first = True
        if first:
            await self._turn(on_new_message, self.config.welcome_payload, sender, activity, reference)

    async def _remember(self, sender: str, activity: Activity,
                        reference: ConversationReference) -> None:
        """Store where the sender's personal chat is (only personal chats: a reply
        meant for one employee must never go to a team channel)."""
        if not activity.is_personal or self._remembered.get(sender) == reference:
            return
        try:
            await asyncio.to_thread(self.store.save, sender, reference)
        except Exception:  # the conversation goes on; only proactive delivery suffers
            logger.exception("could not store the Teams conversation reference")
            return
        self._remembered[sender] = reference
        while len(self._remembered) > _REMEMBERED_SENDERS:
            self._remembered.popitem(last=False)

    async def _forget(self, sender: str, activity: Activity) -> None:
        self._remembered.pop(sender, None)
        if activity.is_personal:
            await asyncio.to_thread(self.store.forget, sender)
        key = conversation_key(self.config.pseudonym_secret, activity.conversation_id)
        await asyncio.to_thread(self.store.release_welcome, key)


def _error(message: str, status: int, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=headers)
