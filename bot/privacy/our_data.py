"""Conversation-linked rows in *our* database (KA_DATABASE_URL) that retention
and erasure must reach besides Rasa's tracker store:

- handoff cases and their lines (bot.handoff): retention uses the handoff
  feature's own use case, CounsellorDesk.purge_closed; erasure of one
  conversation deletes its cases through the handoff tables.
  TODO(handoff owner): an `erase_sender(sender_id)` use case in bot.handoff
  would let this module stop touching the handoff tables directly.
- Teams conversation references (bot.channels.teams): where to post replies
  for a pseudonymous sender; erasure forgets it (ReferenceStore.forget).

Bookings, applications, knowledge feedback and the outbox hold no conversation
id (see docs/data-protection.md), so nothing else is keyed by the sender id.
Tables that do not exist yet (a feature not migrated) are skipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import sessionmaker

from bot.db import transaction


@dataclass(frozen=True)
class HandoffErasure:
    cases: int = 0
    lines: int = 0


def _has_tables(session_factory: sessionmaker, *names: str) -> bool:
    bind = session_factory.kw["bind"]
    inspector = inspect(bind)
    return all(inspector.has_table(name) for name in names)


def purge_closed_handoffs(session_factory: sessionmaker, older_than_days: int,
                          clock: Optional[Callable] = None) -> Optional[int]:
    """Delete handoff cases closed more than `older_than_days` ago, lines included.

    Returns how many cases, or None when the handoff tables do not exist.
    """
    if not _has_tables(session_factory, "handoff_cases", "handoff_messages"):
        return None
    from bot.handoff.desk import CounsellorDesk

    desk = CounsellorDesk(session_factory) if clock is None else CounsellorDesk(session_factory, clock=clock)
    return desk.purge_closed(older_than_days)


def erase_handoffs(session_factory: sessionmaker, sender_id: str) -> Optional[HandoffErasure]:
    """Delete every handoff case of one conversation (any state) with all its lines.

    A live handoff in progress ends with it: the employee asked for erasure.
    Returns None when the handoff tables do not exist.
    """
    if not _has_tables(session_factory, "handoff_cases", "handoff_messages"):
        return None
    from bot.handoff.models import CaseRow, MessageRow

    with transaction(session_factory) as session:
        ids = list(session.execute(select(CaseRow.id).where(CaseRow.sender_id == sender_id)).scalars())
        if not ids:
            return HandoffErasure()
        lines = session.execute(
            delete(MessageRow).where(MessageRow.case_id.in_(ids))
            .execution_options(synchronize_session=False)
        ).rowcount
        cases = session.execute(
            delete(CaseRow).where(CaseRow.id.in_(ids)).execution_options(synchronize_session=False)
        ).rowcount
        return HandoffErasure(cases=int(cases or 0), lines=int(lines or 0))


def forget_teams_reference(session_factory: sessionmaker, sender_id: str) -> Optional[bool]:
    """Forget where the sender's Teams chat is; None when the Teams tables do not exist."""
    if not _has_tables(session_factory, "teams_conversation_references"):
        return None
    from bot.channels.teams.references import ReferenceStore

    return ReferenceStore(session_factory).forget(sender_id)


def sender_for_case_code(session_factory: sessionmaker, code: str) -> Optional[str]:
    """The conversation id behind a handoff case code (the one handle a web chat
    employee keeps); None when no such case exists or it was purged.
    Raises bot.handoff.InvalidCaseCode for text that is not code-shaped."""
    if not _has_tables(session_factory, "handoff_cases"):
        return None
    from bot.handoff.codes import normalize_case_code
    from bot.handoff.models import CaseRow

    normalized = normalize_case_code(code)
    with transaction(session_factory) as session:
        return session.execute(select(CaseRow.sender_id).where(CaseRow.code == normalized)).scalar_one_or_none()
