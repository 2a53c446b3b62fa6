"""Cleaning of what users send, shared by every channel: bad input must get a calm
answer and must never crash the server."""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Collection

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
NONSENSE = "/nonsense"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_INTENT_TRIGGER = re.compile(r"^/([A-Za-z_]+)")
_SENDER = re.compile(r"^[A-Za-z0-9_.:@-]{1,%d}$" % MAX_SENDER_CHARS)


def clean_user_text(raw: Any, known_intents: Collection[str] = ()) -> str:
    """Normalise a user message for the NLU.

    - non-text, empty, whitespace-only or letterless messages (emoji, punctuation)
      become the `nonsense` intent trigger, answered with a short hint;
    - control and invisible direction characters are removed;
    - very long messages are cut to MAX_MESSAGE_CHARS;
    - a button payload like "/book_session" passes only for intents the domain knows.
    """
    if not isinstance(raw, str):
        return NONSENSE
    text = _CONTROL.sub("", unicodedata.normalize("NFC", raw)).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS]
    trigger = _INTENT_TRIGGER.match(text)
    if trigger:
        return text if trigger.group(1) in known_intents else NONSENSE
    if not any(ch.isalnum() for ch in text):
        return NONSENSE
    return text


def valid_sender_id(sender: Any) -> bool:
    return isinstance(sender, str) and bool(_SENDER.match(sender))
