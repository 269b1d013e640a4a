"""A 12-hour shift of the demo plant, in shift time: its normal life and what happens in it, stepped by the caller.

The protocol scenarios (`scenarios.py`) run on the wall clock behind a real OPC UA server; a shift is played
in-process as fast as the machine allows (`console.shift_play`), so its plant is stepped here by the shift's
own clock and hands over what a source would: tag values, position fixes, vitals, wearable events and
video-AI detections. What happens, in hours:minutes after the shift starts (`TIMELINE`, one place):

- 03:00-04:20 tank T-104 is filled (LT-T104 from 71 % to 87 %, past its H limit), emptied from 04:45;
- 02:10 a flange weep at K-301 (the gas-leak scenario's cloud at 26 %LEL instead of 40), isolated after
  12 min, the cloud dispersing;
- 03:30-07:30 K-302's bearing wears (VT-K302 creeps up) until the compressor is swapped;
- 06:30 GD-CH-05 chatters for 25 min (the sensor-chatter scenario's vibrating pump), the house empty;
- 08:30 W09, on the tank farm trench, presses SOS;
- 09:40 reactor R-202 runs 7 °C hot for a quarter of an hour;
- video-AI detections now and then (`DETECTIONS`), one of them a shadow the operator will mark false.

The scenarios name the demo plant's tags, people and zones, as the protocol scenarios do.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from integrations.simulator.dynamics import PlantDynamics
from integrations.simulator.scenarios import GasLeak, SensorChatter
from plant_maps.site import Site
from plant_maps.wearables import PositionBatch, VisionDetection, Vitals, WearableEvent

H = 3600.0
MIN = 60.0
SHIFT_S = 12 * H
POSITION_EVERY_S = 5.0  # wearables report a fix every 5 s of shift time (the console's worker rules)
VITALS_EVERY_S = 60.0
# Where people go when their permit closes (the control building; the north gate from the loading bay, whose
# straight way to the control building crosses the workshop's live permit zone).
REST_POINTS = ((335.0, 67.0), (85.0, 8.0))


@dataclass(frozen=True, slots=True)
class Timeline:
    """When things happen, in seconds after the shift starts."""

    fill_from: float = 3 * H
    fill_until: float = 4 * H + 20 * MIN
    drain_from: float = 4 * H + 45 * MIN
    fill_per_h: float = 12.0  # % of the tank per hour: 71 % to 87 %, past its H limit (85 %)
    drain_per_h: float = 12.0
    leak_at: float = 2 * H + 10 * MIN
    leak_for: float = 12 * MIN  # then the leak is isolated and the cloud disperses
    disperse_s: float = 90.0
    wear_from: float = 3 * H + 30 * MIN
    wear_until: float = 7 * H + 30 * MIN  # K-302 is swapped for the standby
    wear_rise: float = 4.6  # mm/s over the wear period
    chatter_at: float = 6 * H + 30 * MIN
    chatter_for: float = 25 * MIN
    sos_at: float = 8 * H + 30 * MIN
    sos_worker: str = "W09"
    hot_at: float = 9 * H + 40 * MIN
    hot_for: float = 15 * MIN
    hot_by: float = 7.0  # °C at the top of the excursion


TIMELINE = Timeline()


@dataclass(frozen=True, slots=True)
class Sighting:
    """A video-AI detection the shift brings; `false` ones are a shadow or a reflection (the operator's word)."""

    at: float
    camera: str
    cls: str
    zone: str
    confidence: float
    false: bool = False


DETECTIONS: tuple[Sighting, ...] = (
    Sighting(0 * H + 50 * MIN, "CAM-RX-2", "no_harness", "reactor_unit", 0.91),
    Sighting(2 * H + 55 * MIN, "CAM-LB-1", "person_under_load", "loading_bay", 0.64, false=True),
    Sighting(6 * H + 40 * MIN, "CAM-WS-1", "smoke", "workshop", 0.58),
    Sighting(10 * H + 15 * MIN, "CAM-TF-3", "no_helmet", "tank_farm", 0.77),
    Sighting(11 * H + 20 * MIN, "CAM-RX-2", "no_harness", "reactor_unit", 0.88),
)


@dataclass(frozen=True, slots=True)
class ShiftStep:
    """What the plant hands over at one step: every tag's value, and what became due since the last step."""

    t: float
    values: np.ndarray  # by the site's tag row
    events: list[WearableEvent] = field(default_factory=list)
    detections: list[VisionDetection] = field(default_factory=list)
    positions: PositionBatch | None = None
    vitals: list[Vitals] = field(default_factory=list)


class ShiftLeak(GasLeak):
    """The shift's leak: a flange weep, 26 %LEL at the nearest detector (a major leak is the gas-leak scenario)."""

    PEAK = 26.0


class ShiftPlant:
    """The demo plant through one shift starting at `t0` (epoch seconds). Call `step` with non-decreasing t."""

    def __init__(self, site: Site, t0: float, seed: int = 0, timeline: Timeline = TIMELINE) -> None:
        self.site, self.t0, self.timeline = site, t0, timeline
        self.plant = PlantDynamics(site, seed, t0)
        self._leak = ShiftLeak(site, t0 + timeline.leak_at)
        self._chatter = SensorChatter(site, t0 + timeline.chatter_at)
        self._tank = self._row("LT-T104")
        self._bearing = self._row("VT-K302")
        self._reactor = self._row("TT-R202")
        self._sos_row = site.worker_index[timeline.sos_worker]
        self._sos_sent = False
        self._sightings = list(DETECTIONS)
        self.detections: list[tuple[Sighting, VisionDetection]] = []  # what was sent, for the operator
        self._next_fix = t0
        self._next_vitals = t0

    def _row(self, sensor_id: str) -> int:
        if sensor_id not in self.site.tag_index:
            raise ValueError(f"the shift needs sensor {sensor_id}, which site {self.site.id!r} lacks")
        return self.site.tag_index[sensor_id]

    def step(self, t: float) -> ShiftStep:
        plant, s = self.plant, t - self.t0
        plant.advance(t)
        self._shape(s)
        fixes, vitals = None, []
        if t >= self._next_fix:
            self._next_fix, fixes = t + POSITION_EVERY_S, self._fixes(t)
        if t >= self._next_vitals:
            self._next_vitals, vitals = t + VITALS_EVERY_S, self._vitals(t)
        return ShiftStep(t, plant.values, self._sos(t, s), self._detections(t, s), fixes, vitals)

    def send_off(self, worker_ids: Iterable[str]) -> None:
        """These workers' job is done: they walk to the nearest rest point and stay about it."""
        for worker in worker_ids:
            row = self.site.worker_index[worker]
            here = self.plant.position[row]
            x, y = min(REST_POINTS, key=lambda p: math.dist(p, here))
            self.plant.send_to(row, x, y)

    def _shape(self, s: float) -> None:
        """Every happening's offset at shift second `s` (zero outside its window)."""
        tl, plant = self.timeline, self.plant
        plant.offset([self._tank], _fill(s, tl))
        wear = np.clip((s - tl.wear_from) / (tl.wear_until - tl.wear_from), 0, 1) if s < tl.wear_until else 0
        plant.offset([self._bearing], tl.wear_rise * float(wear))
        hot = (s - tl.hot_at) / tl.hot_for
        plant.offset([self._reactor], tl.hot_by * math.sin(math.pi * hot) if 0 <= hot <= 1 else 0.0)
        leak = s - tl.leak_at
        if leak < 0:
            cloud = np.zeros(self._leak.rows.size)
        elif leak <= tl.leak_for:
            cloud = self._leak.cloud(leak)
        else:
            cloud = self._leak.cloud(tl.leak_for) * math.exp(-(leak - tl.leak_for) / tl.disperse_s)
        plant.offset(self._leak.rows, cloud)
        chatter = s - tl.chatter_at
        if 0 <= chatter <= tl.chatter_for:
            self._chatter.shape(plant, chatter)
        else:
            plant.offset([self.site.tag_index[SensorChatter.SENSOR]], 0.0)

    def _sos(self, t: float, s: float) -> list[WearableEvent]:
        if self._sos_sent or s < self.timeline.sos_at:
            return []
        self._sos_sent = True
        self.plant.freeze(self._sos_row)  # pinned by the fall that made them press it
        return [WearableEvent(uuid.uuid4().hex, self.timeline.sos_worker, "sos", t)]

    def _detections(self, t: float, s: float) -> list[VisionDetection]:
        out = []
        while self._sightings and self._sightings[0].at <= s:
            seen = self._sightings.pop(0)
            d = VisionDetection(uuid.uuid4().hex, seen.camera, seen.cls, seen.confidence, seen.zone, t)
            self.detections.append((seen, d))
            out.append(d)
        return out

    def _fixes(self, t: float) -> PositionBatch:
        n = len(self.site.workers)
        position = self.plant.position
        return PositionBatch(
            np.arange(n, dtype=np.int32),
            position[:, 0].copy(),
            position[:, 1].copy(),
            np.zeros(n, np.int16),
            np.full(n, 0.5, np.float32),
            np.full(n, t),
        )

    def _vitals(self, t: float) -> list[Vitals]:
        p = self.plant
        return [
            Vitals(w.id, float(p.heart_rate[i]), float(p.skin_temp_c[i]), float(p.battery_pct[i]), t)
            for i, w in enumerate(self.site.workers)
        ]


def _fill(s: float, tl: Timeline) -> float:
    """%-points tank T-104 stands above its usual level at shift second `s`: filled, held, emptied."""
    rate = tl.fill_per_h / H
    top = (tl.fill_until - tl.fill_from) * rate
    if s < tl.fill_from:
        return 0.0
    if s < tl.fill_until:
        return (s - tl.fill_from) * rate
    return max(top - max(s - tl.drain_from, 0.0) * tl.drain_per_h / H, 0.0)
