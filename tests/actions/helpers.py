"""Build trackers and run actions the way the action server does, with the real domain."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))


def action_names(domain: Dict[str, Any]) -> List[str]:
    """The custom actions a domain lists: names, or {name: options} (send_domain)."""
    return [next(iter(entry)) if isinstance(entry, dict) else entry
            for entry in domain.get("actions") or []]


def tracker(text: str = "", intent: str = "", slots: Optional[Dict[str, Any]] = None,
            ranking: Optional[List[Dict[str, Any]]] = None, entities=None,
            sender_id: str = "test-user", active_loop=None, events=None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0},
              "intent_ranking": ranking or [], "entities": entities or []}
    return Tracker(sender_id, slots or {}, latest, events or [], False, None,
                   active_loop or {}, "action_listen")


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher.messages, events
