"""Masking personal data in free text before it is stored.

Employees sometimes type their e-mail, phone number or CPR number into the chat.
Questions kept for the counsellors must not carry them: e-mail addresses,
CPR-like numbers (ddmmyy-xxxx, also without the dash) and phone numbers (8
digits, optionally grouped and with +45/0045) are replaced by placeholders, and
any other run of 8 or more digits is masked as well.
"""
from __future__ import annotations

import re

EMAIL_MASK = "[e-mail]"
PHONE_MASK = "[tlf]"
CPR_MASK = "[cpr]"
NUMBER_MASK = "[nummer]"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+", re.I)
_CPR = re.compile(r"(?<![\d])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}[ -]?\d{4}(?![\d])")
# Not glued to more digits on either side ("1234 5678 9012" is one long number).
_PHONE = re.compile(r"(?<![\w+])(?<!\d[\s.-])(?:(?:\+|00)\s?45[\s-]?)?(?:\d{2}[\s.-]?){3}\d{2}(?![\s.-]?\d)")
_LONG_NUMBER = re.compile(r"\d(?:[\s.-]?\d){7,}")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d\s?-\s?(?:19|20)\d\d")  # "2025-2028" is not a phone number


def _masker(mask: str):
    def replace(match: "re.Match[str]") -> str:
        return match.group(0) if _YEAR_RANGE.fullmatch(match.group(0).strip()) else mask

    return replace


def mask_personal_data(text: str) -> str:
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _CPR.sub(CPR_MASK, text)
    text = _PHONE.sub(_masker(PHONE_MASK), text)
    return _LONG_NUMBER.sub(_masker(NUMBER_MASK), text)


def clean_question(text: str, limit: int) -> str:
    """Masked, whitespace-collapsed and cut to `limit` characters."""
    masked = mask_personal_data(" ".join(text.split()))
    return masked[:limit]
