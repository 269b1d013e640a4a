"""Which zones have a tier-1 alarm active: the input the permit and worker rules take from the alarm engine."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from alarms.definitions import Tier
from alarms.records import AlarmView


def tier1_zones(views: Iterable[AlarmView], sources: Collection[str] | None = None) -> frozenset[str]:
    """Areas of active tier-1 alarms, optionally only those raised by `sources` (e.g. the gas sensor ids).

    Alarms whose area is the whole site (wearable SOS, communication) name no zone and are left out: the
    caller places a worker's alarm by the worker's position if it wants it here.
    """
    return frozenset(
        v.area for v in views if v.active and v.tier is Tier.LIFE and (sources is None or v.source in sources)
    )
