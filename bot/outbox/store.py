"""Outbox persistence: enqueue inside the caller's transaction, and the claim /
mark statements the dispatcher runs in its own short transactions.

Claiming is atomic, so two dispatchers (threads, processes or replicas) never
hold the same message at once:
- PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, then UPDATE of those rows;
- SQLite (and others): one conditional UPDATE ... WHERE id IN (due rows) that
  stamps a fresh claim token; SQLite runs a write statement under its single
  write lock, so the condition and the stamp cannot interleave.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.outbox.clock import to_db
from bot.outbox.models import MAX_ERROR_LENGTH, MAX_KIND_LENGTH, OutboxMessage

M = OutboxMessage


@dataclass(frozen=True)
class ClaimedMessage:
    id: int
    kind: str
    payload: Dict[str, Any]
    attempts: int
    claim_token: str
    claimed_until: datetime  # naive UTC, as stored


def enqueue(session: Session, kind: str, payload: Mapping[str, Any],
            *, now: Optional[datetime] = None) -> int:
    """Add a notice to the outbox within the caller's open transaction.

    The notice commits or rolls back together with the business change in the
    same session. The payload must be JSON-serialisable and should hold no
    personal data (it is kept until purged). Returns the message id.
    """
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise ValueError(f"outbox kind must be 1-{MAX_KIND_LENGTH} characters: {kind!r}")
    body = json.loads(json.dumps(dict(payload)))  # fails here, inside the transaction
    moment = to_db(now) if now is not None else to_db(datetime.utcnow())
    message = M(kind=kind, payload=body, created_at=moment, attempts=0, next_attempt_at=moment)
    session.add(message)
    session.flush()
    return int(message.id)


def _due(now: datetime):
    return and_(
        M.delivered_at.is_(None),
        M.failed_at.is_(None),
        M.next_attempt_at <= now,
        or_(M.claimed_until.is_(None), M.claimed_until < now),
    )


def claim_due(session: Session, now: datetime, lease: timedelta, limit: int) -> List[ClaimedMessage]:
    """Claim up to `limit` due messages for this caller until now + lease."""
    now = to_db(now)
    token = uuid.uuid4().hex
    until = now + lease
    due_ids = (
        select(M.id).where(_due(now)).order_by(M.next_attempt_at, M.id).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.execute(due_ids.with_for_update(skip_locked=True)).scalars())
        if not ids:
            return []
        session.execute(
            update(M).where(M.id.in_(ids)).values(claimed_until=until, claim_token=token)
            .execution_options(synchronize_session=False)
        )
    else:
        session.execute(
            update(M)
            .where(M.id.in_(due_ids.scalar_subquery()), _due(now))
            .values(claimed_until=until, claim_token=token)
            .execution_options(synchronize_session=False)
        )
    rows = session.execute(
        select(M.id, M.kind, M.payload, M.attempts).where(M.claim_token == token).order_by(M.id)
    ).all()
    return [ClaimedMessage(r.id, r.kind, r.payload, r.attempts, token, until) for r in rows]


def mark_delivered(session: Session, message_id: int, now: datetime) -> bool:
    """Record a successful send, whoever holds the claim now (it was sent)."""
    result = session.execute(
        update(M)
        .where(M.id == message_id, M.delivered_at.is_(None))
        .values(delivered_at=to_db(now), attempts=M.attempts + 1, claimed_until=None,
                claim_token=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_failed(session: Session, message: ClaimedMessage, error: str,
                next_attempt_at: Optional[datetime], now: datetime) -> bool:
    """Record a failed send: retry at `next_attempt_at`, or give up when it is None.
    Does nothing if another dispatcher has taken the claim over meanwhile."""
    values: Dict[str, Any] = dict(
        attempts=M.attempts + 1, claimed_until=None, claim_token=None,
        last_error=error[:MAX_ERROR_LENGTH],
    )
    if next_attempt_at is None:
        values["failed_at"] = to_db(now)
    else:
        values["next_attempt_at"] = to_db(next_attempt_at)
    result = session.execute(
        update(M)
        .where(M.id == message.id, M.claim_token == message.claim_token, M.delivered_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release(session: Session, messages: List[ClaimedMessage]) -> None:
    """Give back claims that were not used (no attempt is counted)."""
    for message in messages:
        session.execute(
            update(M)
            .where(M.id == message.id, M.claim_token == message.claim_token)
            .values(claimed_until=None, claim_token=None)
            .execution_options(synchronize_session=False)
        )


def counts(session: Session) -> Dict[str, int]:
    """{'pending': .., 'delivered': .., 'failed': ..} for monitoring."""
    pending = session.execute(
        select(func.count()).select_from(M).where(M.delivered_at.is_(None), M.failed_at.is_(None))
    ).scalar_one()
    delivered = session.execute(
        select(func.count()).select_from(M).where(M.delivered_at.is_not(None))
    ).scalar_one()
    failed = session.execute(
        select(func.count()).select_from(M).where(M.failed_at.is_not(None))
    ).scalar_one()
    return {"pending": int(pending), "delivered": int(delivered), "failed": int(failed)}


def purge_delivered(session: Session, before: datetime) -> int:
    """Delete messages delivered before `before`; returns how many."""
    result = session.execute(
        delete(M).where(M.delivered_at.is_not(None), M.delivered_at < to_db(before))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
