"""Validation of an application draft, field by field.

Each `check_*` function validates one field and returns the cleaned value or
raises the domain exception; the lead's form validators can call them one slot
at a time, and `validate_draft` runs them all before a submission.
"""
from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import date
from typing import Iterable, Optional

from bot.applications.errors import (
    ConsentMissing,
    EmailDomainNotAllowed,
    FieldTooLong,
    InvalidEmail,
    InvalidPeriod,
    InvalidYearsInSpecialty,
    MissingField,
    MotivationTooLong,
    PeriodInPast,
    PeriodTooLong,
    UnknownKind,
    UnknownProfession,
    UnknownWorkplace,
)
from bot.applications.guidelines import period_days
from bot.applications.model import ApplicationDraft, ApplicationKind
from bot.vocabulary import Vocabulary

MAX_MOTIVATION_LENGTH = 1000
MAX_TEXT_LENGTH = 200  # name, department, specialty, period text
MAX_EMAIL_LENGTH = 254
MAX_YEARS = 60.0
# An exchange longer than a year is a job change, not a stay.
MAX_PERIOD_DAYS = 366

_EMAIL = re.compile(r"^[^@\s]+@((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})$")


def check_kind(kind: object) -> str:
    try:
        return ApplicationKind(str(kind).strip().lower()).value
    except ValueError:
        raise UnknownKind(kind) from None


def check_text(field: str, value: Optional[str], *, required: bool = True,
               max_length: int = MAX_TEXT_LENGTH) -> Optional[str]:
    """Trimmed text with inner whitespace collapsed; None when blank and optional."""
    cleaned = " ".join((value or "").split())
    if not cleaned:
        if required:
            raise MissingField(field)
        return None
    if len(cleaned) > max_length:
        raise FieldTooLong(field, max_length)
    return cleaned


def check_motivation(text: Optional[str]) -> str:
    """The motivation, trimmed; may be empty, at most MAX_MOTIVATION_LENGTH characters."""
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_MOTIVATION_LENGTH:
        raise MotivationTooLong(MAX_MOTIVATION_LENGTH)
    return cleaned


def check_email(email: Optional[str], allowed_domains: Iterable[str]) -> str:
    """A work e-mail address, lower-cased. Subdomains of an allowed domain are
    allowed too (x@rh.regionh.dk when regionh.dk is allowed)."""
    cleaned = (email or "").strip().lower()
    if not cleaned:
        raise MissingField("email")
    match = _EMAIL.match(cleaned)
    if match is None or len(cleaned) > MAX_EMAIL_LENGTH:
        raise InvalidEmail()
    domain = match.group(1)
    allowed = [d.strip().lower().lstrip("@") for d in allowed_domains if d.strip()]
    if not any(domain == d or domain.endswith("." + d) for d in allowed):
        raise EmailDomainNotAllowed(domain)
    return cleaned


def check_years(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidYearsInSpecialty(value)
    years = float(value)
    if math.isnan(years) or not 0.0 <= years <= MAX_YEARS:
        raise InvalidYearsInSpecialty(value)
    return years


def check_period(start: date, end: date, today: date) -> None:
    """The period must start after `today`, end on or after its start and last
    at most MAX_PERIOD_DAYS."""
    if end < start:
        raise InvalidPeriod()
    if start <= today:
        raise PeriodInPast()
    if period_days(start, end) > MAX_PERIOD_DAYS:
        raise PeriodTooLong(MAX_PERIOD_DAYS)


def check_profession(key: Optional[str], vocabulary: Vocabulary) -> str:
    canonical = vocabulary.canonical_profession(key)
    if canonical is None:
        raise UnknownProfession(key)
    return canonical


def check_workplace(field: str, key: Optional[str], vocabulary: Vocabulary,
                    *, required: bool = True) -> Optional[str]:
    if not (key or "").strip():
        if required:
            raise MissingField(field)
        return None
    canonical = vocabulary.canonical_workplace(key)
    if canonical is None:
        raise UnknownWorkplace(field, key)
    return canonical


def validate_draft(draft: ApplicationDraft, *, allowed_domains: Iterable[str],
                   vocabulary: Vocabulary, today: date) -> ApplicationDraft:
    """The draft with every field cleaned, or the first domain exception.

    Consent is checked first: without it nothing else matters.
    """
    if draft.consent is not True:
        raise ConsentMissing()
    check_period(draft.period_start, draft.period_end, today)
    return replace(
        draft,
        kind=check_kind(draft.kind),
        profession=check_profession(draft.profession, vocabulary),
        current_workplace=check_workplace("current_workplace", draft.current_workplace, vocabulary),
        current_department=check_text("current_department", draft.current_department),
        years_in_specialty=check_years(draft.years_in_specialty),
        desired_specialty=check_text("desired_specialty", draft.desired_specialty),
        desired_department=check_text(
            "desired_department", draft.desired_department, required=False
        ),
        desired_workplace=check_workplace(
            "desired_workplace", draft.desired_workplace, vocabulary, required=False
        ),
        period_text=check_text("period_text", draft.period_text, required=False) or "",
        motivation=check_motivation(draft.motivation),
        name=check_text("name", draft.name),
        email=check_email(draft.email, allowed_domains),
    )


# --- years in the specialty, as people write them -----------------------------

_NUMBER_WORDS = {
    "et": 1.0, "en": 1.0, "ét": 1.0, "to": 2.0, "tre": 3.0, "fire": 4.0, "fem": 5.0,
    "seks": 6.0, "syv": 7.0, "otte": 8.0, "ni": 9.0, "ti": 10.0, "elleve": 11.0,
    "tolv": 12.0, "halvandet": 1.5,
}
_YEARS_PART = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)?|[a-zæøå]+)\s*(?P<unit>år|aar|måneder|måned|maaneder|mdr|md)?\b"
)
_RANGE = re.compile(r"(\d+(?:[.,]\d+)?)\s*-\s*\d+(?:[.,]\d+)?")


def parse_years(text: Optional[str]) -> Optional[float]:
    """'2', '2,5 år', 'halvandet år', '6 måneder', '1 år og 6 måneder',
    'et halvt år', '3-4 år' (the lower end) -> years; None without a number."""
    cleaned = " ".join((text or "").lower().split())
    cleaned = re.sub(r"\bog et halvt\b", "og 0,5", cleaned)
    cleaned = re.sub(r"\bet halvt\b", "0,5", cleaned)
    cleaned = _RANGE.sub(r"\1", cleaned)
    total, found = 0.0, False
    for match in _YEARS_PART.finditer(cleaned):
        raw = match.group("num")
        if raw[0].isdigit():
            value = float(raw.replace(",", "."))
        elif raw in _NUMBER_WORDS:
            value = _NUMBER_WORDS[raw]
        else:
            continue
        unit = match.group("unit") or ""
        total += value / 12.0 if unit.startswith("m") else value
        found = True
    return round(total, 2) if found else None
