"""The guidelines of budget proposals 4.4 and 4.6, as pure functions.

They are guidelines ("fx 2 år", "fx 1-3 mdr."), not rules: an application that
falls outside one is still accepted, and the coordinators see a note.

- An exchange ("udveksling") is meant for employees with about 2 years in the
  same specialty.
- A snusepraktik lasts "a few days up to 1 week"; an exchange "1-3 months".
"""
from __future__ import annotations

from datetime import date
from typing import Dict, Tuple, Union

from bot.applications.errors import UnknownKind
from bot.applications.model import ApplicationKind

TWO_YEAR_GUIDELINE_YEARS = 2.0

# Typical length in days (inclusive of both ends), per kind.
TYPICAL_DAYS: Dict[ApplicationKind, Tuple[int, int]] = {
    ApplicationKind.SNUSEPRAKTIK: (1, 7),
    # "1-3 mdr.": four weeks up to three calendar months (92 days at most).
    ApplicationKind.UDVEKSLING: (28, 92),
}

# Note codes stored with the application and shown to coordinators.
NOTE_BELOW_TWO_YEARS = "below_two_years_in_specialty"
NOTE_LONGER_THAN_TYPICAL = "period_longer_than_typical"
NOTE_SHORTER_THAN_TYPICAL = "period_shorter_than_typical"


def below_two_year_guideline(kind: Union[str, ApplicationKind], years: float) -> bool:
    """True when an exchange is sought with fewer than ~2 years in the specialty.

    Only exchanges have the guideline; a snusepraktik never falls below it.
    Raises UnknownKind for any other kind.
    """
    return _kind(kind) is ApplicationKind.UDVEKSLING and years < TWO_YEAR_GUIDELINE_YEARS


def _kind(kind: Union[str, ApplicationKind]) -> ApplicationKind:
    try:
        return ApplicationKind(kind)
    except ValueError:
        raise UnknownKind(kind) from None


def period_days(start: date, end: date) -> int:
    """Length of a period in days, both ends included."""
    return (end - start).days + 1


def guideline_notes(
    kind: Union[str, ApplicationKind], years: float, start: date, end: date,
    *, approximate: bool = False,
) -> Tuple[str, ...]:
    """Every guideline the application falls outside, as note codes (may be empty).

    The length is not judged when the period is only an approximate window
    ("i marts"): the stay itself may be shorter.
    """
    notes = []
    if below_two_year_guideline(kind, years):
        notes.append(NOTE_BELOW_TWO_YEARS)
    if approximate:
        return tuple(notes)
    shortest, longest = TYPICAL_DAYS[_kind(kind)]
    days = period_days(start, end)
    if days > longest:
        notes.append(NOTE_LONGER_THAN_TYPICAL)
    elif days < shortest:
        notes.append(NOTE_SHORTER_THAN_TYPICAL)
    return tuple(notes)
