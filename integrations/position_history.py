"""Worker positions worth storing for the map replay: decimated so that a day of 2,000 workers stays small.

A fix is stored when it is the worker's first, when the worker moved more than `MOVE_M` (or changed floor)
since their last stored fix, or when `HEARTBEAT_S` have passed since it: a replay then places everyone
within a metre, and a standing worker still leaves a fix every 5 s (so a replay tells "standing here" from
"band silent"). A fix no newer than the worker's last stored one is never stored (as the live worker table
ignores it). Whole batches are judged with numpy, one round per repeat of a worker within the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from integrations.history import rounds_by_key
from plant_maps.wearables import PositionBatch

MOVE_M = 1.0
HEARTBEAT_S = 5.0


@dataclass(frozen=True, slots=True)
class PositionRows:
    """The fixes chosen for storage: worker row (in the site's worker table), time, metres, floor."""

    worker: np.ndarray  # int32
    ts: np.ndarray  # float64
    x: np.ndarray  # float64
    y: np.ndarray
    floor: np.ndarray  # int16

    def __len__(self) -> int:
        return int(self.worker.size)


class PositionDecimator:
    """Remembers every worker's last stored fix and picks the fixes of each batch worth storing.

    Not thread-safe: owned by one thread (the StoreWriter's).
    """

    def __init__(self, workers: int, move_m: float = MOVE_M, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.move_m, self.heartbeat_s = move_m, heartbeat_s
        self._x = np.full(workers, np.nan)
        self._y = np.full(workers, np.nan)
        self._floor = np.zeros(workers, dtype=np.int16)
        self._ts = np.full(workers, -np.inf)

    @property
    def workers(self) -> int:
        return int(self._ts.size)

    def select(self, batch: PositionBatch) -> PositionRows:
        """The fixes of `batch` to store, in batch order."""
        keep = np.zeros(len(batch), dtype=bool)
        for rows in rounds_by_key(batch.worker, self.workers):
            keep[rows] = self._step(
                batch.worker[rows], batch.x[rows], batch.y[rows], batch.floor[rows], batch.ts[rows]
            )
        chosen = np.flatnonzero(keep)
        return PositionRows(
            worker=batch.worker[chosen].astype(np.int32, copy=False),
            ts=batch.ts[chosen],
            x=batch.x[chosen],
            y=batch.y[chosen],
            floor=batch.floor[chosen].astype(np.int16, copy=False),
        )

    def _step(
        self, worker: np.ndarray, x: np.ndarray, y: np.ndarray, floor: np.ndarray, ts: np.ndarray
    ) -> np.ndarray:
        """Decide for fixes of distinct workers, and remember the stored ones."""
        last_ts = self._ts[worker]
        with np.errstate(invalid="ignore"):  # no stored fix yet: NaN distance, inf age
            moved = np.hypot(x - self._x[worker], y - self._y[worker]) > self.move_m
        store = (
            (ts > last_ts)
            & np.isfinite(x)
            & np.isfinite(y)
            & (moved | (floor != self._floor[worker]) | (ts - last_ts >= self.heartbeat_s))
        )
        stored = worker[store]
        self._x[stored] = x[store]
        self._y[stored] = y[store]
        self._floor[stored] = floor[store]
        self._ts[stored] = ts[store]
        return store
