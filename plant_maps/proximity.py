"""Distances between points and zone polygons, and between two zones (for guardians and SIMOPS).

Complements `geometry` (which zone a point is in) with how far a point or a zone is from a zone.
"""

from __future__ import annotations

import numpy as np

from plant_maps.geometry import points_in_polygon


def _edges(polygon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points of every edge of a closed polygon, as two (m, 2) arrays."""
    return polygon, np.roll(polygon, -1, axis=0)


def distance_to_polygon(x: np.ndarray, y: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Distance of each point to the polygon in metres: 0 inside or on it, NaN for NaN positions."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    a, b = _edges(np.asarray(polygon, dtype=np.float64))
    d = _point_segment_distance(np.stack([x, y], axis=-1), a, b).min(axis=-1)
    d[points_in_polygon(x, y, polygon)] = 0.0
    return d


def _point_segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, m) distances of n points (n, 2) to m segments a[j]-b[j]."""
    ab = b - a  # (m, 2)
    ap = p[:, None, :] - a[None, :, :]  # (n, m, 2)
    length2 = np.einsum("ij,ij->i", ab, ab)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(length2 > 0, np.einsum("nmj,mj->nm", ap, ab) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    nearest = a[None, :, :] + t[..., None] * ab[None, :, :]
    return np.hypot(*(p[:, None, :] - nearest).transpose(2, 0, 1))


def _segments_cross(a1: np.ndarray, a2: np.ndarray, b1: np.ndarray, b2: np.ndarray) -> bool:
    """Whether any segment of one set properly crosses any of the other (all pairs at once)."""

    def orient(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> np.ndarray:
        return np.sign(
            (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1])
            - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0])
        )

    p1, p2 = a1[:, None, :], a2[:, None, :]
    q1, q2 = b1[None, :, :], b2[None, :, :]
    o1, o2 = orient(p1, p2, q1), orient(p1, p2, q2)
    o3, o4 = orient(q1, q2, p1), orient(q1, q2, p2)
    return bool(np.any((o1 * o2 < 0) & (o3 * o4 < 0)))


def polygon_gap(a: np.ndarray, b: np.ndarray) -> float:
    """Shortest distance between two polygons in metres: 0 when they overlap or touch."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if points_in_polygon(a[:, 0], a[:, 1], b).any() or points_in_polygon(b[:, 0], b[:, 1], a).any():
        return 0.0
    if _segments_cross(*_edges(a), *_edges(b)):
        return 0.0
    return float(
        min(
            _point_segment_distance(a, *_edges(b)).min(),
            _point_segment_distance(b, *_edges(a)).min(),
        )
    )
