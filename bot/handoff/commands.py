"""What an employee may type during a live handoff to end it themselves.

During a handoff the employee's messages go to the counsellor, not to the NLU,
so the few end commands are matched here, exactly (after lower-casing and
dropping punctuation), never as part of a longer sentence: "jeg vil afslutte
min uddannelse" must reach the counsellor.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

# The intent the button "Afslut samtalen" sends, and what the channel passes on.
END_PAYLOAD = "/end_handoff"
END_COMMANDS = frozenset({
    "afslut", "afslut samtalen", "afslut chatten", "afslut chat",
    "stop samtalen", "stop chatten", "stop samtale", "stop chat",
    "slut", "jeg vil afslutte samtalen", "jeg vil stoppe samtalen",
})
_PUNCTUATION = re.compile(r"[^\w\s]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def is_end_command(text: Optional[str]) -> bool:
    if not isinstance(text, str):
        return False
    if text.strip() == END_PAYLOAD:
        return True
    words = _SPACES.sub(" ", _PUNCTUATION.sub(" ", unicodedata.normalize("NFC", text).lower())).strip()
    return words in END_COMMANDS


def clean_employee_text(text: Optional[str]) -> str:
    """What the employee wrote, for the counsellor: NFC, without control and
    invisible direction characters, trimmed. Emoji and punctuation stay: to a
    person "😢" means something."""
    if not isinstance(text, str):
        return ""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()
