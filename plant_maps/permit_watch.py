"""Why an active permit must stop now: the automatic suspension rules, evaluated for many permits at once.

The reasons (any may hold at once) are: a gas detector in the permit's zone at or beyond its limit, a
tier-1 alarm active in the zone, the guardian further than 50 m from the zone, or a person on the permit
holding an expired certificate. Positions and readings are the core's numpy tables, indexed by the
site's worker and tag rows; nothing here keeps state between calls.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import UTC, date, tzinfo
from typing import Protocol

import numpy as np

from alarms.samples import Quality
from plant_maps.certificates import expired_certificates, site_day
from plant_maps.gas_tests import gas_limits
from plant_maps.proximity import distance_to_polygon
from plant_maps.site import Permit, Site

# GB 30871 guardian check-in: further than 50 m from the permit location is a warning.
GUARDIAN_RADIUS_M = 50.0


class Positions(Protocol):
    """Last known position of every site worker by row (`plant_maps.state.WorkerTable` is one)."""

    x: np.ndarray
    y: np.ndarray


class Readings(Protocol):
    """Latest value and quality of every site tag by row (`plant_maps.state.TagTable` is one)."""

    value: np.ndarray
    quality: np.ndarray


def _first(*values: float | None) -> float:
    return next((v for v in values if v is not None), math.nan)


class PermitWatch:
    """The suspension rules of one site; construction precomputes each zone's gas detectors and limits."""

    def __init__(self, site: Site, *, guardian_radius_m: float = GUARDIAN_RADIUS_M, tz: tzinfo = UTC) -> None:
        self.site = site
        self.guardian_radius_m = guardian_radius_m
        self.tz = tz
        self._polygons = {z.id: np.asarray(z.polygon, dtype=np.float64) for z in site.zones}
        gas = [(row, s) for row, s in enumerate(site.sensors) if s.is_gas]
        # A detector's own limit: its first alarm level on each side (H, else HH; L, else LL).
        self._high = np.array([_first(s.limits.h, s.limits.hh) for s in site.sensors])
        self._low = np.array([_first(s.limits.low, s.limits.ll) for s in site.sensors])
        self._gas_rows: dict[str, np.ndarray] = {
            z.id: np.array([row for row, s in gas if s.zone == z.id], dtype=np.int64) for z in site.zones
        }
        self._lel = np.array([s.measure == "lel" for s in site.sensors], dtype=bool)

    def distance_to_zone(self, zone: str, x: float, y: float) -> float:
        """Metres from a point to a zone (0 inside); what a guardian check-in is judged by."""
        return float(distance_to_polygon(np.array([x]), np.array([y]), self._polygons[zone])[0])

    def reasons(
        self,
        permits: Sequence[Permit],
        now: float,
        positions: Positions,
        readings: Readings,
        tier1_zones: Collection[str],
    ) -> list[list[str]]:
        """For each permit (all assumed active), the reasons it must be suspended now; empty: none."""
        usable = np.where(readings.quality <= int(Quality.UNCERTAIN), readings.value, np.nan)
        distances = self._guardian_distances(permits, positions)
        today = site_day(now, self.tz)
        out = []
        for permit, distance in zip(permits, distances, strict=True):
            found = self._gas(permit, usable)
            if permit.zone in tier1_zones:
                found.append(f"tier-1 alarm active in {self.site.zone(permit.zone).name}")
            if distance > self.guardian_radius_m:
                found.append(
                    f"guardian {self._who(permit.guardian)} is {distance:.0f} m from "
                    f"{self.site.zone(permit.zone).name} (more than {self.guardian_radius_m:g} m)"
                )
            found.extend(self._certificates(permit, today))
            out.append(found)
        return out

    def _guardian_distances(self, permits: Sequence[Permit], positions: Positions) -> np.ndarray:
        """One vectorised distance call per zone for all the guardians of permits in that zone."""
        out = np.full(len(permits), np.nan)
        by_zone: dict[str, list[int]] = {}
        for i, permit in enumerate(permits):
            by_zone.setdefault(permit.zone, []).append(i)
        for zone, idx in by_zone.items():
            rows = np.array([self.site.worker_index[permits[i].guardian] for i in idx], dtype=np.int64)
            out[idx] = distance_to_polygon(positions.x[rows], positions.y[rows], self._polygons[zone])
        return out

    def _gas(self, permit: Permit, usable: np.ndarray) -> list[str]:
        rows = self._gas_rows[permit.zone]
        if rows.size == 0:
            return []
        value = usable[rows]
        high = self._high[rows]
        if permit.category == "hot_work":  # seed rule: hot work stops at >= its %LEL limit
            lel_max = gas_limits(permit)["lel"].max
            if lel_max is not None:
                high = np.where(self._lel[rows], np.fmin(high, lel_max), high)
        low = self._low[rows]
        with np.errstate(invalid="ignore"):
            over = value >= high
            under = value <= low
        out = []
        for k in np.flatnonzero(over | under):
            sensor = self.site.sensors[int(rows[k])]
            limit = high[k] if over[k] else low[k]
            side = "at or above" if over[k] else "at or below"
            out.append(
                f"gas: {sensor.name} reads {value[k]:.1f} {sensor.unit}, {side} {limit:g} {sensor.unit}"
            )
        return out

    def _certificates(self, permit: Permit, today: date) -> list[str]:
        out = []
        for person in dict.fromkeys((*permit.workers, permit.guardian)):
            worker = self.site.workers[self.site.worker_index[person]]
            for cert in expired_certificates(worker, today):
                out.append(
                    f"{self._who(person)} holds an expired {cert.type} certificate "
                    f"{cert.number} (expired {cert.expires.isoformat()})"
                )
        return out

    def _who(self, worker_id: str) -> str:
        return f"{self.site.workers[self.site.worker_index[worker_id]].name} ({worker_id})"
