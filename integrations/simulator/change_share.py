"""A plant where only a share of the tags changes each tick, as a real one does (DESIGN: ~5 % a second).

The dynamics move every tag every tick; `ChangeShare` lets through the new value of `share` of them, in
turn (a fixed shuffled order, so that every tag changes once every 1/share ticks), and holds the rest at
what was last served. The OPC UA server writes only values that changed, so this sets the update rate.
"""

from __future__ import annotations

import numpy as np


class ChangeShare:
    """Held values of `n` tags of which `share` (0..1) take their new value at each `apply`."""

    def __init__(self, n: int, share: float, seed: int = 0) -> None:
        if not 0 <= share <= 1:
            raise ValueError(f"the share of tags changing must lie in 0..1, got {share}")
        self.share = share
        self._order = np.random.default_rng(seed).permutation(n)
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
        self._held[rows] = values[rows]
        return self._held
