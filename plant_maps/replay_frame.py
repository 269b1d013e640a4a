"""The map as it was at one moment (issue 17, map replay): what the store held at or before that moment.

Qt-free and database-free: `integrations.replay_store` fills it, the map draws it. Arrays are indexed like
the live tables (`plant_maps.state`): workers by the site's worker row, detectors by its sensor row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from alarms.definitions import Priority, Tier
from alarms.samples import Quality
from alarms.states import State

WORKER_CUT_S = 600.0  # a worker whose last stored fix is older than this was not on site (band off, gone)
DETECTOR_SILENCE_S = (
    120.0  # twice the history heartbeat: a detector that stored nothing for longer was silent
)


@dataclass(frozen=True, slots=True)
class ReplayAlarm:
    """An alarm not normal at the frame's moment, as its last journaled transition left it (the fields the
    live alarm view has under the same names)."""

    id: str
    source: str
    tier: Tier
    priority: Priority
    area: str
    message: str
    state: State
    active: bool
    acked: bool
    value: float
    unit: str
    ts: float  # of that transition


@dataclass(frozen=True, slots=True)
class ReplayPermit:
    """A permit's state at the frame's moment: its last journaled change, or the site file's state (since
    NaN) when none was journaled by then."""

    id: str
    state: str  # plant_maps.permit_lifecycle.PermitState value
    since: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ReplayFrame:
    """Workers, detectors, alarms and permits at `ts`; NaN where nothing was stored by then."""

    ts: float
    worker_x: np.ndarray  # float64, metres
    worker_y: np.ndarray
    worker_floor: np.ndarray  # int16
    fix_ts: np.ndarray  # float64: when the fix drawn was taken
    value: np.ndarray  # float64, by sensor row
    quality: np.ndarray  # int8 (alarms.samples.Quality)
    value_ts: np.ndarray  # float64: when the value drawn was stored
    alarms: Mapping[str, ReplayAlarm]  # alarm id -> its state, only those not normal
    permits: Mapping[str, ReplayPermit]

    def fix_age(self) -> np.ndarray:
        """Seconds from each worker's fix to the frame's moment (NaN: no fix)."""
        return self.ts - self.fix_ts

    def worker_positions(self, cut_s: float = WORKER_CUT_S) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) to draw: NaN for a worker with no fix within `cut_s` before the moment."""
        gone = ~(self.fix_age() <= cut_s)  # NaN age: never seen
        return np.where(gone, np.nan, self.worker_x), np.where(gone, np.nan, self.worker_y)

    def detector_quality(self, silence_s: float = DETECTOR_SILENCE_S) -> np.ndarray:
        """The stored quality, STALE where no value was stored within `silence_s` before the moment."""
        silent = ~(self.ts - self.value_ts <= silence_s)
        return np.where(silent, np.int8(Quality.STALE), self.quality).astype(np.int8)
