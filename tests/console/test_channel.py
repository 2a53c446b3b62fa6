"""The console as a Rasa channel: built from the environment, mounted at
/konsol, and wired to the web chat it pushes replies through."""
from __future__ import annotations

import shutil
from types import SimpleNamespace

from bot.channels.webchat import WebChatInput
from bot.console.channel import ConsoleInput, build_deps, wire
from bot.console.delivery import WebChatPusher
from bot.settings import Settings


def settings_for(tmp_path, migrated_template) -> Settings:
    path = tmp_path / "k.db"
    shutil.copy(migrated_template, path)
    return Settings.from_env({"KA_DATABASE_URL": f"sqlite:///{path}", "KA_VAR_DIR": str(tmp_path)})


def test_the_console_is_built_from_the_environment(tmp_path, migrated_template):
    deps = build_deps(settings_for(tmp_path, migrated_template))
    assert deps.bookings is not None and deps.applications is not None and deps.feedback is not None
    assert deps.name_of("raadgiver-2").startswith("Karriererådgiver 2")
    assert deps.secure_cookies is None  # http on a laptop; Secure follows the request


def test_an_https_address_makes_the_cookies_secure(tmp_path, migrated_template):
    settings = settings_for(tmp_path, migrated_template)
    settings = Settings.from_env({"KA_DATABASE_URL": settings.database_url,
                                  "KA_PUBLIC_BASE_URL": "https://karriere.regionh.dk"})
    assert build_deps(settings).secure_cookies is True


def test_it_mounts_at_konsol():
    assert ConsoleInput().url_prefix() == "/konsol" and ConsoleInput.name() == "konsol"


def test_wiring_finds_the_web_chat_and_exposes_the_gateway(tmp_path, migrated_template, monkeypatch):
    monkeypatch.setenv("KA_SECRET_KEY", "test")
    deps = build_deps(settings_for(tmp_path, migrated_template))
    web_chat = WebChatInput.from_credentials({})
    web_chat.blueprint(lambda message: None)  # creates its socket.io server
    app = SimpleNamespace(ctx=SimpleNamespace(input_channels=[web_chat]))
    gateway = wire(app, deps)
    assert app.ctx.handoff_gateway is gateway
    assert isinstance(gateway.pushers.for_recipient("a" * 32, "webchat"), WebChatPusher)
    assert gateway.pushers.for_recipient("teams-abc") is not None
    assert gateway.assistant is not None
