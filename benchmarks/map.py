"""Worker rules over a crowd, the plant map's frame time and an SOS's way to the alarm list, measured in one run.

    .venv/bin/python benchmarks/map.py [--workers 10000] [--rounds 5] [--batches 40] [--frames 120]
        [--samples 40] [--parts rules,map,sos]

Prints, each figure with its target:
1. Worker rules: ms per batch of `WorkerRules.conditions` (zone membership plus the geofence, certificate
   and device rules) for 10,000 workers on a synthetic site of 20 zones (6-vertex polygons with gaps
   between them) and 4 active permits, parsed with the site-file parser; and its ratio to the raw-library
   limit, a bare `geometry.zone_of_points` over the same zones and points, timed the same way (1.00: the
   rules cost nothing beyond the geometry). Best of `--rounds` rounds (the round with the lowest p50; the
   two alternate, so a busy moment of the machine hits both), p50 and p95 over `--batches` batches each;
   the positions change from batch to batch. No target: the core runs it every TICK_S (250 ms).
2. Map frame: a `widgets.map.plant_map.PlantMapView` at 1600x1000 (QT_QPA_PLATFORM=offscreen) on a synthetic
   1 km site (20 zones, 40 equipment, 500 detectors with limits, 2,000 workers, 6 permits shown with
   `update_permits`, 10 workers in an SOS alert with `set_worker_alerts`); each frame is
   `update_tags(value, quality, LimitArrays(site).state(value))` with 5 % of the detectors in alarm and
   3 % bad, `update_workers(x, y, stale)` with every worker moved, and `viewport().repaint()`. Wall time
   per frame (p50, p95; target p95 < 33 ms, i.e. 30 frames/s) over `--frames` frames after a warm-up, and
   the share of that in the update_* calls and in the repaint. Qt's event loop does not run between the
   frames: it would paint each frame a second time (the scene's queued update), so the alert markers'
   500 ms pulse timer does not fire here; a pulse costs a recode of the worker codes and the same repaint.
3. SOS to the alarm list over MQTT: a private Mosquitto, the demo simulator's OPC UA server and the real
   windowed console (`console.gui.WindowedConsole`, fresh SQLite file) on a qasync loop; a plain paho
   client publishes `{"id", "type": "sos", "ts"}` at QoS 1 to `site/demo/workers/<W>/event`, and the
   latency is from just before the publish to the `<W>.SOS` row being inserted into the alarm list model
   (through MQTT, the contract, the core, the journal commit and the bridge). Each SOS is then cleared
   through the console's own commands (acknowledge, assign a responder, on scene, resolve) until its row
   has left the list, and the next sample goes to the next demo worker. p50, p99 (target < 500 ms), max.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import paho.mqtt.client as mqtt
import qasync
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alarms.samples import Quality
from benchmarks.demo_rig import demo_rig
from benchmarks.measure import percentile, until
from console.config import AppConfig
from console.server.session import Acknowledge, AssignResponder, ResolveWearableAlarm, ResponderOnScene
from console.window.gui import WindowedConsole
from plant_maps.geometry import zone_of_points
from plant_maps.limits import LimitArrays
from plant_maps.permit_lifecycle import PermitState
from plant_maps.permits import PermitBook
from plant_maps.site import Site
from plant_maps.site_file import parse_site
from plant_maps.wearables import Resolution
from plant_maps.worker_rules import WorkerRules
from widgets.common.theme import apply_theme
from widgets.map.plant_map import PlantMapView

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "resources" / "plants" / "demo" / "site.toml"
RESPONDER = "W13"  # sent to every SOS (as in the e2e test); never the one in need


# -- synthetic sites ----------------------------------------------------------------------------------


def grid_zones(width: float, height: float, columns: int = 5, rows: int = 4) -> list[dict[str, Any]]:
    """`columns` x `rows` zones, each a cell of the site 10 m in from its edges with two corners cut (six
    vertices), so that the gaps between zones are roads where a worker is in no zone."""
    w, h, zones = width / columns, height / rows, []
    for r in range(rows):
        for c in range(columns):
            x0, y0, x1, y1 = c * w + 10, r * h + 10, (c + 1) * w - 10, (r + 1) * h - 10
            polygon = [[x0 + 15, y0], [x1, y0], [x1, y1 - 15], [x1 - 15, y1], [x0, y1], [x0, y0 + 15]]
            zones.append(
                {"id": f"z{r * columns + c:02d}", "name": f"Unit {r * columns + c}", "polygon": polygon}
            )
    return zones


def worker_rows(count: int, width: float, height: float, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Workers at random homes; every tenth carries a certificate that expired yesterday."""
    return [
        {
            "id": f"W{i:05d}",
            "name": f"Worker {i}",
            "company": "Bench Ltd",
            "wearable": f"B{i:05d}",
            "home": [float(rng.uniform(0, width)), float(rng.uniform(0, height))],
            "certificates": [
                {"type": "hot_work", "number": f"C-{i:05d}", "expires_in_days": -1 if i % 10 == 0 else 365}
            ],
        }
        for i in range(count)
    ]


