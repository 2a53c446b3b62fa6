"""Reference numbers: SP-<year>-<number>, e.g. SP-2026-0042.

The number comes from a per-year counter row in the database, incremented
inside the submitting transaction, so it is unique and gap-free across any
number of server replicas: the UPDATE locks the year's row (PostgreSQL) or the
database (SQLite) until the transaction ends. A rolled-back submission gives
its number back.
"""
from __future__ import annotations

import re
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.applications.orm import ReferenceSequenceRow

PREFIX = "SP"
_REFERENCE = re.compile(r"^\s*sp\s*[-–/ ]?\s*(\d{4})\s*[-–/ ]?\s*(\d{1,6})\s*$", re.IGNORECASE)


def format_reference(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:04d}"


def normalise_reference(text: Optional[str]) -> Optional[str]:
    """'sp-2026-42', 'SP 2026 0042', 'sp2026-0042' -> 'SP-2026-0042'; None if not a reference."""
    match = _REFERENCE.match(text or "")
    if match is None:
        return None
    return format_reference(int(match.group(1)), int(match.group(2)))


def next_reference(session: Session, year: int) -> str:
    """Take the next number of `year` within the caller's transaction.

    Call it first in the transaction: on SQLite the INSERT takes the write
    lock at once, so concurrent submitters queue instead of failing.
    """
    table = ReferenceSequenceRow.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(
            postgresql.insert(table).values(year=year, last_value=0).on_conflict_do_nothing()
        )
    elif dialect == "sqlite":
        session.execute(sqlite.insert(table).values(year=year, last_value=0).on_conflict_do_nothing())
    elif session.get(ReferenceSequenceRow, year) is None:  # pragma: no cover - other databases
        session.add(ReferenceSequenceRow(year=year, last_value=0))
        session.flush()
    session.execute(
        update(table).where(table.c.year == year).values(last_value=table.c.last_value + 1)
    )
    number = session.execute(select(table.c.last_value).where(table.c.year == year)).scalar_one()
    return format_reference(year, int(number))
