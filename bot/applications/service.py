"""Use cases of snusepraktik and exchange applications.

Employees (through the chat): submit, status, withdraw. Coordinators (CLI,
later the console): list_applications, get, history, transition. Daily job:
anonymise_expired. One short transaction per use case; notices to the
counsellors go through the outbox in the same transaction, so submitting never
fails because Teams is away, and an application and its notice commit together
or not at all.
"""
from __future__ import annotations

import hmac
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Iterator, List, Optional, Union
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.applications import retention
from bot.applications.errors import ApplicationNotFound, IllegalTransition, MissingField
from bot.applications.guidelines import below_two_year_guideline, guideline_notes
from bot.applications.model import (
    ApplicationDetails,
    ApplicationDraft,
    ApplicationStatus,
    ApplicationSummary,
    AuditEntry,
    SubmittedApplication,
)
from bot.applications.orm import ApplicationEventRow, ApplicationRow
from bot.applications.references import next_reference, normalise_reference
from bot.applications.states import (
    CLOSED_STATES,
    EMPLOYEE_ACTOR,
    INITIAL_STATE,
    ApplicationState,
    as_state,
    check_transition,
)
from bot.applications.validation import validate_draft
from bot.db import DatabaseUnavailable, transaction
from bot.outbox import enqueue
from bot.outbox.clock import Clock, from_db, system_clock, to_db
from bot.settings import Settings
from bot.vocabulary import Vocabulary, load_vocabulary

NOTICE_SUBMITTED = "application.submitted"
NOTICE_WITHDRAWN = "application.withdrawn"
LOCAL_TIMEZONE = ZoneInfo("Europe/Copenhagen")


