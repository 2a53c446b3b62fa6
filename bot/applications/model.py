"""Plain data of the application service: what the chat hands in (ApplicationDraft)
and what the use cases hand back. No persistence, no framework."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Optional, Tuple


class ApplicationKind(str, Enum):
    """A short 'snusepraktik' (a few days up to about a week) or an exchange
    stay, 'udveksling' (about 1-3 months)."""

    SNUSEPRAKTIK = "snusepraktik"
    UDVEKSLING = "udveksling"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class ApplicationDraft:
    """Everything the employee gives in the chat form, before validation.

    `profession`, `current_workplace` and `desired_workplace` are keys of
    bot/vocabulary.yml; `period_text` is what the employee wrote about the
    period (kept for the coordinator next to the parsed dates).
    """

    kind: str
    profession: str
    current_workplace: str
    current_department: str
    years_in_specialty: float
    desired_specialty: str
    period_start: date
    period_end: date
    period_text: str
    name: str
    email: str
    consent: bool
    motivation: str = ""
    desired_department: Optional[str] = None
    desired_workplace: Optional[str] = None
    # True when the employee named a window (a month, a season), not dates
    # (Period.approximate from parse_period).
    period_approximate: bool = False


@dataclass(frozen=True)
class SubmittedApplication:
    """The answer to submit(): the reference to give the employee, and whether
    the application falls below a guideline (it is sent all the same)."""

    reference: str
    below_guideline: bool
    guideline_notes: Tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplicationStatus:
    """What an employee may see of their own application. `reason` is the one
    given with the latest state change (always present for 'afvist')."""

    reference: str
    state: str
    reason: Optional[str]
    updated_at: datetime
    kind: str
    desired_specialty: str


@dataclass(frozen=True)
class ApplicationSummary:
    """One row of the coordinators' list (no personal data)."""

    reference: str
    kind: str
    state: str
    profession: str
    current_workplace: str
    desired_specialty: str
    desired_workplace: Optional[str]
    period_start: date
    period_end: date
    below_guideline: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ApplicationDetails:
    """Everything the coordinators see about one application. Personal fields
    are None once the application has been anonymised."""

    summary: ApplicationSummary
    years_in_specialty: float
    period_approximate: bool
    guideline_notes: Tuple[str, ...]
    period_text: Optional[str]
    current_department: Optional[str]
    desired_department: Optional[str]
    motivation: Optional[str]
    name: Optional[str]
    email: Optional[str]
    state_reason: Optional[str]
    closed_at: Optional[datetime]
    anonymised_at: Optional[datetime]

    @property
    def reference(self) -> str:
        return self.summary.reference

    @property
    def state(self) -> str:
        return self.summary.state


@dataclass(frozen=True)
class AuditEntry:
    """One change of an application: who (coordinator username, 'medarbejder'
    or 'system'), when, from which state to which, and why."""

    at: datetime
    actor: str
    from_state: Optional[str]
    to_state: str
    reason: Optional[str] = None
