"""Simultaneous operations (SIMOPS): pairs of live permits whose work is dangerous side by side.

GB 30871 SIMOPS as DOMAIN.md states it: hot work next to line breaking or confined-space entry, and lifting
over any other permit's work, must be flagged. "Next to" means the same zone, zones that overlap or touch,
or zones closer than `adjacent_m` (default 15 m: DOMAIN.md gives no distance; the standard keeps
flammable liquids 15 m from a hot-work point). Flags are advice for the operator, not state changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from plant_maps.permit_lifecycle import LIVE, PermitState
from plant_maps.proximity import polygon_gap
from plant_maps.site import Permit, Zone

DEFAULT_ADJACENT_M = 15.0

# (category a, category b) -> why the pair is dangerous; lifting pairs with anything (see `_hazard`).
_HOT_WORK_PAIRS = {
    "line_blinding": "opening a line can release flammable product onto the hot work",
    "confined_space": "hot work can ignite or foul the atmosphere of the confined space",
}


@dataclass(frozen=True, slots=True)
class SimopsFlag:
    """Two permits that must not run side by side unchecked; `explanation` is the sentence to show."""

    first: str
    second: str
    rule: str  # "hot_work+line_blinding", "hot_work+confined_space" or "lifting_over_permit"
    explanation: str


def _hazard(a: Permit, b: Permit) -> tuple[Permit, Permit, str, str] | None:
    """The dangerous reading of a pair, ordered (hazard source, exposed), or None."""
    for first, second in ((a, b), (b, a)):
        if first.category == "hot_work" and second.category in _HOT_WORK_PAIRS:
            return first, second, f"hot_work+{second.category}", _HOT_WORK_PAIRS[second.category]
    for first, second in ((a, b), (b, a)):
        if first.category == "lifting":
            return first, second, "lifting_over_permit", "a dropped or swinging load would reach its people"
    return None


class ZoneGaps:
    """Distances between zone polygons, computed once per pair and kept (zones do not move)."""

    def __init__(self, zones: Iterable[Zone]) -> None:
        zones = list(zones)
        self._polygons = {z.id: np.asarray(z.polygon, dtype=np.float64) for z in zones}
        self._names = {z.id: z.name for z in zones}
        self._gaps: dict[frozenset[str], float] = {}

    def name(self, zone: str) -> str:
        """The zone's name, what a flag says (the id of a zone the site lacks)."""
        return self._names.get(zone, zone)

    def gap(self, a: str, b: str) -> float:
        if a == b:
            return 0.0
        key = frozenset((a, b))
        if key not in self._gaps:
            self._gaps[key] = polygon_gap(self._polygons[a], self._polygons[b])
        return self._gaps[key]


def simops_flags(
    permits: Iterable[tuple[Permit, PermitState]],
    gaps: ZoneGaps,
    adjacent_m: float = DEFAULT_ADJACENT_M,
    live: Iterable[PermitState] = LIVE,
) -> list[SimopsFlag]:
    """Every dangerous pair among the permits in a `live` state (approved, active or suspended by default).

    Approved permits count because their work is about to start; suspended ones because their equipment
    and openings are still on site.
    """
    live_states = frozenset(live)
    current = [p for p, state in permits if state in live_states]
    flags = []
    for a, b in combinations(current, 2):
        hazard = _hazard(a, b)
        if hazard is None:
            continue
        gap = gaps.gap(a.zone, b.zone)
        if gap > adjacent_m:
            continue
        source, exposed, rule, why = hazard
        where = _where(gaps.name(source.zone), gaps.name(exposed.zone), gap)
        text = f"{source.id} ({source.category}) and {exposed.id} ({exposed.category}) {where}: {why}"
        flags.append(SimopsFlag(source.id, exposed.id, rule, text))
    return flags


def _where(a: str, b: str, gap: float) -> str:
    if a == b:
        return f"both in {a}"
    if gap == 0.0:
        return f"in overlapping zones {a} and {b}"
    return f"in {a} and {b}, {gap:.0f} m apart"
