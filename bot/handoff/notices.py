"""The Teams notice about a new case: a formatting helper with the only Danish
text of this package (read by counsellors in their Teams channel).

No personal data: the case number and where to look, nothing the employee wrote.
Written to the outbox in the same transaction as the case (bot.outbox.enqueue).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict

from sqlalchemy.orm import Session

from bot.handoff.domain import CaseKind
from bot.outbox import enqueue

NOTICE_KIND = "handoff.requested"


def notice_payload(case_number: int, kind: CaseKind) -> Dict[str, Any]:
    if kind is CaseKind.LIVE:
        title = f"Sag {case_number}: en medarbejder vil gerne skrive med en rådgiver nu"
    else:
        title = f"Sag {case_number}: en medarbejder har lagt en besked"
    return {"case_number": case_number, "kind": kind.value, "title": title, "text": "Se konsollen."}


def announce(session: Session, case_number: int, kind: CaseKind, now: datetime) -> int:
    """Enqueue the notice inside the caller's transaction; returns the outbox id."""
    return enqueue(session, NOTICE_KIND, notice_payload(case_number, kind), now=now)