PERMIT_KINDS = (  # category, grade, state
    ("hot_work", "1", "active"),
    ("confined_space", "-", "active"),
    ("work_at_height", "II", "active"),
    ("excavation", "-", "active"),
    ("lifting", "3", "suspended"),
    ("temporary_electricity", "-", "approved"),
)


def permit_rows(count: int, workers: int, crew: int) -> list[dict[str, Any]]:
    """`count` permits in zones z00, z01, ... with `crew` workers each (the first kinds are active)."""
    return [
        {
            "id": f"PTW-{i:03d}",
            "category": category,
            "grade": grade,
            "zone": f"z{i:02d}",
            "title": f"{category} in unit {i}",
            "applicant": f"W{i:05d}",
            "guardian": f"W{i:05d}",
            "workers": [f"W{(100 + i * crew + k) % workers:05d}" for k in range(crew)],
            "start_offset_h": -1,
            "duration_h": 8,
            "state": state,
        }
        for i, (category, grade, state) in enumerate(PERMIT_KINDS[:count])
    ]


def detector_rows(count: int, zones: list[dict[str, Any]], rng: np.random.Generator) -> list[dict[str, Any]]:
    """LEL detectors with h/hh limits, spread over the zones' inner rectangles."""
    out = []
    for i in range(count):
        zone = zones[i % len(zones)]
        (x0, y0), (x1, y1) = zone["polygon"][5], zone["polygon"][2]
        out.append(
            {
                "id": f"GD-{i:04d}",
                "measure": "lel",
                "zone": zone["id"],
                "x": float(rng.uniform(x0 + 5, x1 - 5)),
                "y": float(rng.uniform(y0 + 5, y1 - 5)),
                "range": [0.0, 100.0],
                "normal": 0.0,
                "limits": {"hh": 25.0, "h": 10.0},
            }
        )
    return out


