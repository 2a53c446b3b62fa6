"""The life cycle of an application: states, allowed transitions, and the rule
that a rejection needs a reason.

    modtaget ──> under_behandling ──> venter_paa_leder ──> godkendt ──> gennemfoert
       │               │                    │                 │
       └──> afvist <───┴────────────────────┘                 │
       └──> trukket_tilbage <── (from every open state) ──────┘

afvist, gennemfoert and trukket_tilbage are closed: nothing leaves them, and
closed applications are anonymised after the retention period.
"""
from __future__ import annotations

from enum import Enum
from typing import Dict, FrozenSet, Optional, Union

from bot.applications.errors import (
    ApplicationClosed,
    IllegalTransition,
    ReasonRequired,
    UnknownState,
)

# Who moved an application, when not a coordinator (whose username is used).
EMPLOYEE_ACTOR = "medarbejder"
SYSTEM_ACTOR = "system"

MAX_REASON_LENGTH = 500


class ApplicationState(str, Enum):
    """State names as stored in the database and shown to staff."""

    MODTAGET = "modtaget"
    UNDER_BEHANDLING = "under_behandling"
    VENTER_PAA_LEDER = "venter_paa_leder"
    GODKENDT = "godkendt"
    AFVIST = "afvist"
    GENNEMFOERT = "gennemfoert"
    TRUKKET_TILBAGE = "trukket_tilbage"

    def __str__(self) -> str:
        return self.value


S = ApplicationState

TRANSITIONS: Dict[ApplicationState, FrozenSet[ApplicationState]] = {
    S.MODTAGET: frozenset({S.UNDER_BEHANDLING, S.AFVIST, S.TRUKKET_TILBAGE}),
    S.UNDER_BEHANDLING: frozenset({S.VENTER_PAA_LEDER, S.AFVIST, S.TRUKKET_TILBAGE}),
    S.VENTER_PAA_LEDER: frozenset({S.GODKENDT, S.AFVIST, S.TRUKKET_TILBAGE}),
    S.GODKENDT: frozenset({S.GENNEMFOERT, S.TRUKKET_TILBAGE}),
    S.AFVIST: frozenset(),
    S.GENNEMFOERT: frozenset(),
    S.TRUKKET_TILBAGE: frozenset(),
}

INITIAL_STATE = S.MODTAGET
CLOSED_STATES: FrozenSet[ApplicationState] = frozenset(
    state for state, targets in TRANSITIONS.items() if not targets
)
OPEN_STATES: FrozenSet[ApplicationState] = frozenset(TRANSITIONS) - CLOSED_STATES
# States that need a reason when entered (the employee sees it in their status).
REASON_REQUIRED: FrozenSet[ApplicationState] = frozenset({S.AFVIST})


def as_state(value: Union[str, ApplicationState]) -> ApplicationState:
    """'under_behandling' -> ApplicationState.UNDER_BEHANDLING; UnknownState otherwise."""
    try:
        return ApplicationState(value)
    except ValueError:
        raise UnknownState(value) from None


def is_closed(state: Union[str, ApplicationState]) -> bool:
    return as_state(state) in CLOSED_STATES


def can_move(from_state: Union[str, ApplicationState], to_state: Union[str, ApplicationState]) -> bool:
    return as_state(to_state) in TRANSITIONS[as_state(from_state)]


def check_transition(
    from_state: Union[str, ApplicationState],
    to_state: Union[str, ApplicationState],
    reason: Optional[str] = None,
) -> Optional[str]:
    """Validate one move and return the cleaned reason (None when blank).

    Raises ApplicationClosed when `from_state` is closed, IllegalTransition for
    any other move the table does not allow, ReasonRequired when the target
    needs a reason and none was given.
    """
    source, target = as_state(from_state), as_state(to_state)
    if target not in TRANSITIONS[source]:
        if source in CLOSED_STATES:
            raise ApplicationClosed(source.value, target.value)
        raise IllegalTransition(source.value, target.value)
    cleaned = (reason or "").strip()[:MAX_REASON_LENGTH] or None
    if target in REASON_REQUIRED and cleaned is None:
        raise ReasonRequired(target.value)
    return cleaned
