"""A real Sanic app with the console blueprint on a loopback port, real services
on a migrated SQLite database, and fakes for the channel side (push and the
assistant) and for the knowledge base."""
from __future__ import annotations

import asyncio
import re
import shutil
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import requests
from argon2 import PasswordHasher
from sanic import Sanic

from bot.console.auth import AccountStore
from bot.console.delivery import Pushers
from bot.console.gateway import HandoffGateway
from bot.console.web import ConsoleDeps, console_blueprint
from bot.db import make_engine, make_session_factory
from bot.handoff import CounsellorDesk, HandoffConfig, HandoffService
from bot.settings import Settings

# Several apps in one process (one per test): Sanic then keeps its request
# handler source untouched between apps (see sanic.touchup.TouchUp.run).
Sanic.test_mode = True

PASSWORD = "korrekt-hest-batteri"
ANNE, BO = "anne", "bo"
SENDER = "0123456789abcdef0123456789abcdef"


class OpenHours:
    def is_open(self, now: datetime) -> bool:
        return True

    def next_opening(self, now: datetime) -> Optional[datetime]:
        return None


@dataclass
class FakePusher:
    acknowledge: bool = True
    replies: List[Tuple[str, Dict[str, Any]]] = field(default_factory=list)
    states: List[Tuple[str, Optional[str]]] = field(default_factory=list)

    async def push_reply(self, recipient: str, payload: Dict[str, Any]) -> bool:
        self.replies.append((recipient, dict(payload)))
        return self.acknowledge

    async def push_state(self, recipient: str, state: Optional[str]) -> None:
        self.states.append((recipient, state))


@dataclass
class FakeAssistant:
    runs: List[Tuple[str, str, str]] = field(default_factory=list)

    async def run(self, recipient: str, channel: str, action_name: str) -> bool:
        self.runs.append((recipient, channel, action_name))
        return True


@dataclass
class FakeReport:
    articles: int
    skipped: tuple = ()
    warnings: tuple = ()


@dataclass
class FakeArticle:
    slug: str
    title: str
    area: str
    owner: str
    last_reviewed: Any


class FakeKnowledge:
    def __init__(self) -> None:
        from datetime import date

        self.reloads = 0
        self.requested = 0
        self._articles = [FakeArticle("snusepraktik", "Hvad er en snusepraktik?", "karrierekontor",
                                      "Karrierekontoret", date(2026, 11, 1))]
        self.last_report = FakeReport(1)

    def articles(self) -> List[FakeArticle]:
        return list(self._articles)

    def request_everywhere(self) -> None:
        self.requested += 1

    def reload(self) -> FakeReport:
        self.reloads += 1
        self.last_report = FakeReport(len(self._articles))
        return self.last_report


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """Runs a Sanic app on 127.0.0.1:<port> in a background thread."""

    def __init__(self, app: Sanic) -> None:
        self.app = app
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False))
        self.loop.run_until_complete(server.startup())
        self.loop.run_until_complete(server.before_start())
        self.loop.run_until_complete(server.after_start())
        self.server = server
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> "ServerThread":
        self._thread.start()
        assert self._ready.wait(10), "console test server did not start"
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            self.server.close()
            await self.server.wait_closed()
            await self.server.before_stop()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@dataclass
class Console:
    url: str
    deps: ConsoleDeps
    service: HandoffService
    pusher: FakePusher
    assistant: FakeAssistant
    knowledge: FakeKnowledge
    app: Sanic

    def client(self) -> requests.Session:
        return requests.Session()

    def login(self, username: str = ANNE, password: str = PASSWORD) -> requests.Session:
        session = self.client()
        response = self.post_login(session, username, password)
        assert response.status_code == 303, response.text
        return session

    def post_login(self, session: requests.Session, username: str, password: str) -> requests.Response:
        page = session.get(f"{self.url}/konsol/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return session.post(f"{self.url}/konsol/login", allow_redirects=False,
                            data={"csrf_token": token, "username": username, "password": password})

    def csrf(self, session: requests.Session, path: str = "/konsol/") -> str:
        page = session.get(f"{self.url}{path}")
        return re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)

    def post(self, session: requests.Session, path: str, data: Optional[Dict[str, str]] = None,
             csrf: bool = True) -> requests.Response:
        body = dict(data or {})
        if csrf:
            body["csrf_token"] = self.csrf(session)
        return session.post(f"{self.url}{path}", data=body, allow_redirects=False)


@pytest.fixture
def console(tmp_path: Path, migrated_template: Path) -> Iterator[Console]:
    from bot.applications import ApplicationService
    from bot.booking import BookingService, load_booking_config
    from bot.knowledge.feedback import FeedbackStore

    path = tmp_path / "karriere.db"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    config = HandoffConfig(live_channels=("webchat",))
    service = HandoffService(factory, OpenHours(), config)
    desk = CounsellorDesk(factory, config)
    accounts = AccountStore(factory, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts.create_account(ANNE, "Anne Rådgiver", "raadgiver-1", PASSWORD)
    accounts.create_account(BO, "Bo Rådgiver", "raadgiver-2", PASSWORD)
    pusher, assistant, knowledge = FakePusher(), FakeAssistant(), FakeKnowledge()
    booking_config = load_booking_config(Path(__file__).resolve().parents[2] / "config" / "counsellors.yml")
    deps = ConsoleDeps(
        accounts=accounts, desk=desk,
        gateway=HandoffGateway(service, Pushers({"webchat": pusher}), assistant),
        bookings=BookingService(factory, booking_config, secret_key="test"),
        applications=ApplicationService(factory, Settings.from_env({})),
        feedback=FeedbackStore(factory),
        knowledge=lambda: knowledge,
        request_knowledge_reload=knowledge.request_everywhere,
        counsellor_names={"raadgiver-1": "Anne Rådgiver", "raadgiver-2": "Bo Rådgiver"},
    )
    app = Sanic(f"konsol_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(console_blueprint(deps), url_prefix="/konsol")
    server = ServerThread(app).start()
    try:
        yield Console(f"http://127.0.0.1:{server.port}", deps, service, pusher, assistant, knowledge, app)
    finally:
        server.stop()
        engine.dispose()


@pytest.fixture
def waiting_case(console: Console):
    console.deps.desk.heartbeat("raadgiver-1", available=True)
    return console.service.request_live(SENDER, "webchat", consent=False)
