"""Tag history for trends: min/max per time bucket computed by the database, and the raw rows of a range.

A day of one tag at 1 Hz is 86,400 rows; a trend is a few hundred pixels wide. So the database groups the
rows of a range into `max_points // 2` equal time buckets (GROUP BY on SQLite and PostgreSQL alike, on the
(tag, ts) index) and returns each bucket's lowest and highest good value: drawn as two points per bucket,
a spike of one sample still shows (peak decimation), and no Python loop ever walks the rows.

A bucket holding a bad, stale or uncertain row, or a row without a number, is a gap: its `gap` flag is
set, and `Buckets.series` puts a NaN there so the line breaks instead of bridging what was not measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from alarms.samples import Quality


@dataclass(frozen=True, slots=True)
class Buckets:
    """One tag's decimated history: bucket start times, their lowest and highest good value, gap flags.

    `low`/`high` are NaN where a bucket held no good number at all.
    """

    start: np.ndarray  # float64, epoch s
    width: float  # seconds per bucket
    low: np.ndarray  # float64
    high: np.ndarray  # float64
    gap: np.ndarray  # bool: the bucket held a row that was not good

    def __len__(self) -> int:
        return int(self.start.size)

    def series(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) to draw: the low at a bucket's first quarter, the high at its third quarter, then a NaN
        after every gap bucket so the line breaks there (draw with connect="finite")."""
        n = self.start.size
        x = np.empty(3 * n)
        y = np.empty(3 * n)
        x[0::3] = self.start + 0.25 * self.width
        x[1::3] = self.start + 0.75 * self.width
        x[2::3] = self.start + self.width
        y[0::3] = self.low
        y[1::3] = self.high
        y[2::3] = np.nan
        keep = np.ones(3 * n, dtype=bool)
        keep[2::3] = self.gap  # the break point only where the bucket had a gap
        return x[keep], y[keep]


def empty_buckets(width: float) -> Buckets:
    nothing = np.empty(0)
    return Buckets(nothing, width, nothing, nothing, np.empty(0, dtype=bool))


def bucket_width(start: float, end: float, max_points: int) -> float:
    """Seconds per bucket so that two points per bucket stay within `max_points` (at least 1 ms)."""
    if end <= start:
        raise ValueError("the range must end after it starts")
    if max_points < 2:
        raise ValueError("max_points must be at least 2")
    return max((end - start) / (max_points // 2), 0.001)


def bucket_query(
    table: sa.Table, dialect: str, tags: list[str], start: float, end: float, width: float
) -> sa.Select:
    """SELECT tag, bucket, low, high, bad rows per (tag, bucket) with start <= ts < end, in bucket order."""
    c = table.c
    offset = (c.ts - start) / width  # >= 0 inside the range: truncation is floor
    if dialect == "postgresql":
        bucket = sa.cast(sa.func.floor(offset), sa.BigInteger)  # PostgreSQL's CAST rounds, floor first
    else:
        bucket = sa.cast(offset, sa.Integer)
    good = (c.quality == int(Quality.GOOD)) & c.value.is_not(None)
    good_value = sa.case((good, c.value))
    return (
        sa.select(
            c.tag,
            bucket.label("bucket"),
            sa.func.min(good_value).label("low"),
            sa.func.max(good_value).label("high"),
            sa.func.sum(sa.case((good, 0), else_=1)).label("bad"),
        )
        .where(c.tag.in_(tags), c.ts >= start, c.ts < end)
        .group_by(c.tag, bucket)
        .order_by(c.tag, bucket)
    )


def buckets_of(rows: list[sa.Row], tags: list[str], start: float, width: float) -> dict[str, Buckets]:
    """The query's rows (a few thousand at most) into one `Buckets` per tag; every tag asked gets one."""
    out = {}
    for tag in tags:
        mine = [r for r in rows if r.tag == tag]
        if not mine:
            out[tag] = empty_buckets(width)
            continue
        bucket = np.array([r.bucket for r in mine], dtype=np.float64)
        out[tag] = Buckets(
            start=start + bucket * width,
            width=width,
            low=np.array([np.nan if r.low is None else r.low for r in mine], dtype=np.float64),
            high=np.array([np.nan if r.high is None else r.high for r in mine], dtype=np.float64),
            gap=np.array([r.bad > 0 for r in mine], dtype=bool),
        )
    return out
