"""The live trend buffer: every tag's last two hours in coarse buckets, full-rate samples only of the tags a
trend watches (in order, the oldest dropped when full, gaps as NaN), memory freed when no trend shows them."""

from __future__ import annotations

import numpy as np

from alarms.samples import BAD, NO_DATA, Quality, TagBatch
from console.server.trend_buffer import TrendBuffer

T0 = 1_800_000_000.0


def _samples(rows: list[int], values: list[float], ts: list[float], quality: int = 0) -> TagBatch:
    return TagBatch.from_lists(rows, values, [quality] * len(rows), ts, max(ts))


def test_a_watched_tag_keeps_its_samples_in_order_and_the_oldest_go_when_full() -> None:
    buffer = TrendBuffer(3, capacity=5)
    buffer.watch([1, 0])
    for k in range(4):  # two samples of tag 1 per batch, one of tag 0, none of tag 2
        buffer.append(
            TagBatch.from_lists(
                [1, 0, 1], [10 * k, k, 10 * k + 5], [0, 0, 0], [T0 + k, T0 + k, T0 + k + 0.5], T0 + k
            )
        )

    ts, value = buffer.series(1)
    np.testing.assert_array_equal(value, [15, 20, 25, 30, 35])  # 8 sent, the last 5 kept, in order
    np.testing.assert_array_equal(ts, T0 + np.array([1.5, 2, 2.5, 3, 3.5]))
    np.testing.assert_array_equal(buffer.series(0)[1], [0, 1, 2, 3])
    assert buffer.series(2)[0].size == 0 and buffer.oldest(2) == np.inf
    assert buffer.oldest(1) == T0 + 1.5
    np.testing.assert_array_equal(buffer.series(1, since=T0 + 3)[1], [30, 35])


def test_only_watched_tags_have_full_rate_samples_and_the_last_trend_to_go_frees_them() -> None:
    buffer = TrendBuffer(3, capacity=100)
    buffer.watch([0])
    buffer.watch([0, 2])  # a second trend shows tag 0 too
    buffer.append(_samples([0, 1, 2], [1.0, 2.0, 3.0], [T0, T0, T0]))
    assert buffer.watched() == [0, 2] and buffer.series(1)[0].size == 0  # tag 1: no ring, no samples

    buffer.unwatch([0, 2])
    assert buffer.watched() == [0]  # the first trend still shows it: its samples stay
    assert buffer.series(0)[1].tolist() == [1.0]
    buffer.unwatch([0])
    assert buffer.watched() == [] and buffer.series(0)[0].size == 0

    buffer.watch([1])  # watched again: from now on
    buffer.append(_samples([1], [4.0], [T0 + 1]))
    assert buffer.series(1)[1].tolist() == [4.0]


def test_a_bad_sample_and_a_stale_one_are_gaps_that_say_why() -> None:
    buffer = TrendBuffer(2, capacity=10)
    buffer.watch([0])
    buffer.append(TagBatch.from_lists([0, 0], [1.0, 2.0], [0, int(Quality.BAD)], [T0, T0 + 1], T0 + 1))
    buffer.append(_samples([0], [np.nan], [T0 + 2], int(Quality.STALE)))  # the core, when a source drops
    buffer.append(TagBatch.from_lists([0], [3.0], [0], [float("nan")], T0 + 3))  # no source time: received
    ts, value = buffer.series(0)
    np.testing.assert_array_equal(ts, T0 + np.arange(4.0))
    assert value[0] == 1 and np.isnan(value[1:3]).all() and value[3] == 3
    _, _, quality = buffer.samples(0)  # and each says why: the plot shades it and names it
    assert quality.tolist() == [Quality.GOOD, Quality.BAD, Quality.STALE, Quality.GOOD]


def test_every_tag_keeps_its_last_two_hours_as_buckets_with_lows_highs_and_gaps() -> None:
    """Watched or not: a trend opened on any tag draws these at once, as the store's history is drawn."""
    buffer = TrendBuffer(2, capacity=10)
    start = T0 - T0 % 10  # a bucket's start
    for k in range(3 * 3600):  # three hours at 1 Hz of tag 0: a triangle wave 0..9
        buffer.append(_samples([0], [float(k % 10)], [start + k]))
    now = start + 3 * 3600 - 1
    buffer.append(_samples([1], [np.nan], [now], int(Quality.STALE)))  # tag 1 went stale just now

    recent = buffer.recent(0)
    assert recent.width == 10 and len(recent) == 720  # two hours of 10 s buckets, the oldest hour gone
    assert recent.start[0] == start + 3600 and recent.start[-1] == start + 3 * 3600 - 10
    assert (recent.low == 0).all() and (recent.high == 9).all() and not recent.gap.any()
    x, y = recent.series()  # the lowest and highest of each bucket, no break
    assert x.size == 2 * 720 and np.isfinite(y).all()
    assert buffer.series(0)[0].size == 0  # no trend watched it: no full-rate samples

    stale = buffer.recent(1)
    assert stale.gap.tolist() == [True] and np.isnan(stale.series()[1]).all()
    assert stale.bands() == [(stale.start[0], stale.start[0] + 10, BAD)]


def test_a_stale_bucket_breaks_the_coarse_line_and_silence_is_no_data() -> None:
    buffer = TrendBuffer(1, capacity=10)
    start = T0 - T0 % 10
    buffer.append(_samples([0, 0], [1.0, 2.0], [start, start + 5]))
    buffer.append(_samples([0], [np.nan], [start + 12], int(Quality.STALE)))
    buffer.append(_samples([0], [4.0], [start + 25]))
    buffer.append(_samples([0], [5.0], [start + 600]))  # ten minutes of silence before it
    _, y = buffer.recent(0).series()
    assert y.tolist()[:2] == [1.0, 2.0]
    assert np.isnan(y[2:5]).all()  # the stale bucket: no good value, and a break after it
    assert y.tolist()[5:] == [4.0, 4.0, 5.0, 5.0]
    bands = buffer.recent(0).bands()
    assert (start + 10, start + 20, BAD) in bands and (start + 30, start + 600, NO_DATA) in bands


def test_a_sample_timed_ahead_of_the_console_counts_now_and_one_too_old_is_left_out() -> None:
    buffer = TrendBuffer(1, capacity=10)
    start = T0 - T0 % 10
    buffer.append(TagBatch.from_lists([0], [1.0], [0], [start + 3600], start))  # a device clock an hour fast
    buffer.append(TagBatch.from_lists([0], [2.0], [0], [start - 3 * 3600], start))  # and one 3 h slow
    recent = buffer.recent(0)
    assert recent.start.tolist() == [start] and recent.low.tolist() == [1.0]
