"""Handoff domain: the life cycle of a case, the plain data the use cases hand
back, and the exceptions named after business conditions. No framework, no
database, no Danish sentences.

A *case* is one thread between an employee and the counsellors: a live chat
handoff, or a message left for later. Anonymity is a domain rule: the views
given to counsellors (CaseSummary, CaseDetail, CaseMessage) carry a case number
and never the channel's sender id; only `Delivery` and `Recipient`, used by the
channel layer to reach the employee, hold it.

    live:     waiting ──take──> active ──hand back / employee ends──> closed
                 │  └──────── employee ends / counsellor closes ─────> closed
                 └──no one in time──> missed ──message left──> open
    message:  open ──reply──> answered ──reply──> answered
              open/answered/missed ──counsellor closes──> closed

All datetimes are timezone-aware UTC.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, FrozenSet, Optional, Tuple


class CaseKind(str, enum.Enum):
    LIVE = "live"
    MESSAGE = "message"


class CaseState(str, enum.Enum):
    WAITING = "waiting"  # live, no counsellor yet
    ACTIVE = "active"  # live, a counsellor writes with the employee
    MISSED = "missed"  # live, nobody took it in time
    OPEN = "open"  # a left message without an answer
    ANSWERED = "answered"  # a left message with at least one answer
    CLOSED = "closed"

    def __str__(self) -> str:
        return self.value


S = CaseState

TRANSITIONS: Dict[CaseState, FrozenSet[CaseState]] = {
    S.WAITING: frozenset({S.ACTIVE, S.MISSED, S.CLOSED}),
    S.ACTIVE: frozenset({S.ACTIVE, S.CLOSED}),  # active -> active = taken over
    S.MISSED: frozenset({S.OPEN, S.CLOSED}),
    S.OPEN: frozenset({S.OPEN, S.ANSWERED, S.CLOSED}),  # open -> open = taken
    S.ANSWERED: frozenset({S.ANSWERED, S.CLOSED}),
    S.CLOSED: frozenset(),
}
# States in which the employee's messages go to the counsellors, not the assistant.
LIVE_STATES: FrozenSet[CaseState] = frozenset({S.WAITING, S.ACTIVE})
# States in which a counsellor may write to the employee (once assigned).
REPLY_STATES: FrozenSet[CaseState] = frozenset({S.ACTIVE, S.OPEN, S.ANSWERED})


def can_move(source: CaseState, target: CaseState) -> bool:
    return target in TRANSITIONS[source]


class Author(str, enum.Enum):
    EMPLOYEE = "employee"
    COUNSELLOR = "counsellor"
    ASSISTANT = "assistant"  # the bot, in the conversation shared with consent
    SYSTEM = "system"  # a change of the case (taken, handed back, ...)


class Event(str, enum.Enum):
    """What a line of a case records. TEXT lines carry text; the rest are the audit trail."""

    TEXT = "text"
    TAKEN = "taken"
    TAKEN_OVER = "taken_over"
    HANDED_BACK = "handed_back"
    CLOSED = "closed"
    ENDED_BY_EMPLOYEE = "ended_by_employee"
    EXPIRED = "expired"
    MESSAGE_LEFT = "message_left"


class AvailabilityStatus(str, enum.Enum):
    AVAILABLE = "available"
    CLOSED = "closed"  # outside the counsellors' opening hours
    NOBODY = "nobody"  # open, but no counsellor is present in the console
    NOT_LIVE_CHANNEL = "not_live_channel"  # this channel cannot show replies live


@dataclass(frozen=True)
class Availability:
    status: AvailabilityStatus
    opens_at: Optional[datetime] = None  # next opening when CLOSED (None = unknown)

    @property
    def available(self) -> bool:
        return self.status is AvailabilityStatus.AVAILABLE


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class TranscriptLine:
    """One line of the conversation before the handoff (shared only with consent)."""

    author: Author  # EMPLOYEE or ASSISTANT
    text: str


@dataclass(frozen=True)
class CaseTicket:
    """What the employee is told about their case."""

    case_number: int
    code: str  # display form 'K7MQ-4XTR': lets the employee read answers later
    kind: CaseKind
    state: CaseState


@dataclass(frozen=True)
class CaseSummary:
    """One row of the counsellors' queues (no channel ids)."""

    case_number: int
    kind: CaseKind
    state: CaseState
    created_at: datetime
    updated_at: datetime
    counsellor_id: Optional[str]
    consent: bool
    unread: int  # employee lines the assigned counsellor has not seen
    last_employee_message_at: Optional[datetime]


