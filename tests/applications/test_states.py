"""The coordinators' state machine: every allowed move, the forbidden ones,
closed states and the reason a rejection needs."""
from __future__ import annotations

import itertools

import pytest

from bot.applications.errors import ApplicationClosed, IllegalTransition, ReasonRequired, UnknownState
from bot.applications.states import (
    CLOSED_STATES,
    TRANSITIONS,
    ApplicationState,
    can_move,
    check_transition,
)

EXPECTED = {
    "modtaget": {"under_behandling", "afvist", "trukket_tilbage"},
    "under_behandling": {"venter_paa_leder", "afvist", "trukket_tilbage"},
    "venter_paa_leder": {"godkendt", "afvist", "trukket_tilbage"},
    "godkendt": {"gennemfoert", "trukket_tilbage"},
    "afvist": set(),
    "gennemfoert": set(),
    "trukket_tilbage": set(),
}
ALLOWED = [(a, b) for a, targets in EXPECTED.items() for b in sorted(targets)]
FORBIDDEN = [
    (a, b) for a, b in itertools.product(EXPECTED, EXPECTED) if b not in EXPECTED[a]
]


def test_the_transition_table_is_the_agreed_one():
    assert {s.value: {t.value for t in ts} for s, ts in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("from_state,to_state", ALLOWED)
def test_every_allowed_move_is_accepted(from_state, to_state):
    assert can_move(from_state, to_state)
    check_transition(from_state, to_state, "kort begrundelse")


@pytest.mark.parametrize("from_state,to_state", FORBIDDEN)
def test_every_other_move_is_refused(from_state, to_state):
    assert not can_move(from_state, to_state)
    with pytest.raises(IllegalTransition):
        check_transition(from_state, to_state, "begrundelse")


def test_skipping_a_step_is_refused_with_both_states_named():
    with pytest.raises(IllegalTransition) as caught:
        check_transition("modtaget", "godkendt")
    assert (caught.value.from_state, caught.value.to_state) == ("modtaget", "godkendt")


@pytest.mark.parametrize("closed", ["afvist", "gennemfoert", "trukket_tilbage"])
def test_nothing_leaves_a_closed_state(closed):
    assert ApplicationState(closed) in CLOSED_STATES
    for target in EXPECTED:
        with pytest.raises(ApplicationClosed):
            check_transition(closed, target, "x")


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_rejection_needs_a_reason(reason):
    with pytest.raises(ReasonRequired):
        check_transition("under_behandling", "afvist", reason)


def test_reason_is_trimmed_and_blank_reasons_become_none():
    assert check_transition("modtaget", "afvist", "  Ingen plads i perioden \n") == (
        "Ingen plads i perioden"
    )
    assert check_transition("modtaget", "under_behandling", "  ") is None


def test_unknown_state_names_are_refused():
    with pytest.raises(UnknownState):
        check_transition("modtaget", "approved")
