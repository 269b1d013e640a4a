"""The latest value of every tag row as the rules see it, and whether a rule may use it."""

from __future__ import annotations

import numpy as np

from alarms.samples import Quality, TagBatch


class LiveTags:
    """Value, quality and source time per tag row; `usable` is finite and at worst UNCERTAIN.

    Rules never activate on an unusable value: bad, stale or NaN raises the communication alarm instead.
    Rows never received count as stale.
    """

    def __init__(self, count: int) -> None:
        self.value = np.full(count, np.nan)
        self.quality = np.full(count, int(Quality.STALE), dtype=np.int8)
        self.ts = np.zeros(count)
        self.usable = np.zeros(count, dtype=bool)

    def apply(self, batch: TagBatch) -> np.ndarray:
        """Apply a batch (later samples of a tag win); returns the rows touched, sorted."""
        idx = batch.index
        self.value[idx] = batch.value
        self.quality[idx] = batch.quality
        self.ts[idx] = batch.source_ts
        rows = np.unique(idx)
        self.usable[rows] = _usable(self.value[rows], self.quality[rows])
        return rows

    def replace(self, value: np.ndarray, quality: np.ndarray, ts: np.ndarray | float) -> None:
        """Take a value for every row at once."""
        self.value[:] = value
        self.quality[:] = quality
        self.ts[:] = ts
        self.usable = _usable(self.value, self.quality)


def _usable(value: np.ndarray, quality: np.ndarray) -> np.ndarray:
    return np.isfinite(value) & (quality <= Quality.UNCERTAIN)
