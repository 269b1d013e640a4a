"""The last hours of the plant for trends: a coarse tier for every tag, full-rate rings only for the tags a
trend shows.

Two hours at 2 Hz of every tag took 245 KB a tag (4.9 GB at 20,000 tags), yet a console shows a few pens.
So every tag (and every worker's vital, `plant_maps.trend_tags`) keeps its last two hours only as the
lowest and highest good value of each 10 s bucket and whether a sample in it was not good (9 bytes a
bucket, 6.5 KB a tag): a trend opened on any tag draws its last hours from it at once, as the store's
history would (`recent` gives the same `Buckets`), until the store answers, or while it cannot. A tag on a
trend (`watch`, counted: several trends may show one tag) gets a full-rate ring of `capacity` samples from
then on (two float64 and an int8 a sample), freed when the last trend lets it go (`unwatch`).

The core appends every delivered batch (vectorised: no Python loop over samples), and a sample without a
number where tags went stale or bad, so a trend breaks its line where the plant stopped answering; the
rings keep each sample's quality so the trend can shade the stretch and say why. Loop thread only.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from alarms.samples import Quality, TagBatch
from integrations.trend_history import Buckets

DEFAULT_CAPACITY = 2 * 3600 * 2  # a watched tag's ring: two hours at 2 samples a second (245 KB)
RECENT_SPAN_S = 2 * 3600.0  # the coarse tier of every tag
BUCKET_S = 10.0
_EMPTY = -1  # a bucket no sample fell in


class TrendBuffer:
    """Every tag's coarse last hours, and the samples of the watched tags since they were first watched."""

    def __init__(
        self,
        n_tags: int,
        capacity: int = DEFAULT_CAPACITY,
        span_s: float = RECENT_SPAN_S,
        bucket_s: float = BUCKET_S,
    ) -> None:
        self.capacity = capacity
        self.recent_tier = RecentTier(n_tags, span_s, bucket_s)
        self._watchers = np.zeros(n_tags, dtype=np.int32)  # how many trends show each tag
        self._rings: dict[int, Ring] = {}

    def append(self, batch: TagBatch) -> None:
        """Add a batch's samples, each at its source time (the receive time where the source gave none)."""
        if not len(batch):
            return
        ts = np.where(np.isfinite(batch.source_ts), batch.source_ts, batch.received_ts)
        value = np.where(batch.quality == int(Quality.GOOD), batch.value, np.nan)
        rows, quality = batch.index.astype(np.int64), batch.quality.astype(np.int8)
        self.recent_tier.add(rows, ts, value, quality, batch.received_ts)
        if self._rings:
            mine = np.flatnonzero(self._watchers[rows] > 0)
            for row in np.unique(rows[mine]).tolist():
                of_row = mine[rows[mine] == row]  # in batch order
                self._rings[row].put(ts[of_row], value[of_row], quality[of_row])

    def watch(self, rows: Iterable[int]) -> None:
        """A trend shows these tags: keep their samples at full rate from now on."""
        for row in rows:
            self._watchers[row] += 1
            self._rings.setdefault(row, Ring(self.capacity))

    def unwatch(self, rows: Iterable[int]) -> None:
        """A trend no longer shows these tags: the last one to let a tag go frees its ring."""
        for row in rows:
            self._watchers[row] -= 1
            if self._watchers[row] <= 0:
                self._watchers[row] = 0
                self._rings.pop(row, None)

    def watched(self) -> list[int]:
        return sorted(self._rings)

    def series(self, row: int, since: float = -np.inf) -> tuple[np.ndarray, np.ndarray]:
        """A watched tag's (times, values) with time >= since, oldest first (copies)."""
        ts, value, _ = self.samples(row, since)
        return ts, value

    def samples(self, row: int, since: float = -np.inf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A watched tag's (times, values, qualities) with time >= since, oldest first (copies); nothing
        for a tag no trend shows."""
        ring = self._rings.get(row)
        if ring is None:
            return np.empty(0), np.empty(0), np.empty(0, dtype=np.int8)
        return ring.samples(since)

    def oldest(self, row: int) -> float:
        """The time of a watched tag's oldest sample (inf when none)."""
        ring = self._rings.get(row)
        return np.inf if ring is None else ring.oldest()

    def recent(self, row: int) -> Buckets:
        """Any tag's last hours, coarse: its buckets drawn as the store's history is."""
        return self.recent_tier.buckets(row)


class Ring:
    """One watched tag's samples, in order, the oldest overwritten when full."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._ts = np.full(capacity, np.nan)
        self._value = np.full(capacity, np.nan)
        self._quality = np.zeros(capacity, dtype=np.int8)
        self._next = 0  # where the next sample goes
        self._count = 0

    def put(self, ts: np.ndarray, value: np.ndarray, quality: np.ndarray) -> None:
        n = min(ts.size, self.capacity)
        position = (self._next + np.arange(n)) % self.capacity
        self._ts[position], self._value[position], self._quality[position] = ts[-n:], value[-n:], quality[-n:]
        self._next = (self._next + n) % self.capacity
        self._count = min(self._count + n, self.capacity)

    def samples(self, since: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        arrays = (self._ts, self._value, self._quality)
        if self._count < self.capacity:
            first = int(np.searchsorted(self._ts[: self._count], since, side="left"))
            ts, value, quality = (a[first : self._count].copy() for a in arrays)
        else:  # wrapped: put in order (a copy already)
            ts, value, quality = (np.concatenate((a[self._next :], a[: self._next])) for a in arrays)
            first = int(np.searchsorted(ts, since, side="left"))
            ts, value, quality = ts[first:], value[first:], quality[first:]
        return ts, value, quality

    def oldest(self) -> float:
        if self._count == 0:
            return np.inf
        return float(self._ts[0 if self._count < self.capacity else self._next])


class RecentTier:
    """Per tag, a ring of time buckets over the last `span_s`: lowest and highest good value (float32: a
    trend's pixel, not a record) and the worst quality seen (-1: no sample). One clock for all tags: the
    newest bucket is where the console's clock is (`now`); a sample timed later counts in it, one older
    than the span is left out."""

    def __init__(self, n_tags: int, span_s: float, bucket_s: float) -> None:
        self.bucket_s = bucket_s
        self.slots = round(span_s / bucket_s)
        self._low = np.full((n_tags, self.slots), np.nan, dtype=np.float32)
        self._high = np.full((n_tags, self.slots), np.nan, dtype=np.float32)
        self._quality = np.full((n_tags, self.slots), _EMPTY, dtype=np.int8)
        self._head: int | None = None  # the newest bucket held (its number since the epoch)

    def add(
        self, rows: np.ndarray, ts: np.ndarray, value: np.ndarray, quality: np.ndarray, now: float
    ) -> None:
        """Samples (value NaN where not good) into their buckets."""
        head = self._advance(int(np.floor(now / self.bucket_s)))
        bucket = np.minimum(np.floor(ts / self.bucket_s).astype(np.int64), head)
        keep = np.flatnonzero(bucket > head - self.slots)
        at = rows[keep] * self.slots + bucket[keep] % self.slots  # into the flattened arrays
        v = value[keep].astype(np.float32)
        np.fmin.at(self._low.reshape(-1), at, v)  # fmin/fmax: a NaN (not good) leaves the good ones
        np.fmax.at(self._high.reshape(-1), at, v)
        np.maximum.at(self._quality.reshape(-1), at, quality[keep])

    def buckets(self, row: int) -> Buckets:
        """The tag's buckets that hold a sample, oldest first, as `Buckets` (gap: a sample was not good)."""
        if self._head is None:
            return Buckets(np.empty(0), self.bucket_s, np.empty(0), np.empty(0), np.empty(0, dtype=bool))
        number = self._head - self.slots + 1 + np.arange(self.slots)
        slot = number % self.slots
        quality = self._quality[row, slot]
        held = quality != _EMPTY
        low = self._low[row, slot[held]].astype(np.float64)
        return Buckets(
            start=number[held] * self.bucket_s,
            width=self.bucket_s,
            low=low,
            high=self._high[row, slot[held]].astype(np.float64),
            gap=(quality[held] != int(Quality.GOOD)) | np.isnan(low),
        )

    def _advance(self, bucket: int) -> int:
        """Move the newest bucket on to `bucket`, emptying the buckets that time now reuses."""
        if self._head is None:
            self._head = bucket
        elif bucket > self._head:
            reused = (self._head + 1 + np.arange(min(bucket - self._head, self.slots))) % self.slots
            self._low[:, reused] = np.nan
            self._high[:, reused] = np.nan
            self._quality[:, reused] = _EMPTY
            self._head = bucket
        return self._head
