"""Small builders for alarm tests: definitions, batches and an engine on a ManualClock."""

from __future__ import annotations

from alarms.clock import ManualClock
from alarms.definitions import AlarmSpec, Definitions, EventKind, EventRule, Limit, Priority, Tier
from alarms.engine import AlarmEngine
from alarms.escalation import Escalation
from alarms.records import Transition
from alarms.samples import Quality, TagBatch
from alarms.shelving import Shelving


def spec(
    alarm_id: str,
    source: str = "S",
    tier: Tier = Tier.HIGH,
    area: str = "zone",
    latched: bool = False,
    cause: str | None = None,
) -> AlarmSpec:
    return AlarmSpec(alarm_id, source, tier, Priority.MEDIUM, area, "{id} {value:.3g}", latched, cause)


def limit(setpoint: float, tier: Tier = Tier.HIGH, latched: bool = False, cause: str | None = None) -> Limit:
    return Limit(setpoint, tier, Priority.MEDIUM, latched, cause)


def event(alarm_id: str, tier: Tier = Tier.LIFE, area: str = "zone", latched: bool = False) -> EventRule:
    return EventRule(spec(alarm_id, "W01", tier, area, latched), EventKind.SOS)


def batch(clock: ManualClock, values: dict[int, float], quality: Quality = Quality.GOOD) -> TagBatch:
    """One sample per tag row, measured now."""
    rows = list(values)
    now = clock.now()
    return TagBatch.from_lists(rows, [values[r] for r in rows], [quality] * len(rows), [now] * len(rows), now)


def make(
    definitions: Definitions, shelving: Shelving | None = None, escalation: Escalation | None = None
) -> tuple[AlarmEngine, ManualClock]:
    clock = ManualClock()
    return AlarmEngine(definitions, clock, shelving=shelving, escalation=escalation), clock


def feed(
    engine: AlarmEngine, clock: ManualClock, row: int, values: list[float], every_s: float
) -> list[Transition]:
    """Send `values` of one tag `every_s` apart (time advances before each)."""
    out: list[Transition] = []
    for v in values:
        clock.advance(every_s)
        out += engine.process(batch(clock, {row: v}))
    return out


def moves(transitions: list[Transition]) -> list[tuple[str, str, str]]:
    """(alarm id, event, new state) of each transition, for compact assertions."""
    return [(t.alarm_id, t.event.value, t.to_state.value) for t in transitions]
