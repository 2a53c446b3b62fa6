"""Delivering messages into Teams conversations, including proactive ones.

`send_proactive(sender_id, text)` is what other features call (the handoff
feature for a counsellor's reply): it finds the employee's personal chat by the
pseudonymous sender id and posts the text there. Inside the Rasa server it
reuses the channel's connector client (and its token cache); elsewhere it
builds one from the environment on first use.

Imports no Rasa, so the action server and scripts can use it too.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Mapping, Optional

from bot.channels.teams.cards import render_message
from bot.channels.teams.config import TeamsConfig
from bot.channels.teams.outbound import BotConnectorClient, DeliveryFailed
from bot.channels.teams.references import ConversationReference, ReferenceStore

logger = logging.getLogger(__name__)

__all__ = ["DeliveryFailed", "NoConversationReference", "TeamsNotConfigured", "TeamsMessenger",
           "send_proactive", "send_proactive_sync", "install_messenger"]


class NoConversationReference(LookupError):
    """We know no personal Teams chat for this sender (never wrote to the bot in Teams)."""


class TeamsNotConfigured(RuntimeError):
    """The Teams app id, password or pseudonym secret is missing."""


def envelope(reference: ConversationReference, activity: Mapping[str, Any]) -> Dict[str, Any]:
    """An activity addressed to the conversation of `reference`, from our bot."""
    conversation: Dict[str, Any] = {"id": reference.conversation_id}
    if reference.tenant_id:
        conversation["tenantId"] = reference.tenant_id
    return {**activity, "from": {"id": reference.bot_id}, "conversation": conversation}


class TeamsMessenger:
    def __init__(self, client: BotConnectorClient, store: Optional[ReferenceStore]) -> None:
        self.client = client
        self.store = store

    async def deliver(self, reference: ConversationReference, message: Mapping[str, Any]) -> None:
        """Render one Rasa bot message and post its activities, in order."""
        for activity in render_message(message):
            await self.client.send_activity(reference.service_url, reference.conversation_id,
                                            envelope(reference, activity))

    async def reference_for(self, sender_id: str) -> ConversationReference:
        reference = None
        if self.store is not None:
            reference = await asyncio.to_thread(self.store.find, sender_id)
        if reference is None:
            raise NoConversationReference(sender_id)
        return reference

    async def send_to_sender(self, sender_id: str, message: Mapping[str, Any]) -> None:
        await self.deliver(await self.reference_for(sender_id), message)

    async def close(self) -> None:
        await self.client.close()


_installed: Optional[TeamsMessenger] = None


def install_messenger(messenger: Optional[TeamsMessenger]) -> None:
    """Make `send_proactive` use this messenger (the channel does so at start-up)."""
    global _installed
    _installed = messenger


def messenger_from_config(config: TeamsConfig) -> TeamsMessenger:
    from bot.db import make_engine, make_session_factory

    problems = config.problems()
    if problems:
        raise TeamsNotConfigured("; ".join(problems))
    store = ReferenceStore(make_session_factory(make_engine(config.database_url)))
    return TeamsMessenger(BotConnectorClient(config), store)


def _messenger() -> TeamsMessenger:
    if _installed is None:
        from bot.settings import Settings

        install_messenger(messenger_from_config(TeamsConfig.from_settings(Settings.from_env())))
    assert _installed is not None
    return _installed


async def send_proactive(sender_id: str, text: str, *,
                         messenger: Optional[TeamsMessenger] = None) -> None:
    """Post `text` into the personal Teams chat of `sender_id` ("teams-..." pseudonym).

    Raises NoConversationReference when the sender has no Teams chat with the
    bot, DeliveryFailed when Teams could not be reached (after retries), and
    TeamsNotConfigured when the channel has no credentials.
    """
    await (messenger or _messenger()).send_to_sender(sender_id, {"text": text})


def send_proactive_sync(sender_id: str, text: str) -> None:
    """`send_proactive` for code without an event loop (scripts, worker threads)."""
    messenger = _messenger()

    async def run() -> None:
        try:
            await messenger.send_to_sender(sender_id, {"text": text})
        finally:
            await messenger.client.close()

    asyncio.run(run())
