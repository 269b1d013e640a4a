"""Live site state in numpy arrays indexed by tag and worker row: the latest value wins.

Owned by the core and mutated on the asyncio loop thread only; views read copies at a bounded rate.
"""

from __future__ import annotations

import numpy as np

from alarms.samples import Quality, TagBatch
from plant_maps.geometry import zone_of_points
from plant_maps.site import Site
from plant_maps.wearables import PositionBatch, Vitals


class TagTable:
    """Value, quality and timestamps of every site tag; NaN and STALE until a first value arrives."""

    def __init__(self, count: int) -> None:
        self.value = np.full(count, np.nan)
        self.quality = np.full(count, int(Quality.STALE), dtype=np.int8)
        self.source_ts = np.zeros(count)
        self.received_ts = np.zeros(count)
        self.updates = np.zeros(count, dtype=np.int64)

    def apply(self, batch: TagBatch) -> np.ndarray:
        """Apply a batch (later samples of the same tag win); returns the indices touched."""
        idx = batch.index
        self.value[idx] = batch.value
        self.quality[idx] = batch.quality
        self.source_ts[idx] = batch.source_ts
        self.received_ts[idx] = batch.received_ts
        np.add.at(self.updates, idx, 1)
        return np.unique(idx)

    def mark(self, idx: np.ndarray, quality: Quality) -> None:
        """Keep the last value, flag it: STALE when the source dropped, BAD when the server refuses the tag."""
        self.quality[idx] = int(quality)


class WorkerTable:
    """Last fix, zone and vitals of every site worker; NaN position until a first fix arrives."""

    def __init__(self, site: Site) -> None:
        n = len(site.workers)
        self.site = site
        self.x = np.full(n, np.nan)
        self.y = np.full(n, np.nan)
        self.floor = np.zeros(n, dtype=np.int16)
        self.accuracy = np.full(n, np.nan, dtype=np.float32)
        self.fix_ts = np.zeros(n)
        self.zone = np.full(n, -1, dtype=np.int32)
        self.heart_rate = np.full(n, np.nan)
        self.skin_temp = np.full(n, np.nan)
        self.battery = np.full(n, np.nan)
        self.vitals_ts = np.zeros(n)
        self._polygons = [np.asarray(z.polygon, dtype=np.float64) for z in site.zones]

    def apply_positions(self, batch: PositionBatch) -> np.ndarray:
        """Apply fixes (an older fix than the one held is ignored); returns the worker rows that moved."""
        newer = batch.ts >= self.fix_ts[batch.worker]
        w = batch.worker[newer]
        self.x[w] = batch.x[newer]
        self.y[w] = batch.y[newer]
        self.floor[w] = batch.floor[newer]
        self.accuracy[w] = batch.accuracy[newer]
        self.fix_ts[w] = batch.ts[newer]
        moved = np.unique(w)
        self.zone[moved] = zone_of_points(self.x[moved], self.y[moved], self._polygons)
        return moved

    def distances_from(self, worker: str) -> np.ndarray:
        """Every worker's distance in metres from `worker`, by their last fixes (NaN where either has none)."""
        row = self.site.worker_index[worker]
        return np.hypot(self.x - self.x[row], self.y - self.y[row])

    def apply_vitals(self, vitals: list[Vitals]) -> None:
        index = self.site.worker_index
        for v in vitals:
            row = index[v.worker]
            if v.ts >= self.vitals_ts[row]:
                self.heart_rate[row] = v.heart_rate
                self.skin_temp[row] = v.skin_temp_c
                self.battery[row] = v.battery_pct
                self.vitals_ts[row] = v.ts
