"""Domain exceptions of the application service, named after the business condition.

The lead's actions map each of these to a named Danish response; none of them
carries user-facing text. Every exception derives from ApplicationError, so an
action can catch the family and still tell the cases apart by type.
"""
from __future__ import annotations

from typing import Optional


class ApplicationError(Exception):
    """Base class of every expected failure of the application use cases."""


# --- the draft -------------------------------------------------------------


class InvalidDraft(ApplicationError):
    """A field of the application draft is missing or malformed."""

    def __init__(self, field: str, detail: str = "") -> None:
        super().__init__(f"{field}: {detail}" if detail else field)
        self.field = field


class MissingField(InvalidDraft):
    """A required field is empty."""


class FieldTooLong(InvalidDraft):
    """A free-text field is longer than allowed."""

    def __init__(self, field: str, max_length: int) -> None:
        super().__init__(field, f"longer than {max_length} characters")
        self.max_length = max_length


class MotivationTooLong(FieldTooLong):
    """The motivation is longer than MAX_MOTIVATION_LENGTH characters."""

    def __init__(self, max_length: int) -> None:
        super().__init__("motivation", max_length)


class UnknownKind(InvalidDraft):
    """kind is neither 'snusepraktik' nor 'udveksling'."""

    def __init__(self, kind: object) -> None:
        super().__init__("kind", repr(kind))


class UnknownProfession(InvalidDraft):
    """The profession key is not in bot/vocabulary.yml."""

    def __init__(self, key: object) -> None:
        super().__init__("profession", repr(key))


class UnknownWorkplace(InvalidDraft):
    """A workplace key (current or desired) is not in bot/vocabulary.yml."""

    def __init__(self, field: str, key: object) -> None:
        super().__init__(field, repr(key))


class InvalidYearsInSpecialty(InvalidDraft):
    """years_in_specialty is negative, absurdly large or not a number."""

    def __init__(self, value: object) -> None:
        super().__init__("years_in_specialty", repr(value))


class InvalidEmail(InvalidDraft):
    """The e-mail address is not of the form name@domain."""

    def __init__(self) -> None:
        super().__init__("email", "not an e-mail address")


class EmailDomainNotAllowed(InvalidDraft):
    """The e-mail address is not a work address (Settings.allowed_email_domains)."""

    def __init__(self, domain: str) -> None:
        super().__init__("email", f"domain {domain!r} not allowed")
        self.domain = domain


class ConsentMissing(InvalidDraft):
    """The employee has not consented to the storage of the application."""

    def __init__(self) -> None:
        super().__init__("consent", "must be given")


class InvalidPeriod(InvalidDraft):
    """The period ends before it starts."""

    def __init__(self, detail: str = "ends before it starts") -> None:
        super().__init__("period", detail)


class PeriodInPast(InvalidPeriod):
    """The period starts today or earlier; it must lie in the future."""

    def __init__(self) -> None:
        super().__init__("starts today or earlier")


class PeriodTooLong(InvalidPeriod):
    """The period is longer than MAX_PERIOD_DAYS (an exchange is not a job change)."""

    def __init__(self, max_days: int) -> None:
        super().__init__(f"longer than {max_days} days")
        self.max_days = max_days


# --- existing applications -------------------------------------------------


class ApplicationNotFound(ApplicationError):
    """No application matches. Raised alike for an unknown reference and for a
    known reference with the wrong e-mail, so nobody can probe for others'
    applications."""

    def __init__(self, reference: Optional[str] = None) -> None:
        super().__init__(reference or "")
        self.reference = reference


class IllegalTransition(ApplicationError):
    """The state machine does not allow moving from `from_state` to `to_state`."""

    def __init__(self, from_state: str, to_state: str) -> None:
        super().__init__(f"{from_state} -> {to_state}")
        self.from_state = from_state
        self.to_state = to_state


class ApplicationClosed(IllegalTransition):
    """The application is already closed (afvist, gennemfoert or trukket_tilbage)."""


class ReasonRequired(ApplicationError):
    """Moving to this state (afvist) needs a short reason."""

    def __init__(self, to_state: str) -> None:
        super().__init__(to_state)
        self.to_state = to_state


class UnknownState(ApplicationError):
    """The state name is not one of the model's states."""

    def __init__(self, name: object) -> None:
        super().__init__(repr(name))
