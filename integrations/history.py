"""History deadband: which tag samples are worth storing, so that analog history shrinks 10:1 or better.

A sample is stored when it is the tag's first, when its quality differs from the last stored one, when
its value moved more than the tag's deadband (site sensor `deadband`, or the vital's) away from the last stored value, or
when the last stored sample is older than the heartbeat (a flat line still leaves a point every minute,
so a trend can tell "steady" from "no data"). NaN (no usable number) is a value of its own: a change
between NaN and a number is always stored, NaN followed by NaN is not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alarms.samples import TagBatch
from plant_maps.site import Site
from plant_maps.trend_tags import history_deadbands

HEARTBEAT_S = 60.0


@dataclass(frozen=True, slots=True)
class HistoryRows:
    """The samples chosen for storage: tag row, time (epoch s), value (NaN = none) and quality."""

    index: np.ndarray  # int32
    ts: np.ndarray  # float64
    value: np.ndarray  # float64
    quality: np.ndarray  # int8

    def __len__(self) -> int:
        return int(self.index.size)


class DeadbandFilter:
    """Remembers the last stored sample of every tag and picks the samples of each batch worth storing.

    Not thread-safe: owned by one thread (the StoreWriter's).
    """

    def __init__(self, site: Site, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.heartbeat_s = heartbeat_s
        self._deadband = np.array(history_deadbands(site), dtype=np.float64)  # sensors, then vitals
        n = self._deadband.size
        self._value = np.full(n, np.nan)
        self._quality = np.full(n, -1, dtype=np.int16)  # -1: nothing stored yet
        self._ts = np.full(n, -np.inf)

    def select(self, batch: TagBatch) -> HistoryRows:
        """The rows of `batch` to store, in batch order; the time is the source's, else the receive time."""
        ts = np.where(np.isfinite(batch.source_ts), batch.source_ts, batch.received_ts)
        keep = np.zeros(len(batch), dtype=bool)
        for rows in rounds_by_key(batch.index, self._deadband.size):
            keep[rows] = self._step(batch.index[rows], batch.value[rows], batch.quality[rows], ts[rows])
        chosen = np.flatnonzero(keep)
        return HistoryRows(
            index=batch.index[chosen],
            ts=ts[chosen],
            value=batch.value[chosen],
            quality=batch.quality[chosen],
        )

    def _step(self, tag: np.ndarray, value: np.ndarray, quality: np.ndarray, ts: np.ndarray) -> np.ndarray:
        """Decide for samples of distinct tags, and remember the stored ones."""
        last = self._value[tag]
        with np.errstate(invalid="ignore"):  # inf - inf; NaN compares False below and is handled apart
            moved = np.abs(value - last) > self._deadband[tag]
        store = (
            moved
            | (np.isnan(value) != np.isnan(last))
            | (quality != self._quality[tag])  # also the first sample: its last quality is -1
            | (ts - self._ts[tag] > self.heartbeat_s)
        )
        stored = tag[store]
        self._value[stored] = value[store]
        self._quality[stored] = quality[store]
        self._ts[stored] = ts[store]
        return store


def rounds_by_key(index: np.ndarray, n_tags: int) -> list[np.ndarray]:
    """Split batch rows into rounds in which every key (a tag, or a worker) appears at most once, keeping
    each key's order.

    A publish cycle has one sample per tag (one round); a batch that carries several samples of a tag
    needs them judged one after another, since each stored sample moves the reference of the next.
    """
    if index.size == 0:
        return []
    if np.bincount(index, minlength=n_tags).max() == 1:
        return [np.arange(index.size)]
    order = np.argsort(index, kind="stable")
    ordered = index[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    rank = np.empty(index.size, dtype=np.intp)
    rank[order] = np.arange(index.size) - np.repeat(starts, np.diff(np.r_[starts, index.size]))
    return [np.flatnonzero(rank == r) for r in range(int(rank.max()) + 1)]
