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


def circle_touches_polygon(x: float, y: float, radius: float, polygon: np.ndarray) -> bool:
    """Whether the disc of `radius` around (x, y) overlaps the polygon ((n, 2) vertices): the centre is
    inside, or an edge comes within `radius` of it (a hazard circle reaching into a zone)."""
    if points_in_polygon(np.array([x]), np.array([y]), polygon)[0]:
        return True
    a, b = polygon, np.roll(polygon, -1, axis=0)
    edge = b - a
    length2 = np.maximum((edge**2).sum(axis=1), 1e-12)
    t = np.clip(((x - a[:, 0]) * edge[:, 0] + (y - a[:, 1]) * edge[:, 1]) / length2, 0.0, 1.0)
    nearest = a + t[:, None] * edge
    return bool((np.hypot(nearest[:, 0] - x, nearest[:, 1] - y) <= radius).any())
