"""Booking codes: unguessable, easy to read aloud and type.

8 characters from a 31-symbol alphabet without look-alikes (no 0/O, 1/I/L),
about 39 bits from `secrets` (always mixing digits and letters). Shown as 'K7MQ-4XTR'; accepted in lower case,
with or without the dash or spaces.

Also the pure policy for slowing down repeated wrong codes: the caller keeps
the failure count in its own conversation state, so no conversation id is
ever stored next to a booking.
"""
from __future__ import annotations

import re
import secrets
from typing import Optional

from bot.booking.domain import InvalidBookingCode

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
# For NLU regex entities and for picking a code out of a pasted sentence: two
# groups of four symbols with an optional dash or space, holding at least one
# digit and one letter (as every code does), so words such as 'december' or
# 'menneske' and numbers such as '22334455' never look like a code.
CODE_PATTERN = r"(?<![0-9A-Za-z])(?=[2-9A-HJKMNP-Za-hjkmnp-z -]{0,8}[2-9])(?=[2-9 -]{0,8}[A-HJKMNP-Za-hjkmnp-z])[2-9A-HJKMNP-Za-hjkmnp-z]{4}[ -]?[2-9A-HJKMNP-Za-hjkmnp-z]{4}(?![0-9A-Za-z])"
_CODE_IN_TEXT = re.compile(CODE_PATTERN)
_SEPARATORS = re.compile(r"[\s\-_.]+")
_ALLOWED = frozenset(ALPHABET)

FREE_ATTEMPTS = 3
MAX_DELAY_SECONDS = 60.0


def new_code() -> str:
    """A fresh random code (normalised form, no dash) with a digit and a letter,
    so it is never mistaken for a word or a number in a sentence."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code) and any(ch.isalpha() for ch in code):
            return code


def normalize_code(text: str) -> str:
    """'k7mq-4xtr' / 'K7MQ 4XTR' -> 'K7MQ4XTR'; InvalidBookingCode if not code-shaped."""
    if not isinstance(text, str):
        raise InvalidBookingCode("a booking code must be text")
    code = _SEPARATORS.sub("", text).upper()
    if len(code) != CODE_LENGTH or not set(code) <= _ALLOWED:
        raise InvalidBookingCode("not a booking code")
    return code


def is_valid_code(text: str) -> bool:
    try:
        normalize_code(text)
    except InvalidBookingCode:
        return False
    return True


def format_code(code: str) -> str:
    """'K7MQ4XTR' -> 'K7MQ-4XTR'."""
    code = normalize_code(code)
    return f"{code[:4]}-{code[4:]}"


def find_code_in_text(text: str) -> Optional[str]:
    """The first code-shaped word group in a sentence, normalised; None if none."""
    match = _CODE_IN_TEXT.search(text or "")
    return normalize_code(match.group(0)) if match else None


def wrong_code_delay(failures: int) -> float:
    """Seconds to wait before answering after `failures` wrong codes in a row.

    The first three mistakes are free (typos happen); then 2, 4, 8 ... seconds,
    capped at one minute. 31^8 codes make guessing hopeless at that pace.
    """
    if failures <= FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY_SECONDS, float(2 ** (failures - FREE_ATTEMPTS)))