@dataclass(frozen=True)
class CaseMessage:
    id: int
    author: Author
    event: Event
    text: Optional[str]
    counsellor_id: Optional[str]
    created_at: datetime
    before_handoff: bool  # part of the conversation shared with consent
    delivered: bool  # for counsellor lines: the employee has received it


@dataclass(frozen=True)
class CaseDetail:
    summary: CaseSummary
    messages: Tuple[CaseMessage, ...]

    @property
    def case_number(self) -> int:
        return self.summary.case_number


@dataclass(frozen=True)
class Queues:
    waiting: Tuple[CaseSummary, ...]
    active: Tuple[CaseSummary, ...]
    messages: Tuple[CaseSummary, ...]  # left messages: missed, open and answered
    available_counsellors: Tuple[str, ...]


@dataclass(frozen=True)
class Delivery:
    """A counsellor's line to push to the employee (channel layer only)."""

    message_id: int
    case_number: int
    recipient: str  # the channel's sender id: never shown to counsellors
    channel: str
    text: str


@dataclass(frozen=True)
class Recipient:
    """Whose conversation the assistant should take back, and why (channel layer only)."""

    case_number: int
    recipient: str
    channel: str
    reason: Event  # HANDED_BACK, CLOSED or EXPIRED


@dataclass(frozen=True)
class Contact:
    """How to reach the employee of a case, and its state (channel layer only)."""

    case_number: int
    recipient: str
    channel: str
    state: CaseState


@dataclass(frozen=True)
class Answer:
    text: str
    created_at: datetime


@dataclass(frozen=True)
class CaseReading:
    """What the employee reads with the case code."""

    case_number: int
    kind: CaseKind
    state: CaseState
    answers: Tuple[Answer, ...]

    @property
    def closed(self) -> bool:
        return self.state is CaseState.CLOSED


# ---------------------------------------------------------------- exceptions


class HandoffError(Exception):
    """Base of every expected handoff outcome that is not a success."""


class OutsideOpeningHours(HandoffError):
    def __init__(self, opens_at: Optional[datetime] = None) -> None:
        super().__init__("the counsellors are not at work now")
        self.opens_at = opens_at


class NoCounsellorAvailable(HandoffError):
    """Within opening hours, but no counsellor is present in the console."""


class LiveChannelNotSupported(HandoffError):
    def __init__(self, channel: str) -> None:
        super().__init__(f"channel {channel!r} cannot show counsellor replies live")
        self.channel = channel


class InvalidCaseCode(HandoffError):
    """The text is not shaped like a case code."""


class CaseNotFound(HandoffError):
    """No case with that number or code."""


class CaseClosed(HandoffError):
    def __init__(self, case_number: int) -> None:
        super().__init__(f"case {case_number} is closed")
        self.case_number = case_number


class CaseTakenByOther(HandoffError):
    """Another counsellor holds the case; take it over explicitly to act on it."""

    def __init__(self, case_number: int, holder: str) -> None:
        super().__init__(f"case {case_number} is held by {holder}")
        self.case_number = case_number
        self.holder = holder


class CaseNotTaken(HandoffError):
    """Nobody holds the case yet: take it before replying."""

    def __init__(self, case_number: int) -> None:
        super().__init__(f"case {case_number} must be taken first")
        self.case_number = case_number


class IllegalCaseTransition(HandoffError):
    def __init__(self, case_number: int, source: CaseState, target: CaseState) -> None:
        super().__init__(f"case {case_number}: {source.value} -> {target.value} is not allowed")
        self.case_number = case_number
        self.source = source
        self.target = target


class EmptyMessage(HandoffError):
    """A message without any text."""
