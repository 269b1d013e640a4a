"""Which zones have a tier-1 alarm active: the input the permit and worker rules take from the alarm engine."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from alarms.definitions import Tier
from alarms.records import AlarmView
from plant_maps.alarm_rules import wearable_worker
from plant_maps.state import WorkerTable


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
