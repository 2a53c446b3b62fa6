"""The channels' side of a handoff, inside the Rasa server process.

- `intercept(sender_id, text)`: called by a channel before a message goes to
  the NLU. During a live handoff the message is stored for the counsellor and
  the NLU never sees it; a typed "afslut" becomes the end_handoff intent.
- `on_session(sender_id)`: a web chat (re)connected: tell the page the handoff
  state and deliver the counsellor replies that waited for it.
- `after_turn(sender_id)`: the assistant answered; the page learns whether a
  handoff now runs (started or ended in that turn).
- `deliver(delivery)`: push a counsellor's reply; stored as delivered only
  when the channel confirms it (the page's acknowledgement, or its
  "handoff_received" event through `confirm`, which works across replicas).
- `case_changed(...)` / `return_to_assistant(...)`: after a counsellor acts,
  update the page and let the assistant speak again (its text comes from the
  domain through AssistantBridge).
- `sweep()` / `run_sweeper()`: handoffs nobody took in time become missed and
  the employee is told so (every replica may sweep; each case is claimed once).

The service is synchronous (SQLAlchemy); calls run in a worker thread so the
event loop that serves socket.io is never blocked on the database.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional, Protocol

from bot.handoff import (
    END_PAYLOAD,
    CaseState,
    Delivery,
    Event,
    HandoffService,
    Recipient,
    is_end_command,
)
from bot.console.delivery import Pushers

logger = logging.getLogger(__name__)

# Actions of the action server (actions/handoff.py) that answer from the domain.
ACTION_RETURNED = "action_handoff_returned"
ACTION_MISSED = "action_handoff_missed"
SWEEP_SECONDS = 15.0


class AssistantBridge(Protocol):
    async def run(self, recipient: str, channel: str, action_name: str) -> bool:
        """Run a domain action in the conversation and send its messages to the channel."""


def reply_payload(delivery: Delivery) -> Dict[str, Any]:
    """What the web chat page receives for a counsellor's line."""
    return {"text": delivery.text, "from_counsellor": True, "case_message_id": delivery.message_id}


class HandoffGateway:
    def __init__(self, service: HandoffService, pushers: Optional[Pushers] = None,
                 assistant: Optional[AssistantBridge] = None) -> None:
        self.service = service
        self.pushers = pushers or Pushers()
        self.assistant = assistant

    async def _call(self, fn, *args):
        return await asyncio.to_thread(fn, *args)

    # ------------------------------------------------------------ employee side

    async def intercept(self, sender_id: str, text: Any) -> Optional[str]:
        """None when the message was taken by the handoff; otherwise the text
        the assistant should get (unchanged, or END_PAYLOAD for a typed "afslut")."""
        if not isinstance(text, str) or not sender_id:
            return text
        try:
            if is_end_command(text):
                state = await self._call(self.service.live_state, sender_id)
                return END_PAYLOAD if state is not None else text
            if text.strip().startswith("/"):
                return text  # a button: the employee asks the assistant for something
            stored = await self._call(self.service.record_employee_message, sender_id, text)
        except Exception:  # noqa: BLE001 - the database is away: let the assistant answer
            logger.exception("handoff check failed; the message goes to the assistant")
            return text
        return None if stored else text

    async def on_session(self, sender_id: str, channel: str = "webchat") -> None:
        try:
            state = await self._call(self.service.live_state, sender_id)
            pusher = self.pushers.for_recipient(sender_id, channel)
            if pusher is not None:
                await pusher.push_state(sender_id, state.value if state else None)
            await self.deliver_pending(sender_id)
        except Exception:  # noqa: BLE001 - never break the page's session start
            logger.exception("pending handoff deliveries could not be sent")

    async def after_turn(self, sender_id: str, channel: str = "webchat") -> None:
        """After the assistant answered: show the page whether a handoff now runs
        (the assistant may just have started or ended one)."""
        try:
            state = await self._call(self.service.live_state, sender_id)
            pusher = self.pushers.for_recipient(sender_id, channel)
            if pusher is not None:
                await pusher.push_state(sender_id, state.value if state else None)
        except Exception:  # noqa: BLE001 - the banner is a convenience
            logger.exception("handoff state could not be pushed")

    async def deliver_pending(self, sender_id: str) -> int:
        delivered = 0
        for delivery in await self._call(self.service.undelivered_for, sender_id):
            if not await self.deliver(delivery):
                break
            delivered += 1
        return delivered

    async def confirm(self, sender_id: str, data: Any) -> None:
        """The page received a counsellor line ({"case_message_id": n}); on any replica."""
        message_id = data.get("case_message_id") if isinstance(data, dict) else None
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            return
        try:
            await self._call(self.service.confirm_delivery, sender_id, [message_id])
        except Exception:  # noqa: BLE001 - it stays undelivered and is sent again
            logger.exception("delivery confirmation could not be stored")

    async def deliver(self, delivery: Delivery) -> bool:
        """Push one counsellor line; True when the channel confirmed it."""
        if not delivery.recipient:
            return False
        pusher = self.pushers.for_recipient(delivery.recipient, delivery.channel)
        if pusher is None:
            return False
        try:
            confirmed = await pusher.push_reply(delivery.recipient, reply_payload(delivery))
        except Exception:  # noqa: BLE001
            logger.exception("counsellor reply could not be pushed; it waits for the employee")
            return False
        if confirmed:
            await self._call(self.service.mark_delivered, [delivery.message_id])
        return confirmed

    # ------------------------------------------------------------ counsellor side

    async def case_changed(self, case_number: int) -> None:
        """Show the page the case's state (after a counsellor took it)."""
        try:
            contact = await self._call(self.service.contact, case_number)
            if contact is None:
                return
            pusher = self.pushers.for_recipient(contact.recipient, contact.channel)
            if pusher is not None:
                live = contact.state in (CaseState.WAITING, CaseState.ACTIVE)
                await pusher.push_state(contact.recipient, contact.state.value if live else None)
        except Exception:  # noqa: BLE001
            logger.exception("handoff state could not be pushed")

    async def return_to_assistant(self, recipient: Recipient) -> bool:
        """The handoff is over: the page drops its banner and the assistant says so."""
        if not recipient.recipient:
            return False
        pusher = self.pushers.for_recipient(recipient.recipient, recipient.channel)
        try:
            if pusher is not None:
                await pusher.push_state(recipient.recipient, None)
        except Exception:  # noqa: BLE001
            logger.exception("handoff state could not be pushed")
        if self.assistant is None:
            return False
        action = ACTION_MISSED if recipient.reason is Event.EXPIRED else ACTION_RETURNED
        try:
            return await self.assistant.run(recipient.recipient, recipient.channel, action)
        except Exception:  # noqa: BLE001
            logger.exception("the assistant could not take the conversation back")
            return False

    # ------------------------------------------------------------ timeouts

    async def sweep(self) -> int:
        expired = await self._call(self.service.expire_waiting)
        for recipient in expired:
            await self.return_to_assistant(recipient)
        return len(expired)

    async def run_sweeper(self, stop: asyncio.Event, interval: float = SWEEP_SECONDS) -> None:
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception:  # noqa: BLE001 - keep sweeping
                logger.exception("handoff sweep failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except asyncio.TimeoutError:
                pass