def equipment_rows(zones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two pieces per zone: a vessel and a skid."""
    out = []
    for zone in zones:
        (x0, y0), (x1, y1) = zone["polygon"][5], zone["polygon"][2]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        for k, (dx, kind, rnd) in enumerate(((-30, "vessel", True), (30, "skid", False))):
            out.append(
                {
                    "id": f"{zone['id']}-E{k}",
                    "zone": zone["id"],
                    "kind": kind,
                    "x": cx + dx,
                    "y": cy,
                    "width_m": 20.0,
                    "height_m": 14.0,
                    "round": rnd,
                }
            )
    return out


def synthetic_site(
    name: str,
    width: float,
    height: float,
    workers: int,
    detectors: int,
    permits: int,
    crew: int,
    equipment: bool,
) -> Site:
    rng = np.random.default_rng(7)
    zones = grid_zones(width, height)
    raw: dict[str, Any] = {
        "site": {"id": name, "width_m": width, "height_m": height},
        "zones": zones,
        "sensors": detector_rows(detectors, zones, rng),
        "workers": worker_rows(workers, width, height, rng),
        "permits": permit_rows(permits, workers, crew),
        "muster_points": [
            {"id": "M1", "name": "Main gate", "x": 20.0, "y": 20.0, "radius_m": 15.0},
            {"id": "M2", "name": "East gate", "x": width - 20.0, "y": height - 20.0, "radius_m": 15.0},
        ],
    }
    if equipment:
        raw["equipment"] = equipment_rows(zones)
    return parse_site(raw, Path(f"<{name} benchmark site>"), datetime.now(UTC))


# -- 1. worker rules ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Workers:
    """The worker arrays `WorkerRules.conditions` reads (the `plant_maps.worker_rules.WorkerArrays` protocol)."""

    x: np.ndarray
    y: np.ndarray
    fix_ts: np.ndarray
    battery: np.ndarray
    heart_rate: np.ndarray


def worker_batches(site: Site, now: float, count: int) -> list[Workers]:
    """`count` batches of every worker: positions anywhere on the site (1 % never seen: NaN), fixes up to
    90 s old (lost signal after 60 s), battery 0-100 %, heart rate around 80 bpm."""
    rng = np.random.default_rng(3)
    n = len(site.workers)
    out = []
    for _ in range(count):
        x, y = rng.uniform(0, site.width, n), rng.uniform(0, site.height, n)
        unseen = rng.random(n) < 0.01
        x[unseen] = y[unseen] = np.nan
        fix_ts = np.where(unseen, 0.0, now - rng.uniform(0, 90, n))
        out.append(Workers(x, y, fix_ts, rng.uniform(0, 100, n), rng.normal(80, 20, n)))
    return out


def round_ms(run: Callable[[int], object], batches: int) -> list[float]:
    """Wall ms of each of `batches` calls `run(i)`."""
    out = []
    for i in range(batches):
        start = time.perf_counter()
        run(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def best_round(rounds: list[list[float]]) -> list[float]:
    return min(rounds, key=lambda r: percentile(r, 50))


def bench_rules(workers: int, rounds: int, batches: int) -> None:
    started = time.perf_counter()
    site = synthetic_site("rules", 1000.0, 600.0, workers, 20, permits=4, crew=25, equipment=False)
    built_s = time.perf_counter() - started
    rules = WorkerRules(site)
    polygons = [np.asarray(z.polygon, dtype=np.float64) for z in site.zones]
    now = time.time()
    data = worker_batches(site, now, 8)
    permits = [(p, PermitState.ACTIVE) for p in site.permits if p.state == "active"]
    gas_zones = {site.zones[5].id, site.zones[12].id}

    def ours(i: int) -> None:
        rules.conditions(now, data[i % len(data)], permits, gas_zones)

    def bare(i: int) -> None:
        w = data[i % len(data)]
        zone_of_points(w.x, w.y, polygons)

    ours(0)  # warm-up
    bare(0)
    ours_rounds, bare_rounds = [], []
    for _ in range(rounds):
        ours_rounds.append(round_ms(ours, batches))
        bare_rounds.append(round_ms(bare, batches))
    o, b = best_round(ours_rounds), best_round(bare_rounds)
    held, zone = rules.conditions(now, data[0], permits, gas_zones)
    print(
        f"1. worker rules, {workers:,} workers x {held.shape[1]} rules, {len(polygons)} zones of 6 vertices,"
        f" {len(permits)} active permits (site parsed in {built_s:.1f} s)"
    )
    print(
        f"   WorkerRules.conditions    p50 {percentile(o, 50):7.2f} ms, p95 {percentile(o, 95):7.2f} ms per batch"
        f" (best of {rounds} x {batches})"
    )
    print(
        f"   bare zone_of_points       p50 {percentile(b, 50):7.2f} ms, p95 {percentile(b, 95):7.2f} ms per batch"
    )
    print(
        f"   ratio rules / geometry    {percentile(o, 50) / percentile(b, 50):7.2f} (p50; 1.00 = geometry only)"
    )
    print(
        f"   first batch: {int((zone >= 0).sum()):,} workers in a zone, {int(held.any(axis=1).sum()):,} with a"
        f" rule holding"
    )


# -- 2. map frame -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    value: np.ndarray
    quality: np.ndarray
    x: np.ndarray
    y: np.ndarray
    stale: np.ndarray


def map_frames(site: Site, count: int) -> list[Frame]:
    """Per frame: 5 % of the detectors in alarm (half past h, half past hh) and 3 % bad, a new choice each
    frame; every worker a step of up to 1.5 m further (a random walk kept on the site), 2 % of them stale."""
    rng = np.random.default_rng(5)
    n_tags, n_workers = len(site.sensors), len(site.workers)
    x = np.array([w.home[0] for w in site.workers])
    y = np.array([w.home[1] for w in site.workers])
    stale = rng.random(n_workers) < 0.02
    frames = []
    for _ in range(count):
        value = rng.uniform(0.0, 4.0, n_tags)
        alarm = rng.choice(n_tags, n_tags // 20, replace=False)
        value[alarm[: alarm.size // 2]] = rng.uniform(12.0, 20.0, alarm.size // 2)
        value[alarm[alarm.size // 2 :]] = rng.uniform(30.0, 60.0, alarm.size - alarm.size // 2)
        quality = np.full(n_tags, int(Quality.GOOD), dtype=np.int8)
        quality[rng.choice(n_tags, n_tags * 3 // 100, replace=False)] = int(Quality.BAD)
        x = np.clip(x + rng.uniform(-1.5, 1.5, n_workers), 0.0, site.width)
        y = np.clip(y + rng.uniform(-1.5, 1.5, n_workers), 0.0, site.height)
        frames.append(Frame(value, quality, x, y, stale))
    return frames


def bench_map(qapp: QApplication, frames: int, warmup: int = 20) -> None:
    site = synthetic_site("map", 1000.0, 625.0, 2000, 500, permits=6, crew=8, equipment=True)
    limits = LimitArrays(site)
    view = PlantMapView(site)
    view.resize(1600, 1000)
    view.show()
    view.fit_site()
    permits = PermitBook(site).statuses()
    view.update_permits(permits)
    alerts = {w.id: "SOS" for w in site.workers[:: len(site.workers) // 10]}
    view.set_worker_alerts(alerts)
    qapp.processEvents()
    data = map_frames(site, warmup + frames)
    update_ms, paint_ms = [], []
    for k, f in enumerate(data):
        start = time.perf_counter()
        view.update_tags(f.value, f.quality, limits.state(f.value))
        view.update_workers(f.x, f.y, f.stale)
        updated = time.perf_counter()
        view.viewport().repaint()
        painted = time.perf_counter()
        if k >= warmup:
            update_ms.append((updated - start) * 1000)
            paint_ms.append((painted - updated) * 1000)
    view.close()
    view.deleteLater()
    qapp.processEvents()
    total = [u + p for u, p in zip(update_ms, paint_ms, strict=True)]
    print(
        f"2. map frame, 1600x1000 offscreen, {len(site.sensors)} detectors, {len(site.workers):,} workers all"
        f" moving, {len(site.zones)} zones, {len(view.permits_drawn())} permits, {len(alerts)} workers in SOS"
    )
    print(
        f"   frame time  p50 {percentile(total, 50):6.2f} ms, p95 {percentile(total, 95):6.2f} ms (target p95 < 33),"
        f" max {max(total):6.2f} ms over {len(total)} frames"
    )
    print(
        f"   update_*    p50 {percentile(update_ms, 50):6.2f} ms, share {sum(update_ms) / sum(total):5.1%};"
        f" repaint p50 {percentile(paint_ms, 50):6.2f} ms, share {sum(paint_ms) / sum(total):5.1%}"
    )


# -- 3. SOS over MQTT to the alarm row ----------------------------------------------------------------


class RowClock:
    """Notes the wall time (perf_counter) the row of the one alarm watched is inserted into the alarm list."""

    def __init__(self, console: WindowedConsole) -> None:
        self.model = console.window.alarm_table.model
        self.alarm_id = ""
        self.shown_at: float | None = None
        self.model.rowsInserted.connect(self._inserted)

    def watch(self, alarm_id: str) -> None:
        self.alarm_id, self.shown_at = alarm_id, None

    def _inserted(self, _parent: Any, first: int, last: int) -> None:
        now = time.perf_counter()
        if self.shown_at is None and any(
            self.model.view_at(r).id == self.alarm_id for r in range(first, last + 1)
        ):
            self.shown_at = now


def publisher(host: str, port: int) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-sos-{os.getpid()}")
    client.connect(host, port)
    client.loop_start()
    return client


async def resolve(console: WindowedConsole, alarm_id: str) -> None:
    """Clear a latched SOS the way an operator does: acknowledge, send the responder, on scene, resolve;
    then wait until its row has left the list."""
    core = console.app.core
    seq = core.alarms.engine.view(alarm_id).seq
    for command in (
        Acknowledge("bench", ((alarm_id, seq),)),
        AssignResponder("bench", alarm_id, RESPONDER),
        ResponderOnScene("bench", alarm_id),
        ResolveWearableAlarm("bench", alarm_id, "bench", Resolution.FALSE_ALARM),
    ):
        result = await core.command(command)
        if not result.ok:
            raise RuntimeError(f"{type(command).__name__} {alarm_id}: {result.message}")
    model = console.window.alarm_table.model
    await until(lambda: model.row_of(alarm_id) is None, 5, f"{alarm_id} gone from the alarm list")


async def run_sos(config: AppConfig, host: str, port: int, samples: int) -> list[float]:
    console = WindowedConsole(config)
    await console.app.start()
    client = publisher(host, port)
    try:
        opcua, source = console.app.opcua, console.app.mqtt
        await until(lambda: opcua is not None and opcua.status.messages > 0, 30, "OPC UA data")
        await until(lambda: source is not None and source.status.state.value == "connected", 10, "MQTT")
        await asyncio.sleep(1.0)  # subscriptions acknowledged, start-up alarms and first draws settled
        clock = RowClock(console)
        site_id, workers = console.app.site.id, [w.id for w in console.app.site.workers if w.id != RESPONDER]
        jitter = random.Random(0)
        latencies = []
        for i in range(samples):
            worker = workers[i % len(workers)]
            clock.watch(f"{worker}.SOS")
            await asyncio.sleep(jitter.uniform(0.05, 0.3))  # at another phase of the tick and the bridge
            ts = datetime.now(UTC).isoformat(timespec="milliseconds")
            payload = json.dumps({"id": f"bench-{os.getpid()}-{i}", "type": "sos", "ts": ts})
            sent = time.perf_counter()
            client.publish(f"{config.topic_prefix}/{site_id}/workers/{worker}/event", payload, qos=1)
            await until(lambda: clock.shown_at is not None, 10, f"{worker}.SOS in the alarm list")
            assert clock.shown_at is not None
            latencies.append((clock.shown_at - sent) * 1000)
            await resolve(console, f"{worker}.SOS")
        return latencies
    finally:
        client.loop_stop()
        client.disconnect()
        await console.close()


def bench_sos(loop: asyncio.AbstractEventLoop, samples: int) -> None:
    with demo_rig() as rig:
        run = run_sos(rig.config, rig.broker.host, rig.broker.port, samples)
        latencies = loop.run_until_complete(asyncio.wait_for(run, 60 + samples * 10))
    print(f"3. SOS published (QoS 1) to its row in the alarm list, windowed console, {len(latencies)} SOS")
    print("   paho → Mosquitto → MqttSource → core → SQLite journal → bridge → AlarmTableModel")
    print(
        f"   p50 {percentile(latencies, 50):4.0f} ms, p99 {percentile(latencies, 99):4.0f} ms (target < 500),"
        f" max {max(latencies):4.0f} ms; each resolved through Acknowledge, AssignResponder,"
        " ResponderOnScene, ResolveWearableAlarm"
    )


def bench_qt(parts: set[str], frames: int, samples: int) -> None:
    """The figures that need a QApplication: the map frame, then the SOS on a qasync loop."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    apply_theme(qapp)
    qapp.setQuitOnLastWindowClosed(False)  # each part closes its window; the loop must run on
    if "map" in parts:
        bench_map(qapp, frames)
    if "sos" in parts:
        loop = qasync.QEventLoop(qapp)
        asyncio.set_event_loop(loop)
        try:
            bench_sos(loop, samples)
        finally:
            loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=10_000, help="workers for the worker rules")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the worker rules (best counts)")
    parser.add_argument("--batches", type=int, default=40, help="worker-rule batches per round")
    parser.add_argument("--frames", type=int, default=120, help="map frames timed after the warm-up")
    parser.add_argument("--samples", type=int, default=40, help="SOS timed over MQTT")
    parser.add_argument(
        "--parts", default="rules,map,sos", help="which figures, comma-separated (default: all)"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    started = time.perf_counter()
    if "rules" in parts:
        bench_rules(args.workers, args.rounds, args.batches)
    if parts & {"map", "sos"}:
        bench_qt(parts, args.frames, args.samples)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
