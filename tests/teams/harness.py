"""The Teams channel on a real Sanic server on loopback, registered the way Rasa
registers channels, with a fake agent instead of a trained model and the fake
Bot Framework next to it."""
from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import aiohttp
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.channels.teams.config import RetryPolicy, TeamsConfig
from bot.channels.teams.connector import TeamsInput
from bot.db import make_engine, make_session_factory
from tests.teams.fake_botframework import FakeBotFramework, free_port

APP_ID = "8b3c4a52-0f0e-4c8e-9d59-1f2a3b4c5d6e"
BOT_ID = f"28:{APP_ID}"
TENANT_ID = "0a1b2c3d-1111-2222-3333-444455556666"
PSEUDONYM_SECRET = "test-pseudonym-secret-0123456789"
INTENTS = ["greet", "help", "book_session", "ask_question", "nonsense", "inform"]

GREETING = {"text": "Hej! Jeg er Karriereassistenten.",
            "buttons": [{"title": "Book en samtale", "payload": "/book_session"},
                        {"title": "Stil et spørgsmål", "payload": "/help"}]}
Reply = List[Dict[str, Any]]


def default_replies(text: str) -> Reply:
    """Canned bot answers by what the user said (instead of a trained model)."""
    if text == "/greet":
        return [GREETING]
    if text.startswith("/book_session"):
        return [{"text": "Hvornår passer det dig?",
                 "buttons": [{"title": "Tirsdag kl. 10", "payload": "/inform{\"slot\": \"t10\"}"}]}]
    if text.startswith("/inform"):
        return [{"text": "Din samtale er booket. Se https://intra.example.dk/booking/ABC."},
                {"attachment": {"url": "https://intra.example.dk/booking/ABC.ics",
                                "title": "Kalenderfil", "label": "Hent kalenderfil"}}]
    if text == "/nonsense":
        return [{"text": "Den besked forstod jeg ikke helt."}]
    return [{"text": f"Du skrev: {text}"}]


@dataclass
class FakeAgent:
    """Stands in for rasa's Agent: knows the domain's intents, answers from a table."""

    replies: Callable[[str], Reply] = default_replies
    received: List[UserMessage] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.domain = SimpleNamespace(intents=INTENTS)

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        for reply in self.replies(message.text or ""):
            await message.output_channel.send_response(message.sender_id, dict(reply))


def make_config(fake: FakeBotFramework, **changes: Any) -> TeamsConfig:
    config = TeamsConfig(
        app_id=APP_ID, app_password="test-password", tenant_id=TENANT_ID,
        openid_url=fake.openid_url, token_url=fake.token_url,
        pseudonym_secret=PSEUDONYM_SECRET,
        key_retry_seconds=0, fetch_timeout_seconds=2, send_timeout_seconds=5,
        retry=RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05),
    )
    return dataclasses.replace(config, **changes)


class TeamsStack:
    """`async with TeamsStack(db_url) as stack:` runs fake Bot Framework + channel."""

    def __init__(self, db_url: str, *, start_fake: bool = True,
                 agent: Optional[FakeAgent] = None, extra_channels: Sequence[Any] = (),
                 fake_port: Optional[int] = None, **config_changes: Any) -> None:
        self.fake = FakeBotFramework(app_id=APP_ID, port=fake_port or free_port())
        self.config = make_config(self.fake, **config_changes)
        self.engine = make_engine(db_url)
        self.session_factory = make_session_factory(self.engine)
        self.channel = TeamsInput(self.config, session_factory=self.session_factory)
        self.agent = agent or FakeAgent()
        self.extra_channels = list(extra_channels)
        self.port = free_port()
        self._start_fake = start_fake
        self._server: Any = None
        self._http: Optional[aiohttp.ClientSession] = None

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/teams/webhook"

    async def __aenter__(self) -> "TeamsStack":
        if self._start_fake:
            await self.fake.start()
        # Several apps in one process (one per test) need Sanic's test mode,
        # as sanic-testing sets it.
        Sanic.test_mode = True
        app = Sanic(f"teams-test-{uuid.uuid4().hex[:12]}", configure_logging=False)
        app.ctx.agent = self.agent
        register([self.channel, *self.extra_channels], app, route="/webhooks/")
        self.app = app
        self._server = await app.create_server(host="127.0.0.1", port=self.port,
                                               return_asyncio_server=True, access_log=False)
        await self._server.startup()
        await self._server.before_start()
        await self._server.after_start()
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *_: Any) -> None:
        assert self._http is not None
        await self._http.close()
        await self._server.before_stop()
        self._server.close()
        await self._server.wait_closed()
        await self._server.after_stop()
        await self.fake.stop()
        self.engine.dispose()

    async def post(self, activity: Any, *, token: Optional[str] = "default",
                   authorization: Optional[str] = None, raw: Optional[bytes] = None) -> Tuple[int, Any]:
        """POST an activity as Bot Framework would; returns (status, JSON body or None)."""
        headers = {"Content-Type": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        elif token is not None:
            if token == "default":
                service_url = activity.get("serviceUrl") if isinstance(activity, dict) else None
                token = self.fake.channel_token(service_url=service_url)
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else _json_bytes(activity)
        assert self._http is not None
        async with self._http.post(self.webhook_url, data=data, headers=headers) as response:
            body = await response.json(content_type=None) if await response.read() else None
            return response.status, body

    async def settle(self) -> None:
        """Wait until the turns started by the posted activities are done."""
        await self.channel.drain(timeout=5)


def _json_bytes(activity: Any) -> bytes:
    import json

    return json.dumps(activity).encode()


# --- activities as Teams sends them ------------------------------------------------
USER_A = {"id": "29:1user-a-teams-id", "name": "Anne Andersen",
          "aadObjectId": "a1a1a1a1-0000-4000-8000-00000000000a"}
USER_B = {"id": "29:1user-b-teams-id", "name": "Bo Bertelsen",
          "aadObjectId": "b2b2b2b2-0000-4000-8000-00000000000b"}
CONVERSATION_A = "a:1personal-chat-of-anne"
CONVERSATION_B = "a:1personal-chat-of-bo"


def activity(kind: str, fake: FakeBotFramework, *, user: Dict[str, str] = USER_A,
             conversation: str = CONVERSATION_A, conversation_type: str = "personal",
             **fields: Any) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "type": kind,
        "id": uuid.uuid4().hex,
        "timestamp": "2026-05-14T08:00:00.000Z",
        "channelId": "msteams",
        "serviceUrl": fake.service_url,
        "from": dict(user),
        "conversation": {"id": conversation, "conversationType": conversation_type,
                         "tenantId": TENANT_ID},
        "recipient": {"id": BOT_ID, "name": "Karriereassistenten"},
        "channelData": {"tenant": {"id": TENANT_ID}},
        "locale": "da-DK",
    }
    body.update(fields)
    return body


def message(fake: FakeBotFramework, text: str = "", **fields: Any) -> Dict[str, Any]:
    return activity("message", fake, text=text, **fields)


def bot_added(fake: FakeBotFramework, **fields: Any) -> Dict[str, Any]:
    return activity("conversationUpdate", fake, membersAdded=[{"id": BOT_ID}], **fields)
