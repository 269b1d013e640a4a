"""A journal built by hand: alarm transitions and journal events written straight into a store.

The builder follows each alarm's state through the ISA-18.2 table (`alarms.states.step`) and links each row
to its occurrence as the engine does (`alarms.states.occurrence_raised`), so that a test says what happened
("raised, acknowledged 20 s later, cleared") and the rows are the ones the engine would have journaled for it.
"""

from __future__ import annotations

from typing import Any

from alarms.definitions import Priority, Tier
from alarms.records import Shelve, Transition
from alarms.states import HIDDEN, Event, State, occurrence_raised, step
from integrations.alarm_journal import row_of
from integrations.storage import Store


class JournalBuilder:
    def __init__(self) -> None:
        self.alarm_rows: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self._state: dict[str, State] = {}
        self._active: dict[str, bool] = {}
        self._raised: dict[str, float | None] = {}  # when each alarm's latest row's occurrence was raised
        self._where: dict[str, tuple[str, Priority, Tier]] = {}

    def alarm(
        self, alarm_id: str, area: str, priority: Priority = Priority.LOW, tier: Tier = Tier.HIGH
    ) -> None:
        self._where[alarm_id] = (area, priority, tier)

    def raise_(self, alarm_id: str, ts: float) -> None:
        self._move(alarm_id, Event.ACTIVATE, ts, active=True)

    def clear(self, alarm_id: str, ts: float) -> None:
        self._move(alarm_id, Event.CLEAR, ts, active=False)

    def ack(self, alarm_id: str, ts: float, actor: str = "li.wei") -> None:
        """Acknowledged at `ts`; its response time counted from the occurrence's raise, as the engine does."""
        raised = self._raised.get(alarm_id)
        self._move(
            alarm_id, Event.ACKNOWLEDGE, ts, actor=actor, response_s=None if raised is None else ts - raised
        )

    def shelve(self, alarm_id: str, ts: float, actor: str, reason: str, until: float) -> None:
        self._move(alarm_id, Event.SHELVE, ts, actor=actor, comment=reason, shelve=Shelve(until))

    def unshelve(self, alarm_id: str, ts: float, actor: str) -> None:
        self._move(alarm_id, Event.UNSHELVE_MANUAL, ts, actor=actor)

    def suppress(self, alarm_id: str, ts: float, reason: str) -> None:
        self._move(alarm_id, Event.SUPPRESS, ts, actor="", comment=reason)

    def unsuppress(self, alarm_id: str, ts: float) -> None:
        self._move(alarm_id, Event.UNSUPPRESS, ts, actor="")

    def remove_from_service(self, alarm_id: str, ts: float, actor: str, reason: str) -> None:
        self._move(alarm_id, Event.REMOVE_FROM_SERVICE, ts, actor=actor, comment=reason)

    def event(self, kind: str, ts: float, source: str, payload: dict[str, Any], actor: str = "") -> None:
        self.events.append(
            {
                "ts": ts,
                "kind": kind,
                "source": source,
                "actor": actor,
                "console": "desk-1",
                "payload": payload,
            }
        )

    def permit(self, permit: str, ts: float, action: str, from_: str, to: str, reason: str = "") -> None:
        payload = {"from": from_, "to": to, "action": action, "reason": reason, "approval": None}
        self.event("permit", ts, permit, payload, actor="zhao.lei")

    def write(self, store: Store) -> None:
        store.write([], self.events, self.alarm_rows)

    def _move(self, alarm_id: str, event: Event, ts: float, **fields: Any) -> None:
        before = self._state.get(alarm_id, State.NORMAL)
        after = step(before, event)
        active = fields.pop("active", self._active.get(alarm_id, False))
        raised = occurrence_raised(event, before, ts, self._raised.get(alarm_id))
        self._state[alarm_id], self._active[alarm_id], self._raised[alarm_id] = after, active, raised
        area, priority, tier = self._where[alarm_id]
        fields.setdefault("actor", "system")
        t = Transition(
            seq=len(self.alarm_rows) + 1,
            alarm_id=alarm_id,
            source=alarm_id,
            tier=tier,
            priority=priority,
            area=area,
            message=alarm_id,
            event=event,
            from_state=before,
            to_state=after,
            active=active,
            acked=after not in (State.UNACK, State.RTN_UNACK) and after not in HIDDEN,
            value=1.0,
            console="desk-1",
            comment=fields.pop("comment", ""),
            ts=ts,
            raised_ts=raised,
            **fields,
        )
        self.alarm_rows.append(row_of(t))
