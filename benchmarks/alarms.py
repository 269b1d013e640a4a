"""Alarm rules, an alarm flood and the activation-to-list latency against their targets, measured in one run.

    .venv/bin/python benchmarks/alarms.py [--tags 100000] [--seconds 2] [--flood 10000] [--samples 40]
        [--publishing-interval-ms 100] [--database-url postgresql://USER@HOST/DB]

Prints, each figure with its target:
1. Rule evaluations: tag-limit evaluations/s of `AlarmEngine.process_arrays` on 100,000 tags x 4 limits
   (HH, H, L, LL with deadband; target >= 5,000,000/s), and its ratio to the raw-library limit, a bare numpy
   `(v >= hh) | (v >= h) | (v <= l) | (v <= ll)` on the same arrays timed the same way; then
   `AlarmEngine.process` with 5 % of the tags changing per batch (no target: for comparison between runs).
2. Flood: 10,000 alarms raised within 1 s (100 batches of 100 tags every 10 ms, each tag from 50 past its
   h = 80) through the console's own journal-before-show path. Decided: through the real `console.core.Core`
   (what every source calls), which owns the real `AlarmService`; a synthetic site of 10,000 temperature
   tags in 20 zones is built with the site-file parser, so its alarm rules are the console's own. The
   service journals each batch's transitions with `StoreWriter.journal_alarms` and hands them on only once
   the commit landed; from there a bridge like `console.bridge.Bridge` (leading edge, at most 10 Hz) draws
   `AlarmTable` and `AlarmBanner` in a window, all on a qasync loop. Not in this window: the map, the event
   log, sound and speech (figure 3 has them). Figures: when all are journaled (the rows are counted in the
   database afterwards, asserted == 10,000), when all are rows of the table model, and the Qt event loop
   lag from a 10 ms QTimer noting how late it fires (target p99 < 100 ms). On a fresh SQLite file, and on
   PostgreSQL (in a schema of its own, dropped afterwards) when `--database-url` is given.
3. Activation-to-row latency over OPC UA: the demo simulator's OPC UA server (10 Hz) and the real windowed
   console (`console.gui.WindowedConsole`, private Mosquitto, fresh SQLite file) on a qasync loop; one of
   the demo's LEL detectors is forced past its HH limit, and the latency is the wall time its HH row is
   inserted into the alarm list minus the OPC UA source timestamp of the first sample past the limit (the
   e2e test `test_time_from_the_opcua_value_crossing_its_limit_to_the_row_in_the_alarm_list`, repeated over
   the detectors, each acknowledged and released before the next). p50/p99 and p99 / the publishing
   interval (target < 2). With a publishing interval that is a multiple of the simulator's 100 ms tick,
   the tick and the publishing cycle keep one phase for the whole run, so this figure hardly spreads within
   a run but moves between runs; the time from the `force()` call, printed too, spreads over the tick.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import qasync
import sqlalchemy as sa
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alarms.clock import Clock, ManualClock
from alarms.definitions import AlarmSpec, CommRule, Definitions, Limit, LimitRule, Priority, Tier
from alarms.engine import AlarmEngine
from alarms.records import Transition
from alarms.samples import Quality, TagBatch
from alarms.states import UNACKNOWLEDGED, Event
from benchmarks.demo_rig import demo_rig
from benchmarks.measure import percentile, until
from console.composition import settle_heap
from console.config import AppConfig
from console.server.core import Core
from console.server.session import Topic
from console.window.annunciator import Annunciator
from console.window.bridge import Bridge
from console.window.gui import WindowedConsole
from console.window.main_window import MainWindow
from integrations.simulator import SimulatorThread
from integrations.storage import Store, StoreWriter
from plant_maps.site import Site
from plant_maps.site_file import parse_site
from tests.support import free_port
from widgets.common.theme import apply_theme

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "resources" / "plants" / "demo" / "site.toml"

HH = Limit(90.0, Tier.LIFE, Priority.HIGH)
H = Limit(80.0, Tier.HIGH, Priority.MEDIUM)
L = Limit(20.0, Tier.LOW, Priority.LOW)
LL = Limit(10.0, Tier.HIGH, Priority.MEDIUM)


# -- 1. rule evaluations ------------------------------------------------------------------------------


def definitions(n: int, comms: bool) -> Definitions:
    tags = tuple(f"T{i:06d}" for i in range(n))
    limits = tuple(LimitRule(t, f"area{i % 20}", HH, H, L, LL, deadband=1.0) for i, t in enumerate(tags))
    comm = tuple(
        CommRule(AlarmSpec(f"{t}.COMM", t, Tier.LOW, Priority.LOW, f"area{i % 20}", "{id}"), (t,))
        for i, t in enumerate(tags)
        if comms
    )
    return Definitions(tags, limits=limits, comms=comm)


def rate(run: Callable[[], object], seconds: float) -> float:
    """Calls per second: the best of five rounds of about `seconds` / 5 each."""
    run()
    calls = 1
    start = time.perf_counter()
    while time.perf_counter() - start < 0.05:
        run()
        calls += 1
    per_round = max(1, int(calls * seconds / 5 / max(time.perf_counter() - start, 1e-9)))
    best = 0.0
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(per_round):
            run()
        best = max(best, per_round / (time.perf_counter() - start))
    return best


def bench_limits(n: int, seconds: float) -> None:
    engine = AlarmEngine(definitions(n, comms=False), ManualClock())
    value = np.random.default_rng(1).uniform(30.0, 70.0, n)  # inside every limit: a plant's steady state
    quality = np.zeros(n, dtype=np.int8)
    hh, h, low, ll = (np.full(n, lim.setpoint) for lim in (HH, H, L, LL))

    def ours() -> None:
        engine.process_arrays(value, quality)

    def bare() -> None:
        (value >= hh) | (value >= h) | (value <= low) | (value <= ll)

    ours_rate, bare_rate = rate(ours, seconds) * n * 4, rate(bare, seconds) * n * 4
    print(f"1. rule evaluations, {n:,} tags x 4 limits (HH, H, L, LL, deadband)")
    print(f"   engine process_arrays     {ours_rate:16,.0f} tag-limit evaluations/s (target >= 5,000,000)")
    print(f"   bare numpy, same arrays   {bare_rate:16,.0f} tag-limit evaluations/s")
    print(f"   ratio engine / numpy      {ours_rate / bare_rate:16.3f}")


def bench_batches(n: int, seconds: float) -> None:
    clock = ManualClock()
    engine = AlarmEngine(definitions(n, comms=True), clock)
    rng = np.random.default_rng(2)
    value = rng.uniform(30.0, 70.0, n)
    engine.process_arrays(value, np.zeros(n, dtype=np.int8))
    per_batch = n // 20
    batches = []
    for _ in range(50):
        index = rng.choice(n, per_batch, replace=False).astype(np.int32)
        value[index] = np.clip(value[index] + rng.normal(0.0, 3.0, per_batch), 0.0, 100.0)
        quality = np.where(rng.random(per_batch) < 0.001, Quality.BAD, Quality.GOOD).astype(np.int8)
        batches.append(
            TagBatch(index, value[index].copy(), quality, np.full(per_batch, clock.now()), clock.now())
        )
    transitions = calls = 0

    def one() -> None:
        nonlocal calls, transitions
        clock.advance(0.1)
        transitions += len(engine.process(batches[calls % len(batches)]))
        calls += 1

    per_s = rate(one, seconds)
    print(
        f"   engine process, 5 % changing: {per_s:,.1f} batches/s of {per_batch:,} = {per_s * per_batch:,.0f}"
        f" tag updates/s (limits + comm rule per tag; {transitions:,} transitions in {calls:,} batches)"
    )


# -- 2. flood -----------------------------------------------------------------------------------------


def flood_site(n: int, areas: int = 20) -> Site:
    """`n` temperature tags with hh/h/l/ll limits in `areas` zones, parsed like any site file, so that its
    alarm rules are the console's own (H grouped under HH, a communication alarm per tag)."""
    raw = {
        "site": {"id": "flood", "width_m": 100.0 * areas, "height_m": 100.0},
        "zones": [
            {
                "id": f"area{a:02d}",
                "name": f"Area {a}",
                "polygon": [[100.0 * a, 0.0], [100.0 * a + 100, 0.0], [100.0 * a + 100, 100.0]],
            }
            for a in range(areas)
        ],
        "sensors": [
            {
                "id": f"TT-{i:05d}",
                "measure": "temperature",
                "zone": f"area{i % areas:02d}",
                "x": 100.0 * (i % areas) + 50,
                "y": 50.0,
                "range": [0.0, 200.0],
                "normal": 50.0,
                "limits": {"hh": 90.0, "h": 80.0, "l": 20.0, "ll": 10.0},
            }
            for i in range(n)
        ],
    }
    return parse_site(raw, Path("<flood benchmark site>"), datetime.now(UTC))


