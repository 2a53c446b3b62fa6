"""Persistence helpers shared by the handoff use cases: row <-> dataclass, the
queries that find a case, and the plumbing (clock, transaction). Functions take
an open session; the use cases own the transaction.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from sqlalchemy import and_, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import DatabaseUnavailable, transaction
from bot.handoff.domain import (
    LIVE_STATES,
    Author,
    CaseKind,
    CaseMessage,
    CaseNotFound,
    CaseState,
    CaseSummary,
    CaseTicket,
    Event,
)
from bot.handoff.codes import display_code
from bot.handoff.models import CaseRow, MessageRow

UTC = timezone.utc
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def to_db(moment: datetime) -> datetime:
    """Aware -> naive UTC, as stored."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_db(moment: Optional[datetime]) -> Optional[datetime]:
    return None if moment is None else moment.replace(tzinfo=UTC)


@dataclass
class Store:
    """The session factory and clock every use case needs."""

    session_factory: sessionmaker
    clock: Clock = field(default=system_clock)

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock must return aware datetimes")
        return moment.astimezone(UTC)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        try:
            with transaction(self.session_factory) as session:
                yield session
        except OperationalError as error:
            raise DatabaseUnavailable(str(error.orig)) from error


# ---------------------------------------------------------------- lookups


def case_by_number(session: Session, case_number: int, *, lock: bool = False) -> CaseRow:
    query = select(CaseRow).where(CaseRow.id == int(case_number))
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise CaseNotFound(f"no case {case_number}")
    return row


def case_by_code(session: Session, code: str) -> CaseRow:
    row = session.execute(select(CaseRow).where(CaseRow.code == code)).scalar_one_or_none()
    if row is None:
        raise CaseNotFound("no case with that code")
    return row


def live_case(session: Session, sender_id: str) -> Optional[CaseRow]:
    """The sender's waiting or active live case, if any."""
    return session.execute(
        select(CaseRow).where(
            CaseRow.sender_id == sender_id,
            CaseRow.state.in_([s.value for s in LIVE_STATES]),
        )
    ).scalar_one_or_none()


def latest_missed_case(session: Session, sender_id: str) -> Optional[CaseRow]:
    return session.execute(
        select(CaseRow)
        .where(CaseRow.sender_id == sender_id, CaseRow.state == CaseState.MISSED.value)
        .order_by(CaseRow.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def add_line(
    session: Session,
    case: CaseRow,
    now: datetime,
    author: Author,
    event: Event = Event.TEXT,
    text: Optional[str] = None,
    *,
    counsellor_id: Optional[str] = None,
    before_handoff: bool = False,
) -> MessageRow:
    line = MessageRow(
        case_id=case.id, author=author.value, event=event.value, text=text,
        counsellor_id=counsellor_id, before_handoff=before_handoff, created_at=to_db(now),
    )
    session.add(line)
    session.flush()
    return line


# ---------------------------------------------------------------- views


def ticket(row: CaseRow) -> CaseTicket:
    return CaseTicket(row.id, display_code(row.code), CaseKind(row.kind), CaseState(row.state))


def message(row: MessageRow) -> CaseMessage:
    return CaseMessage(
        id=row.id,
        author=Author(row.author),
        event=Event(row.event),
        text=row.text,
        counsellor_id=row.counsellor_id,
        created_at=from_db(row.created_at),
        before_handoff=bool(row.before_handoff),
        delivered=row.delivered_at is not None,
    )


def _employee_lines():
    return and_(
        MessageRow.author == Author.EMPLOYEE.value,
        MessageRow.event == Event.TEXT.value,
        MessageRow.before_handoff.is_(False),
    )


def employee_activity(
    session: Session, rows: Iterable[CaseRow]
) -> Dict[int, Tuple[int, Optional[datetime]]]:
    """case id -> (employee lines after the holder's last look, time of the last one)."""
    rows = list(rows)
    if not rows:
        return {}
    seen = {row.id: row.seen_up_to or 0 for row in rows}
    result: Dict[int, Tuple[int, Optional[datetime]]] = {row.id: (0, None) for row in rows}
    lines = session.execute(
        select(MessageRow.case_id, MessageRow.id, MessageRow.created_at)
        .where(MessageRow.case_id.in_(list(seen)), _employee_lines())
    ).all()
    for case_id, line_id, created_at in lines:
        unread, last = result[case_id]
        unread += 1 if line_id > seen[case_id] else 0
        created = from_db(created_at)
        result[case_id] = (unread, created if last is None or created > last else last)
    return result


def summary(row: CaseRow, activity: Tuple[int, Optional[datetime]] = (0, None)) -> CaseSummary:
    return CaseSummary(
        case_number=row.id,
        kind=CaseKind(row.kind),
        state=CaseState(row.state),
        created_at=from_db(row.created_at),
        updated_at=from_db(row.updated_at),
        counsellor_id=row.counsellor_id,
        consent=bool(row.consent),
        unread=activity[0],
        last_employee_message_at=activity[1],
    )


def summaries(session: Session, rows: List[CaseRow]) -> Tuple[CaseSummary, ...]:
    activity = employee_activity(session, rows)
    return tuple(summary(row, activity[row.id]) for row in rows)


def lines_of(session: Session, case_id: int, after_id: int = 0) -> List[MessageRow]:
    return list(
        session.execute(
            select(MessageRow)
            .where(MessageRow.case_id == case_id, MessageRow.id > after_id)
            .order_by(MessageRow.id)
        ).scalars()
    )


def last_line_id(session: Session, case_id: int) -> int:
    value = session.execute(
        select(func.max(MessageRow.id)).where(MessageRow.case_id == case_id)
    ).scalar()
    return int(value or 0)
