"""Tier-1 alarms by zone, from the alarm engine's views: which zones have one active (what the permit and
worker rules take), and which ones are active in given zones (what a command that re-energises or re-admits
work there overrides: the one query the core's check, the interlock and permit paths and the window use)."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from alarms.definitions import Tier
from alarms.records import AlarmView
from alarms.samples import Quality
from alarms.states import State
from plant_maps.alarm_rules import wearable_worker
from plant_maps.permit_watch import Readings
from plant_maps.site import Site
from plant_maps.state import WorkerTable

STATE_WORDS = {
    State.UNACK: "unacknowledged",
    State.ACKED: "acknowledged",
    State.SHELVED: "shelved",
    State.SUPPRESSED: "suppressed",
    State.OUT_OF_SERVICE: "out of service",
}

# (alarm id, when that occurrence became active): one raised again is a new occurrence
Occurrence = tuple[str, float | None]


@dataclass(frozen=True, slots=True)
class Hazard:
    """A tier-1 alarm whose condition is active in a zone, whatever an operator did with it (acknowledged,
    shelved, suppressed or out of service): an SIS permissive does not ask whether the alarm is shown.

    `value` is the detector's reading now when the alarm is a detector's and its reading is usable (`unit`
    then names its unit), else the value the alarm was raised with (`unit` None). `since` tells this
    occurrence from a later one of the same alarm: an override holds for the occurrence it named.
    """

    alarm_id: str
    source: str  # the tag (detector) or worker it is about
    message: str
    state: State
    zone: str
    value: float
    unit: str | None = None
    since: float | None = None

    @property
    def occurrence(self) -> Occurrence:
        return self.alarm_id, self.since

    def text(self) -> str:
        """The alarm in words, as the core's refusals and the event log name it."""
        now = "" if self.unit is None else f"; now {self.value:.4g} {self.unit}".rstrip()
        return f"{self.alarm_id} ({self.message}{now}; {STATE_WORDS.get(self.state, self.state.value)})"

    def record(self) -> dict[str, Any]:
        """What the audit trail keeps of an overridden alarm."""
        return {
            "alarm_id": self.alarm_id,
            "source": self.source,
            "message": self.message,
            "state": self.state.value,
            "value": self.value if math.isfinite(self.value) else None,
            "unit": self.unit,
        }


def tier1_hazards(
    views: Iterable[AlarmView], zones: Collection[str], site: Site, readings: Readings | None = None
) -> tuple[Hazard, ...]:
    """The tier-1 alarms active in `zones`, the oldest occurrence first; a detector's with its reading now.

    Active means the condition holds: unacknowledged or acknowledged, shelved, suppressed or out of service
    alike; one that returned to normal (acknowledged or not, latched or not) is not.
    """
    found = [v for v in views if v.active and v.tier is Tier.LIFE and v.area in zones]
    found.sort(key=lambda v: (v.active_ts if v.active_ts is not None else v.ts, v.id))
    return tuple(_hazard(v, site, readings) for v in found)


def _hazard(v: AlarmView, site: Site, readings: Readings | None) -> Hazard:
    row = site.tag_index.get(v.source)
    value, unit = v.value, None
    if row is not None and readings is not None and readings.quality[row] <= int(Quality.UNCERTAIN):
        value, unit = float(readings.value[row]), site.sensors[row].unit
    return Hazard(v.id, v.source, v.message, v.state, v.area, value, unit, v.active_ts)


def tier1_zones(
    views: Iterable[AlarmView], sources: Collection[str] | None = None, wearers: WorkerTable | None = None
) -> frozenset[str]:
    """Areas of active tier-1 alarms, optionally only those raised by `sources` (e.g. the gas sensor ids).

    An SOS or man-down is raised in the zone its wearer was in (its area; the whole site when the position was
    unknown); with `wearers` it also counts in the zone the wearer is in now (DOMAIN `Tiered response`: a
    person down is a tier-1 alarm where they are, so the permit rules stop the work around them).
    Alarms whose area is the whole site (communication) name no zone and match none.
    """
    zones = set()
    for v in views:
        if v.active and v.tier is Tier.LIFE and (sources is None or v.source in sources):
            zones.add(v.area)
            worker = wearable_worker(v.id)
            if wearers is not None and worker is not None:
                zone = int(wearers.zone[wearers.site.worker_index[worker]])
                if zone >= 0:
                    zones.add(wearers.site.zones[zone].id)
    return frozenset(zones)