class ConsoleWindow:
    """The console's own main window, bridge and annunciator on a core: banner, alarm list, map, event log,
    tones and speech drawn exactly as `controlroom` draws them; counts the activations journaled."""

    def __init__(self, core: Core) -> None:
        self.window = MainWindow(core.site, "bench", "bench-flood")
        self.annunciator = Annunciator(parent=self.window)
        self.bridge = Bridge(core, self.window, self.annunciator, worker_stale_after_s=10.0)
        self.table = self.window.alarm_table
        self.window.resize(1600, 1000)
        self.window.show()
        self.journaled = 0
        self._unsubscribe = core.subscribe(Topic.ALARMS, self._committed)

    def _committed(self, transitions: list[Transition]) -> None:
        self.journaled += sum(t.event is Event.ACTIVATE for t in transitions)

    def close(self) -> None:
        self._unsubscribe()
        self.bridge.close()
        self.annunciator.close()
        self.window.close()
        self.window.deleteLater()


class LagProbe(QObject):
    """A QTimer every `interval_ms`: how much later than its interval each firing comes is the loop's lag."""

    def __init__(self, interval_ms: int = 10) -> None:
        super().__init__()
        self.interval_s = interval_ms / 1000
        self.lags_s: list[float] = []
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._fired)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _fired(self) -> None:
        now = time.perf_counter()
        self.lags_s.append(max(0.0, now - self._last - self.interval_s))
        self._last = now


