"""Limit state of every tag at once, for display: how far outside its limits each value is.

The alarm engine owns annunciation; this is only what the map colours by.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from plant_maps.site import Site


class LimitState(IntEnum):
    NORMAL = 0
    HIGH_OR_LOW = 1  # beyond h or l
    HIGHHIGH_OR_LOWLOW = 2  # beyond hh or ll


class LimitArrays:
    """The site's hh/h/l/ll limits as arrays indexed by tag row (NaN where a tag has no such limit)."""

    def __init__(self, site: Site) -> None:
        def column(name: str) -> np.ndarray:
            values = [getattr(s.limits, name) for s in site.sensors]
            return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

        self.hh, self.h, self.low, self.ll = column("hh"), column("h"), column("low"), column("ll")

    def state(self, value: np.ndarray) -> np.ndarray:
        """LimitState per tag (NaN values compare false everywhere and read NORMAL; quality says the rest)."""
        with np.errstate(invalid="ignore"):
            outer = (value >= self.hh) | (value <= self.ll)
            inner = (value >= self.h) | (value <= self.low)
        return np.where(outer, 2, np.where(inner, 1, 0)).astype(np.int8)
