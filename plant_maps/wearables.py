"""Domain events from wearables, positioning and video AI: one immutable type per fact.

Sources (MQTT, simulator, replay) produce these; the core applies them in batches. DESIGN (Time): `ts` is
the console's clock when the fact was received, which is what times alarms, escalation, timeouts and the
journal; `device_ts` is what the device said (NaN when it said nothing), shown but never used to time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

WEARABLE_EVENT_TYPES = ("sos", "fall", "no_motion", "sos_cancel")
# Typed by the operator: a responder's name (when not a site worker) and a resolution's notes.
RESPONDER_MAX_CHARS = 80
NOTES_MAX_CHARS = 1000


@dataclass(frozen=True, slots=True)
class PositionBatch:
    """Position fixes for several workers; `worker[i]` is the worker's row in the site's worker table."""

    worker: np.ndarray  # int32
    x: np.ndarray  # float64, metres
    y: np.ndarray
    floor: np.ndarray  # int16
    accuracy: np.ndarray  # float32, metres
    ts: np.ndarray  # float64, seconds since the epoch (the console's receive time)
    device_ts: np.ndarray | None = None  # float64, the wearable's own time when it sent one

    def __len__(self) -> int:
        return int(self.worker.size)


@dataclass(frozen=True, slots=True)
class Vitals:
    worker: str
    heart_rate: float
    skin_temp_c: float
    battery_pct: float
    ts: float
    device_ts: float = math.nan


@dataclass(frozen=True, slots=True)
class WearableEvent:
    """SOS, fall, no-motion or SOS-cancel from a worker's band; `id` is unique per event (dedup key)."""

    id: str
    worker: str
    type: str
    ts: float
    device_ts: float = math.nan


@dataclass(frozen=True, slots=True)
class VisionDetection:
    id: str
    camera: str
    cls: str
    confidence: float
    zone: str
    ts: float
    device_ts: float = math.nan


class SeenEvents:
    """The ids of the latest `capacity` wearable events: a repeated delivery (MQTT QoS 1 is at least once,
    a band may resend) is recognised and dropped, so one SOS is one SOS."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._ids: dict[str, None] = {}

    def new(self, events: list[WearableEvent]) -> list[WearableEvent]:
        """The events not seen before, each remembered."""
        fresh = []
        for e in events:
            if e.id in self._ids:
                continue
            self._ids[e.id] = None
            fresh.append(e)
        while len(self._ids) > self._capacity:
            del self._ids[next(iter(self._ids))]
        return fresh


class Step(StrEnum):
    """DOMAIN `Wearables`: after the acknowledgement, a response goes assigned → on scene → resolved."""

    ASSIGNED = "assigned"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    """What the responder found: a resolution says which (DOMAIN `Wearables`)."""

    ACTUAL_INCIDENT = "actual_incident"
    FALSE_ALARM = "false_alarm"

    @property
    def words(self) -> str:
        """ "actual incident", "false alarm": as records and signatures say it."""
        return self.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Response:
    """Where the response to one wearable alarm stands; `responder` is a worker id or a typed name, and
    `responder_name` how it reads ("Zhang Min (W13)", or the typed name)."""

    alarm_id: str
    responder: str = ""
    responder_name: str = ""
    assigned_at: float | None = None
    on_scene_at: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def step(self) -> Step | None:
        if self.on_scene_at is not None:
            return Step.ON_SCENE
        return Step.ASSIGNED if self.assigned_at is not None else None
