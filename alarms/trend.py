"""Recent samples of the tags that rate-of-change rules watch, and their slope over a window.

A small ring per tag (numpy, `capacity` slots). Samples closer together than span/48 overwrite the newest
slot instead of taking a new one, so a ring always covers its longest window however fast the tag updates.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

MIN_COVERAGE = 0.5  # a slope needs samples spanning at least half its window: no rate alarms on start-up


class TrendBuffer:
    """Time and value rings of the trended tag rows; `span_s[row]` is the longest window asked of a row."""

    def __init__(self, span_s: Mapping[int, float], tag_count: int, capacity: int = 64) -> None:
        self._rows = np.array(sorted(span_s), dtype=np.intp)
        self._slot = np.full(tag_count, -1, dtype=np.intp)
        self._slot[self._rows] = np.arange(self._rows.size)
        self._spacing = np.array([span_s[r] for r in self._rows.tolist()]) / (capacity - 16)
        self._t = np.full((self._rows.size, capacity), np.nan)
        self._v = np.full((self._rows.size, capacity), np.nan)
        self._head = np.zeros(self._rows.size, dtype=np.intp)
        self._capacity = capacity

    def append(self, rows: np.ndarray | None, value: np.ndarray, ts: np.ndarray, usable: np.ndarray) -> None:
        """Add the usable samples of `rows` (unique; None: every row) newer than what their ring holds."""
        rows = self._rows if rows is None else rows
        slot = self._slot[rows]
        keep = (slot >= 0) & usable[rows]
        slot, row = slot[keep], rows[keep]
        head = self._head[slot]
        newest = self._t[slot, head]
        fresh = ~(ts[row] <= newest)  # also true for an empty ring
        slot, row, head, newest = slot[fresh], row[fresh], head[fresh], newest[fresh]
        before = self._t[slot, (head - 1) % self._capacity]
        provisional = newest - before < self._spacing[slot]  # the newest slot is kept only once spaced
        head = np.where(provisional, head, (head + 1) % self._capacity)
        self._head[slot] = head
        self._t[slot, head] = ts[row]
        self._v[slot, head] = value[row]

    def slope(self, rows: np.ndarray, window_s: np.ndarray, now: float) -> np.ndarray:
        """Least-squares slope per second of each row over the window before `now`.

        Sources report by exception, so a value holds until the next sample: the newest value counts at
        `now`, and the last value before the window counts at its start. NaN while the ring does not yet
        reach back over MIN_COVERAGE of the window.
        """
        slot = self._slot[rows]
        dt, v = self._t[slot] - now, self._v[slot]
        w = window_s[:, None]
        with np.errstate(invalid="ignore"):
            inside, before = dt >= -w, dt < -w  # NaN (empty slots) compare false
        last_before = np.where(before, dt, -np.inf).argmax(axis=1)
        has_before = before.any(axis=1)
        pick = np.arange(slot.size)
        x = np.hstack(
            [np.where(inside, dt, np.nan), np.zeros_like(w), np.where(has_before[:, None], -w, np.nan)]
        )
        y = np.hstack([v, v[pick, self._head[slot]][:, None], v[pick, last_before][:, None]])
        used = np.isfinite(x)
        n = used.sum(axis=1)
        x, y = np.where(used, x, 0.0), np.where(used, y, 0.0)
        x = np.where(used, x - (x.sum(axis=1) / n)[:, None], 0.0)
        y = np.where(used, y - (y.sum(axis=1) / n)[:, None], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = (x * y).sum(axis=1) / (x * x).sum(axis=1)
        covered = has_before | (np.where(inside, dt, 0.0).min(axis=1) <= -MIN_COVERAGE * window_s)
        return np.where(covered & (n >= 2), slope, np.nan)
