"""Trends measured in one run: the history query, pan/zoom of a huge pen, live pens, the deadband's saving.

    .venv/bin/python benchmarks/trends.py [--database-url postgresql+psycopg://USER@HOST/DB] [--runs 3]

Prints, each figure the median of `--runs` runs, with its target:
1. History query: `Store.history_buckets` of 24 h of one tag sampled at 1 Hz (86,400 rows, among 8,640
   rows of five other tags) decimated to 2,000 points, on a fresh SQLite file, and on PostgreSQL (a
   schema of its own, dropped afterwards) when `--database-url` is given. Target < 100 ms each.
2. Pan/zoom: a `widgets.trends.trend_view.TrendView` at 1600x500 (offscreen) with one pen of 1,000,000 points;
   a frame sets the next of 40 time ranges (pans and zooms from the whole day to 10 minutes) and repaints.
   Compared with a bare pyqtgraph `PlotCurveItem` given the same 1,000,000 points with `setData` and
   repainted over the same ranges. Ratio of the mean frame times; target <= 1.3. Both windows are exposed
   before measuring, so that a repaint paints (an unexposed offscreen window skips it).
3. Live pens: 8 pens of 1 h at 10 Hz (36,000 samples each) from a `TrendBuffer`; a frame appends one
   second of samples of every pen, hands every pen its series (`set_live`), follows now and repaints,
   as the trend feed does every second, and paints (the window exposed). p95 frame time over 100 frames;
   target < 16 ms.
4. Deadband: the demo plant's tags (`PlantDynamics`, as the simulator runs it) sampled at 5 Hz for 10
   simulated minutes through the history `DeadbandFilter`; samples received / rows stored. Target >= 10.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pyqtgraph as pg
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from alarms.samples import TagBatch
from benchmarks.measure import percentile, postgres_schema
from console.server.trend_buffer import TrendBuffer
from integrations.history import DeadbandFilter
from integrations.simulator.dynamics import PlantDynamics
from integrations.storage import Store
from plant_maps.site import Site
from plant_maps.site_file import load_site
from widgets.common.theme import apply_theme
from widgets.trends.trend_view import TrendView

DEMO_SITE = Path(__file__).resolve().parent.parent / "resources" / "plants" / "demo" / "site.toml"
T0 = 1_800_000_000.0
DAY = 86_400


def median_of(runs: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    values = [measure() for _ in range(runs)]
    return statistics.median(values), values


# -- 1. history query -------------------------------------------------------------------------------------


def fill_day(store: Store) -> None:
    rng = np.random.default_rng(1)
    ts = T0 + np.arange(DAY, dtype=np.float64)
    value = 20 + 5 * np.sin(ts / 3600) + rng.normal(0, 0.3, DAY)
    rows = [
        {"tag": "BENCH-01", "ts": t, "value": v, "quality": 0}
        for t, v in zip(ts.tolist(), value.tolist(), strict=True)
    ]
    for k in range(5):
        rows += [{"tag": f"OTHER-{k}", "ts": t, "value": 1.0, "quality": 0} for t in ts[::50].tolist()]
    for start in range(0, len(rows), 20_000):
        store.write(rows[start : start + 20_000], [])


def query_ms(store: Store) -> float:
    begin = time.perf_counter()
    buckets = store.history_buckets(["BENCH-01"], T0, T0 + DAY, 2000)["BENCH-01"]
    elapsed = (time.perf_counter() - begin) * 1000
    assert len(buckets) == 1000 and len(buckets.series()[0]) <= 2000
    return elapsed


def history_query(url: str, runs: int) -> tuple[float, list[float]]:
    store = Store(url)
    try:
        fill_day(store)
        query_ms(store)  # warm the caches, as a console that has run a while has them
        return median_of(runs, lambda: query_ms(store))
    finally:
        store.close()


# -- 2. pan and zoom --------------------------------------------------------------------------------------


def ranges(x: np.ndarray) -> list[tuple[float, float]]:
    """40 ranges: zoom from the whole to 10 minutes around the middle, then pan across the day."""
    out = []
    centre, whole = float(x[x.size // 2]), float(x[-1] - x[0])
    for span in np.geomspace(whole, 600, 20):
        out.append((centre - span / 2, centre + span / 2))
    for start in np.linspace(x[0], x[-1] - 3600, 20):
        out.append((float(start), float(start) + 3600))
    return out


def frame_ms(
    widget: pg.GraphicsView, frame: Callable[[float, float], None], spans: list[tuple[float, float]]
) -> float:
    times = []
    for x0, x1 in spans:
        begin = time.perf_counter()
        frame(x0, x1)
        widget.viewport().repaint()
        times.append((time.perf_counter() - begin) * 1000)
    return float(np.mean(times))


def pan_zoom_ratio(site: Site) -> float:
    x = T0 + np.arange(1_000_000) * 0.0864  # a day at ~11.6 Hz
    y = 20 + 5 * np.sin(x / 3600) + np.random.default_rng(2).normal(0, 0.3, x.size)
    spans = ranges(x)
    view = TrendView(site, lambda: float(x[-1]))
    view.resize(1600, 500)
    view.show()
    QTest.qWaitForWindowExposed(view)  # painted for real, as on a screen (both sides alike)
    view.add_pen(site.sensors[0].id)
    view.set_live(site.sensors[0].id, x, y)
    view.live = False
    ours = frame_ms(view.plot, lambda a, b: view.plot.getViewBox().setXRange(a, b, padding=0), spans)

    raw = pg.PlotWidget()
    raw.resize(1600, 470)
    raw.show()
    QTest.qWaitForWindowExposed(raw)
    curve = pg.PlotCurveItem(pen=pg.mkPen("#1F3A68", width=1))
    raw.addItem(curve)

    def raw_frame(a: float, b: float) -> None:
        curve.setData(x, y)
        raw.setXRange(a, b, padding=0)

    baseline = frame_ms(raw, raw_frame, spans)
    view.close()
    raw.close()
    return ours / baseline


# -- 3. live pens -----------------------------------------------------------------------------------------


def live_p95(site: Site) -> float:
    tags = [s.id for s in site.sensors[:8]]
    rows = np.arange(8)
    buffer = TrendBuffer(len(site.sensors), capacity=36_000)
    buffer.watch(rows)  # on a trend: kept at full rate
    hour = T0 + np.arange(36_000) * 0.1
    for k in range(0, 36_000, 100):  # an hour already held, as after an hour of running
        ts = np.repeat(hour[k : k + 100], 8)
        buffer.append(
            TagBatch(np.tile(rows, 100).astype(np.int32), np.sin(ts), np.zeros(ts.size, np.int8), ts, ts[-1])
        )
    now = float(hour[-1])
    view = TrendView(site, lambda: now)
    view.resize(1600, 500)
    view.show()
    QTest.qWaitForWindowExposed(view)  # painted for real
    for tag in tags:
        view.add_pen(tag)
    times = []
    for frame in range(110):
        begin = time.perf_counter()
        second = now + 0.1 * np.arange(1, 11)
        ts = np.repeat(second, 8)
        buffer.append(
            TagBatch(np.tile(rows, 10).astype(np.int32), np.sin(ts), np.zeros(ts.size, np.int8), ts, ts[-1])
        )
        now = float(second[-1])
        for row, tag in enumerate(tags):
            view.set_live(tag, *buffer.series(row))
        view.follow(now)
        view.plot.viewport().repaint()
        if frame >= 10:  # after a warm-up
            times.append((time.perf_counter() - begin) * 1000)
    view.close()
    return percentile(times, 95)


# -- 4. deadband ------------------------------------------------------------------------------------------


def deadband_ratio(site: Site, seed: int) -> float:
    plant = PlantDynamics(site, seed=seed, t0=T0)
    history = DeadbandFilter(site)
    n = len(site.sensors)
    index = np.arange(n, dtype=np.int32)
    received = stored = 0
    for k in range(1, 10 * 60 * 5 + 1):
        t = T0 + k / 5
        plant.advance(t)
        batch = TagBatch(index, plant.values.copy(), np.zeros(n, np.int8), np.full(n, t), t)
        received += n
        stored += len(history.select(batch))
    return received / stored


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL to measure the history query on too")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)
    site = load_site(DEMO_SITE)
    runs = args.runs

    def sqlite_once() -> float:
        with tempfile.TemporaryDirectory() as folder:
            return history_query(f"sqlite:///{folder}/bench.db", 1)[0]

    ms, all_ms = median_of(runs, sqlite_once)
    print(
        f"history query, 86,400 rows -> <= 2,000 points, SQLite: {ms:.1f} ms (runs {_list(all_ms)}; target < 100 ms)"
    )
    if args.database_url:

        def postgres_once() -> float:
            url, drop = postgres_schema(args.database_url, "trends")
            try:
                return history_query(url, 1)[0]
            finally:
                drop()

        ms, all_ms = median_of(runs, postgres_once)
        print(f"history query, PostgreSQL: {ms:.1f} ms (runs {_list(all_ms)}; target < 100 ms)")
    ratio, all_ratio = median_of(runs, lambda: pan_zoom_ratio(site))
    print(
        f"pan/zoom of a 1,000,000-point pen vs raw PlotCurveItem.setData+paint: ratio {ratio:.2f} (runs {_list(all_ratio, '.2f')}; target <= 1.3)"
    )
    p95, all_p95 = median_of(runs, lambda: live_p95(site))
    print(f"8 live pens of 1 h at 10 Hz, frame p95: {p95:.1f} ms (runs {_list(all_p95)}; target < 16 ms)")
    seeds = iter(range(runs))
    reduction, all_reduction = median_of(runs, lambda: deadband_ratio(site, next(seeds)))
    print(
        f"deadband on the demo's {len(site.sensors)} analog tags, 10 simulated min at 5 Hz: {reduction:.1f}:1 samples/rows (runs {_list(all_reduction)}; target >= 10:1)"
    )
    app.processEvents()
    return 0


def _list(values: list[float], fmt: str = ".1f") -> str:
    return ", ".join(format(v, fmt) for v in values)


if __name__ == "__main__":
    sys.exit(main())
