"""Map replay over a 12 h shift of 2,000 workers and 500 detectors, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/replay.py [--database-url postgresql+psycopg://USER@HOST/DB] [--runs 3]
        [--hours 12] [--workers 2000] [--detectors 500] [--seeks 50] [--frames 300]

Records the shift through the console's own recording path into a fresh SQLite file, and into a schema of
its own on PostgreSQL (dropped afterwards) when `--database-url` is given: the demo simulator's plant model
(`integrations.simulator.dynamics.PlantDynamics`: workers wander near their homes at ~1 m/s with pauses,
detector values cycle and drift) on a synthetic 1 km site, a fix of every worker and a value of every
detector each second, handed to `StoreWriter.record_positions` / `record_history` (the decimation and the
deadband pick what is stored), plus alarm transitions and permit changes through `journal_alarms` and
`journal`. Then, `--runs` times (the median of each figure is printed, every run beside it):
1. Seek: `ReplayStore.frame` at `--seeks` random moments of the shift, p50 and p95 (target p95 < 500 ms);
   beside it the raw limit, a bare `SELECT ... LIMIT` of as many rows from the same tables through the
   same driver (what fetching that many rows costs at all), and the ratio.
2. 60x replay: `ReplayStore.step` one second of plant time at a time over `--frames` consecutive frames from
   a random moment, p50 and p95 (target p95 < 33 ms), beside a bare `SELECT ... LIMIT` of as many rows as
   the median step read.
Last, the bytes of position history per worker-hour (table and index as the database reports them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import sqlalchemy as sa

from alarms.definitions import Priority, Tier
from alarms.records import Transition
from alarms.samples import TagBatch
from alarms.states import Event, State
from benchmarks.map import synthetic_site
from benchmarks.measure import percentile, postgres_schema
from integrations.replay_store import PERMIT_KIND, ReplayStore
from integrations.simulator.dynamics import PlantDynamics
from integrations.storage import JournalEntry, Store, StoreWriter
from plant_maps.replay_frame import ReplayFrame
from plant_maps.site import Site
from plant_maps.wearables import PositionBatch

T0 = 1_800_000_000.0
FLUSH_EVERY_S = 30  # plant seconds between waits for the writer: bounds the queue, as a live feed does
ALARM_EVERY_S = 20  # an alarm raised somewhere, acknowledged a minute later, cleared after five
PERMIT_EVERY_S = 600  # a permit suspended, resumed five minutes later


@dataclass(frozen=True, slots=True)
class Shift:
    since: float
    until: float
    fixes: int  # handed to the writer
    position_rows: int  # stored
    tag_rows: int
    seconds: float  # to record


def record_shift(store: Store, site: Site, hours: float) -> Shift:
    """Record `hours` of the plant through the store writer, as the core does."""
    started = time.perf_counter()
    writer = StoreWriter(store, site)
    plant = PlantDynamics(site, seed=17, t0=T0)
    workers = np.arange(len(site.workers), dtype=np.int32)
    tags = np.arange(len(site.sensors), dtype=np.int32)
    floor = np.zeros(workers.size, dtype=np.int16)
    accuracy = np.full(workers.size, 0.5, dtype=np.float32)
    good = np.zeros(tags.size, dtype=np.int8)
    seconds = int(hours * 3600)
    try:
        for k in range(seconds):
            t = T0 + k
            plant.advance(t)
            x, y = plant.position[:, 0].copy(), plant.position[:, 1].copy()
            writer.record_positions(PositionBatch(workers, x, y, floor, accuracy, np.full(workers.size, t)))
            writer.record_history(TagBatch(tags, plant.values.copy(), good, np.full(tags.size, t), t))
            if k % ALARM_EVERY_S == 0:
                writer.journal_alarms(_alarm_steps(site, k, t))
            if k % PERMIT_EVERY_S == 0 and site.permits:
                writer.journal(_permit_change(site, k, t))
            if k % FLUSH_EVERY_S == 0:
                writer.flush()
        writer.flush()
    finally:
        writer.close()
    with store.engine.connect() as conn:
        positions = conn.execute(sa.text("SELECT count(*) FROM position_history")).scalar_one()
        history = conn.execute(sa.text("SELECT count(*) FROM tag_history")).scalar_one()
    if store.engine.dialect.name == "postgresql":  # what autovacuum does after a load
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    return Shift(T0, T0 + seconds, seconds * workers.size, positions, history, time.perf_counter() - started)


_seq = iter(range(1, 1 << 62))


def _alarm_steps(site: Site, k: int, t: float) -> list[Transition]:
    """Raise a detector's alarm now; acknowledge the one raised a minute ago, clear the one raised 5 min ago."""
    out = []
    steps = (
        (0, Event.ACTIVATE, State.NORMAL, State.UNACK, True, False),
        (60, Event.ACKNOWLEDGE, State.UNACK, State.ACKED, True, True),
        (300, Event.CLEAR, State.ACKED, State.NORMAL, False, True),
    )
    for back, event, before, after, active, acked in steps:
        if k < back:
            continue
        sensor = site.sensors[((k - back) // ALARM_EVERY_S * 7) % len(site.sensors)]
        out.append(
            Transition(
                seq=next(_seq),
                alarm_id=f"{sensor.id}.HH",
                source=sensor.id,
                tier=Tier.HIGH,
                priority=Priority.HIGH,
                area=sensor.zone,
                message=f"{sensor.name} high high",
                event=event,
                from_state=before,
                to_state=after,
                active=active,
                acked=acked,
                value=1.0,
                actor="system" if event is not Event.ACKNOWLEDGE else "li.wei",
                console="bench",
                comment="",
                ts=t,
            )
        )
    return out


def _permit_change(site: Site, k: int, t: float) -> list[JournalEntry]:
    permit = site.permits[(k // PERMIT_EVERY_S) % len(site.permits)]
    suspend = (k // PERMIT_EVERY_S) % 2 == 0
    payload = {
        "from": "active" if suspend else "suspended",
        "to": "suspended" if suspend else "active",
        "action": "suspend" if suspend else "resume",
        "reason": "gas" if suspend else "",
        "approval": None,
    }
    return [JournalEntry(t, PERMIT_KIND, permit.id, "zhao.lei", "bench", payload)]


def position_bytes(store: Store) -> int:
    """Bytes the position history takes: table and index, as the database counts them."""
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "postgresql":
            return conn.execute(sa.text("SELECT pg_total_relation_size('position_history')")).scalar_one()
        return conn.execute(  # the table is its key's b-tree (WITHOUT ROWID); ix_position_history_ts is empty
            sa.text("SELECT sum(pgsize) FROM dbstat WHERE name = 'position_history'")
        ).scalar_one()


def bare_select(store: Store, rows: int) -> float:
    """Seconds to fetch `rows` rows of position and tag history with a plain SELECT ... LIMIT (no seek)."""
    started = time.perf_counter()
    with store.engine.connect() as conn:
        conn.execute(
            sa.text("SELECT worker, ts, x, y, floor FROM position_history LIMIT :n"), {"n": rows}
        ).all()
    return time.perf_counter() - started


def frame_rows(frame: ReplayFrame) -> int:
    """The rows a seek brought: a fix per worker seen, a value per detector stored."""
    return int(np.isfinite(frame.fix_ts).sum() + np.isfinite(frame.value_ts).sum())


@dataclass(frozen=True, slots=True)
class Run:
    seek_p50: float
    seek_p95: float
    seek_raw: float
    step_p50: float
    step_p95: float
    step_raw: float


def measure(replay: ReplayStore, shift: Shift, seeks: int, frames: int, rng: np.random.Generator) -> Run:
    seek_s, rows = [], []
    for t in rng.uniform(shift.since, shift.until, seeks):
        started = time.perf_counter()
        frame = replay.frame(float(t))
        seek_s.append(time.perf_counter() - started)
        rows.append(frame_rows(frame))
    raw_seek = statistics.median(bare_select(replay.store, int(statistics.median(rows))) for _ in range(5))
    t = float(rng.uniform(shift.since, shift.until - frames - 1))
    frame, step_s, step_rows = replay.frame(t), [], []
    for k in range(1, frames + 1):
        before = frame
        started = time.perf_counter()
        frame = replay.step(frame, t + k)
        step_s.append(time.perf_counter() - started)
        step_rows.append(
            int((frame.fix_ts != before.fix_ts).sum() + (frame.value_ts != before.value_ts).sum())
        )
    raw_step = statistics.median(
        bare_select(replay.store, int(statistics.median(step_rows))) for _ in range(5)
    )
    return Run(
        percentile(seek_s, 50),
        percentile(seek_s, 95),
        raw_seek,
        percentile(step_s, 50),
        percentile(step_s, 95),
        raw_step,
    )


def run(name: str, url: str, site: Site, args: argparse.Namespace) -> None:
    store = Store(url)
    try:
        shift = record_shift(store, site, args.hours)
        worker_hours = len(site.workers) * (shift.until - shift.since) / 3600
        size = position_bytes(store)
        print(
            f"{name}: recorded {args.hours:g} h of {len(site.workers)} workers and {len(site.sensors)} detectors "
            f"in {shift.seconds:.0f} s: {shift.fixes / 1e6:.1f} M fixes -> {shift.position_rows / 1e6:.2f} M "
            f"position rows ({shift.fixes / max(shift.position_rows, 1):.1f}:1), {shift.tag_rows / 1e6:.2f} M tag "
            f"rows"
        )
        print(
            f"{name}: position history {size / 1e6:.0f} MB = {size / worker_hours / 1000:.1f} kB per worker-hour "
            f"({shift.position_rows / worker_hours:.0f} rows, {size / max(shift.position_rows, 1):.0f} B a row "
            "with its index)"
        )
        replay = ReplayStore(store, site)
        rng = np.random.default_rng(5)
        print(f"{name}: load average before measuring {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        runs = [measure(replay, shift, args.seeks, args.frames, rng) for _ in range(args.runs)]
        _print(name, "seek", args.seeks, "seeks", runs, "seek", 500)
        _print(name, "60x replay step", args.frames, "frames", runs, "step", 33)
    finally:
        store.close()


def _print(name: str, what: str, n: int, unit: str, runs: list[Run], field: str, target_ms: float) -> None:
    def med(attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs) * 1000

    each = ", ".join(f"{getattr(r, f'{field}_p95') * 1000:.1f}" for r in runs)
    p95, raw = med(f"{field}_p95"), med(f"{field}_raw")
    print(
        f"{name}: {what} over {n} {unit}: p50 {med(f'{field}_p50'):.1f} ms, p95 {p95:.1f} ms (runs: {each}; "
        f"target < {target_ms:g} ms); bare SELECT of as many rows {raw:.1f} ms, {p95 / max(raw, 1e-6):.1f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL to measure on too")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hours", type=float, default=12.0)
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--detectors", type=int, default=500)
    parser.add_argument("--seeks", type=int, default=50)
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args()
    site = synthetic_site("replay", 1000.0, 600.0, args.workers, args.detectors, 6, 8, False)
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/replay.db", site, args)
    if args.database_url:
        url, drop = postgres_schema(args.database_url, "replay")
        try:
            run("PostgreSQL", url, site, args)
        finally:
            drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
