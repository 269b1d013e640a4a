"""The names a trend and the tag history know: every sensor, and each worker's vitals as tags of their own.

Vitals are stored in the tag history like sensor samples (`W01.heart_rate`), so a trend can plot them and
the deadband thins them; their rows come after the sensors' in the console's ring buffers and the history
writer (sensor rows keep their site index).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from alarms.samples import Quality, TagBatch
from plant_maps.site import Site
from plant_maps.wearables import Vitals


@dataclass(frozen=True, slots=True)
class Vital:
    field: str  # the attribute of `Vitals`, and the tag's suffix
    name: str
    unit: str
    deadband: float  # history deadband: a band's own resolution and noise, not a change that matters


VITALS = (
    Vital("heart_rate", "heart rate", "bpm", 2.0),
    Vital("skin_temp_c", "skin temperature", "°C", 0.2),
    Vital("battery_pct", "battery", "%", 1.0),
)


def vital_tag(worker: str, field: str) -> str:
    return f"{worker}.{field}"


@dataclass(frozen=True, slots=True)
class VitalTag:
    tag: str
    worker: str
    vital: Vital


def vital_tags(site: Site) -> list[VitalTag]:
    """Every worker's vitals, worker by worker, in `VITALS` order (the order of their history rows)."""
    return [VitalTag(vital_tag(w.id, v.field), w.id, v) for w in site.workers for v in VITALS]


def history_tags(site: Site) -> list[str]:
    """The tag of each history row: the sensors (by site index), then the workers' vitals."""
    return [s.id for s in site.sensors] + [v.tag for v in vital_tags(site)]


def history_deadbands(site: Site) -> list[float]:
    return [s.deadband for s in site.sensors] + [v.vital.deadband for v in vital_tags(site)]


def vitals_batch(site: Site, vitals: list[Vitals]) -> TagBatch:
    """Vitals as samples of their history rows (a NaN reading is a good sample without a number)."""
    first = len(site.sensors)
    index, value, ts = [], [], []
    for v in vitals:
        row = first + site.worker_index[v.worker] * len(VITALS)
        for k, vital in enumerate(VITALS):
            index.append(row + k)
            value.append(float(getattr(v, vital.field)))
            ts.append(v.ts)
    received = max(ts) if ts else math.nan
    return TagBatch.from_lists(index, value, [int(Quality.GOOD)] * len(index), ts, received)
