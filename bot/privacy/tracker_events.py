"""Deleting conversation events from Rasa's SQL tracker store.

Rasa's SQLTrackerStore (rasa/core/tracker_store.py, 3.6) keeps every event of
every conversation as one row of the table `events`:

    id         integer primary key (grows with time)
    sender_id  varchar(255), indexed: the channel's conversation id
    type_name  varchar(255): user, bot, action, slot, session_started, ...
    timestamp  float: seconds since the epoch (UTC) when the event happened
    intent_name, action_name  varchar(255)
    data       text: the whole event as JSON, including what the user wrote

This module only needs `id`, `sender_id` and `timestamp`, so it declares a
minimal table and works with SQLAlchemy Core on any dialect Rasa supports
(tested on SQLite and PostgreSQL). It imports nothing from Rasa. When Rasa has
not created the table yet there is nothing to delete, which is not an error.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, and_, delete, func, inspect, select
from sqlalchemy.engine import Engine

EVENTS_TABLE = "events"
DEFAULT_BATCH = 5000

_metadata = MetaData()
events = Table(
    EVENTS_TABLE,
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("timestamp", Float),
)


class TrackerEvents:
    """Retention and erasure on the `events` table of one tracker-store database."""

    def __init__(self, engine: Engine, batch_size: int = DEFAULT_BATCH) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.engine = engine
        self.batch_size = batch_size

    def exists(self) -> bool:
        return inspect(self.engine).has_table(EVENTS_TABLE)

    def count_older_than(self, cutoff: float) -> int:
        """How many events happened before `cutoff` (epoch seconds)."""
        if not self.exists():
            return 0
        with self.engine.connect() as connection:
            return int(connection.execute(
                select(func.count()).select_from(events).where(events.c.timestamp < cutoff)
            ).scalar() or 0)

    def count_for(self, sender_id: str) -> int:
        if not self.exists():
            return 0
        with self.engine.connect() as connection:
            return int(connection.execute(
                select(func.count()).select_from(events).where(events.c.sender_id == sender_id)
            ).scalar() or 0)

    def delete_older_than(self, cutoff: float) -> int:
        """Delete every event that happened before `cutoff` (epoch seconds); returns how many.

        One scan finds the id range of old events; then windows of `batch_size`
        ids are deleted in their own short transactions (primary-key range
        scans), so a large table is never locked for long and the loop is
        bounded by the size of that range.
        """
        if not self.exists():
            return 0
        with self.engine.connect() as connection:
            low, high = connection.execute(
                select(func.min(events.c.id), func.max(events.c.id))
                .where(events.c.timestamp < cutoff)
            ).one()
        if low is None:
            return 0
        deleted = 0
        start = int(low)
        while start <= int(high):
            end = start + self.batch_size
            with self.engine.begin() as connection:
                result = connection.execute(
                    delete(events).where(and_(events.c.id >= start, events.c.id < end,
                                              events.c.timestamp < cutoff))
                )
                deleted += int(result.rowcount or 0)
            start = end
        return deleted

    def erase(self, sender_id: str) -> int:
        """Delete every event of one conversation; returns how many."""
        if not self.exists():
            return 0
        with self.engine.begin() as connection:
            result = connection.execute(delete(events).where(events.c.sender_id == sender_id))
            return int(result.rowcount or 0)


def oldest_timestamp(engine: Engine) -> Optional[float]:
    """The time of the oldest event still stored (None when there is none)."""
    if not inspect(engine).has_table(EVENTS_TABLE):
        return None
    with engine.connect() as connection:
        value = connection.execute(select(func.min(events.c.timestamp))).scalar()
    return None if value is None else float(value)
