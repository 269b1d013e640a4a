"""Map labels placed by priority, so that no label, badge or plate ever covers another.

Every repaint, before the layers paint, the view gathers each layer's label candidates (a rectangle in
viewport pixels, with alternative places), and the board places them most important first: an isolation's
plate (the one reminder that a zone's alarms, tier 1 included, are hidden), a tier-1 reading or an SOS,
a suspended permit's badge, a person's tier-1 rule alarm, zone names, readings of normal detectors. A
candidate goes to its first place that is free; one with no free place is left out this frame (its marker,
outline and tooltip still tell), unless it is `required` (a plate): then it takes its first place all the
same. The layers then paint exactly what was placed, where it was placed. Detector markers take part as
fixed obstacles: they are drawn wherever they are, and zone names and what ranks below them go around them.
Runs on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QRectF

# Higher first. One scale for every layer, so that the order reads in one place.
ISOLATION = 110  # an isolated zone's plate: while it lasts, the zone's alarms are hidden
TIER1 = 100  # a tier-1 reading, a worker's SOS or man-down
SUSPENDED = 90  # a suspended permit's badge: the work must stop
PERSON_AT_RISK = 85  # a worker rule's tier-1 alarm ("IN GAS ZONE"): its marker is tier 1 even unlabelled
TIER2 = 80
PERMIT = 60  # the other permits' badges
TIER3 = 50  # tier-3 readings, bad and stale values
MARKER = 45  # a detector's marker, always drawn: the labels below go around it
ZONE = 40  # zone names
MUSTER = 30  # muster points' names (their ring and "MP" always show): moved over the ring, not on a zone name
NORMAL = 20  # readings of normal detectors and worker ids, when zoomed in

_BUCKET_PX = 64.0  # placed rectangles are looked up by bucket, then compared exactly


@dataclass(frozen=True, slots=True)
class Candidate:
    owner: str  # the layer: "detectors", "workers", "badges", "plates", "zones"
    key: Hashable  # which label of the layer (a row, a permit id, a zone id)
    priority: int
    places: tuple[QRectF, ...]  # in order of preference, viewport pixels
    required: bool = False  # never left out: with no free place it takes its first one
    fixed: bool = False  # drawn at its first place whatever lies there (a marker): it is only avoided


class LabelBoard:
    """Where each label of the current repaint goes (None: left out)."""

    def __init__(self) -> None:
        self._placed: dict[tuple[str, Hashable], QRectF] = {}

    def place(self, candidates: Iterable[Candidate]) -> None:
        buckets: dict[tuple[int, int], list[QRectF]] = {}
        self._placed = {}
        for c in sorted(candidates, key=lambda c: -c.priority):  # stable: a layer's own order breaks ties
            if c.fixed:  # what ranks below goes around it
                for key in _buckets(c.places[0]):
                    buckets.setdefault(key, []).append(c.places[0])
                continue
            free = (
                r
                for r in c.places
                if not any(r.intersects(o) for k in _buckets(r) for o in buckets.get(k, ()))
            )
            rect = next(free, c.places[0] if c.required and c.places else None)
            if rect is None:
                continue
            for key in _buckets(rect):
                buckets.setdefault(key, []).append(rect)
            self._placed[(c.owner, c.key)] = rect

    def placed(self, owner: str, key: Hashable) -> QRectF | None:
        return self._placed.get((owner, key))

    def keys(self, owner: str) -> list[Hashable]:
        """The labels of `owner` that were placed, in placing order (most important first)."""
        return [key for (o, key) in self._placed if o == owner]


def _buckets(rect: QRectF) -> list[tuple[int, int]]:
    return [
        (c, r)
        for c in range(int(rect.left() // _BUCKET_PX), int(rect.right() // _BUCKET_PX) + 1)
        for r in range(int(rect.top() // _BUCKET_PX), int(rect.bottom() // _BUCKET_PX) + 1)
    ]
