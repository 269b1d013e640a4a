"""ISA-18.2 alarm states: the one transition table, and the two facts an alarm keeps while it is hidden.

The table maps (state, event) to the next state; a pair it lacks is not allowed and raises
`InvalidTransition`. Hidden states (shelved, suppressed by design, out of service) keep tracking the process
condition and whether the current occurrence was acknowledged, so that on return the alarm shows its true
state: every return lands in NORMAL in the table and is then brought up to date by replaying those facts
through the same table (ISA-18.2 §11.7.3 / OPC UA Part 9: a manual unshelve returns acknowledged, a timer
unshelve and the end of a suppression by design return unacknowledged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple


class State(StrEnum):
    NORMAL = "normal"
    UNACK = "unack"  # active, unacknowledged
    ACKED = "acked"  # active, acknowledged
    RTN_UNACK = "rtn_unack"  # returned to normal, unacknowledged
    LATCHED = "latched"  # latched alarm, returned and acknowledged, waiting for reset
    SHELVED = "shelved"
    SUPPRESSED = "suppressed"  # by design, e.g. its zone is under maintenance
    OUT_OF_SERVICE = "out_of_service"


class Event(StrEnum):
    ACTIVATE = "activate"
    CLEAR = "clear"
    ACKNOWLEDGE = "acknowledge"
    RESET = "reset"
    SHELVE = "shelve"
    UNSHELVE_MANUAL = "unshelve_manual"
    UNSHELVE_TIMER = "unshelve_timer"  # shelve expired, or a one-shot shelve ended because the alarm cleared
    SUPPRESS = "suppress"
    UNSUPPRESS = "unsuppress"
    REMOVE_FROM_SERVICE = "remove_from_service"
    RETURN_TO_SERVICE = "return_to_service"
    ESCALATE = "escalate"  # notice only: a tier-1 alarm is still unacknowledged


@dataclass(frozen=True, slots=True)
class Latching:
    """A target that differs for latched alarms (ISA-18.2 latched alarm: stays until reset)."""

    plain: State
    latched: State


VISIBLE = frozenset({State.NORMAL, State.UNACK, State.ACKED, State.RTN_UNACK, State.LATCHED})
HIDDEN = frozenset({State.SHELVED, State.SUPPRESSED, State.OUT_OF_SERVICE})
ACTIVE = frozenset({State.UNACK, State.ACKED})
UNACKNOWLEDGED = frozenset({State.UNACK, State.RTN_UNACK})
RETURNS = frozenset({Event.UNSHELVE_MANUAL, Event.UNSHELVE_TIMER, Event.UNSUPPRESS, Event.RETURN_TO_SERVICE})
_SHELVABLE = (State.NORMAL, State.UNACK, State.ACKED, State.RTN_UNACK)

TRANSITIONS: Mapping[tuple[State, Event], State | Latching] = MappingProxyType(
    {
        # the process condition and its acknowledgement
        (State.NORMAL, Event.ACTIVATE): State.UNACK,
        (State.UNACK, Event.ACKNOWLEDGE): State.ACKED,
        (State.UNACK, Event.CLEAR): State.RTN_UNACK,
        (State.ACKED, Event.CLEAR): Latching(State.NORMAL, State.LATCHED),
        (State.RTN_UNACK, Event.ACKNOWLEDGE): Latching(State.NORMAL, State.LATCHED),
        (State.RTN_UNACK, Event.ACTIVATE): State.UNACK,
        (State.LATCHED, Event.ACTIVATE): State.UNACK,
        (State.LATCHED, Event.RESET): State.NORMAL,
        (State.UNACK, Event.ESCALATE): State.UNACK,
        (State.RTN_UNACK, Event.ESCALATE): State.RTN_UNACK,
        # hidden states keep tracking the condition
        **{(hidden, event): hidden for hidden in HIDDEN for event in (Event.ACTIVATE, Event.CLEAR)},
        # shelving by an operator (a latched alarm waiting for reset is not shelved)
        **{(state, Event.SHELVE): State.SHELVED for state in _SHELVABLE},
        (State.SHELVED, Event.UNSHELVE_MANUAL): State.NORMAL,
        (State.SHELVED, Event.UNSHELVE_TIMER): State.NORMAL,
        # suppression by design overrides a shelve
        **{(state, Event.SUPPRESS): State.SUPPRESSED for state in (*VISIBLE, State.SHELVED)},
        (State.SUPPRESSED, Event.UNSUPPRESS): State.NORMAL,
        # out of service (privileged) overrides everything
        **{
            (state, Event.REMOVE_FROM_SERVICE): State.OUT_OF_SERVICE
            for state in (*VISIBLE, State.SHELVED, State.SUPPRESSED)
        },
        (State.OUT_OF_SERVICE, Event.RETURN_TO_SERVICE): State.NORMAL,
    }
)

_ACTIVE_AFTER = {Event.ACTIVATE: True, Event.CLEAR: False}
_ACKED_AFTER = {
    Event.ACTIVATE: False,
    Event.ACKNOWLEDGE: True,
    Event.UNSHELVE_MANUAL: True,
    Event.UNSHELVE_TIMER: False,
    # ISA-18.2 suppression by design: on return the alarm goes through normal, and a condition still
    # present is annunciated as new (an isolation hides it for hours: an old acknowledgement no longer holds)
    Event.UNSUPPRESS: False,
}


class InvalidTransition(ValueError):
    """An event the table does not allow in the alarm's state; the message says where it is allowed."""

    def __init__(self, state: State, event: Event) -> None:
        allowed = sorted(s.value for (s, e) in TRANSITIONS if e is event)
        super().__init__(
            f"{event.value} is not allowed in state {state.value} (only in {', '.join(allowed)})"
        )
        self.state = state
        self.event = event


