"""Domain events from wearables, positioning and video AI: one immutable type per fact.

Sources (MQTT, simulator, replay) produce these; the core applies them in batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WEARABLE_EVENT_TYPES = ("sos", "fall", "no_motion", "sos_cancel")


@dataclass(frozen=True, slots=True)
class PositionBatch:
    """Position fixes for several workers; `worker[i]` is the worker's row in the site's worker table."""

    worker: np.ndarray  # int32
    x: np.ndarray  # float64, metres
    y: np.ndarray
    floor: np.ndarray  # int16
    accuracy: np.ndarray  # float32, metres
    ts: np.ndarray  # float64, seconds since the epoch (device time)

    def __len__(self) -> int:
        return int(self.worker.size)


@dataclass(frozen=True, slots=True)
class Vitals:
    worker: str
    heart_rate: float
    skin_temp_c: float
    battery_pct: float
    ts: float


@dataclass(frozen=True, slots=True)
class WearableEvent:
    """SOS, fall, no-motion or SOS-cancel from a worker's band; `id` is unique per event (dedup key)."""

    id: str
    worker: str
    type: str
    ts: float


@dataclass(frozen=True, slots=True)
class VisionDetection:
    id: str
    camera: str
    cls: str
    confidence: float
    zone: str
    ts: float
