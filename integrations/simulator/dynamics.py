"""The demo plant's normal life: every tag and every worker at time t, vectorised over the whole site.

Values must look alive yet raise no alarm on their own, so that every alarm the console shows in the demo
comes from a scenario. Each tag is `normal + slow cycle + drift + noise`, all scaled to the tag's headroom
(the distance from normal to its nearest alarm limit) and clipped to half of it. Gas detectors read what
real ones read in clean air: ~0 %LEL and ~0 ppm H2S (never negative), O2 ~20.9 %vol, CO ~2 ppm.

Workers wander near their `home`: each walks at ~1 m/s to a random point within WANDER_RADIUS_M, pauses,
and picks the next one. Scenarios steer them (`send_to`), stop them (`freeze`) and add to tag values
(`offset`) on top of this; `force` pins a tag over everything, as a PLC force does.

State advances by steps (`advance(t)`), so calls must come with non-decreasing t; the random walks are
exact for any step length, so a 200 Hz server and a 1 Hz publisher may share one PlantDynamics.
"""

from __future__ import annotations

import numpy as np

from plant_maps.site import Sensor, Site

WANDER_RADIUS_M = 15.0
WALK_SPEED_M_S = (0.8, 1.3)  # per worker, drawn once
PAUSE_S = (2.0, 20.0)  # a worker stops for this long at each point it walks to
CYCLE_PERIOD_S = (180.0, 900.0)  # slow process cycles: 3 to 15 minutes
DRIFT_TIME_S = 300.0  # drift forgets its past over ~5 minutes (Ornstein-Uhlenbeck)
MAX_EXCURSION = 0.5  # values stay within normal ± half the headroom: no alarm without a scenario
BATTERY_DRAIN_PCT_H = (1.0, 3.0)
# Fractions of the headroom: (cycle amplitude, drift spread, noise). Gas detectors in clean air neither
# cycle nor drift much; process values swing with production.
_PROCESS_SHAPE = (0.2, 0.1, 0.03)
_GAS_SHAPE = (0.0, 0.02, 0.01)