# an activation from these raises a new occurrence (the alarm is shown anew); from any other it continues one
RAISES_FROM = frozenset({State.NORMAL, State.RTN_UNACK, State.LATCHED})


def occurrence_raised(event: Event, before: State, ts: float, current: float | None) -> float | None:
    """When the occurrence a transition belongs to was raised (the journal's link between its transitions,
    as Ignition's event id): `ts` for an activation that raises one, None for a transition from normal
    (outside any occurrence: a shelve of a normal alarm), else `current`, the previous transition's."""
    if event is Event.ACTIVATE and before in RAISES_FROM:
        return ts
    return None if before is State.NORMAL else current


def allows(state: State, event: Event) -> bool:
    return (state, event) in TRANSITIONS


def step(state: State, event: Event, *, latched: bool = False) -> State:
    """The table's next state; raises InvalidTransition for a pair it does not allow."""
    target = TRANSITIONS.get((state, event))
    if target is None:
        raise InvalidTransition(state, event)
    if isinstance(target, Latching):
        return target.latched if latched else target.plain
    return target


class Status(NamedTuple):
    """An alarm's state with the two facts that survive hidden states.

    `active` is the process condition; `acked` says nothing of the current occurrence awaits
    acknowledgement. In a visible state both follow from the state; in a hidden one only they tell.
    """

    state: State = State.NORMAL
    active: bool = False
    acked: bool = True

    def apply(self, event: Event, *, latched: bool = False, suppressed: bool = False) -> Status:
        """The status after `event`; `suppressed` says the alarm's area is suppressed by design."""
        state = step(self.state, event, latched=latched)
        active = _ACTIVE_AFTER.get(event, self.active)
        acked = _ACKED_AFTER.get(event, self.acked)
        if event in RETURNS:
            if suppressed:
                state = step(state, Event.SUPPRESS)
            elif active:
                state = step(state, Event.ACTIVATE)
                if acked:
                    state = step(state, Event.ACKNOWLEDGE)
            else:
                acked = True  # an occurrence that came and went while hidden is not brought back
        return Status(state, active, acked)
