"""Live site state: latest value wins, stale keeps the value, workers land in the right zone."""

import numpy as np

from alarms.samples import Quality, TagBatch
from plant_maps.geometry import points_in_polygon, zone_of_points
from plant_maps.limits import LimitArrays, LimitState
from plant_maps.site import Site
from plant_maps.state import TagTable, WorkerTable
from plant_maps.wearables import PositionBatch


def test_point_in_polygon_concave_shape() -> None:
    # An L-shaped zone: the notch is outside.
    poly = np.array([[0, 0], [10, 0], [10, 4], [4, 4], [4, 10], [0, 10]], dtype=float)
    x = np.array([2.0, 8.0, 8.0, 2.0, np.nan])
    y = np.array([2.0, 2.0, 8.0, 8.0, 1.0])
    assert points_in_polygon(x, y, poly).tolist() == [True, True, False, True, False]


def test_workers_are_placed_in_zones(site: Site) -> None:
    table = WorkerTable(site)
    compressor = site.zone_index["compressor_house"]
    batch = PositionBatch(
        worker=np.array([0, 1, 0], dtype=np.int32),
        x=np.array([330.0, 5.0, 340.0]),
        y=np.array([190.0, 5.0, 200.0]),
        floor=np.zeros(3, dtype=np.int16),
        accuracy=np.full(3, 0.5, dtype=np.float32),
        ts=np.array([100.0, 100.0, 101.0]),
    )
    table.apply_positions(batch)
    assert table.x[0] == 340.0 and table.zone[0] == compressor  # the later fix of worker 0 wins
    assert table.zone[1] == -1  # outside every zone
    older = PositionBatch(
        batch.worker[:1],
        np.array([1.0]),
        np.array([1.0]),
        batch.floor[:1],
        batch.accuracy[:1],
        np.array([50.0]),
    )
    table.apply_positions(older)
    assert table.x[0] == 340.0, "an out-of-order older fix must not move the worker back"
    assert (
        zone_of_points(np.array([200.0]), np.array([124.0]), table._polygons)[0]
        == site.zone_index["pipe_rack"]
    )


def test_tag_table_latest_wins_and_stale_keeps_value(site: Site) -> None:
    table = TagTable(len(site.sensors))
    assert np.isnan(table.value).all() and (table.quality == Quality.STALE).all()
    table.apply(TagBatch.from_lists([3, 3, 5], [1.0, 2.0, 7.0], [0, 0, 2], [1.0, 2.0, 2.0], 3.0))
    assert table.value[3] == 2.0 and table.quality[5] == Quality.BAD and table.updates[3] == 2
    table.mark(np.array([3]), Quality.STALE)
    assert table.value[3] == 2.0 and table.quality[3] == Quality.STALE


def test_limit_state(site: Site) -> None:
    limits = LimitArrays(site)
    lel = site.tag_index["GD-TF-01"]  # h 10, hh 25
    o2 = site.tag_index["GD-RX-08"]  # l 19.5, ll 18
    values = np.full(len(site.sensors), np.nan)
    values[lel], values[o2] = 12.0, 17.0
    state = limits.state(values)
    assert state[lel] == LimitState.HIGH_OR_LOW and state[o2] == LimitState.HIGHHIGH_OR_LOWLOW
    values[lel] = 30.0
    assert limits.state(values)[lel] == LimitState.HIGHHIGH_OR_LOWLOW
    values[lel] = 3.0
    assert limits.state(values)[lel] == LimitState.NORMAL
