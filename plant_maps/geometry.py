"""Vectorised geometry: which zone each of many points lies in, in one numpy pass per zone."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def points_in_polygon(x: np.ndarray, y: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Even-odd ray casting for all points against one polygon ((n, 2) vertices); returns a bool mask."""
    inside = np.zeros(x.shape, dtype=bool)
    xs, ys = polygon[:, 0], polygon[:, 1]
    xj, yj = np.roll(xs, 1), np.roll(ys, 1)
    for xi_, yi_, xj_, yj_ in zip(xs, ys, xj, yj, strict=True):
        crosses = (yi_ > y) != (yj_ > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = (xj_ - xi_) * (y - yi_) / (yj_ - yi_) + xi_
        inside ^= crosses & (x < x_cross)
    return inside


def zone_of_points(x: np.ndarray, y: np.ndarray, polygons: Sequence[np.ndarray]) -> np.ndarray:
    """Index of the first polygon containing each point, -1 where none does (NaN positions give -1)."""
    zone = np.full(x.shape, -1, dtype=np.int32)
    for i, polygon in enumerate(polygons):
        hit = (zone < 0) & points_in_polygon(x, y, polygon)
        zone[hit] = i
    return zone
