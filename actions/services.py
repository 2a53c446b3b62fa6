"""Composition root of the action server: builds each service once, on first use,
from Settings (environment). Actions get their service from here; tests replace
them with fakes through `override`."""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict

from bot.db import make_engine, make_session_factory
from bot.settings import Settings

_lock = threading.Lock()
_instances: Dict[str, Any] = {}
_builders: Dict[str, Callable[[Settings, Any], Any]] = {}


def register(name: str):
    """Decorator for a builder `fn(settings, session_factory) -> service`."""
    def wrap(fn: Callable[[Settings, Any], Any]):
        _builders[name] = fn
        return fn
    return wrap


def get(name: str) -> Any:
    with _lock:
        if name not in _instances:
            settings = Settings.from_env()
            if "_session_factory" not in _instances:
                _instances["_session_factory"] = make_session_factory(
                    make_engine(settings.database_url)
                )
            _instances[name] = _builders[name](settings, _instances["_session_factory"])
        return _instances[name]


def override(name: str, instance: Any) -> None:
    """Use `instance` for `name` (tests)."""
    with _lock:
        _instances[name] = instance


def reset() -> None:
    with _lock:
        _instances.clear()
