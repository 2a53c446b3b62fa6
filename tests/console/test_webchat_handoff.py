"""The web chat channel and the console gateway together, over a real
socket.io connection on loopback (no Rasa model needed): during a handoff the
NLU never sees the employee's messages, replies arrive live and are confirmed
by the page, and a reply sent while the page was closed arrives on reconnect."""
from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
import socketio
from sanic import Sanic

from bot.channels.webchat import WebChatInput
from bot.console.delivery import Pushers, WebChatPusher
from bot.console.gateway import HandoffGateway
from bot.db import make_engine, make_session_factory
from bot.handoff import CounsellorDesk, HandoffConfig, HandoffService
from tests.console.conftest import FakeAssistant, OpenHours, ServerThread
from tests.redis_server import redis_url  # noqa: F401  (fixture)


class Page:
    """A socket.io client that behaves like webchat.js: asks for a session,
    and acknowledges counsellor replies once it has them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = socketio.AsyncClient(reconnection=False)
        self.token: Any = None
        self.replies: List[Dict[str, Any]] = []
        self.states: List[str] = []
        self.confirmed = asyncio.Event()

        @self.client.on("session_confirm")
        async def confirm(token: str) -> None:
            self.token = token
            self.confirmed.set()

        @self.client.on("bot_uttered")
        async def uttered(message: Dict[str, Any]) -> bool:
            self.replies.append(message)
            return True

        @self.client.on("handoff_state")
        async def state(message: Dict[str, Any]) -> None:
            self.states.append(message["state"])

    async def open(self, token: Any = None) -> str:
        await self.client.connect(self.url, transports=["polling"], wait_timeout=10)
        await self.client.emit("session_request", {"session_id": token})
        await asyncio.wait_for(self.confirmed.wait(), 10)
        return self.token

    @property
    def session_id(self) -> str:
        return self.token.split(".")[0]

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text})

    async def close(self, server: ServerThread, sio: Any) -> None:
        """The tab is closed: the server drops the socket (a client-side polling
        disconnect would wait out the long-poll)."""
        sid = self.client.get_sid()
        await on_server(server, sio.disconnect(sid))
        await eventually(lambda: not self.client.connected)
        await self.client.disconnect()


@pytest.fixture
def stack(tmp_path, migrated_template, monkeypatch):
    monkeypatch.setenv("KA_SECRET_KEY", "test-secret")
    path = tmp_path / "k.db"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    config = HandoffConfig()
    service, desk = HandoffService(factory, OpenHours(), config), CounsellorDesk(factory, config)
    desk.heartbeat("raadgiver-1", available=True)
    to_nlu: List[str] = []

    async def on_new_message(message) -> None:
        to_nlu.append(message.text)

    channel = WebChatInput.from_credentials({})
    app = Sanic(f"webchat_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/chat")
    gateway = HandoffGateway(service, Pushers({"webchat": WebChatPusher(channel.sio, channel.namespace)}),
                             FakeAssistant())
    app.ctx.handoff_gateway = gateway
    app.ctx.agent = SimpleNamespace(domain=SimpleNamespace(intents=["end_handoff"]))
    server = ServerThread(app).start()
    yield f"http://127.0.0.1:{server.port}", server, service, desk, gateway, to_nlu, channel
    server.stop()
    engine.dispose()


async def on_server(server: ServerThread, coro):
    """Run `coro` on the server's loop without blocking the page's loop."""
    return await asyncio.wait_for(
        asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, server.loop)), 20)


async def eventually(check, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_a_handoff_over_a_real_socket(stack):
    url, server, service, desk, gateway, to_nlu, channel = stack

    async def scenario() -> None:
        page = Page(url)
        token = await page.open()
        await page.say("hvad er en snusepraktik")
        await eventually(lambda: to_nlu == ["hvad er en snusepraktik"])

        case = service.request_live(page.session_id, "webchat", consent=False)
        await page.say("Jeg har brug for at tale med nogen")
        await eventually(lambda: any(m.text for m in desk.lines(case.case_number, "raadgiver-1")))
        assert to_nlu == ["hvad er en snusepraktik"]  # the NLU never saw it

        desk.take(case.case_number, "raadgiver-1")
        await on_server(server, gateway.case_changed(case.case_number))
        await eventually(lambda: page.states[-1:] == ["active"])
        reply = desk.reply(case.case_number, "raadgiver-1", "Hej, jeg er her nu.")
        assert await on_server(server, gateway.deliver(reply)) is True
        assert page.replies[-1]["text"] == "Hej, jeg er her nu." and page.replies[-1]["from_counsellor"]

        await page.close(server, channel.sio)  # the browser is closed
        late = desk.reply(case.case_number, "raadgiver-1", "Skriv, når du er tilbage.")
        assert await on_server(server, gateway.deliver(late)) is False
        assert [d.text for d in service.undelivered_for(page.session_id)] == ["Skriv, når du er tilbage."]

        again = Page(url)
        await again.open(token)  # same tab, same session
        await eventually(lambda: any(r.get("text") == "Skriv, når du er tilbage." for r in again.replies))
        await eventually(lambda: service.undelivered_for(again.session_id) == [])
        assert again.states[0] == "active"

        await again.say("afslut")
        await eventually(lambda: to_nlu[-1:] == ["/end_handoff"])
        await again.close(server, channel.sio)

    asyncio.run(scenario())


def test_a_page_confirms_a_reply_it_got_through_another_replica(stack):
    url, server, service, desk, gateway, to_nlu, channel = stack

    async def scenario() -> None:
        page, stranger = Page(url), Page(url)
        await page.open()
        await stranger.open()
        case = service.request_live(page.session_id, "webchat", consent=False)
        desk.take(case.case_number, "raadgiver-1")
        reply = desk.reply(case.case_number, "raadgiver-1", "Hej")
        # Someone else's page cannot mark it as received ...
        await stranger.client.emit("handoff_received", {"case_message_id": reply.message_id})
        await asyncio.sleep(0.3)
        assert [d.message_id for d in service.undelivered_for(page.session_id)] == [reply.message_id]
        # ... the employee's own page can (this is how a reply emitted through
        # the Redis queue from another replica gets confirmed).
        await page.client.emit("handoff_received", {"case_message_id": reply.message_id})
        await eventually(lambda: service.undelivered_for(page.session_id) == [])
        await page.close(server, channel.sio)
        await stranger.close(server, channel.sio)

    asyncio.run(scenario())


class QueueServer:
    """An AsyncServer with a message-queue manager and no local sockets: every
    reply goes through the queue; `answer` is what the page on another replica
    acknowledges (None: no page anywhere)."""

    def __init__(self, answer: Any) -> None:
        from socketio.async_pubsub_manager import AsyncPubSubManager

        class QueueManager(AsyncPubSubManager):
            def get_participants(self, namespace, room):
                return iter(())

        self.manager = QueueManager.__new__(QueueManager)
        self.manager.callbacks = {}
        self.answer = answer
        self.emitted = []

    async def emit(self, event, data, room=None, namespace=None, callback=None):
        self.emitted.append((event, data, room))
        # Like AsyncPubSubManager.emit: the callback waits under an id for the room.
        self.manager.callbacks.setdefault(room, {0: None})[1] = callback
        if self.answer is not None:  # the other replica returns the page's ack
            asyncio.get_running_loop().call_later(0.01, callback, self.answer)


def test_with_a_message_queue_a_page_on_another_replica_confirms_the_reply_at_once():
    server = QueueServer(answer=True)
    confirmed = asyncio.run(WebChatPusher(server).push_reply("s" * 32, {"text": "Hej", "case_message_id": 7}))
    assert confirmed is True  # the console says "sent", not "stored"
    assert server.emitted == [("bot_uttered", {"text": "Hej", "case_message_id": 7}, "s" * 32)]


def test_with_a_message_queue_a_reply_nobody_acknowledges_stays_stored_and_is_forgotten():
    server = QueueServer(answer=None)
    started = time.monotonic()
    confirmed = asyncio.run(WebChatPusher(server, ack_timeout=0.2).push_reply(
        "s" * 32, {"text": "Hej", "case_message_id": 7}))
    assert confirmed is False  # stored: sent again when the page reconnects
    assert time.monotonic() - started < 2
    assert server.manager.callbacks["s" * 32] == {0: None}  # no callback left behind


def test_with_redis_a_page_on_another_replica_confirms_a_reply_at_once(redis_url, monkeypatch):
    """Two web chat replicas sharing Redis, as in the production profile: a reply
    pushed on replica 0 for a page on replica 1 is acknowledged through the
    queue, even though no page ever connected to replica 0."""
    monkeypatch.setenv("KA_SECRET_KEY", "test-secret")
    monkeypatch.setenv("KA_REDIS_URL", redis_url)

    async def on_new_message(message) -> None:
        return None

    replicas = []
    for _ in range(2):
        channel = WebChatInput.from_credentials({})
        app = Sanic(f"webchat_replica_{uuid.uuid4().hex[:8]}")
        app.blueprint(channel.blueprint(on_new_message), url_prefix="/chat")
        app.ctx.agent = SimpleNamespace(domain=SimpleNamespace(intents=[]))
        replicas.append((ServerThread(app).start(), channel))

    async def scenario() -> None:
        (server0, channel0), (server1, channel1) = replicas
        page = Page(f"http://127.0.0.1:{server1.port}")
        await page.open()
        pusher = WebChatPusher(channel0.sio, channel0.namespace)
        payload = {"text": "Hej fra en anden replika", "from_counsellor": True, "case_message_id": 3}
        assert await on_server(server0, pusher.push_reply(page.session_id, payload)) is True
        assert page.replies[-1]["text"] == "Hej fra en anden replika"
        await page.close(server1, channel1.sio)

    try:
        asyncio.run(scenario())
    finally:
        for server, _ in replicas:
            server.stop()
