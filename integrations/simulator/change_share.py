"""A plant where only a share of the tags changes each tick, as a real one does (DESIGN: ~5 % a second).

The dynamics move every tag every tick; `ChangeShare` lets through the new value of `share` of them, in
turn (a fixed shuffled order, so that every tag changes once every 1/share ticks), and holds the rest at
what was last served. A tag that changes moves by more than its deadband (twice it, where the dynamics
moved it less), as an exception-reporting transmitter does: the console asks the server to filter by the
same deadband, so every change written is a change sent, and a benchmark can count what should arrive.
"""

from __future__ import annotations

import numpy as np


class ChangeShare:
    """Held values of `n` tags of which `share` (0..1) take their new value at each `apply`; each of those
    moves by more than its `deadband` (by tag row; none: a tag the dynamics left where it was stays)."""

    def __init__(self, n: int, share: float, seed: int = 0, deadband: np.ndarray | None = None) -> None:
        if not 0 <= share <= 1:
            raise ValueError(f"the share of tags changing must lie in 0..1, got {share}")
        self.share = share
        self._order = np.random.default_rng(seed).permutation(n)
        self._deadband = np.zeros(n) if deadband is None else np.asarray(deadband, dtype=float)
        self._next = 0
        self._held: np.ndarray | None = None

    def apply(self, values: np.ndarray) -> np.ndarray:
        """The values to serve now: all of `values` the first time, then `share` of them new each call."""
        if self._held is None:
            self._held = values.copy()
            return self._held
        n = self._order.size
        rows = self._order[(self._next + np.arange(round(self.share * n))) % n]
        self._next = (self._next + rows.size) % max(n, 1)
        step = values[rows] - self._held[rows]
        deadband = self._deadband[rows]
        small = np.abs(step) <= deadband
        step[small] = np.where(step[small] < 0, -2.0, 2.0) * deadband[small]
        self._held[rows] += step
        return self._held
