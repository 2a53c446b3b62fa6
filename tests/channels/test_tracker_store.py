"""The tracker store (bot/channels/tracker_store.py) writes and reads what Rasa's
own SQLTrackerStore does, and is what the embedded endpoints.yml runs."""
from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.tracker_store import StrictSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]


def _conversation_in_two_sessions(store, domain, sender):
    """Five saves, as turns would: a session, a restart with a new session, more turns."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet

    def user(text, intent):
        return UserUttered(text, {"name": intent, "confidence": 0.9},
                           parse_data={"text": text, "intent": {"name": intent, "confidence": 0.9},
                                       "entities": []})

    turns = [
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        [user("hvad er en snusepraktik?", "ask_question"), ActionExecuted("action_answer_question"),
         BotUttered("En snusepraktik er ..."), SlotSet("answered_article", "snusepraktik"),
         ActionExecuted("action_listen")],
        [user("tak", "thank"), ActionExecuted("utter_thank"), BotUttered("Selv tak!"),
         ActionExecuted("action_listen")],
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        [user("hej", "greet"), ActionExecuted("utter_greet"), BotUttered("Hej!"),
         ActionExecuted("action_listen")],
    ]
    for events in turns:
        tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, domain.slots)
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))


def test_our_store_writes_and_reads_what_rasas_own_does(tmp_path):
    import json

    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    rasas = SQLTrackerStore(domain, db=str(tmp_path / "rasa.db"))
    ours = StrictSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 'ours.db'}")
    for store in (rasas, ours):
        _conversation_in_two_sessions(store, domain, "c1")
        _conversation_in_two_sessions(store, domain, "c2")

    def without_time(data):
        return {k: v for k, v in data.items() if k != "timestamp"}

    def rows(path):
        query = "SELECT sender_id, type_name, intent_name, action_name, data FROM events ORDER BY id"
        with sa.create_engine(f"sqlite:///{path}").connect() as connection:
            return [(*row[:4], without_time(json.loads(row[4])))
                    for row in connection.execute(sa.text(query))]

    assert rows(tmp_path / "ours.db") == rows(tmp_path / "rasa.db")
    # Each event once; as in Rasa, the second action_session_start is written before
    # the new session's SessionStarted, so the next turn does not read it back.
    assert len(rows(tmp_path / "ours.db")) == 2 * 19
    for sender in ("c1", "c2"):
        mine, theirs = (asyncio.run(s.retrieve(sender)) for s in (ours, rasas))
        assert [without_time(e.as_dict()) for e in mine.events] == \
            [without_time(e.as_dict()) for e in theirs.events]
        assert [e.type_name for e in mine.events][:3] == ["session_started", "action", "user"]
        assert mine.get_slot("answered_article") is None  # the new session starts clean
        full = asyncio.run(ours.retrieve_full_tracker(sender))
        assert len(full.events) == 19
    assert asyncio.run(ours.retrieve("nobody")) is None


def test_the_embedded_endpoints_file_uses_our_store_in_the_var_folder(monkeypatch, tmp_path):
    from rasa.core.utils import AvailableEndpoints

    monkeypatch.setenv("KA_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("KA_TRACKER_STORE_URL", raising=False)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    store = TrackerStore.create(endpoints.tracker_store, domain=Domain.empty())
    primary = getattr(store, "_tracker_store", store)
    assert isinstance(primary, StrictSQLTrackerStore)
    assert str(primary.engine.url) == f"sqlite:///{tmp_path / 'trackers.db'}"
