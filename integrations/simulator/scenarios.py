"""Named demo scenarios: what goes wrong on the plant, on top of its normal dynamics, switchable at runtime.

Each scenario is built when it starts (`make_scenario`), steers workers once (`begin`) and then, every step,
shapes tag values and sends wearable events that are due. `time_scale` runs the scenario's own clock
faster (a 90 s gas leak in 9 s for tests); the plant's normal life keeps real time. The table of names is
`_TABLE`, in one place; `SCENARIOS` lists them for the CLI.

The scenarios name the demo plant's people and tags (W01, W07, W16, GD-CH-05, the compressor house); on
another site a scenario that misses one of them fails to start with a message saying which.
"""

from __future__ import annotations

import math
import uuid
from typing import ClassVar

import numpy as np

from integrations.simulator.dynamics import PlantDynamics
from plant_maps.site import Site
from plant_maps.wearables import WearableEvent

START_S = 5.0  # scenario seconds before a wearable event: a console started alongside has subscribed by then


class Scenario:
    """`normal`: the plant's own dynamics and nothing else. Subclasses override `begin` and `shape`."""

    name: ClassVar[str] = "normal"
    # (scenario seconds after start, worker id, event type), in time order; each is sent once.
    events: ClassVar[tuple[tuple[float, str, str], ...]] = ()

    def __init__(self, site: Site, started_at: float, time_scale: float = 1.0) -> None:
        self.site = site
        self.started_at = started_at  # epoch seconds, so tests can wait for what follows
        self.time_scale = time_scale
        self._sent = 0
        for _, worker, _ in self.events:
            self._worker(worker)

    def begin(self, plant: PlantDynamics) -> None:
        """Steer the plant once at the start (freeze or send workers, add offsets)."""

    def shape(self, plant: PlantDynamics, elapsed: float) -> None:
        """Adjust the plant for `elapsed` scenario seconds (already time-scaled)."""

    def step(self, plant: PlantDynamics, t: float) -> list[WearableEvent]:
        """Apply the scenario at epoch time `t` (after `plant.advance(t)`); the wearable events now due."""
        elapsed = (t - self.started_at) * self.time_scale
        self.shape(plant, elapsed)
        due: list[WearableEvent] = []
        while self._sent < len(self.events) and self.events[self._sent][0] <= elapsed:
            _, worker, kind = self.events[self._sent]
            due.append(WearableEvent(id=uuid.uuid4().hex, worker=worker, type=kind, ts=t))
            self._sent += 1
        return due

    def _worker(self, worker_id: str) -> int:
        return self._row(self.site.worker_index, "worker", worker_id)

    def _sensor(self, sensor_id: str) -> int:
        return self._row(self.site.tag_index, "sensor", sensor_id)

    def _row(self, index: dict[str, int], what: str, item_id: str) -> int:
        if item_id not in index:
            raise ValueError(
                f"scenario {self.name!r} needs {what} {item_id}, which site {self.site.id!r} lacks"
            )
        return index[item_id]