class ApplicationService:
    """The application use cases over one session factory.

    `clock` returns an aware datetime (UTC by default); "today" for period
    checks is its date in Danish time. Stateless apart from its collaborators,
    so one instance can serve every request of the action server.
    """

    def __init__(
        self,
        session_factory: sessionmaker,
        settings: Settings,
        clock: Clock = system_clock,
        *,
        vocabulary: Optional[Vocabulary] = None,
    ) -> None:
        self._session_factory = session_factory
        self._settings = settings
        self._clock = clock
        self._vocabulary = vocabulary

    # --- helpers ----------------------------------------------------------

    def today(self) -> date:
        return self._clock().astimezone(LOCAL_TIMEZONE).date()

    def _now(self) -> datetime:
        return to_db(self._clock())

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = load_vocabulary()
        return self._vocabulary

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        try:
            with transaction(self._session_factory) as session:
                yield session
        except OperationalError as exc:
            raise DatabaseUnavailable(str(exc.orig)) from exc

    @staticmethod
    def _find(session: Session, reference: Optional[str], *, lock: bool = False) -> ApplicationRow:
        normalised = normalise_reference(reference)
        if normalised is None:
            raise ApplicationNotFound(reference)
        query = select(ApplicationRow).where(ApplicationRow.reference == normalised)
        if lock:
            query = query.with_for_update()
        row = session.execute(query).scalar_one_or_none()
        if row is None:
            raise ApplicationNotFound(normalised)
        return row

    def _find_own(self, session: Session, reference: Optional[str], email: Optional[str],
                  *, lock: bool = False) -> ApplicationRow:
        """The application when BOTH reference and e-mail match; else ApplicationNotFound
        (the same for a wrong e-mail as for an unknown reference)."""
        row = self._find(session, reference, lock=lock)
        given = (email or "").strip().lower().encode()
        stored = (row.email or "").encode()
        if not row.email or not hmac.compare_digest(given, stored):
            raise ApplicationNotFound(row.reference)
        return row

    def _move(self, session: Session, row: ApplicationRow, to_state: ApplicationState,
              actor: str, reason: Optional[str]) -> None:
        cleaned = check_transition(row.state, to_state, reason)
        now = self._now()
        values = dict(state=to_state.value, state_reason=cleaned, updated_at=now)
        if to_state in CLOSED_STATES:
            values["closed_at"] = now
        # Conditional on the state read: a concurrent move (SQLite has no row locks) loses.
        result = session.execute(
            update(ApplicationRow)
            .where(ApplicationRow.id == row.id, ApplicationRow.state == row.state)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise IllegalTransition(row.state, to_state.value)
        session.add(ApplicationEventRow(application_id=row.id, at=now, actor=actor,
                                        from_state=row.state, to_state=to_state.value,
                                        reason=cleaned))
        session.flush()
        session.refresh(row)

    # --- employees ----------------------------------------------------------

    def submit(self, draft: ApplicationDraft) -> SubmittedApplication:
        """Validate and store a new application; returns its reference.

        Raises the InvalidDraft family (ConsentMissing, EmailDomainNotAllowed,
        PeriodInPast, MotivationTooLong, ...) and DatabaseUnavailable. A
        Teams notice is only enqueued, never sent here.
        """
        clean = validate_draft(draft, allowed_domains=self._settings.allowed_email_domains,
                               vocabulary=self.vocabulary, today=self.today())
        notes = guideline_notes(clean.kind, clean.years_in_specialty, clean.period_start,
                                clean.period_end, approximate=clean.period_approximate)
        below = below_two_year_guideline(clean.kind, clean.years_in_specialty)
        now = self._now()
        with self._transaction() as session:
            reference = next_reference(session, self._clock().astimezone(LOCAL_TIMEZONE).year)
            row = ApplicationRow(
                reference=reference, kind=clean.kind, state=INITIAL_STATE.value,
                profession=clean.profession, current_workplace=clean.current_workplace,
                current_department=clean.current_department,
                years_in_specialty=clean.years_in_specialty,
                desired_specialty=clean.desired_specialty,
                desired_department=clean.desired_department,
                desired_workplace=clean.desired_workplace,
                period_start=clean.period_start, period_end=clean.period_end,
                period_text=clean.period_text or None,
                period_approximate=bool(clean.period_approximate),
                motivation=clean.motivation or None, name=clean.name, email=clean.email,
                below_guideline=below, guideline_notes=",".join(notes),
                created_at=now, updated_at=now,
            )
            session.add(row)
            session.flush()
            enqueue(session, NOTICE_SUBMITTED, {
                "reference": reference, "kind": clean.kind,
                "desired_specialty": clean.desired_specialty, "below_guideline": below,
            }, now=self._clock())
            session.add(ApplicationEventRow(application_id=row.id, at=now, actor=EMPLOYEE_ACTOR,
                                            from_state=None, to_state=INITIAL_STATE.value))
        return SubmittedApplication(reference=reference, below_guideline=below, guideline_notes=notes)

    def status(self, reference: str, email: str) -> ApplicationStatus:
        """The state of the employee's own application; ApplicationNotFound
        unless both reference and e-mail match."""
        with self._transaction() as session:
            return _status(self._find_own(session, reference, email))

    def withdraw(self, reference: str, email: str) -> ApplicationStatus:
        """The employee withdraws their application (ApplicationClosed when it
        is already closed). The counsellors get a notice."""
        with self._transaction() as session:
            row = self._find_own(session, reference, email, lock=True)
            self._move(session, row, ApplicationState.TRUKKET_TILBAGE, EMPLOYEE_ACTOR, None)
            enqueue(session, NOTICE_WITHDRAWN, {"reference": row.reference}, now=self._clock())
            return _status(row)

    # --- coordinators -------------------------------------------------------

    def transition(self, reference: str, to_state: Union[str, ApplicationState], actor: str,
                   reason: Optional[str] = None) -> ApplicationStatus:
        """A coordinator (`actor` = username) moves an application.

        Raises ApplicationNotFound, UnknownState, IllegalTransition (its
        subclass ApplicationClosed) and ReasonRequired (afvist needs a reason).
        """
        target = as_state(to_state)
        who = " ".join((actor or "").split())[:100]
        if not who:
            raise MissingField("actor")
        with self._transaction() as session:
            row = self._find(session, reference, lock=True)
            self._move(session, row, target, who, reason)
            return _status(row)

    def list_applications(self, state: Union[str, ApplicationState, None] = None,
                          limit: Optional[int] = None) -> List[ApplicationSummary]:
        """Newest first; only those in `state` when given."""
        query = select(ApplicationRow).order_by(ApplicationRow.created_at.desc(),
                                                ApplicationRow.id.desc())
        if state is not None:
            query = query.where(ApplicationRow.state == as_state(state).value)
        if limit is not None:
            query = query.limit(limit)
        with self._transaction() as session:
            return [_summary(row) for row in session.execute(query).scalars()]

    def get(self, reference: str) -> ApplicationDetails:
        """Everything about one application, for coordinators."""
        with self._transaction() as session:
            return _details(self._find(session, reference))

    def history(self, reference: str) -> List[AuditEntry]:
        """The audit trail of one application, oldest first."""
        with self._transaction() as session:
            row = self._find(session, reference)
            events = session.execute(
                select(ApplicationEventRow)
                .where(ApplicationEventRow.application_id == row.id)
                .order_by(ApplicationEventRow.at, ApplicationEventRow.id)
            ).scalars()
            return [AuditEntry(at=from_db(e.at), actor=e.actor, from_state=e.from_state,
                               to_state=e.to_state, reason=e.reason) for e in events]

    # --- retention ------------------------------------------------------------

    def anonymise_expired(self) -> int:
        """Anonymise closed applications closed more than
        Settings.application_retention_days ago. Idempotent; returns how many."""
        now = self._now()
        cutoff = now - timedelta(days=self._settings.application_retention_days)
        total = 0
        while True:
            with self._transaction() as session:
                done = retention.anonymise_closed(session, cutoff=cutoff, now=now)
            total += done
            if done < retention.BATCH_SIZE:
                return total


def _status(row: ApplicationRow) -> ApplicationStatus:
    return ApplicationStatus(reference=row.reference, state=row.state, reason=row.state_reason,
                             updated_at=from_db(row.updated_at), kind=row.kind,
                             desired_specialty=row.desired_specialty)


def _summary(row: ApplicationRow) -> ApplicationSummary:
    return ApplicationSummary(
        reference=row.reference, kind=row.kind, state=row.state, profession=row.profession,
        current_workplace=row.current_workplace, desired_specialty=row.desired_specialty,
        desired_workplace=row.desired_workplace, period_start=row.period_start,
        period_end=row.period_end, below_guideline=row.below_guideline,
        created_at=from_db(row.created_at), updated_at=from_db(row.updated_at),
    )


def _details(row: ApplicationRow) -> ApplicationDetails:
    return ApplicationDetails(
        summary=_summary(row), years_in_specialty=row.years_in_specialty,
        period_approximate=row.period_approximate,
        guideline_notes=tuple(n for n in (row.guideline_notes or "").split(",") if n),
        period_text=row.period_text, current_department=row.current_department,
        desired_department=row.desired_department, motivation=row.motivation, name=row.name,
        email=row.email, state_reason=row.state_reason, closed_at=from_db(row.closed_at),
        anonymised_at=from_db(row.anonymised_at),
    )
