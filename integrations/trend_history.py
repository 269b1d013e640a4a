"""Tag history for trends: min/max per time bucket computed by the database, and the raw rows of a range.

A day of one tag at 1 Hz is 86,400 rows; a trend is a few hundred pixels wide. So the database groups the
rows of a range into `max_points // 2` equal time buckets (GROUP BY on SQLite and PostgreSQL alike, on the
(tag, ts) index) and returns each bucket's lowest and highest good value: drawn as two points per bucket,
a spike of one sample still shows (peak decimation), and no Python loop ever walks the rows.

A bucket holding a bad, stale or uncertain row, or a row without a number, is a gap: its `gap` flag is
set, and `Buckets.series` puts a NaN there so the line breaks instead of bridging what was not measured;
`Buckets.bands` names those stretches (and the ones without any row) so the plot can shade them.

Each tag's last stored row before the range comes too (`lead`, one index seek per tag): a steady tag stores
a row only when it moves or once a heartbeat, so without it the line would start a heartbeat late.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import sqlalchemy as sa

from alarms.samples import BAD, NO_DATA, Quality
from integrations.history import HEARTBEAT_S


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
    origin: float = math.nan  # where the range starts
    lead: tuple[float, float, int] | None = None  # (ts, value, quality) of the last row before the range

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
        x, y = x[keep], y[keep]
        if self.lead is not None:  # the value the range starts with, drawn from its left edge
            _, value, quality = self.lead
            x = np.r_[self.origin, x]
            y = np.r_[value if quality == int(Quality.GOOD) else math.nan, y]
        return x, y

    def bands(self, silence_s: float = 2 * HEARTBEAT_S) -> list[tuple[float, float, str]]:
        """(start, end, kind) of the stretches to shade: buckets holding rows that were not good (BAD), the
        start when the row before the range was not good, and NO_DATA where no row came for longer than
        `silence_s` (a steady good tag still stores one every heartbeat) between the range start and the
        last row."""
        out: list[tuple[float, float, str]] = []
        first = self.start[0] if self.start.size else math.inf
        if self.lead is not None and self.lead[2] != int(Quality.GOOD):
            out.append((self.origin, first, BAD))
        elif self.lead is None and math.isfinite(self.origin) and first - self.origin > silence_s:
            out.append((self.origin, first, NO_DATA))
        if not self.start.size:
            return [b for b in out if math.isfinite(b[1])]
        ends = self.start + self.width
        silent = np.flatnonzero(self.start[1:] - ends[:-1] > silence_s)
        out += [(float(ends[i]), float(self.start[i + 1]), NO_DATA) for i in silent]
        edges = np.diff(np.r_[0, self.gap.astype(np.int8), 0])
        for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            out.append((float(self.start[a]), float(ends[b - 1]), BAD))
        return sorted(out)


def empty_buckets(width: float, origin: float = math.nan) -> Buckets:
    nothing = np.empty(0)
    return Buckets(nothing, width, nothing, nothing, np.empty(0, dtype=bool), origin)


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


def lead_query(table: sa.Table, tag: str, start: float) -> sa.Select:
    """The last row of `tag` before `start`: one seek backwards on the (tag, ts) index."""
    return _last_row(table, tag, table.c.ts < start)


def at_or_before_query(table: sa.Table, tag: str, ts: float) -> sa.Select:
    """The stored row of `tag` at or before `ts` (what a trend's crosshair reads there), never a bucket's
    low or high: one seek backwards on the (tag, ts) index."""
    return _last_row(table, tag, table.c.ts <= ts)


def _last_row(table: sa.Table, tag: str, where: sa.ColumnElement[bool]) -> sa.Select:
    c = table.c
    return (
        sa.select(c.ts, c.value, c.quality)
        .where(c.tag == tag, where)
        .order_by(c.ts.desc(), c.id.desc())
        .limit(1)
    )


def buckets_of(
    rows: list[sa.Row],
    tags: list[str],
    start: float,
    width: float,
    leads: dict[str, tuple[float, float, int]] | None = None,
) -> dict[str, Buckets]:
    """The query's rows (a few thousand at most) into one `Buckets` per tag; every tag asked gets one, with
    its row before the range from `leads` (value NaN where none was stored)."""
    out = {}
    leads = leads or {}
    for tag in tags:
        mine = [r for r in rows if r.tag == tag]
        if not mine:
            out[tag] = replace(empty_buckets(width, start), lead=leads.get(tag))
            continue
        bucket = np.array([r.bucket for r in mine], dtype=np.float64)
        out[tag] = Buckets(
            start=start + bucket * width,
            width=width,
            low=np.array([np.nan if r.low is None else r.low for r in mine], dtype=np.float64),
            high=np.array([np.nan if r.high is None else r.high for r in mine], dtype=np.float64),
            gap=np.array([r.bad > 0 for r in mine], dtype=bool),
            origin=start,
            lead=leads.get(tag),
        )
    return out
