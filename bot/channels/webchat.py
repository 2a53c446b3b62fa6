"""The intranet web chat: the socket.io channel plus the page that talks to it.

Replaces Rasa's stock socketio channel (same events, same /socket.io path) with:
- server-issued, signed session ids: a client cannot pick or join another's
  session, and a reload in the same tab resumes the same conversation;
- the text guard (bot.channels.guard) on every message;
- the page itself at /chat/ (static files, no build step, nothing from a CDN).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.guard import clean_user_text
from bot.settings import Settings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def sign_session(session_id: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), session_id.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{session_id}.{mac}"


def verify_session(token: Any, secret: str) -> Optional[str]:
    """The session id inside a token we signed, or None for anything else."""
    if not isinstance(token, str) or token.count(".") != 1:
        return None
    session_id, _ = token.split(".")
    if len(session_id) != 32 or not hmac.compare_digest(sign_session(session_id, secret), token):
        return None
    return session_id


class WebChatInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "webchat"

    def url_prefix(self) -> Text:
        # Absolute, so Rasa mounts the page at /chat instead of /webhooks/webchat.
        return "/chat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            True,
            credentials.get("socketio_path", "/socket.io"),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = Settings.from_env()
        secret = settings.secret_key
        # --- production profile (issue 8): with several Rasa replicas, a push
        # (a bot answer, a counsellor's reply) must reach the client on whichever
        # replica holds its socket, so emits go through Redis when KA_REDIS_URL is set.
        extra = {}
        if settings.redis_url:
            from socketio import AsyncRedisManager

            extra["client_manager"] = AsyncRedisManager(settings.redis_url)
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], **extra)
        self.sio = sio
        page = SocketBlueprint(sio, self.socketio_path, "webchat", __name__)

        @page.route("/", methods=["GET"])
        async def index(_: Request) -> HTTPResponse:
            return await response.file(STATIC_DIR / "index.html",
                                       headers=_SECURITY_HEADERS)

        page.static("/static", str(STATIC_DIR), name="webchat_static")

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            session_id = verify_session(token, secret) or uuid.uuid4().hex
            await sio.save_session(sid, {"session_id": session_id}, namespace=self.namespace)
            await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", sign_session(session_id, secret), room=sid,
                           namespace=self.namespace)
            # --- handoff hook (owned by the handoff feature): show the handoff state
            # and deliver counsellor replies that waited while the page was closed.
            gateway = self._handoff_gateway()
            if gateway is not None:
                await gateway.on_session(session_id)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            session = await sio.get_session(sid, namespace=self.namespace)
            session_id = session.get("session_id") if session else None
            if not session_id:
                await sio.emit("session_required", {}, room=sid, namespace=self.namespace)
                return
            raw = data.get("message") if isinstance(data, dict) else None
            # --- handoff hook (owned by the handoff feature): during a live handoff
            # the message goes to the counsellor, not to the NLU (None = taken).
            gateway = self._handoff_gateway()
            if gateway is not None:
                raw = await gateway.intercept(session_id, raw)
                if raw is None:
                    return
            text = clean_user_text(raw, self._known_intents())
            output = SocketIOOutput(sio, self.bot_message_evt)
            try:
                await on_new_message(
                    UserMessage(text, output, session_id, input_channel=self.name())
                )
                if gateway is not None:  # --- handoff hook: did this turn start or end one?
                    await gateway.after_turn(session_id)
            except Exception:
                logger.exception("web chat message could not be handled")
                await sio.emit("server_error", {}, room=session_id, namespace=self.namespace)

        @sio.on("handoff_received", namespace=self.namespace)
        async def handoff_received(sid: Text, data: Any) -> None:
            # --- handoff hook (owned by the handoff feature): the page has a
            # counsellor's reply, so it no longer waits for redelivery.
            session = await sio.get_session(sid, namespace=self.namespace)
            gateway = self._handoff_gateway()
            if session and session.get("session_id") and gateway is not None:
                await gateway.confirm(session["session_id"], data)

        @page.listener("before_server_start")
        async def remember_domain(app: Any, _loop: Any) -> None:
            self._app = app

        @page.listener("after_server_start")
        async def listen_to_queue(_app: Any, _loop: Any) -> None:
            # python-socketio starts listening to the Redis queue only at the
            # first page connecting to this replica; until then a counsellor's
            # reply emitted here for a page on another replica never got the
            # page's acknowledgement back (bot.console.delivery).
            if settings.redis_url and not sio.manager_initialized:
                sio.manager_initialized = True
                sio.manager.initialize()

        return page

    def _handoff_gateway(self) -> Any:
        """The handoff gateway the console channel puts on the app (None without it)."""
        return getattr(getattr(getattr(self, "_app", None), "ctx", None), "handoff_gateway", None)

    def _known_intents(self) -> frozenset:
        agent = getattr(getattr(getattr(self, "_app", None), "ctx", None), "agent", None)
        domain = getattr(agent, "domain", None)
        return frozenset(domain.intents) if domain else frozenset()


_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; "
        "img-src 'self' data:; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
