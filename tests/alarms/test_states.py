"""The ISA-18.2 transition table and the facts that carry an alarm's true state through hidden states."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alarms.states import (
    ACTIVE,
    UNACKNOWLEDGED,
    VISIBLE,
    Event,
    InvalidTransition,
    State,
    Status,
    step,
)

E = Event


def run(events: list[Event], latched: bool = False, start: Status | None = None) -> Status:
    status = start or Status()
    for event in events:
        status = status.apply(event, latched=latched)
    return status


def test_the_plain_cycle() -> None:
    assert run([E.ACTIVATE]).state is State.UNACK
    assert run([E.ACTIVATE, E.ACKNOWLEDGE]).state is State.ACKED
    assert run([E.ACTIVATE, E.ACKNOWLEDGE, E.CLEAR]).state is State.NORMAL
    assert run([E.ACTIVATE, E.CLEAR]).state is State.RTN_UNACK
    assert run([E.ACTIVATE, E.CLEAR, E.ACKNOWLEDGE]).state is State.NORMAL
    assert run([E.ACTIVATE, E.CLEAR, E.ACTIVATE]).state is State.UNACK


def test_latched_alarm_stays_until_acknowledged_and_reset() -> None:
    assert run([E.ACTIVATE, E.ACKNOWLEDGE, E.CLEAR], latched=True).state is State.LATCHED
    assert run([E.ACTIVATE, E.CLEAR, E.ACKNOWLEDGE], latched=True).state is State.LATCHED
    assert run([E.ACTIVATE, E.CLEAR, E.ACKNOWLEDGE, E.RESET], latched=True).state is State.NORMAL
    with pytest.raises(InvalidTransition, match="only in latched"):
        run([E.ACTIVATE, E.ACKNOWLEDGE, E.RESET], latched=True)  # still active
    with pytest.raises(InvalidTransition):
        run([E.ACTIVATE, E.CLEAR, E.RESET], latched=True)  # not acknowledged


def test_invalid_pairs_raise_a_clear_error() -> None:
    with pytest.raises(InvalidTransition, match="acknowledge is not allowed in state normal"):
        step(State.NORMAL, E.ACKNOWLEDGE)


def test_manual_unshelve_returns_acknowledged_timer_unshelve_unacknowledged() -> None:
    shelved = run([E.ACTIVATE, E.SHELVE])
    assert shelved.apply(E.UNSHELVE_MANUAL).state is State.ACKED
    assert run([E.ACTIVATE, E.ACKNOWLEDGE, E.SHELVE, E.UNSHELVE_TIMER]).state is State.UNACK
    assert run([E.ACTIVATE, E.SHELVE, E.CLEAR, E.UNSHELVE_TIMER]).state is State.NORMAL


def test_hidden_states_keep_the_true_state() -> None:
    # acknowledged, suppressed, still active: comes back unacknowledged (ISA-18.2: re-annunciated)
    assert run([E.ACTIVATE, E.ACKNOWLEDGE, E.SUPPRESS, E.UNSUPPRESS]).state is State.UNACK
    # came and went while suppressed: nothing to show
    assert run([E.SUPPRESS, E.ACTIVATE, E.CLEAR, E.UNSUPPRESS]).state is State.NORMAL
    # re-activated while suppressed: a new occurrence, unacknowledged
    assert (
        run([E.ACTIVATE, E.ACKNOWLEDGE, E.SUPPRESS, E.CLEAR, E.ACTIVATE, E.UNSUPPRESS]).state is State.UNACK
    )
    # activated while out of service, cleared again: nothing to show
    assert run([E.REMOVE_FROM_SERVICE, E.ACTIVATE, E.CLEAR, E.RETURN_TO_SERVICE]).state is State.NORMAL
    # back in service in an area still suppressed
    back = run([E.REMOVE_FROM_SERVICE, E.ACTIVATE]).apply(E.RETURN_TO_SERVICE, suppressed=True)
    assert back.state is State.SUPPRESSED and back.active


def consistent(status: Status) -> bool:
    """In a visible state, the state says the facts."""
    if status.state not in VISIBLE:
        return True
    return (status.state in ACTIVE) == status.active and (status.state in UNACKNOWLEDGED) == (
        not status.acked
    )


@given(st.lists(st.sampled_from(list(Event)), max_size=40), st.booleans(), st.booleans())
def test_no_event_sequence_breaks_the_facts_or_loses_an_acknowledgement(
    events: list[Event], latched: bool, suppressed: bool
) -> None:
    status = Status()
    for event in events:
        try:
            after = status.apply(event, latched=latched, suppressed=suppressed)
        except InvalidTransition:
            continue
        assert consistent(after)
        assert after.state is not State.LATCHED or latched
        if status.acked and not after.acked:
            assert event in (E.ACTIVATE, E.UNSHELVE_TIMER, E.UNSUPPRESS)
        if event not in (E.ACTIVATE, E.CLEAR):
            assert after.active == status.active
        status = after
