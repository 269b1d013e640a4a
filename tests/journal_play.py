"""Alarm journals built by hand for tests: events played through the alarm state machine.

Each `Journal.play` steps the alarm's status with `alarms.states.Status.apply`, so the rows carry the same
from/to states, active and acked flags and occurrence link (`alarms.states.occurrence_raised`) the engine
would journal, and the test names only what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alarms.definitions import Priority, Tier
from alarms.records import Shelve, Transition
from alarms.states import Event, State, Status, occurrence_raised
from integrations.alarm_journal import row_of


@dataclass(frozen=True, slots=True)
class Alarm:
    alarm_id: str
    source: str
    area: str
    tier: Tier
    priority: Priority
    message: str
    unit: str = ""


@dataclass
class Journal:
    rows: list[dict[str, Any]] = field(default_factory=list)
    _status: dict[str, Status] = field(default_factory=dict)
    _shelved_until: dict[str, float] = field(default_factory=dict)
    _raised: dict[str, float | None] = field(default_factory=dict)  # each alarm's occurrence, as linked

    def play(
        self,
        ts: float,
        alarm: Alarm,
        event: Event,
        *,
        value: float = float("nan"),
        actor: str = "",
        comment: str = "",
        shelve_until: float | None = None,
        response_s: float | None = None,
    ) -> None:
        """Journal `event` of `alarm` at `ts` (a system event when `actor` is empty)."""
        before = self._status.get(alarm.alarm_id, Status())
        after = before.apply(event)
        self._status[alarm.alarm_id] = after
        raised = occurrence_raised(event, before.state, ts, self._raised.get(alarm.alarm_id))
        self._raised[alarm.alarm_id] = raised
        if shelve_until is not None:
            self._shelved_until[alarm.alarm_id] = shelve_until
        shelve = None
        if after.state is State.SHELVED:
            shelve = Shelve(self._shelved_until[alarm.alarm_id])
        self.rows.append(
            row_of(
                Transition(
                    seq=len(self.rows) + 1,
                    alarm_id=alarm.alarm_id,
                    source=alarm.source,
                    tier=alarm.tier,
                    priority=alarm.priority,
                    area=alarm.area,
                    message=alarm.message,
                    event=event,
                    from_state=before.state,
                    to_state=after.state,
                    active=after.active,
                    acked=after.acked,
                    value=value,
                    actor=actor,
                    console="desk-1" if actor else "",
                    comment=comment,
                    ts=ts,
                    shelve=shelve,
                    response_s=response_s,
                    unit=alarm.unit,
                    raised_ts=raised,
                )
            )
        )
