"""The alarm history's records: what a shift lead asks for (a period and filters) and what each alarm
occurrence comes back as (issue 16). Plain data, no database and no Qt: `integrations.alarm_history` fills
them from the journal, the history view shows them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from alarms.definitions import Priority, Tier
from alarms.states import State

PAGE_SIZE = 200


class HistoryState(StrEnum):
    """What a shift lead filters occurrences by: how they stand at their last transition (now, for an
    alarm's latest occurrence), or, for the hidden states, whether they were hidden at any time."""

    ACTIVE = "active"  # the condition is still present
    UNACKNOWLEDGED = "unacknowledged"
    CLEARED = "cleared"  # returned to normal
    SHELVED = "shelved"
    SUPPRESSED = "suppressed"
    OUT_OF_SERVICE = "out_of_service"


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Occurrences raised in since <= ts < until; empty / None fields do not filter."""

    since: float
    until: float
    area: str = ""
    tier: Tier | None = None
    tag: str = ""  # part of the alarm id or of its source (tag, worker, zone), any case
    state: HistoryState | None = None
    actor: str = ""  # acted on the occurrence (acknowledged, shelved, ...), exactly
    text: str = ""  # part of the message or of a comment, any case


@dataclass(frozen=True, slots=True)
class Action:
    """Someone acted on an occurrence."""

    ts: float
    actor: str
    comment: str


@dataclass(frozen=True, slots=True)
class Hidden:
    """A span in which the occurrence was shelved, suppressed or out of service."""

    since: float
    actor: str
    comment: str  # the reason given
    planned_until: float | None  # a shelve's end as chosen; None: until taken back
    ended: float | None  # None: still hidden
    ended_by: str  # "" for a timer or the system


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One alarm occurrence: raised, then what happened to it until the alarm was raised again."""

    key: int  # the journal id of the activation that raised it
    alarm_id: str
    source: str  # the tag, worker or zone the alarm is about
    area: str
    tier: Tier
    priority: Priority
    message: str
    value: float  # that raised it; NaN: none
    unit: str
    raised: float
    acknowledged: Action | None
    acked_by_unshelve: bool
    cleared: float | None
    shelved: Hidden | None
    suppressed: Hidden | None
    out_of_service: Hidden | None
    first_response_s: float | None  # seconds to the first operator action (the acknowledgement's own count)
    state: State  # after its last transition
    active: bool
    acked: bool

    @property
    def ack_after_s(self) -> float | None:
        return None if self.acknowledged is None else self.acknowledged.ts - self.raised


@dataclass(frozen=True, slots=True)
class HistoryPage:
    rows: tuple[Occurrence, ...]
    total: int  # occurrences that match, on every page
    page: int  # from 0
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))
