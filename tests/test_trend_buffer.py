"""The live trend buffer: every tag's recent samples in order, the oldest dropped when full, gaps as NaN."""

from __future__ import annotations

import numpy as np

from alarms.samples import Quality, TagBatch
from console.server.trend_buffer import TrendBuffer

T0 = 1_800_000_000.0


def test_samples_come_back_in_order_per_tag_and_the_oldest_go_when_full() -> None:
    buffer = TrendBuffer(3, capacity=5)
    for k in range(4):  # two samples of tag 1 per batch, one of tag 0, none of tag 2
        buffer.append(
            TagBatch.from_lists(
                [1, 0, 1], [10 * k, k, 10 * k + 5], [0, 0, 0], [T0 + k, T0 + k, T0 + k + 0.5], T0
            )
        )

    ts, value = buffer.series(1)
    np.testing.assert_array_equal(value, [15, 20, 25, 30, 35])  # 8 sent, the last 5 kept, in order
    np.testing.assert_array_equal(ts, T0 + np.array([1.5, 2, 2.5, 3, 3.5]))
    np.testing.assert_array_equal(buffer.series(0)[1], [0, 1, 2, 3])
    assert buffer.series(2)[0].size == 0 and buffer.oldest(2) == np.inf
    assert buffer.oldest(1) == T0 + 1.5
    np.testing.assert_array_equal(buffer.series(1, since=T0 + 3)[1], [30, 35])


def test_a_bad_sample_and_a_stale_mark_are_gaps() -> None:
    buffer = TrendBuffer(2, capacity=10)
    buffer.append(TagBatch.from_lists([0, 0], [1.0, 2.0], [0, int(Quality.BAD)], [T0, T0 + 1], T0))
    buffer.mark_gap(np.array([0]), T0 + 2)
    buffer.append(TagBatch.from_lists([0], [3.0], [0], [float("nan")], T0 + 3))  # no source time: received
    ts, value = buffer.series(0)
    np.testing.assert_array_equal(ts, T0 + np.arange(4.0))
    assert value[0] == 1 and np.isnan(value[1:3]).all() and value[3] == 3
    _, _, quality = buffer.samples(0)  # and each says why: the plot shades it and names it
    assert quality.tolist() == [Quality.GOOD, Quality.BAD, Quality.STALE, Quality.GOOD]
    buffer.mark_gap(np.array([0]), T0 + 4, Quality.BAD)  # a tag its server refuses
    assert buffer.samples(0, since=T0 + 4)[2].tolist() == [Quality.BAD]
