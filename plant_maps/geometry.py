"""Vectorised geometry: which zone each of many points lies in, in one numpy pass over every zone's edges."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def points_in_polygon(x: np.ndarray, y: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Even-odd ray casting for all points against one polygon ((n, 2) vertices); returns a bool mask."""
    return zone_of_points(x, y, [polygon]) == 0


def zone_of_points(x: np.ndarray, y: np.ndarray, polygons: Sequence[np.ndarray]) -> np.ndarray:
    """Index of the first polygon containing each point, -1 where none does (NaN positions give -1).

    Even-odd ray casting with every edge of every polygon against every point at once: a few array
    operations whatever the number of zones and vertices (a loop per edge cost ~10 µs each, per batch).
    """
    zone = np.full(x.shape, -1, dtype=np.int32)
    if not polygons or not x.size:
        return zone
    xi, yi = np.concatenate([p[:, 0] for p in polygons]), np.concatenate([p[:, 1] for p in polygons])
    xj = np.concatenate([np.roll(p[:, 0], 1) for p in polygons])
    yj = np.concatenate([np.roll(p[:, 1], 1) for p in polygons])
    px, py = x.reshape(1, -1), y.reshape(1, -1)
    xi, yi, xj, yj = (a[:, np.newaxis] for a in (xi, yi, xj, yj))  # one row per edge, one column per point
    crosses = (yi > py) != (yj > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = (xj - xi) * (py - yi) / (yj - yi) + xi
    starts = np.cumsum([0] + [len(p) for p in polygons[:-1]])
    inside = np.logical_xor.reduceat(crosses & (px < x_cross), starts, axis=0)  # one row per polygon
    hit = inside.any(axis=0)
    zone.reshape(-1)[hit] = inside.argmax(axis=0)[hit]  # argmax: the first polygon that holds it
    return zone
