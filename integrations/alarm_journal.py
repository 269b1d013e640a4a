"""One alarm transition <-> one `alarm_journal` row: the single place that knows the mapping.

The journal is what `AlarmEngine.restore` rebuilds the alarms from after a restart, so the round trip is
exact: NaN values become NULL (SQL has no NaN that both SQLite and PostgreSQL keep) and come back as NaN,
a shelve is flattened into two columns, enums are stored by value.

`row_of` coerces every field to its column's type, so that a malformed transition raises here rather than
poisoning the writer's shared transaction (which is retried until it succeeds).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from alarms.definitions import Priority, Tier
from alarms.records import Shelve, Transition
from alarms.states import Event, State

# member (or its plain value) -> stored value; a dict lookup is 15x faster than Event(x).value in a flood,
# and raises KeyError for anything that is not one
_EVENTS = {e: e.value for e in Event}
_STATES = {s: s.value for s in State}
_TIERS = {t: t.value for t in Tier}
_PRIORITIES = {p: p.value for p in Priority}


def row_of(t: Transition) -> dict[str, Any]:
    """The `alarm_journal` row of a transition (without `id`, which the database assigns)."""
    value = float(t.value)
    shelve = t.shelve
    return {
        "seq": int(t.seq),
        "ts": float(t.ts),
        "alarm_id": str(t.alarm_id),
        "source": str(t.source),
        "tier": _TIERS[t.tier],
        "priority": _PRIORITIES[t.priority],
        "area": str(t.area),
        "message": str(t.message),
        "event": _EVENTS[t.event],
        "from_state": _STATES[t.from_state],
        "to_state": _STATES[t.to_state],
        "active": bool(t.active),
        "acked": bool(t.acked),
        "value": None if math.isnan(value) else value,
        "actor": str(t.actor),
        "console": str(t.console),
        "comment": str(t.comment),
        "annunciate": bool(t.annunciate),
        "first_out": bool(t.first_out),
        "chattering": bool(t.chattering),
        "flood": bool(t.flood),
        "group_id": None if t.group is None else str(t.group),
        "shelve_until": None if shelve is None else float(shelve.until),
        "shelve_one_shot": False if shelve is None else bool(shelve.one_shot),
        "response_s": None if t.response_s is None else float(t.response_s),
        "unit": str(t.unit),
        "raised_ts": None if t.raised_ts is None else float(t.raised_ts),
    }


def transition_of(row: Mapping[str, Any]) -> Transition:
    """The transition an `alarm_journal` row (or `row_of` dict) holds; extra keys such as `id` are ignored."""
    value = row["value"]
    until = row["shelve_until"]
    return Transition(
        seq=row["seq"],
        alarm_id=row["alarm_id"],
        source=row["source"],
        tier=Tier(row["tier"]),
        priority=Priority(row["priority"]),
        area=row["area"],
        message=row["message"],
        event=Event(row["event"]),
        from_state=State(row["from_state"]),
        to_state=State(row["to_state"]),
        active=row["active"],
        acked=row["acked"],
        value=math.nan if value is None else value,
        actor=row["actor"],
        console=row["console"],
        comment=row["comment"],
        ts=row["ts"],
        annunciate=row["annunciate"],
        first_out=row["first_out"],
        chattering=row["chattering"],
        flood=row["flood"],
        group=row["group_id"],
        shelve=None if until is None else Shelve(until, row["shelve_one_shot"]),
        response_s=row["response_s"],
        unit=row["unit"],
        raised_ts=row["raised_ts"],
    )
