"""Snusepraktik and exchange ("udveksling") applications: submit from the chat,
a reference like SP-2026-0042, status and withdrawal by reference + e-mail, and
the coordinators' state machine with an audit trail.

Public API: ApplicationService, ApplicationDraft, parse_period,
below_two_year_guideline, the domain exceptions in bot.applications.errors.
"""
from bot.applications.errors import (
    ApplicationClosed,
    ApplicationError,
    ApplicationNotFound,
    ConsentMissing,
    EmailDomainNotAllowed,
    FieldTooLong,
    IllegalTransition,
    InvalidDraft,
    InvalidEmail,
    InvalidPeriod,
    InvalidYearsInSpecialty,
    MissingField,
    MotivationTooLong,
    PeriodInPast,
    PeriodTooLong,
    ReasonRequired,
    UnknownKind,
    UnknownProfession,
    UnknownState,
    UnknownWorkplace,
)
from bot.applications.guidelines import below_two_year_guideline, guideline_notes
from bot.applications.model import (
    ApplicationDetails,
    ApplicationDraft,
    ApplicationKind,
    ApplicationStatus,
    ApplicationSummary,
    AuditEntry,
    SubmittedApplication,
)
from bot.applications.period import Period, parse_period
from bot.applications.references import normalise_reference
from bot.applications.service import ApplicationService
from bot.applications.states import ApplicationState
from bot.applications.validation import (
    MAX_MOTIVATION_LENGTH,
    check_email,
    check_motivation,
    parse_years,
)

__all__ = [
    "ApplicationClosed", "ApplicationDetails", "ApplicationDraft", "ApplicationError",
    "ApplicationKind", "ApplicationNotFound", "ApplicationService", "ApplicationState",
    "ApplicationStatus", "ApplicationSummary", "AuditEntry", "ConsentMissing",
    "EmailDomainNotAllowed", "FieldTooLong", "IllegalTransition", "InvalidDraft",
    "InvalidEmail", "InvalidPeriod", "InvalidYearsInSpecialty", "MAX_MOTIVATION_LENGTH",
    "MissingField", "MotivationTooLong", "Period", "PeriodInPast", "PeriodTooLong",
    "ReasonRequired", "SubmittedApplication", "UnknownKind", "UnknownProfession",
    "UnknownState", "UnknownWorkplace", "below_two_year_guideline", "check_email",
    "check_motivation", "guideline_notes", "normalise_reference", "parse_period", "parse_years",
]
