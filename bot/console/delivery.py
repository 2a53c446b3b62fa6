"""Pushing to the employee's channel: a counsellor's reply, and the handoff
state the web chat page shows ("du skriver med en rådgiver").

One small interface, `Pusher`, per channel:
- WebChatPusher emits on the web chat's socket.io server to each socket of the
  session's room and waits for the page's acknowledgement; only an
  acknowledged reply counts as delivered (otherwise it stays stored and is
  sent again when the session reconnects). With several replicas (a Redis
  client manager) a page on another replica gets the emit through the queue;
  its acknowledgement comes back through the queue within a short bound, and
  its "handoff_received" event confirms it in any case.
- TeamsPusher is the adapter point for the Teams channel: it calls
  `send_proactive(sender_id, text)` from bot.channels.teams when that exists.
"""
from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
from typing import Any, Callable, Dict, Mapping, Optional, Protocol

from socketio.async_pubsub_manager import AsyncPubSubManager

logger = logging.getLogger(__name__)

ACK_TIMEOUT_SECONDS = 5.0
# Through the message queue nobody knows whether the page is connected at all,
# so a reply for an absent page waits this long (not ACK_TIMEOUT_SECONDS).
QUEUE_ACK_TIMEOUT_SECONDS = 2.0
REPLY_EVENT = "bot_uttered"
STATE_EVENT = "handoff_state"


class Pusher(Protocol):
    async def push_reply(self, recipient: str, payload: Mapping[str, Any]) -> bool:
        """Send one counsellor line; True only when the channel confirmed it."""

    async def push_state(self, recipient: str, state: Optional[str]) -> None:
        """Tell the page the handoff state: 'waiting', 'active' or None (the assistant)."""


class WebChatPusher:
    def __init__(self, sio: Any, namespace: Optional[str] = None,
                 ack_timeout: float = ACK_TIMEOUT_SECONDS) -> None:
        self._sio = sio
        self._namespace = namespace or "/"
        self._ack_timeout = ack_timeout

    def _sockets(self, room: str):
        try:
            return [sid for sid, _eio in self._sio.manager.get_participants(self._namespace, room)]
        except (KeyError, ValueError):
            return []

    async def push_reply(self, recipient: str, payload: Mapping[str, Any]) -> bool:
        sockets = self._sockets(recipient)
        if not sockets:
            if isinstance(self._sio.manager, AsyncPubSubManager):
                # The page may be connected to another replica: emit through the
                # message queue and wait briefly for its acknowledgement, which
                # that replica returns through the queue.
                return await self._through_queue(recipient, payload)
            return False

        async def one(sid: str) -> bool:
            try:
                answer = await self._sio.call(REPLY_EVENT, dict(payload), to=sid,
                                              namespace=self._namespace, timeout=self._ack_timeout)
                return bool(answer)
            except Exception:  # noqa: BLE001 - timeout or disconnect: not delivered
                return False

        results = await asyncio.gather(*(one(sid) for sid in sockets))
        return any(results)

    async def _through_queue(self, recipient: str, payload: Mapping[str, Any]) -> bool:
        answered: asyncio.Future = asyncio.get_running_loop().create_future()

        def acknowledged(*args: Any) -> None:
            if not answered.done():
                answered.set_result(bool(args and args[0]))

        try:
            await self._sio.emit(REPLY_EVENT, dict(payload), room=recipient,
                                 namespace=self._namespace, callback=acknowledged)
            return await asyncio.wait_for(answered, min(self._ack_timeout, QUEUE_ACK_TIMEOUT_SECONDS))
        except Exception:  # noqa: BLE001 - no answer in time: the page may confirm it later
            return False
        finally:
            # The manager keeps a callback nobody answered (the page is not there).
            pending = getattr(self._sio.manager, "callbacks", {}).get(recipient) or {}
            for key in [k for k, v in pending.items() if v is acknowledged]:
                del pending[key]

    async def push_state(self, recipient: str, state: Optional[str]) -> None:
        await self._sio.emit(STATE_EVENT, {"state": state or "none"}, room=recipient,
                             namespace=self._namespace)


SendProactive = Callable[[str, str], Any]


def find_send_proactive() -> Optional[SendProactive]:
    """bot.channels.teams.send_proactive, if the Teams channel is installed."""
    try:
        module = importlib.import_module("bot.channels.teams")
    except ImportError:
        return None
    return getattr(module, "send_proactive", None)


class TeamsPusher:
    """Adapter point for Teams: `send(sender_id, text)` may be sync or async.

    `label` formats the line (e.g. to mark it as the counsellor's); Teams has
    no handoff banner, so push_state does nothing.
    """

    def __init__(self, send: Optional[SendProactive] = None,
                 label: Callable[[str], str] = lambda text: text) -> None:
        self._send = send
        self._label = label

    async def push_reply(self, recipient: str, payload: Mapping[str, Any]) -> bool:
        send = self._send or find_send_proactive()
        if send is None:
            logger.warning("No Teams channel (bot.channels.teams.send_proactive): reply %s kept "
                           "for the case code", payload.get("case_message_id"))
            return False
        try:
            result = send(recipient, self._label(str(payload.get("text", ""))))
            if inspect.isawaitable(result):
                result = await result
        except Exception:  # noqa: BLE001 - not delivered; stays stored
            logger.exception("Teams delivery of a counsellor reply failed")
            return False
        return result is not False

    async def push_state(self, recipient: str, state: Optional[str]) -> None:
        return None


class Pushers:
    """Finds the pusher for a conversation: by its channel, or by its sender id
    ("teams-..." ids belong to Teams)."""

    def __init__(self, by_channel: Optional[Dict[str, Pusher]] = None) -> None:
        self._by_channel: Dict[str, Pusher] = dict(by_channel or {})

    def register(self, channel: str, pusher: Pusher) -> None:
        self._by_channel[channel] = pusher

    def for_recipient(self, recipient: str, channel: Optional[str] = None) -> Optional[Pusher]:
        if recipient.startswith("teams-") and "teams" in self._by_channel:
            return self._by_channel["teams"]
        return self._by_channel.get(channel or "")
