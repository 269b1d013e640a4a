"""Mustering in an evacuation: who has reached a muster point since the alarm, and who is still missing.

A worker counts as accounted for once a fix taken after mustering started lies within a muster point's
radius (DOMAIN: counted when seen at a muster point); the count stays even if the worker walks on. The
emergency coordinator may also account for someone by head count. Everyone else on the expected list is
missing, shown with the last known position and how old that fix is, the most urgent first: whoever's band
calls for help, then those last seen where an alarm is, then the rest. One numpy pass per muster point.
Runs on the core's loop thread.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

import numpy as np

from plant_maps.geometry import zone_of_points
from plant_maps.site import Site


class Fixes(Protocol):
    """Last fix of every site worker by row (`plant_maps.state.WorkerTable` is one); `fix_ts` 0: none."""

    x: np.ndarray
    y: np.ndarray
    fix_ts: np.ndarray


@dataclass(frozen=True, slots=True)
class Accounted:
    worker: str
    point: str  # muster point id, or "headcount" when accounted for by hand
    ts: float
    by: str = ""  # who counted by hand


# Personnel accountability (Resgrid's overdue check-ins): a missing worker unseen this long is overdue. A
# walk from anywhere on the demo site to a muster point takes under 2 min; unseen for 3 min while missing is
# a warning, for 5 min (the whole-site evacuation target) critical, as is never having been located at all.
OVERDUE_WARNING_S = 180.0
OVERDUE_CRITICAL_S = 300.0


class Overdue(IntEnum):
    NO = 0
    WARNING = 1
    CRITICAL = 2


@dataclass(frozen=True, slots=True)
class MissingWorker:
    """A worker not yet accounted for; position NaN and age None when never located."""

    worker: str
    name: str
    x: float
    y: float
    zone: str | None
    fix_age_s: float | None

    @property
    def overdue(self) -> Overdue:
        """How overdue by the time since last seen (never located: critical)."""
        if self.fix_age_s is None or self.fix_age_s >= OVERDUE_CRITICAL_S:
            return Overdue.CRITICAL
        return Overdue.WARNING if self.fix_age_s >= OVERDUE_WARNING_S else Overdue.NO


@dataclass(frozen=True, slots=True)
class MusterCounts:
    expected: int
    accounted: int
    missing: int
    by_point: dict[str, int]


class Muster:
    """One evacuation's headcount; `start` begins it, `update` with each batch of fixes advances it."""

    def __init__(self, site: Site) -> None:
        self.site = site
        n = len(site.workers)
        self._ids = [w.id for w in site.workers]
        self._points = site.muster_points
        self._polygons = [np.asarray(z.polygon, dtype=np.float64) for z in site.zones]
        self._expected = np.zeros(n, dtype=bool)
        self._accounted: dict[int, Accounted] = {}
        self._is_accounted = np.zeros(n, dtype=bool)
        self.started_at: float | None = None

    @property
    def active(self) -> bool:
        return self.started_at is not None

    def start(self, now: float, expected: Iterable[str] | None = None) -> None:
        """Begin counting; `expected` is who is on site (default: every worker of the site roster)."""
        self.started_at = now
        self._accounted.clear()
        self._is_accounted[:] = False
        self._expected[:] = expected is None
        for worker in expected or ():
            self._expected[self.site.worker_index[worker]] = True

    def stop(self) -> None:
        self.started_at = None

    def update(self, fixes: Fixes) -> list[Accounted]:
        """Count everyone whose latest fix, taken since the start, lies at a muster point; returns the new ones."""
        if self.started_at is None:
            return []
        open_ = self._expected & ~self._is_accounted & (fixes.fix_ts >= self.started_at)
        new = []
        for point in self._points:
            with np.errstate(invalid="ignore"):
                near = (fixes.x - point.x) ** 2 + (fixes.y - point.y) ** 2 <= point.radius**2
            for row in np.flatnonzero(open_ & near).tolist():
                record = Accounted(self._ids[row], point.id, float(fixes.fix_ts[row]))
                self._accounted[row] = record
                self._is_accounted[row] = True
                new.append(record)
            open_ &= ~near
        return new

    def account(self, worker: str, by: str, now: float) -> Accounted:
        """Account for a worker by head count (seen by a warden, not by positioning)."""
        row = self.site.worker_index[worker]
        record = Accounted(worker, "headcount", now, by)
        self._accounted[row] = record
        self._is_accounted[row] = True
        self._expected[row] = True
        return record

    def accounted(self) -> list[Accounted]:
        return sorted(self._accounted.values(), key=lambda a: a.ts)

    def counts(self) -> MusterCounts:
        by_point = {p.id: 0 for p in self._points}
        for a in self._accounted.values():
            by_point[a.point] = by_point.get(a.point, 0) + 1
        expected = int(self._expected.sum())
        accounted = len(self._accounted)
        return MusterCounts(expected, accounted, expected - accounted, by_point)

    def missing(
        self, now: float, fixes: Fixes, calling: Collection[str] = (), alarmed: Collection[str] = ()
    ) -> list[MissingWorker]:
        """Who is still missing, the most urgent first: the workers whose band calls for help (`calling`: an
        SOS or man-down), then those last seen in an `alarmed` zone (zone ids), then the rest; within each,
        the longest unseen first (never located before anyone seen)."""
        rows = np.flatnonzero(self._expected & ~self._is_accounted)
        zone = zone_of_points(fixes.x[rows], fixes.y[rows], self._polygons)
        out = []
        for row, z in zip(rows.tolist(), zone.tolist(), strict=True):
            seen = fixes.fix_ts[row] > 0
            out.append(
                MissingWorker(
                    self._ids[row],
                    self.site.workers[row].name,
                    float(fixes.x[row]) if seen else math.nan,
                    float(fixes.y[row]) if seen else math.nan,
                    self.site.zones[z].id if seen and z >= 0 else None,
                    float(now - fixes.fix_ts[row]) if seen else None,
                )
            )
        out.sort(key=lambda m: _urgency(m, calling, alarmed))
        return out


def _urgency(m: MissingWorker, calling: Collection[str], alarmed: Collection[str]) -> tuple[int, float]:
    group = 0 if m.worker in calling else 1 if m.zone in alarmed else 2
    return group, -math.inf if m.fix_age_s is None else -m.fix_age_s
