"""Use cases on the counsellors' side: presence, the queues, reading a case,
taking it (or explicitly taking it over from a colleague), replying, handing
the conversation back to the assistant and closing.

Every action names the counsellor doing it (the logged-in console account's
counsellor id) and is recorded as a line of the case. Only the counsellor who
holds a case may reply on it, hand it back or close it. Nothing returned to the
console holds the employee's channel id; `Delivery` and `Recipient` (for the
channel layer) are the only exceptions.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.handoff import repository as repo
from bot.handoff.domain import (
    REPLY_STATES,
    Author,
    CaseClosed,
    CaseDetail,
    CaseMessage,
    CaseNotTaken,
    CaseState,
    CaseSummary,
    CaseTakenByOther,
    Delivery,
    EmptyMessage,
    Event,
    IllegalCaseTransition,
    Queues,
    Recipient,
)
from bot.handoff.models import CaseRow, MessageRow, PresenceRow
from bot.handoff.repository import Clock, system_clock, to_db
from bot.handoff.service import HandoffConfig, clean_text

_MESSAGE_STATES = (CaseState.MISSED.value, CaseState.OPEN.value, CaseState.ANSWERED.value)


class CounsellorDesk:
    def __init__(
        self,
        session_factory: sessionmaker,
        config: HandoffConfig = HandoffConfig(),
        clock: Clock = system_clock,
    ) -> None:
        self._store = repo.Store(session_factory, clock)
        self.config = config

    # ------------------------------------------------------------ presence

    def heartbeat(self, counsellor_id: str, available: Optional[bool] = None) -> bool:
        """The console page is open; optionally set "ready for chat". Returns the flag."""
        _require(counsellor_id)
        now = to_db(self._store.now())
        try:
            return self._beat(counsellor_id, available, now)
        except IntegrityError:
            # The page's first heartbeat and a click on "ready" can both find no
            # row (a counsellor's first login): the insert that lost is an update now.
            return self._beat(counsellor_id, available, now)

    def _beat(self, counsellor_id: str, available: Optional[bool], now: datetime) -> bool:
        with self._store.transaction() as session:
            row = session.get(PresenceRow, counsellor_id)
            if row is None:
                row = PresenceRow(counsellor_id=counsellor_id, available=bool(available),
                                  heartbeat_at=now)
                session.add(row)
            else:
                row.heartbeat_at = now
                if available is not None:
                    row.available = available
            return bool(row.available)

    def go_offline(self, counsellor_id: str) -> None:
        """Logged out: no longer counted as present."""
        with self._store.transaction() as session:
            row = session.get(PresenceRow, counsellor_id)
            if row is not None:
                row.available = False

    def is_available(self, counsellor_id: str) -> bool:
        with self._store.transaction() as session:
            row = session.get(PresenceRow, counsellor_id)
            return bool(row and row.available)

    # ------------------------------------------------------------ reading

    def queues(self) -> Queues:
        """Live cases waiting (oldest first) and active, and left messages not closed."""
        since = to_db(self._store.now() - timedelta(seconds=self.config.heartbeat_seconds))
        with self._store.transaction() as session:
            def rows(states, newest_first=False):
                order = CaseRow.id.desc() if newest_first else CaseRow.id
                return list(session.execute(
                    select(CaseRow).where(CaseRow.state.in_(states)).order_by(order)
                ).scalars())

            present = tuple(session.execute(
                select(PresenceRow.counsellor_id)
                .where(PresenceRow.available.is_(True), PresenceRow.heartbeat_at >= since)
                .order_by(PresenceRow.counsellor_id)
            ).scalars())
            return Queues(
                waiting=repo.summaries(session, rows([CaseState.WAITING.value])),
                active=repo.summaries(session, rows([CaseState.ACTIVE.value])),
                messages=repo.summaries(session, rows(_MESSAGE_STATES, newest_first=True)),
                available_counsellors=present,
            )

    def case(self, case_number: int, counsellor_id: str, after_id: int = 0) -> CaseDetail:
        """A case with its lines (only those after `after_id` when given).

        The conversation before the handoff is there only if the employee
        consented (nothing else was stored). Opening a case you hold marks its
        lines as seen.
        """
        _require(counsellor_id)
        with self._store.transaction() as session:
            row = repo.case_by_number(session, case_number)
            lines = repo.lines_of(session, row.id, after_id)
            if row.counsellor_id == counsellor_id and lines:
                row.seen_up_to = max(row.seen_up_to or 0, lines[-1].id)
            activity = repo.employee_activity(session, [row])[row.id]
            return CaseDetail(repo.summary(row, activity), tuple(repo.message(l) for l in lines))

    def lines(self, case_number: int, counsellor_id: str, after_id: int = 0) -> List[CaseMessage]:
        return list(self.case(case_number, counsellor_id, after_id).messages)

    # ------------------------------------------------------------ acting

    def take(self, case_number: int, counsellor_id: str, *, take_over: bool = False) -> CaseSummary:
        """Take a case: a waiting live case becomes active with you; a left
        message becomes yours to answer. A case another counsellor holds needs
        `take_over=True` (recorded as such). Raises CaseClosed, CaseTakenByOther.
        """
        _require(counsellor_id)
        now = self._store.now()
        with self._store.transaction() as session:
            row = repo.case_by_number(session, case_number, lock=True)
            state, holder = CaseState(row.state), row.counsellor_id
            if state is CaseState.CLOSED:
                raise CaseClosed(row.id)
            if holder == counsellor_id:
                return repo.summary(row)
            if holder is not None and not take_over:
                raise CaseTakenByOther(row.id, holder)
            target = {CaseState.WAITING: CaseState.ACTIVE, CaseState.MISSED: CaseState.OPEN}.get(
                state, state)
            # Conditional: if a colleague took it a moment ago, we do not overwrite them.
            claimed = session.execute(
                update(CaseRow)
                .where(CaseRow.id == row.id, CaseRow.state == state.value,
                       CaseRow.counsellor_id.is_(None) if holder is None
                       else CaseRow.counsellor_id == holder)
                .values(state=target.value, counsellor_id=counsellor_id, updated_at=to_db(now),
                        seen_up_to=repo.last_line_id(session, row.id))
                .execution_options(synchronize_session=False)
            ).rowcount
            if not claimed:
                session.refresh(row)
                raise CaseTakenByOther(row.id, row.counsellor_id or "")
            session.refresh(row)
            event = Event.TAKEN if holder is None else Event.TAKEN_OVER
            repo.add_line(session, row, now, Author.SYSTEM, event, counsellor_id=counsellor_id)
            return repo.summary(row)

    def reply(self, case_number: int, counsellor_id: str, text: Optional[str]) -> Delivery:
        """Write to the employee on a case you hold. The line is stored as
        undelivered until the channel confirms it (or the employee reads it
        with the case code). Raises EmptyMessage, CaseClosed, CaseNotTaken,
        CaseTakenByOther.
        """
        _require(counsellor_id)
        cleaned = clean_text(text, self.config.max_reply_chars)
        if not cleaned:
            raise EmptyMessage()
        now = self._store.now()
        with self._store.transaction() as session:
            row = self._held(session, case_number, counsellor_id)
            state = CaseState(row.state)
            if state not in REPLY_STATES:
                raise IllegalCaseTransition(row.id, state, CaseState.ANSWERED)
            line = repo.add_line(session, row, now, Author.COUNSELLOR, Event.TEXT, cleaned,
                                 counsellor_id=counsellor_id)
            if state is CaseState.OPEN:
                row.state = CaseState.ANSWERED.value
            row.updated_at = to_db(now)
            row.seen_up_to = line.id
            return Delivery(line.id, row.id, row.sender_id or "", row.channel, cleaned)

    def hand_back(self, case_number: int, counsellor_id: str) -> Recipient:
        """End an active live handoff you hold; the assistant takes over again."""
        _require(counsellor_id)
        now = self._store.now()
        with self._store.transaction() as session:
            row = self._held(session, case_number, counsellor_id)
            if row.state != CaseState.ACTIVE.value:
                raise IllegalCaseTransition(row.id, CaseState(row.state), CaseState.CLOSED)
            self._close(session, row, now, Event.HANDED_BACK, counsellor_id)
            return Recipient(row.id, row.sender_id or "", row.channel, Event.HANDED_BACK)

    def close(self, case_number: int, counsellor_id: str) -> Optional[Recipient]:
        """Close a case (a waiting one nobody should take, or a dealt-with message).

        A case held by a colleague must be taken over first. Returns a
        Recipient when the employee was still in a live handoff (the assistant
        takes over again), else None.
        """
        _require(counsellor_id)
        now = self._store.now()
        with self._store.transaction() as session:
            row = repo.case_by_number(session, case_number, lock=True)
            if row.state == CaseState.CLOSED.value:
                raise CaseClosed(row.id)
            if row.counsellor_id not in (None, counsellor_id):
                raise CaseTakenByOther(row.id, row.counsellor_id)
            was_live = row.state in (CaseState.WAITING.value, CaseState.ACTIVE.value)
            self._close(session, row, now, Event.CLOSED, counsellor_id)
            if was_live:
                return Recipient(row.id, row.sender_id or "", row.channel, Event.CLOSED)
            return None

    def purge_closed(self, older_than_days: int) -> int:
        """Delete cases closed more than `older_than_days` ago (lines included)."""
        cutoff = to_db(self._store.now() - timedelta(days=older_than_days))
        with self._store.transaction() as session:
            ids = list(session.execute(
                select(CaseRow.id).where(CaseRow.state == CaseState.CLOSED.value,
                                         CaseRow.closed_at < cutoff)
            ).scalars())
            if ids:
                session.execute(delete(MessageRow).where(MessageRow.case_id.in_(ids))
                                .execution_options(synchronize_session=False))
                session.execute(delete(CaseRow).where(CaseRow.id.in_(ids))
                                .execution_options(synchronize_session=False))
            return len(ids)

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _held(session, case_number: int, counsellor_id: str) -> CaseRow:
        row = repo.case_by_number(session, case_number, lock=True)
        if row.state == CaseState.CLOSED.value:
            raise CaseClosed(row.id)
        if row.counsellor_id is None:
            raise CaseNotTaken(row.id)
        if row.counsellor_id != counsellor_id:
            raise CaseTakenByOther(row.id, row.counsellor_id)
        return row

    @staticmethod
    def _close(session, row: CaseRow, now, event: Event, counsellor_id: str) -> None:
        row.state = CaseState.CLOSED.value
        row.closed_at = row.updated_at = to_db(now)
        repo.add_line(session, row, now, Author.SYSTEM, event, counsellor_id=counsellor_id)


def _require(counsellor_id: str) -> None:
    if not counsellor_id:
        raise ValueError("counsellor_id is required")
