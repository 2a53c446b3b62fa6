"""Retention: closed applications lose their personal data after a while.

Wiped: name, e-mail, motivation, department texts, the period as written and
every free-text reason (a coordinator may have written a name in one). Kept
for statistics: state, kind, dates, profession and workplace keys, desired
specialty, years in the specialty and the guideline flags. An audit row by
"system" records the anonymisation. Idempotent: anonymised rows are skipped.
"""
from __future__ import annotations

from datetime import datetime
from typing import List

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.applications.orm import ApplicationEventRow, ApplicationRow
from bot.applications.states import CLOSED_STATES, SYSTEM_ACTOR

BATCH_SIZE = 500
ANONYMISED_REASON = "personal data removed after the retention period"


def anonymise_closed(session: Session, *, cutoff: datetime, now: datetime) -> int:
    """Anonymise up to BATCH_SIZE applications closed before `cutoff` (naive UTC)."""
    rows = session.execute(
        select(ApplicationRow.id, ApplicationRow.state)
        .where(
            ApplicationRow.state.in_([s.value for s in CLOSED_STATES]),
            ApplicationRow.closed_at < cutoff,
            ApplicationRow.anonymised_at.is_(None),
        )
        .order_by(ApplicationRow.id)
        .limit(BATCH_SIZE)
    ).all()
    if not rows:
        return 0
    ids: List[int] = [r.id for r in rows]
    session.execute(
        update(ApplicationRow)
        .where(ApplicationRow.id.in_(ids), ApplicationRow.anonymised_at.is_(None))
        .values(name=None, email=None, motivation=None, current_department=None,
                desired_department=None, period_text=None, state_reason=None,
                anonymised_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ApplicationEventRow)
        .where(ApplicationEventRow.application_id.in_(ids))
        .values(reason=None)
        .execution_options(synchronize_session=False)
    )
    session.add_all(
        ApplicationEventRow(application_id=r.id, at=now, actor=SYSTEM_ACTOR, from_state=r.state,
                            to_state=r.state, reason=ANONYMISED_REASON)
        for r in rows
    )
    return len(rows)
