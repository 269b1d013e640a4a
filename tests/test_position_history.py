"""Worker positions for the map replay: the decimation, and the writer storing what it keeps (SQLite and,
when configured, PostgreSQL)."""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from integrations.position_history import PositionDecimator
from integrations.storage import Store, StoreWriter, position_history
from plant_maps.site import Site
from plant_maps.wearables import PositionBatch

T0 = 1_800_000_000.0


def fixes(rows: list[tuple[int, float, float, float]], floor: int = 0) -> PositionBatch:
    """A PositionBatch from (worker row, x, y, ts) tuples."""
    worker, x, y, ts = (np.array(c) for c in zip(*rows, strict=True))
    n = worker.size
    return PositionBatch(
        worker.astype(np.int32),
        x.astype(np.float64),
        y.astype(np.float64),
        np.full(n, floor, dtype=np.int16),
        np.ones(n, dtype=np.float32),
        ts.astype(np.float64),
    )


def kept(d: PositionDecimator, batch: PositionBatch) -> list[tuple[int, float, float, float]]:
    rows = d.select(batch)
    return list(zip(rows.worker.tolist(), rows.x.tolist(), rows.y.tolist(), rows.ts.tolist(), strict=True))


def test_a_fix_is_kept_on_a_metre_of_movement_or_every_five_seconds() -> None:
    d = PositionDecimator(2)
    assert kept(d, fixes([(0, 10.0, 10.0, T0)])) == [(0, 10.0, 10.0, T0)]  # the first fix
    assert kept(d, fixes([(0, 10.6, 10.6, T0 + 1)])) == []  # 0.85 m: not yet
    assert kept(d, fixes([(0, 10.8, 10.8, T0 + 2)])) == [(0, 10.8, 10.8, T0 + 2)]  # 1.13 m from the stored
    assert kept(d, fixes([(0, 10.8, 10.8, T0 + 6.9)])) == []  # standing, 4.9 s
    assert kept(d, fixes([(0, 10.8, 10.8, T0 + 7)])) == [(0, 10.8, 10.8, T0 + 7)]  # 5 s: the heartbeat
    assert kept(d, fixes([(0, 50.0, 50.0, T0 + 6)])) == []  # older than the stored fix: never
    assert kept(d, fixes([(1, 1.0, 1.0, T0)])) == [(1, 1.0, 1.0, T0)]  # each worker on their own


def test_a_change_of_floor_is_kept_without_moving() -> None:
    d = PositionDecimator(1)
    d.select(fixes([(0, 3.0, 3.0, T0)]))
    assert len(d.select(fixes([(0, 3.0, 3.0, T0 + 1)], floor=1))) == 1


def test_several_fixes_of_one_worker_in_a_batch_are_judged_one_after_another() -> None:
    d = PositionDecimator(2)
    batch = fixes([(0, 0.0, 0.0, T0), (1, 5.0, 5.0, T0), (0, 0.7, 0.0, T0 + 1), (0, 1.4, 0.0, T0 + 2)])
    # the third fix is 1.4 m from the first (stored), the second only 0.7 m: it is dropped
    assert kept(d, batch) == [(0, 0.0, 0.0, T0), (1, 5.0, 5.0, T0), (0, 1.4, 0.0, T0 + 2)]


def test_a_walk_and_a_stand_shrink_to_what_the_rule_says() -> None:
    """Fixes at 1 Hz: walking at 1.5 m/s keeps every fix, standing keeps one in five."""
    d = PositionDecimator(2)
    seconds = np.arange(600, dtype=np.float64)
    walk = fixes([(0, 1.5 * s, 0.0, T0 + s) for s in seconds])
    stand = fixes([(1, 20.0, 20.0, T0 + s) for s in seconds])
    assert len(d.select(walk)) == 600
    assert len(d.select(stand)) == 120


def test_the_writer_stores_the_decimated_fixes(store: Store, site: Site) -> None:
    writer = StoreWriter(store, site)
    try:
        for s in range(20):  # worker 0 walks 0.4 m/s, worker 1 stands
            writer.record_positions(fixes([(0, 0.4 * s, 0.0, T0 + s), (1, 7.0, 8.0, T0 + s)]))
        assert writer.flush(timeout=10)
    finally:
        writer.close()
    c = position_history.c
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(c.worker, c.ts, c.x, c.y).order_by(c.worker, c.ts)).all()
    w0, w1 = site.workers[0].id, site.workers[1].id
    walked = [(w, ts - T0, round(x, 3)) for w, ts, x, _ in rows if w == w0]
    assert walked == [(w0, s, round(0.4 * s, 3)) for s in (0, 3, 6, 9, 12, 15, 18)]
    assert [(w, ts - T0) for w, ts, _, _ in rows if w == w1] == [(w1, s) for s in (0, 5, 10, 15)]


def test_a_fix_repeated_after_a_restart_is_stored_once(store: Store, site: Site) -> None:
    """A new writer (a restarted console) knows no stored fix: the same fix again is left out, not an error."""
    for _ in range(2):
        writer = StoreWriter(store, site)
        try:
            writer.record_positions(fixes([(0, 1.0, 2.0, T0)]))
            writer.record_positions(fixes([(0, 5.0, 2.0, T0 + 1)]))
            assert writer.flush(timeout=10)
            assert writer.errors == 0
        finally:
            writer.close()
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(position_history.c.ts).order_by(position_history.c.ts)).scalars().all()
    assert rows == [T0, T0 + 1]