class PlantDynamics:
    """Sensor values (`values`, by the site's tag row) and worker state (by worker row) at the last `advance`.

    Not thread-safe: owned by the simulator's asyncio task.
    """

    def __init__(self, site: Site, seed: int = 0, t0: float = 0.0) -> None:
        """`seed` makes a run repeatable; `t0` is the time (any origin, seconds) the plant starts at."""
        rng = np.random.default_rng(seed)
        self._rng = rng
        self._t = t0
        sensors = site.sensors
        n = len(sensors)
        self._normal = np.array([s.normal for s in sensors])
        headroom = np.array([_headroom(s) for s in sensors])
        shape = np.array([_GAS_SHAPE if s.is_gas else _PROCESS_SHAPE for s in sensors])
        span = np.array([s.range[1] - s.range[0] for s in sensors])
        self._amplitude = np.minimum(shape[:, 0] * headroom, 0.02 * span)
        self._drift_sigma = shape[:, 1] * headroom
        self._noise_sigma = np.minimum(shape[:, 2] * headroom, 0.005 * span)
        self._omega = 2 * np.pi / rng.uniform(*CYCLE_PERIOD_S, n)
        self._phase = rng.uniform(0, 2 * np.pi, n)
        self._drift = rng.normal(0, 1, n) * self._drift_sigma
        self._low = np.maximum([s.range[0] for s in sensors], self._normal - MAX_EXCURSION * headroom)
        self._high = np.minimum([s.range[1] for s in sensors], self._normal + MAX_EXCURSION * headroom)
        self._offset = np.zeros(n)
        self._forced = np.full(n, np.nan)
        self._own = np.empty(n)
        self.values = np.empty(n)

        workers = site.workers
        m = len(workers)
        self._home = np.array([w.home for w in workers], dtype=float).reshape(m, 2)
        self.anchor = self._home.copy()
        self.position = self.anchor + _disc(rng, m, WANDER_RADIUS_M)
        self._target = self.position.copy()
        self._speed = rng.uniform(*WALK_SPEED_M_S, m)
        self._walk_speed = self._speed.copy()
        self._pause_until = t0 + rng.uniform(0, PAUSE_S[1], m)
        self.frozen = np.zeros(m, dtype=bool)
        self.moving = np.zeros(m, dtype=bool)
        self._heart_base = rng.uniform(65, 85, m)
        self._skin_base = rng.uniform(33.5, 34.5, m)
        self.battery_pct = rng.uniform(80, 100, m)
        self._drain_per_s = rng.uniform(*BATTERY_DRAIN_PCT_H, m) / 3600
        self.heart_rate = self._heart_base.copy()
        self.skin_temp_c = self._skin_base.copy()
        self._compute_values(t0)

    @property
    def t(self) -> float:
        return self._t

    def advance(self, t: float) -> None:
        """Step every random walk from the last t to `t` and recompute values; a t in the past is ignored."""
        dt = t - self._t
        if dt <= 0:
            return
        self._t = t
        rng = self._rng
        decay = np.exp(-dt / DRIFT_TIME_S)  # exact OU step: the spread is the same whatever dt is
        self._drift = self._drift * decay + self._drift_sigma * np.sqrt(1 - decay**2) * rng.normal(
            0, 1, self._drift.size
        )
        self._walk(t, dt)
        m = self.position.shape[0]
        self.heart_rate = np.clip(self._heart_base + 12 * self.moving + rng.normal(0, 2, m), 60, 100)
        self.skin_temp_c = np.clip(self._skin_base + rng.normal(0, 0.1, m), 33, 35)
        self.battery_pct = np.maximum(self.battery_pct - self._drain_per_s * dt, 0)
        self._compute_values(t)

    def offset(self, rows: np.ndarray | list[int], amount: np.ndarray | float) -> None:
        """Add `amount` to these tags from now on (a scenario's leak or fault); 0 removes it."""
        self._offset[rows] = amount
        self._combine()

    def force(self, row: int, value: float | None) -> None:
        """Pin a tag to `value` over dynamics and scenarios, like a PLC force; None releases it."""
        self._forced[row] = np.nan if value is None else value
        self._combine()

    def send_to(self, worker: int, x: float, y: float, speed: float | None = None) -> None:
        """Walk this worker straight to (x, y) at `speed` m/s and wander around it from then on."""
        self.anchor[worker] = (x, y)
        self._target[worker] = (x, y)
        self._speed[worker] = self._walk_speed[worker] if speed is None else speed
        self._pause_until[worker] = self._t

    def freeze(self, worker: int) -> None:
        """The worker stops where they are (fallen, or pressing SOS): positions keep coming, unchanged."""
        self.frozen[worker] = True

    def reset_overrides(self) -> None:
        """Forget every scenario's steering and offsets: workers head home, tags return to normal."""
        self.frozen[:] = False
        self.anchor[:] = self._home
        self._target[:] = self.position
        self._speed[:] = self._walk_speed
        self._offset[:] = 0
        self._combine()

    def _walk(self, t: float, dt: float) -> None:
        """Waypoint walk: go to the target at the worker's speed, pause there, pick a new target near anchor."""
        step = self._target - self.position
        distance = np.hypot(step[:, 0], step[:, 1])
        ready = (t >= self._pause_until) & ~self.frozen
        travel = np.where(ready, np.minimum(self._speed * dt, distance), 0.0)
        fraction = np.divide(travel, distance, out=np.zeros_like(travel), where=distance > 0)
        self.position += step * fraction[:, None]
        arrived = ready & (travel >= distance)
        if arrived.any():
            k = int(arrived.sum())
            self._pause_until[arrived] = t + self._rng.uniform(*PAUSE_S, k)
            self._target[arrived] = self.anchor[arrived] + _disc(self._rng, k, WANDER_RADIUS_M)
            self._speed[arrived] = self._walk_speed[arrived]
        self.moving = ready & (travel > 0) & ~arrived

    def _compute_values(self, t: float) -> None:
        cycle = self._amplitude * np.sin(self._omega * t + self._phase)
        noise = self._rng.normal(0, 1, self._normal.size) * self._noise_sigma
        self._own = np.clip(self._normal + cycle + self._drift + noise, self._low, self._high)
        self._combine()

    def _combine(self) -> None:
        values = self._own + self._offset
        self.values = np.where(np.isnan(self._forced), values, self._forced)


def _headroom(sensor: Sensor) -> float:
    """Distance from normal to the nearest alarm limit, or to the range end where the tag has no limit."""
    low, high = sensor.range
    limits = sensor.limits
    above = [v for v in (limits.h, limits.hh) if v is not None and v > sensor.normal] or [high]
    below = [v for v in (limits.low, limits.ll) if v is not None and v < sensor.normal] or [low]
    gaps = [min(above) - sensor.normal, sensor.normal - max(below)]
    return min(g for g in gaps if g > 0) if any(g > 0 for g in gaps) else high - low


def _disc(rng: np.random.Generator, n: int, radius: float) -> np.ndarray:
    """n points uniform in a disc of `radius` around the origin, shape (n, 2)."""
    r = radius * np.sqrt(rng.uniform(0, 1, n))
    a = rng.uniform(0, 2 * np.pi, n)
    return np.column_stack((r * np.cos(a), r * np.sin(a)))
