"""Case codes: the employee's key to read a counsellor's answer later, in any channel.

Same shape and alphabet as the booking codes (8 characters without look-alikes,
about 39 bits from `secrets`, shown as 'K7MQ-4XTR', accepted in lower case and
with or without the dash), so employees meet one kind of code. The generator
and parser are the booking feature's; this module only renames its error.
"""
from __future__ import annotations

from typing import Optional

from bot.booking.codes import find_code_in_text, format_code, new_code, normalize_code, wrong_code_delay
from bot.booking.domain import InvalidBookingCode
from bot.handoff.domain import InvalidCaseCode

__all__ = ["code_in_text", "display_code", "new_case_code", "normalize_case_code", "wrong_code_delay"]


def new_case_code() -> str:
    """A fresh random code, normalised (no dash)."""
    return new_code()


def normalize_case_code(text: str) -> str:
    """'k7mq-4xtr' -> 'K7MQ4XTR'; InvalidCaseCode if the text is not code-shaped."""
    try:
        return normalize_code(text)
    except InvalidBookingCode:
        raise InvalidCaseCode("not a case code") from None


def display_code(code: str) -> str:
    """'K7MQ4XTR' -> 'K7MQ-4XTR'."""
    return format_code(code)


def code_in_text(text: Optional[str]) -> Optional[str]:
    """The first code in a sentence ("min sagskode er k7mq-4xtr"), normalised; None if none."""
    return find_code_in_text(text or "")
