"""Trend history from the store: peak buckets computed by the database, gaps kept as gaps, and a CSV export
that is exactly the stored rows; on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

from alarms.samples import Quality
from integrations.storage import Store
from integrations.trend_export import write_trend_csv

T0 = 1_800_000_000.0


def _rows(tag: str, ts: np.ndarray, value: np.ndarray, quality: np.ndarray) -> list[dict[str, object]]:
    return [
        {"tag": tag, "ts": t, "value": None if math.isnan(v) else v, "quality": q}
        for t, v, q in zip(ts.tolist(), value.tolist(), quality.tolist(), strict=True)
    ]


def test_buckets_hold_each_intervals_min_and_max_and_a_one_sample_spike(store: Store) -> None:
    ts = T0 + np.arange(1000.0)
    value = 20 + 5 * np.sin(ts / 50)
    value[437] = 99.0  # one sample: peak decimation must keep it
    good = np.zeros(1000, dtype=int)
    other = 50 + np.zeros(1000)
    store.write(_rows("A", ts, value, good) + _rows("B", ts, other, good), [])

    buckets = store.history_buckets(["A", "B"], T0, T0 + 1000, 100)

    a = buckets["A"]
    assert len(a) == 50 and a.width == 20
    expected = value.reshape(50, 20)
    np.testing.assert_allclose(a.low, expected.min(axis=1))
    np.testing.assert_allclose(a.high, expected.max(axis=1))
    np.testing.assert_allclose(a.start, T0 + 20 * np.arange(50))
    assert a.high.max() == 99.0 and not a.gap.any()
    assert (buckets["B"].low == 50).all()  # tags never mix
    x, y = a.series()
    assert len(x) <= 100 and np.isfinite(y).all() and (np.diff(x) > 0).all()


def test_a_bad_or_stale_stretch_is_a_gap_not_a_line(store: Store) -> None:
    ts = T0 + np.arange(600.0)
    value = 10 + np.zeros(600)
    quality = np.full(600, int(Quality.GOOD))
    quality[200:300] = int(Quality.STALE)
    value[400:450] = np.nan  # good quality but no number
    store.write(_rows("A", ts, value, quality), [])

    a = store.history_buckets(["A"], T0, T0 + 600, 60)["A"]  # 30 buckets of 20 s

    gap_buckets = set(np.flatnonzero(a.gap).tolist())
    assert gap_buckets == set(range(10, 15)) | set(range(20, 23))
    assert np.isnan(a.low[10:15]).all() and np.isnan(a.high[20:22]).all()
    assert a.low[22] == 10  # the bucket with both: its good value, and a break
    x, y = a.series()
    breaks = x[np.isnan(y)]
    assert ((breaks > T0 + 200) & (breaks <= T0 + 300)).sum() >= 5  # the line breaks in the stale stretch
    assert not np.isnan(y[(x > T0 + 20) & (x < T0 + 180)]).any()  # and nowhere in the good stretch


def test_a_tag_without_rows_in_range_gets_empty_buckets(store: Store) -> None:
    assert len(store.history_buckets(["NOPE"], T0, T0 + 60, 10)["NOPE"]) == 0
    with pytest.raises(ValueError, match="end after"):
        store.history_buckets(["NOPE"], T0, T0, 10)


def test_the_csv_export_is_exactly_the_stored_rows_of_the_range(store: Store) -> None:
    ts = T0 + np.arange(0.0, 100.0, 0.5)
    a = np.round(np.cos(ts) * 3, 3)
    qa = np.zeros(ts.size, dtype=int)
    qa[50:60] = int(Quality.BAD)
    a[55] = np.nan
    store.write(
        _rows("A", ts, a, qa) + _rows("B", ts[::3] + 0.25, a[::3] + 1, np.zeros(ts[::3].size, int)), []
    )
    stale_again = {"tag": "A", "ts": T0 + 30, "value": None, "quality": int(Quality.STALE)}
    store.write([stale_again], [])  # a second row of A at one time (a quality change at the same stamp)
    start, end = T0 + 10, T0 + 80

    out = io.StringIO()
    lines = write_trend_csv(store.history_rows(["A", "B"], start, end), ["A", "B"], out)

    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(table) == lines
    for tag in ("A", "B"):
        stored = store.history(tag, start, end)
        exported = [
            (float(r["epoch_s"]), float(r[tag]) if r[tag] else math.nan, Quality[r[f"{tag} quality"]])
            for r in table
            if r[f"{tag} quality"]
        ]
        assert len(exported) == len(stored) > 0
        for (t1, v1, q1), (t2, v2, q2) in zip(exported, stored, strict=True):
            assert t1 == t2 and q1 == q2 and (v1 == v2 or (math.isnan(v1) and math.isnan(v2)))
    assert table[0]["time_utc"].startswith("2027-01-15T")


def test_a_steady_tag_is_drawn_from_the_left_edge_with_its_last_row_before_the_range(store: Store) -> None:
    store.write(
        [
            {"tag": "A", "ts": T0 - 3600, "value": 1.0, "quality": 0},
            {"tag": "A", "ts": T0 - 50, "value": 7.5, "quality": 0},  # the last before the range
            {"tag": "A", "ts": T0 + 500, "value": 8.0, "quality": 0},
            {"tag": "B", "ts": T0 - 10, "value": None, "quality": int(Quality.STALE)},
        ],
        [],
    )
    buckets = store.history_buckets(["A", "B", "C"], T0, T0 + 600, 60)
    a = buckets["A"]
    assert a.lead == (T0 - 50, 7.5, 0)
    x, y = a.series()
    assert (x[0], y[0]) == (T0, 7.5) and y[-1] == 8.0  # from the left edge, then the row in range
    assert a.bands() == []  # good before the range: nothing to shade
    b = buckets["B"]  # only a stale row before the range: no line, a band from the left edge
    x, y = b.series()
    assert x.tolist() == [T0] and np.isnan(y).all()
    assert b.bands() == []  # nothing after it in range: an open end is not shaded from the store
    assert buckets["C"].lead is None and buckets["C"].series()[0].size == 0


def test_bad_stretches_and_silences_are_named_bands(store: Store) -> None:
    ts = T0 + np.arange(0.0, 600.0, 5.0)
    keep = (ts < T0 + 200) | (ts >= T0 + 400)  # nothing stored for 200 s: the source was down
    quality = np.where((ts >= T0 + 450) & (ts < T0 + 500), int(Quality.BAD), int(Quality.GOOD))
    store.write(_rows("A", ts[keep], np.full(keep.sum(), 3.0), quality[keep]), [])
    bands = store.history_buckets(["A"], T0, T0 + 600, 60)["A"].bands()  # 20 s buckets
    assert (T0 + 200, T0 + 400, "no data") in bands
    assert (T0 + 440, T0 + 500, "bad") in bands
    assert len(bands) == 2


def test_the_sample_at_or_before_a_time_is_a_stored_row_never_a_bucket(store: Store) -> None:
    ts = T0 + np.arange(0.0, 10.0, 0.2)  # five samples a second, rising: any bucket's low and high differ
    value = np.linspace(0.0, 49.0, ts.size)
    store.write(_rows("A", ts, value, np.zeros(ts.size, dtype=int)), [])
    store.write([{"tag": "B", "ts": T0 + 3, "value": None, "quality": int(Quality.BAD)}], [])
    at = store.samples_at(["A", "B", "C"], T0 + 5.3)
    assert at["A"] == (pytest.approx(T0 + 5.2), pytest.approx(26.0))  # the row at or before, not after
    assert at["B"][0] == T0 + 3 and math.isnan(at["B"][1])  # no good value there
    assert "C" not in at  # nothing stored
    assert store.samples_at(["A"], T0 + 5.2)["A"][0] == pytest.approx(T0 + 5.2)  # at: included
    assert store.samples_at(["A"], T0 - 1) == {}
