"""The last hours of every tag in preallocated numpy ring buffers, so that a trend opens with data at once.

The core appends every delivered batch (vectorised: no Python loop over samples) and marks stale tags
with a NaN, so a trend breaks its line where the plant stopped answering, and keeps each sample's quality
so the trend can shade the stretch and say why; the store's history fills in behind whatever is older
than the buffer. Memory is fixed at start: `capacity` samples per tag (two float64 and an int8 each),
whatever the plant sends; a tag sent faster than planned covers less time.
"""

from __future__ import annotations

import numpy as np

from alarms.samples import Quality, TagBatch

DEFAULT_CAPACITY = (
    2 * 3600 * 2
)  # two hours at 2 samples a second per tag (31 MB for the demo: 61 tags, 66 vitals)


class TrendBuffer:
    """Per tag: a ring of (time, value, quality); the value is NaN where the sample was not good.

    Loop thread only."""

    def __init__(self, n_tags: int, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._ts = np.full((n_tags, capacity), np.nan)
        self._value = np.full((n_tags, capacity), np.nan)
        self._quality = np.zeros((n_tags, capacity), dtype=np.int8)
        self._next = np.zeros(n_tags, dtype=np.int64)  # where each tag's next sample goes
        self._count = np.zeros(n_tags, dtype=np.int64)

    def append(self, batch: TagBatch) -> None:
        """Add a batch's samples, each at its source time (the receive time where the source gave none)."""
        if not len(batch):
            return
        ts = np.where(np.isfinite(batch.source_ts), batch.source_ts, batch.received_ts)
        value = np.where(batch.quality == int(Quality.GOOD), batch.value, np.nan)
        self._put(batch.index.astype(np.int64), ts, value, batch.quality.astype(np.int8))

    def mark_gap(self, rows: np.ndarray, ts: float, quality: Quality = Quality.STALE) -> None:
        """The tags of `rows` went stale or bad at `ts`: a NaN there breaks their lines."""
        rows = np.asarray(rows, dtype=np.int64)
        n = rows.size
        self._put(rows, np.full(n, ts), np.full(n, np.nan), np.full(n, int(quality), dtype=np.int8))

    def series(self, row: int, since: float = -np.inf) -> tuple[np.ndarray, np.ndarray]:
        """One tag's (times, values) with time >= since, oldest first (copies)."""
        ts, value, _ = self.samples(row, since)
        return ts, value

    def samples(self, row: int, since: float = -np.inf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One tag's (times, values, qualities) with time >= since, oldest first (copies)."""
        count, end = int(self._count[row]), int(self._next[row])
        if count < self.capacity:
            arrays = [a[row, :count] for a in (self._ts, self._value, self._quality)]
        else:
            arrays = [
                np.concatenate((a[row, end:], a[row, :end])) for a in (self._ts, self._value, self._quality)
            ]
        first = int(np.searchsorted(arrays[0], since, side="left"))
        ts, value, quality = (a[first:].copy() for a in arrays)
        return ts, value, quality

    def oldest(self, row: int) -> float:
        """The time of the oldest sample held for a tag (inf when none)."""
        if self._count[row] == 0:
            return np.inf
        return float(self._ts[row, 0 if self._count[row] < self.capacity else self._next[row]])

    def _put(self, rows: np.ndarray, ts: np.ndarray, value: np.ndarray, quality: np.ndarray) -> None:
        """Write samples (several per tag allowed, kept in order) at each tag's ring position."""
        order = np.argsort(rows, kind="stable")
        ordered = rows[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sizes = np.diff(np.r_[starts, rows.size])
        rank = np.empty(rows.size, dtype=np.int64)
        rank[order] = np.arange(rows.size) - np.repeat(starts, sizes)
        position = (self._next[rows] + rank) % self.capacity
        self._ts[rows, position] = ts
        self._value[rows, position] = value
        self._quality[rows, position] = quality
        added = np.bincount(rows, minlength=self._next.size)
        self._next = (self._next + added) % self.capacity
        self._count = np.minimum(self._count + added, self.capacity)