@dataclass(frozen=True)
class FloodResult:
    fed_s: float  # feeding the 100 batches took this long (1 s if the loop kept up)
    journaled_s: float
    listed_s: float
    rows_in_database: int
    lags_s: list[float]


def tag_batch(rows: np.ndarray, value: float, now: float) -> TagBatch:
    """Good samples of `value` for these tag rows, measured and received `now`."""
    return TagBatch(
        rows, np.full(rows.size, value), np.zeros(rows.size, np.int8), np.full(rows.size, now), now
    )


async def run_flood(
    site: Site, url: str, count: int, batches: int = 100, period_s: float = 0.01
) -> FloodResult:
    """Tags 0..count-1 go from 50 to 85 (past h = 80, short of hh = 90) in `batches` batches `period_s` apart."""
    store = Store(url)
    writer = StoreWriter(store, site)
    core = Core(site, Clock(), writer, "bench-flood")
    view = ConsoleWindow(core)
    settle_heap()  # as Application.start() does once the console is up
    core.on_tags(tag_batch(np.arange(len(site.sensors), dtype=np.int32), 50.0, time.time()))
    await asyncio.sleep(0.5)  # the window painted, the normal values recorded as history
    probe = LagProbe()
    probe.start()
    await asyncio.sleep(0.2)
    since = time.time()
    start = time.perf_counter()
    for k, rows in enumerate(np.array_split(np.arange(count, dtype=np.int32), batches)):
        await asyncio.sleep(max(0.0, start + k * period_s - time.perf_counter()))
        core.on_tags(tag_batch(rows, 85.0, time.time()))
    fed_s = time.perf_counter() - start
    await until(lambda: view.journaled >= count, 120, f"{count:,} activations journaled")
    journaled_s = time.perf_counter() - start
    await until(lambda: view.table.model.rowCount() >= count, 120, f"{count:,} rows in the alarm list")
    listed_s = time.perf_counter() - start
    await asyncio.sleep(0.3)  # the probe sees the tail of the flood too
    probe.stop()
    view.close()
    await asyncio.to_thread(writer.close)
    rows = len(await asyncio.to_thread(store.alarm_transitions, since))
    store.close()
    return FloodResult(fed_s, journaled_s, listed_s, rows, probe.lags_s)


