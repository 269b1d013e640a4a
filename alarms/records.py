"""What the engine hands out: immutable transitions (journaled before shown), refusals and snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from alarms.definitions import Priority, Tier
from alarms.states import Event, State

SYSTEM = "system"  # the actor of everything the engine does by itself


@dataclass(frozen=True, slots=True)
class Shelve:
    """ISA-18.2 shelving of one alarm: until `until` (epoch s); a one-shot shelve also ends when it clears."""

    until: float
    one_shot: bool = False


class Transition(NamedTuple):
    """One accepted event on one alarm, in engine order (`seq` is monotonic per engine, across restores).

    A NamedTuple rather than a frozen dataclass: a flood makes thousands a batch, and it builds 6x faster.

    `active` and `acked` are the facts after the event (they matter while the alarm is hidden); `annunciate`
    says the console must sound and announce it (a new unacknowledged occurrence that is neither chattering
    nor grouped under an active cause, or an escalation). `seq` of the latest non-escalation transition
    of an alarm is what an acknowledgement must name.
    """

    seq: int
    alarm_id: str
    source: str
    tier: Tier
    priority: Priority
    area: str
    message: str
    event: Event
    from_state: State
    to_state: State
    active: bool
    acked: bool
    value: float
    actor: str
    console: str
    comment: str  # the reason of a shelve or removal, an acknowledgement's comment, or what the system did
    ts: float
    annunciate: bool = False
    first_out: bool = False  # first annunciation in its area after a quiet flood window
    chattering: bool = False
    flood: bool = False  # its area was in flood
    group: str | None = None  # the active cause it is grouped under
    shelve: Shelve | None = None  # while shelved
    response_s: float | None = None  # on acknowledgement: seconds since the occurrence was annunciated
    unit: str = ""  # of `value`, as the alarm's definition says ("" when its value has none)
    # the ts of the activation that raised the occurrence it belongs to (`alarms.states.occurrence_raised`;
    # None: outside any, e.g. a shelve of a normal alarm): links an occurrence's transitions in the journal
    raised_ts: float | None = None


@dataclass(frozen=True, slots=True)
class Raised:
    """What raised an alarm: the time, value and message of the activation the operator was first told of.

    A re-activation before the alarm is acknowledged (ISA-18.2 returned-unacknowledged, then active again)
    or while it chatters is the same alarm to the operator: it keeps the first one's, so that the banner
    line keeps its time, its place and the value that raised it.
    """

    ts: float
    value: float
    message: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """A command the engine did not carry out, with the reason to show the operator."""

    alarm_id: str
    event: Event
    reason: str


@dataclass(frozen=True, slots=True)
class AlarmView:
    """One alarm for the alarm list; `seq` is what an acknowledgement of it must name."""

    id: str
    source: str
    tier: Tier
    priority: Priority
    area: str
    message: str
    state: State
    active: bool
    acked: bool
    latched: bool
    value: float
    seq: int
    ts: float  # of its latest transition
    shelve: Shelve | None
    chattering: bool
    suggest_shelve: bool  # chattering and not shelved: offer the operator a shelve
    group: str | None
    response_s: float | None  # of its latest acknowledgement
    active_ts: float | None = (
        None  # the current (or last) occurrence: when it became active (None: not known)
    )
    ack_ts: float | None = None  # when that occurrence was acknowledged
    clear_ts: float | None = None  # when it returned to normal
    first_out: bool = False  # that occurrence was the first annunciation after a quiet window in its area
    raised: Raised | None = None  # what raised it (None: not known)
    cause: str | None = None  # the alarm its occurrence follows from, active or not (`group`: while active)
    home_area: str = ""  # its own area, where suppression by design acts (`area`: this occurrence's)
    ack_by: str = ""  # who acknowledged that occurrence
    acked_by_unshelve: bool = False  # ISA-18.2: a manual unshelve returned it acknowledged
    unit: str = ""  # of `value` and of `raised.value`, as the alarm's definition says ("" when it has none)


class Edge(NamedTuple):
    """A rule's condition changed: the engine turns it into an activate or clear event."""

    alarm_id: str
    active: bool
    value: float
    message: str | None = None  # None: the alarm's template rendered with `value`
    area: str | None = None  # where this occurrence is (a wearer's zone); None: the alarm's own area
    cause: str | None = (
        None  # the alarm this occurrence follows from (the gas alarm of the zone a worker is in)
    )
