"""An incident's danger area (a zone, or a point and a hazard radius) and who and what is in it or near it:
what the coordinator's layout lists (NIMS ICS-201's impacted and threatened areas; Blackline Live's nearby
workers with the age of their position).

"Near" is within NEAR_M of the area's edge: the distance a gas cloud or a fire's radiant heat reaches beyond
the drawn boundary before anyone has re-measured, and the same 50 m the guardian rule (DOMAIN `Guardian
check-in`) treats as "at the work".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from plant_maps.permit_lifecycle import PermitState
from plant_maps.permits import PermitStatus
from plant_maps.proximity import distance_to_polygon, polygon_gap
from plant_maps.site import Site
from plant_maps.state import WorkerTable

NEAR_M = 50.0
CIRCLE_SIDES = 32  # a hazard circle as a polygon, for the distance from a zone to it
LISTED = (PermitState.ACTIVE, PermitState.SUSPENDED, PermitState.APPROVED)  # work going on, or about to


@dataclass(frozen=True, slots=True)
class DangerArea:
    """A zone's polygon, or a circle (centre and radius in site metres)."""

    zone: str  # "": a point and a radius only
    polygon: np.ndarray  # (n, 2): the zone's, or the circle's approximation

    @classmethod
    def of(
        cls, site: Site, zone: str, x: float | None, y: float | None, radius_m: float | None
    ) -> DangerArea:
        if x is not None and y is not None and radius_m is not None:
            a = np.linspace(0.0, 2 * np.pi, CIRCLE_SIDES, endpoint=False)
            circle = np.stack([x + radius_m * np.cos(a), y + radius_m * np.sin(a)], axis=-1)
            return cls(zone, circle)
        return cls(zone, np.asarray(site.zone(zone).polygon, dtype=np.float64))

    def distance_m(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each point's distance to the area in metres: 0 inside, NaN for an unknown position."""
        return distance_to_polygon(x, y, self.polygon)

    def zone_gap_m(self, polygon: Iterable[tuple[float, float]]) -> float:
        """How far a zone is from the area (0 where they touch or overlap)."""
        return polygon_gap(np.asarray(tuple(polygon), dtype=np.float64), self.polygon)


@dataclass(frozen=True, slots=True)
class PersonNear:
    worker: str
    name: str
    distance_m: float  # 0: inside
    fix_age_s: float  # how old the position is

    @property
    def inside(self) -> bool:
        return self.distance_m == 0.0


def people_near(
    area: DangerArea, workers: WorkerTable, now: float, near_m: float = NEAR_M
) -> list[PersonNear]:
    """The workers located inside the area or within `near_m` of it: those inside first, then the nearest."""
    d = area.distance_m(workers.x, workers.y)
    rows = np.flatnonzero(np.nan_to_num(d, nan=np.inf) <= near_m)
    rows = rows[np.lexsort((d[rows],))]
    site = workers.site
    return [
        PersonNear(
            site.workers[r].id, site.workers[r].name, float(d[r]), max(0.0, now - float(workers.fix_ts[r]))
        )
        for r in rows
    ]


def permit_ids_near(area: DangerArea, site: Site, near_m: float = NEAR_M) -> list[str]:
    """Every permit of the site, whatever its state, in the area's zone or one within `near_m` of it: whose
    changes belong on the incident's timeline."""
    gaps = _zone_gaps(area, site)
    return [p.id for p in site.permits if gaps.get(p.zone, math.inf) <= near_m]


def _zone_gaps(area: DangerArea, site: Site) -> dict[str, float]:
    """Each zone's distance from the area (its own zone 0), once per call rather than once per permit."""
    return {z.id: 0.0 if z.id == area.zone else area.zone_gap_m(z.polygon) for z in site.zones}


def permits_near(
    area: DangerArea, site: Site, statuses: Iterable[PermitStatus], near_m: float = NEAR_M
) -> list[tuple[PermitStatus, float]]:
    """The permits whose work is going on, stopped or about to start (active, suspended, approved) in the
    area's zone or one within `near_m` of it, with that gap in metres (0: in it), the nearest first."""
    gaps = _zone_gaps(area, site)
    found = [(s, gaps[s.permit.zone]) for s in statuses if s.state in LISTED]
    return sorted(((s, gap) for s, gap in found if gap <= near_m), key=lambda f: (f[1], f[0].id))


def running(found: Iterable[tuple[PermitStatus, float]]) -> list[str]:
    """The ids of those whose work is going on: what "suspend all" stops."""
    return [s.id for s, _gap in found if s.state is PermitState.ACTIVE]