@contextlib.contextmanager
def own_schema(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for one run (dropped afterwards), so the rows counted are this run's."""
    schema = f"bench_alarms_{os.getpid()}_{free_port()}"
    engine = sa.create_engine(Store(base_url).url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def print_flood(name: str, count: int, r: FloodResult) -> None:
    if r.rows_in_database != count:
        raise SystemExit(f"{name}: {r.rows_in_database:,} alarm rows in the journal, expected {count:,}")
    lag_ms = [lag * 1000 for lag in r.lags_s]
    print(
        f"   {name}: fed in {r.fed_s:.2f} s; journal rows counted afterwards: {r.rows_in_database:,} (== {count:,})"
    )
    print(f"      all journaled after    {r.journaled_s:8.2f} s")
    print(f"      all rows in the list   {r.listed_s:8.2f} s")
    print(
        f"      Qt loop lag p50 {percentile(lag_ms, 50):.1f} ms, p99 {percentile(lag_ms, 99):.1f} ms"
        f" (target < 100), max {max(lag_ms):.1f} ms over {len(lag_ms)} probes"
    )


def bench_flood(loop: asyncio.AbstractEventLoop, count: int, database_url: str | None) -> None:
    site = flood_site(count)
    print(f"2. flood of {count:,} alarms in 1 s (100 batches every 10 ms), journal before show, 10 Hz list")
    with tempfile.TemporaryDirectory() as tmp:
        result = loop.run_until_complete(run_flood(site, f"sqlite:///{tmp}/flood.db", count))
    print_flood("SQLite", count, result)
    if database_url:
        with own_schema(database_url) as url:
            result = loop.run_until_complete(run_flood(site, url, count))
        print_flood("PostgreSQL", count, result)


# -- 3. activation to row over OPC UA -----------------------------------------------------------------


class RowClock:
    """Notes, for the one alarm watched, the source time of the first sample past its limit and the wall
    time its row is inserted into the alarm list."""

    def __init__(self, console: WindowedConsole) -> None:
        self.core = console.app.core
        self.model = console.window.alarm_table.model
        self.alarm_id, self.row, self.limit = "", -1, math.inf
        self.crossed_ts: float | None = None
        self.shown_at: float | None = None
        self.core.subscribe(Topic.TAGS, self._tags)
        self.model.rowsInserted.connect(self._inserted)

    def watch(self, alarm_id: str, row: int, limit: float) -> None:
        self.alarm_id, self.row, self.limit = alarm_id, row, limit
        self.crossed_ts = self.shown_at = None

    def _tags(self, _rows: Any) -> None:
        tags = self.core.tags
        if self.crossed_ts is None and self.row >= 0 and tags.value[self.row] >= self.limit:
            self.crossed_ts = float(tags.source_ts[self.row])

    def _inserted(self, _parent: Any, first: int, last: int) -> None:
        now = time.time()
        if self.shown_at is None and any(
            self.model.view_at(r).id == self.alarm_id for r in range(first, last + 1)
        ):
            self.shown_at = now


@dataclass(frozen=True)
class Latency:
    from_source_s: float  # row inserted - OPC UA source timestamp of the first sample past the limit
    from_force_s: float  # row inserted - the force() call (adds the wait for the simulator's next tick)


async def one_latency(
    console: WindowedConsole, sim: SimulatorThread, clock: RowClock, sensor_id: str
) -> Latency:
    """Force the detector 5 above its hh (30 %LEL), time its HH row, then acknowledge and release it until
    its rows have left the list (so that the next activation of it is a new row again)."""
    site = console.app.site
    hh = site.sensor(sensor_id).limits.hh
    assert hh is not None
    clock.watch(f"{sensor_id}.HH", site.tag_index[sensor_id], hh)
    forced_at = time.time()
    await asyncio.to_thread(sim.force, sensor_id, hh + 5.0)
    await until(lambda: clock.shown_at is not None, 10, f"{sensor_id}.HH in the alarm list")
    await until(lambda: clock.crossed_ts is not None, 1, f"{sensor_id} past {hh} in the core")
    assert clock.shown_at is not None and clock.crossed_ts is not None
    latency = Latency(clock.shown_at - clock.crossed_ts, clock.shown_at - forced_at)
    await asyncio.to_thread(sim.force, sensor_id, None)
    await clear(console, sensor_id)
    return latency


async def clear(console: WindowedConsole, sensor_id: str) -> None:
    """Acknowledge the sensor's alarms until, back below their limits, they have left the alarm list."""
    alarms, model = console.app.core.alarms, console.window.alarm_table.model
    ids = {v.id for v in alarms.views() if v.source == sensor_id}
    while any(model.row_of(i) is not None for i in ids):
        unacked = [(v.id, v.seq) for v in alarms.views() if v.id in ids and v.state in UNACKNOWLEDGED]
        if unacked:
            await alarms.acknowledge(unacked, "bench", console.app.config.console_name)
        await asyncio.sleep(0.05)


async def run_latency(config: AppConfig, sim: SimulatorThread, samples: int) -> list[Latency]:
    console = WindowedConsole(config)
    await console.app.start()
    try:
        opcua = console.app.opcua
        await until(lambda: opcua is not None and opcua.status.messages > 0, 30, "OPC UA data")
        await asyncio.sleep(1.0)  # start-up alarms and first draws settled
        clock = RowClock(console)
        detectors = [
            s.id
            for s in console.app.site.sensors
            if s.measure == "lel" and s.scheme == "opcua" and s.limits.hh is not None
        ]
        jitter = random.Random(0)
        latencies = []
        for i in range(samples):
            await asyncio.sleep(jitter.uniform(0.15, 0.35))  # force at another phase of the tick each time
            latencies.append(await one_latency(console, sim, clock, detectors[i % len(detectors)]))
        return latencies
    finally:
        await console.close()


def bench_latency(loop: asyncio.AbstractEventLoop, samples: int, interval_ms: float) -> None:
    with demo_rig(interval_ms, update_hz=10.0) as rig:
        run = run_latency(rig.config, rig.simulator, samples)
        latencies = loop.run_until_complete(asyncio.wait_for(run, 60 + samples * 15))
    source_ms = [lat.from_source_s * 1000 for lat in latencies]
    force_ms = [lat.from_force_s * 1000 for lat in latencies]
    p99 = percentile(source_ms, 99)
    print(
        f"3. OPC UA value past its limit to the alarm row, windowed console, {len(source_ms)} LEL activations"
    )
    print(f"   publishing interval {interval_ms:g} ms, simulator at 10 Hz, SQLite journal")
    print(
        f"   from the source timestamp  p50 {percentile(source_ms, 50):4.0f} ms, p99 {p99:4.0f} ms,"
        f" max {max(source_ms):4.0f} ms"
    )
    print(f"   ratio p99 / publishing interval {p99 / interval_ms:.2f} (target < 2)")
    print(
        f"   from the force() call      p50 {percentile(force_ms, 50):4.0f} ms,"
        f" p99 {percentile(force_ms, 99):4.0f} ms (adds the wait for the simulator's next tick)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=100_000, help="tags for the rule evaluations")
    parser.add_argument("--seconds", type=float, default=2.0, help="measuring time per rule figure")
    parser.add_argument("--flood", type=int, default=10_000, help="alarms raised within 1 s")
    parser.add_argument("--samples", type=int, default=40, help="activations timed over OPC UA")
    parser.add_argument("--publishing-interval-ms", type=float, default=100.0)
    parser.add_argument("--database-url", help="also run the flood on this PostgreSQL database")
    parser.add_argument(
        "--parts", default="rules,flood,latency", help="which figures, comma-separated (default: all)"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    started = time.perf_counter()
    if "rules" in parts:
        bench_limits(args.tags, args.seconds)
        bench_batches(args.tags, args.seconds)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(qapp)
    qapp.setQuitOnLastWindowClosed(False)  # each part closes its window; the loop must run on
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        if "flood" in parts:
            bench_flood(loop, args.flood, args.database_url)
        if "latency" in parts:
            bench_latency(loop, args.samples, args.publishing_interval_ms)
    finally:
        loop.close()
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
