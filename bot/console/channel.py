"""Mounts the console at /konsol inside the Rasa server, as a custom input
channel (Rasa 3.6 has no other plug-in point for routes on its server):

    # credentials.yml
    bot.console.channel.ConsoleInput: {}

At start-up it builds the services from Settings (environment), finds the web
chat channel's socket.io server for pushing replies, puts the HandoffGateway on
`app.ctx.handoff_gateway` (the web chat's hook calls it), and starts the sweeper
that tells employees when nobody took their handoff in time.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import jinja2
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint

from bot.console.auth import AccountStore
from bot.console.bridge import RasaAssistant
from bot.console.delivery import Pushers, TeamsPusher, WebChatPusher, find_send_proactive
from bot.console.gateway import HandoffGateway
from bot.console.web import PREFIX, TEMPLATES, ConsoleDeps, console_blueprint
from bot.db import make_engine, make_session_factory
from bot.handoff.factory import build_handoff
from bot.settings import Settings

logger = logging.getLogger(__name__)


def _plain_label() -> Callable[[str], str]:
    """The line a Teams user sees for a counsellor's reply (text in templates/push/)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=False)
    template = env.get_template("push/teams_reply.txt")
    return lambda text: template.render(text=text).strip()


def build_deps(settings: Settings) -> ConsoleDeps:
    """The console's services, built once at start-up from the environment."""
    session_factory = make_session_factory(make_engine(settings.database_url))
    service, desk = build_handoff(settings, session_factory)
    deps = ConsoleDeps(
        accounts=AccountStore(session_factory, session_hours=settings.console_session_hours),
        desk=desk,
        gateway=HandoffGateway(service),
        secure_cookies=True if settings.public_base_url.startswith("https://") else None,
    )
    names: Dict[str, str] = {}
    try:
        from bot.booking import BookingService, load_booking_config

        config = load_booking_config(settings.booking_config)
        names.update({c.id: c.name for c in config.counsellors})
        deps.bookings = BookingService(session_factory, config, secret_key=settings.secret_key)
    except Exception:  # noqa: BLE001 - the page says bookings are not set up
        logger.exception("console: bookings are not available")
    try:
        from bot.applications import ApplicationService

        deps.applications = ApplicationService(session_factory, settings)
    except Exception:  # noqa: BLE001
        logger.exception("console: applications are not available")
    try:
        from bot.knowledge.feedback import FeedbackStore

        from bot.knowledge.refresh import request_reload

        deps.feedback = FeedbackStore(session_factory)
        deps.knowledge = _lazy_knowledge(settings)
        deps.request_knowledge_reload = lambda: request_reload(settings.knowledge_dir)
    except Exception:  # noqa: BLE001
        logger.exception("console: the knowledge base is not available")
    try:
        names.update({a.counsellor_id: a.name for a in deps.accounts.accounts()})
    except Exception:  # noqa: BLE001 - tables not migrated yet; names from the config
        logger.warning("console: accounts could not be read (run python -m bot.cli migrate)")
    deps.counsellor_names = names
    return deps


def _lazy_knowledge(settings: Settings) -> Callable[[], Any]:
    """The KnowledgeBase of this process, loaded when the page first needs it."""
    holder: Dict[str, Any] = {}

    def get() -> Any:
        if "kb" not in holder:
            from bot.knowledge import KnowledgeBase

            kb = KnowledgeBase(settings.knowledge_dir, settings.public_base_url)
            kb.reload()
            holder["kb"] = kb
        return holder["kb"]

    return get


def _channel(app: Any, kind: type) -> Optional[Any]:
    for channel in getattr(app.ctx, "input_channels", None) or []:
        if isinstance(channel, kind):
            return channel
    return None


def _web_chat(app: Any) -> Optional[Any]:
    from bot.channels.webchat import WebChatInput

    channel = _channel(app, WebChatInput)
    return channel if getattr(channel, "sio", None) is not None else None


def wire(app: Any, deps: ConsoleDeps) -> HandoffGateway:
    """Connect the gateway to the running Rasa server: push channels and the assistant."""
    gateway = deps.gateway
    pushers = Pushers()
    web_chat = _web_chat(app)
    if web_chat is not None:
        pushers.register("webchat", WebChatPusher(web_chat.sio, web_chat.namespace))
    else:
        logger.warning("console: no web chat channel: counsellor replies wait for the case code")
    send_proactive = find_send_proactive()
    pushers.register("teams", TeamsPusher(send_proactive, _plain_label()))

    def output_for(recipient: str, channel: str) -> Optional[OutputChannel]:
        if channel == "webchat" and web_chat is not None:
            return SocketIOOutput(web_chat.sio, web_chat.bot_message_evt)
        if (channel == "teams" or recipient.startswith("teams-")) and send_proactive is not None:
            return ProactiveOutput(send_proactive)
        return None

    try:  # one knowledge base per process: the one behind the /viden pages
        from bot.channels.knowledge_pages import KnowledgePages

        pages = _channel(app, KnowledgePages)
        if pages is not None:
            deps.knowledge = pages.knowledge
    except ImportError:
        pass

    gateway.pushers = pushers
    gateway.assistant = RasaAssistant(app, output_for)
    app.ctx.handoff_gateway = gateway
    return gateway


class ProactiveOutput(OutputChannel):
    """Adapter point: the assistant's messages to a Teams user via send_proactive."""

    def __init__(self, send: Callable[[str, str], Any]) -> None:
        self._send = send

    @classmethod
    def name(cls) -> Text:
        return "teams"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        result = self._send(recipient_id, text)
        if asyncio.iscoroutine(result):
            await result


class ConsoleInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "konsol"

    def url_prefix(self) -> Text:
        return PREFIX  # absolute, so Rasa mounts it at /konsol, not /webhooks/konsol

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        deps = build_deps(Settings.from_env())
        bp = console_blueprint(deps)
        stop = asyncio.Event()

        @bp.listener("before_server_start")
        async def connect(app: Any, _loop: Any) -> None:
            wire(app, deps)

        @bp.listener("after_server_start")
        async def start_sweeper(app: Any, _loop: Any) -> None:
            app.add_task(deps.gateway.run_sweeper(stop))

        @bp.listener("before_server_stop")
        async def stop_sweeper(_app: Any, _loop: Any) -> None:
            stop.set()

        return bp
