"""Worker vitals as history: stored in the tag history under `W01.heart_rate` and the like, thinned by each
quantity's deadband, and kept in the live ring buffers after the sensors' rows."""

from __future__ import annotations

import math

from console.server.trend_buffer import TrendBuffer
from integrations.storage import Store, StoreWriter
from plant_maps.site import Site
from plant_maps.trend_tags import history_tags, vitals_batch
from plant_maps.wearables import Vitals

T0 = 1_800_000_000.0


def test_vitals_are_stored_by_name_and_thinned_by_their_deadband(store: Store, site: Site) -> None:
    writer = StoreWriter(store, site)
    w = site.workers[0].id
    heart = [72.0, 72.5, 73.0, 80.0, 80.4, math.nan, 81.0]  # deadband 2 bpm: 72, 80, the NaN, 81 stored
    for k, bpm in enumerate(heart):
        writer.record_history(vitals_batch(site, [Vitals(w, bpm, 33.0 + 0.01 * k, 90.0, T0 + k)]))
    assert writer.flush(timeout=10)
    writer.close()

    stored = store.history(f"{w}.heart_rate")
    assert [v for _, v, _ in stored if not math.isnan(v)] == [72.0, 80.0, 81.0]
    assert sum(math.isnan(v) for _, v, _ in stored) == 1  # "no reading" is kept, as a break
    assert [v for _, v, _ in store.history(f"{w}.skin_temp_c")] == [33.0]  # within 0.2 °C: one row
    assert store.history(f"{w}.battery_pct")[0][1] == 90.0


def test_vitals_have_live_rows_after_the_sensors(site: Site) -> None:
    buffer = TrendBuffer(len(history_tags(site)), capacity=16)
    w = site.workers[1]
    row = history_tags(site).index(f"{w.id}.heart_rate")
    assert row >= len(site.sensors)
    buffer.watch([row, row + 1])  # a trend of the worker's vitals
    buffer.append(vitals_batch(site, [Vitals(w.id, 95.0, 34.5, 50.0, T0)]))
    ts, value = buffer.series(row)
    assert ts.tolist() == [T0] and value.tolist() == [95.0]
    assert buffer.series(row + 1)[1].tolist() == [34.5]
