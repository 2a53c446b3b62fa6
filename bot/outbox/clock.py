"""Time for the outbox and the features that use it: an injectable clock that
returns aware UTC datetimes, and the conversion to the naive-UTC values stored
in the database (SQLite keeps no time zone, so every column holds UTC)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Optional

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(timezone.utc)


def to_db(moment: datetime) -> datetime:
    """Aware (any zone) or naive-UTC datetime -> naive UTC for a DateTime column."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def from_db(moment: Optional[datetime]) -> Optional[datetime]:
    """Naive UTC from a DateTime column -> aware UTC (None stays None)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