class GasLeak(Scenario):
    """A leak at K-301's suction end: %LEL in the compressor house rises, the nearest detector first.

    Each LEL detector in the zone starts rising when the cloud reaches it (distance / SPREAD_M_S) and
    approaches its peak with a first-order lag (RISE_S): the nearest (GD-CH-01) crosses h = 10 %LEL after
    ~17 s and hh = 25 after ~35 s, and reads ~38 of its 40 %LEL after ~85 s; farther ones peak lower.
    """

    name = "gas-leak"
    ZONE = "compressor_house"
    SOURCE = "K-301"
    PEAK = 40.0  # %LEL at the nearest detector
    DECAY_M = 40.0  # the peak falls by e every 40 m farther from the leak
    SPREAD_M_S = 1.5
    RISE_S = 25.0

    def __init__(self, site: Site, started_at: float, time_scale: float = 1.0) -> None:
        super().__init__(site, started_at, time_scale)
        source = next((e for e in site.equipment if e.id == self.SOURCE), None)
        if source is None:
            raise ValueError(
                f"scenario {self.name!r} needs equipment {self.SOURCE}, which site {site.id!r} lacks"
            )
        leak = (source.x - source.width / 2, source.y)  # the suction flange on its west end
        detectors = [s for s in site.sensors if s.zone == self.ZONE and s.measure == "lel"]
        if not detectors:
            raise ValueError(f"scenario {self.name!r} needs LEL detectors in zone {self.ZONE}")
        self.rows = np.array([site.tag_index[s.id] for s in detectors])  # the LEL detectors it reaches
        distance = np.array([math.dist(leak, (s.x, s.y)) for s in detectors])
        self._delay = distance / self.SPREAD_M_S
        self._peak = self.PEAK * np.exp(-(distance - distance.min()) / self.DECAY_M)

    def shape(self, plant: PlantDynamics, elapsed: float) -> None:
        plant.offset(self.rows, self.cloud(elapsed))

    def cloud(self, elapsed: float) -> np.ndarray:
        """%LEL the leak adds at each of the zone's LEL detectors `elapsed` scenario seconds after it began."""
        since = np.maximum(elapsed - self._delay, 0.0)
        return self._peak * (1 - np.exp(-since / self.RISE_S))


class Sos(Scenario):
    """W01, welding in the compressor house, presses SOS once (after START_S, so that a console started with
    the simulator is listening) and stays where they are."""

    name = "sos"
    events = ((START_S, "W01", "sos"),)

    def begin(self, plant: PlantDynamics) -> None:
        plant.freeze(self._worker("W01"))


class ManDown(Scenario):
    """W07 falls (`fall` at once) and lies still: `no_motion` follows after the band's 30 s window."""

    name = "man-down"
    events = ((START_S, "W07", "fall"), (START_S + 30.0, "W07", "no_motion"))

    def begin(self, plant: PlantDynamics) -> None:
        plant.freeze(self._worker("W07"))


class NoPermitEntry(Scenario):
    """W16, on no permit there, walks into the compressor house (active hot work PTW-HW-001) and stays."""

    name = "no-permit-entry"
    WORKER = "W16"
    ZONE = "compressor_house"

    def begin(self, plant: PlantDynamics) -> None:
        row = self._worker(self.WORKER)
        if self.ZONE not in self.site.zone_index:
            raise ValueError(
                f"scenario {self.name!r} needs zone {self.ZONE}, which site {self.site.id!r} lacks"
            )
        x, y = np.mean(self.site.zone(self.ZONE).polygon, axis=0)
        plant.send_to(row, float(x), float(y), speed=1.2 * self.time_scale)


class SensorChatter(Scenario):
    """H2S detector GD-CH-05 on a vibrating pump: 0 → 28 → 0 → 15 ppm, STEP_S each, over and over."""

    name = "sensor-chatter"
    SENSOR = "GD-CH-05"
    PATTERN = (0.0, 28.0, 0.0, 15.0)
    STEP_S = 4.0

    def __init__(self, site: Site, started_at: float, time_scale: float = 1.0) -> None:
        super().__init__(site, started_at, time_scale)
        self._row = self._sensor(self.SENSOR)

    def shape(self, plant: PlantDynamics, elapsed: float) -> None:
        plant.offset([self._row], self.PATTERN[int(elapsed // self.STEP_S) % len(self.PATTERN)])


_TABLE: dict[str, type[Scenario]] = {
    cls.name: cls for cls in (Scenario, GasLeak, Sos, ManDown, NoPermitEntry, SensorChatter)
}
SCENARIOS: tuple[str, ...] = tuple(_TABLE)


def check_scenario(name: str) -> type[Scenario]:
    """The scenario class for `name`; ValueError listing the valid names otherwise."""
    try:
        return _TABLE[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; choose one of: {', '.join(SCENARIOS)}") from None


def make_scenario(name: str, site: Site, started_at: float, time_scale: float = 1.0) -> Scenario:
    """A fresh scenario that starts at `started_at` (epoch seconds); call its `begin` on the plant next."""
    return check_scenario(name)(site, started_at, time_scale)
