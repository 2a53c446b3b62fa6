"""Use cases on the employee's side of a handoff: is a counsellor there, start a
live handoff, messages while it runs, end it, leave a message, read answers
with the case code, and the replies still waiting to be delivered.

The employee is known only by the channel's sender id (a random web chat
session id or a keyed Teams pseudonym); no name is asked for or stored.
One short transaction per use case; database errors surface as
bot.db.DatabaseUnavailable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.handoff import repository as repo
from bot.handoff.codes import new_case_code, normalize_case_code
from bot.handoff.commands import clean_employee_text
from bot.handoff.domain import (
    Answer,
    Author,
    Availability,
    AvailabilityStatus,
    CaseKind,
    CaseReading,
    CaseState,
    CaseTicket,
    Contact,
    Delivery,
    EmptyMessage,
    Event,
    LiveChannelNotSupported,
    NoCounsellorAvailable,
    OutsideOpeningHours,
    Recipient,
    TranscriptLine,
)
from bot.handoff.hours import OpeningHours
from bot.handoff.models import CaseRow, MessageRow, PresenceRow
from bot.handoff.notices import announce
from bot.handoff.repository import Clock, from_db, system_clock, to_db

_CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class HandoffConfig:
    wait_minutes: int = 3
    heartbeat_seconds: int = 90
    live_channels: Tuple[str, ...] = ("webchat",)
    max_message_chars: int = 2000
    max_reply_chars: int = 4000
    transcript_lines: int = 40

    @classmethod
    def from_settings(cls, settings) -> "HandoffConfig":
        return cls(
            wait_minutes=settings.handoff_wait_minutes,
            heartbeat_seconds=settings.handoff_heartbeat_seconds,
            live_channels=tuple(settings.handoff_live_channels),
        )


def clean_text(text: Optional[str], limit: int) -> str:
    """Trimmed text, cut to `limit` characters; '' for None or blank."""
    return (text or "").strip()[:limit]


class HandoffService:
    """The employee-side use cases.

    `hours` says when the counsellors work (bot.handoff.hours.CounsellorHours
    from the booking config, or AlwaysOpen); `clock` returns an aware datetime.
    """

    def __init__(
        self,
        session_factory: sessionmaker,
        hours: OpeningHours,
        config: HandoffConfig = HandoffConfig(),
        clock: Clock = system_clock,
    ) -> None:
        self._store = repo.Store(session_factory, clock)
        self.hours = hours
        self.config = config

    # ------------------------------------------------------------ availability

    def present_counsellors(self) -> Tuple[str, ...]:
        """Counsellors marked ready for chat whose console sent a heartbeat recently."""
        since = to_db(self._store.now() - timedelta(seconds=self.config.heartbeat_seconds))
        with self._store.transaction() as session:
            return tuple(session.execute(
                select(PresenceRow.counsellor_id)
                .where(PresenceRow.available.is_(True), PresenceRow.heartbeat_at >= since)
                .order_by(PresenceRow.counsellor_id)
            ).scalars())

    def availability(self, channel: Optional[str]) -> Availability:
        """Can a counsellor write with the employee in `channel` right now?"""
        if channel not in self.config.live_channels:
            return Availability(AvailabilityStatus.NOT_LIVE_CHANNEL)
        now = self._store.now()
        if not self.hours.is_open(now):
            return Availability(AvailabilityStatus.CLOSED, self.hours.next_opening(now))
        if not self.present_counsellors():
            return Availability(AvailabilityStatus.NOBODY)
        return Availability(AvailabilityStatus.AVAILABLE)

    # ------------------------------------------------------------ live handoff

    def request_live(
        self,
        sender_id: str,
        channel: str,
        *,
        consent: bool,
        transcript: Sequence[TranscriptLine] = (),
    ) -> CaseTicket:
        """Open a live case waiting for a counsellor (or return the one already open).

        With `consent`, the last lines of `transcript` (the conversation so far)
        are shared with the counsellor; without it nothing before now is kept.
        Raises LiveChannelNotSupported, OutsideOpeningHours, NoCounsellorAvailable.
        """
        if not sender_id:
            raise ValueError("sender_id is required")
        availability = self.availability(channel)
        if availability.status is AvailabilityStatus.NOT_LIVE_CHANNEL:
            raise LiveChannelNotSupported(channel)
        if availability.status is AvailabilityStatus.CLOSED:
            raise OutsideOpeningHours(availability.opens_at)
        if availability.status is AvailabilityStatus.NOBODY:
            raise NoCounsellorAvailable()
        lines = list(transcript)[-self.config.transcript_lines:] if consent else []
        for attempt in range(_CODE_ATTEMPTS):
            try:
                return self._open_live(sender_id, channel, consent, lines)
            except IntegrityError:
                # Either this sender got a live case meanwhile (return it), or
                # the random code collided (try another one).
                with self._store.transaction() as session:
                    existing = repo.live_case(session, sender_id)
                    if existing is not None:
                        return repo.ticket(existing)
                if attempt == _CODE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _open_live(self, sender_id: str, channel: str, consent: bool,
                   lines: List[TranscriptLine]) -> CaseTicket:
        now = self._store.now()
        with self._store.transaction() as session:
            existing = repo.live_case(session, sender_id)
            if existing is not None:
                return repo.ticket(existing)
            case = self._new_case(session, CaseKind.LIVE, CaseState.WAITING, sender_id, channel,
                                  consent, now)
            for line in lines:
                text = clean_text(line.text, self.config.max_message_chars)
                if text and line.author in (Author.EMPLOYEE, Author.ASSISTANT):
                    repo.add_line(session, case, now, line.author, Event.TEXT, text,
                                  before_handoff=True)
            announce(session, case.id, CaseKind.LIVE, now)
            return repo.ticket(case)

    @staticmethod
    def _new_case(session, kind: CaseKind, state: CaseState, sender_id: str, channel: str,
                  consent: bool, now) -> CaseRow:
        case = CaseRow(
            kind=kind.value, state=state.value, code=new_case_code(), sender_id=sender_id,
            channel=(channel or "")[:32], consent=consent, seen_up_to=0,
            created_at=to_db(now), updated_at=to_db(now),
        )
        session.add(case)
        session.flush()
        return case

    def live_state(self, sender_id: str) -> Optional[CaseState]:
        """WAITING or ACTIVE while the sender's messages go to the counsellors, else None."""
        with self._store.transaction() as session:
            case = repo.live_case(session, sender_id)
            return CaseState(case.state) if case is not None else None

    def record_employee_message(self, sender_id: str, text: Optional[str]) -> bool:
        """Store what the employee wrote if they are in a live handoff.

        Returns False when there is no live case (the message is the assistant's).
        """
        cleaned = clean_text(clean_employee_text(text), self.config.max_message_chars)
        now = self._store.now()
        with self._store.transaction() as session:
            case = repo.live_case(session, sender_id)
            if case is None:
                return False
            if cleaned:
                repo.add_line(session, case, now, Author.EMPLOYEE, Event.TEXT, cleaned)
                case.updated_at = to_db(now)
            return True

    def end_by_employee(self, sender_id: str) -> Optional[CaseTicket]:
        """The employee ends their live handoff; None if there was none."""
        now = self._store.now()
        with self._store.transaction() as session:
            case = repo.live_case(session, sender_id)
            if case is None:
                return None
            case.state = CaseState.CLOSED.value
            case.closed_at = case.updated_at = to_db(now)
            repo.add_line(session, case, now, Author.SYSTEM, Event.ENDED_BY_EMPLOYEE)
            return repo.ticket(case)

    def expire_waiting(self) -> List[Recipient]:
        """Live cases nobody took within `wait_minutes` become MISSED.

        Each case is claimed with a conditional UPDATE, so with several
        replicas sweeping at once every case is reported exactly once.
        """
        now = self._store.now()
        cutoff = to_db(now - timedelta(minutes=self.config.wait_minutes))
        expired: List[Recipient] = []
        with self._store.transaction() as session:
            candidates = session.execute(
                select(CaseRow.id).where(CaseRow.state == CaseState.WAITING.value,
                                         CaseRow.created_at < cutoff)
            ).scalars().all()
            for case_id in candidates:
                claimed = session.execute(
                    update(CaseRow)
                    .where(CaseRow.id == case_id, CaseRow.state == CaseState.WAITING.value)
                    .values(state=CaseState.MISSED.value, updated_at=to_db(now))
                    .execution_options(synchronize_session=False)
                ).rowcount
                if claimed:
                    case = repo.case_by_number(session, case_id)
                    repo.add_line(session, case, now, Author.SYSTEM, Event.EXPIRED)
                    expired.append(Recipient(case.id, case.sender_id or "", case.channel,
                                             Event.EXPIRED))
        return expired

    # ------------------------------------------------------------ left messages

    def leave_message(self, sender_id: str, channel: str, text: Optional[str]) -> CaseTicket:
        """Leave a message for the counsellors; the ticket's code reads the answer later.

        A handoff nobody took in time (MISSED) becomes the message's case, so
        its code and the conversation shared with consent stay together.
        Raises EmptyMessage.
        """
        cleaned = clean_text(clean_employee_text(text), self.config.max_message_chars)
        if not cleaned:
            raise EmptyMessage()
        now = self._store.now()
        for attempt in range(_CODE_ATTEMPTS):
            try:
                with self._store.transaction() as session:
                    case = repo.live_case(session, sender_id) if sender_id else None
                    if case is None and sender_id:
                        case = repo.latest_missed_case(session, sender_id)
                        if case is not None:
                            case.state = CaseState.OPEN.value
                            repo.add_line(session, case, now, Author.SYSTEM, Event.MESSAGE_LEFT)
                            announce(session, case.id, CaseKind.MESSAGE, now)
                    if case is None:
                        case = self._new_case(session, CaseKind.MESSAGE, CaseState.OPEN,
                                              sender_id, channel, False, now)
                        repo.add_line(session, case, now, Author.SYSTEM, Event.MESSAGE_LEFT)
                        announce(session, case.id, CaseKind.MESSAGE, now)
                    repo.add_line(session, case, now, Author.EMPLOYEE, Event.TEXT, cleaned)
                    case.updated_at = to_db(now)
                    return repo.ticket(case)
            except IntegrityError:
                if attempt == _CODE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def read_case(self, code: str) -> CaseReading:
        """The counsellors' answers on the case with `code`; they count as delivered now.

        Raises InvalidCaseCode (not code-shaped) and CaseNotFound.
        """
        normalized = normalize_case_code(code)
        now = self._store.now()
        with self._store.transaction() as session:
            case = repo.case_by_code(session, normalized)
            lines = session.execute(
                select(MessageRow)
                .where(MessageRow.case_id == case.id,
                       MessageRow.author == Author.COUNSELLOR.value,
                       MessageRow.event == Event.TEXT.value)
                .order_by(MessageRow.id)
            ).scalars().all()
            for line in lines:
                if line.delivered_at is None:
                    line.delivered_at = to_db(now)
            answers = tuple(Answer(line.text or "", from_db(line.created_at)) for line in lines)
            return CaseReading(case.id, CaseKind(case.kind), CaseState(case.state), answers)

    # ------------------------------------------------------------ delivery

    def undelivered_for(self, sender_id: str) -> List[Delivery]:
        """Counsellor replies the employee has not received yet, oldest first."""
        with self._store.transaction() as session:
            rows = session.execute(
                select(MessageRow, CaseRow)
                .join(CaseRow, CaseRow.id == MessageRow.case_id)
                .where(CaseRow.sender_id == sender_id,
                       MessageRow.author == Author.COUNSELLOR.value,
                       MessageRow.event == Event.TEXT.value,
                       MessageRow.delivered_at.is_(None))
                .order_by(MessageRow.id)
            ).all()
            return [Delivery(line.id, case.id, case.sender_id, case.channel, line.text or "")
                    for line, case in rows]

    def confirm_delivery(self, sender_id: str, message_ids: Iterable[int]) -> int:
        """The employee's page says it has these counsellor lines. Only lines of
        the sender's own cases count (a page cannot confirm someone else's)."""
        ids = [int(i) for i in message_ids][:100]
        if not ids or not sender_id:
            return 0
        with self._store.transaction() as session:
            own = session.execute(
                select(MessageRow.id)
                .join(CaseRow, CaseRow.id == MessageRow.case_id)
                .where(MessageRow.id.in_(ids), CaseRow.sender_id == sender_id)
            ).scalars().all()
        return self.mark_delivered(own)

    def contact(self, case_number: int) -> Optional[Contact]:
        """Whom to tell that a case changed (None once the case was purged)."""
        with self._store.transaction() as session:
            case = repo.case_by_number(session, case_number)
            if not case.sender_id:
                return None
            return Contact(case.id, case.sender_id, case.channel, CaseState(case.state))

    def mark_delivered(self, message_ids: Iterable[int]) -> int:
        """Record that the employee received these lines; returns how many were new."""
        ids = [int(i) for i in message_ids]
        if not ids:
            return 0
        now = self._store.now()
        with self._store.transaction() as session:
            return session.execute(
                update(MessageRow)
                .where(MessageRow.id.in_(ids), MessageRow.delivered_at.is_(None))
                .values(delivered_at=to_db(now))
                .execution_options(synchronize_session=False)
            ).rowcount
