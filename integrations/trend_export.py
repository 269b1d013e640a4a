"""A trend's visible range as CSV: the raw stored rows, never the decimated points on the screen.

One line per distinct timestamp (a tag with two rows at one time gets a line each), in time order: the UTC time (ISO 8601), the epoch seconds, then per pen
its value and its quality where that pen has a stored row at that time (empty where it has none). The
quality column keeps a bad or stale row apart from a good one, so the file says what the trend showed.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from alarms.samples import Quality


def write_trend_csv(
    rows: Sequence[tuple[str, float, float, Quality]], tags: Sequence[str], out: TextIO
) -> int:
    """Write `rows` (as `Store.history_rows` returns them, in time order) for `tags`; returns data lines."""
    column = {tag: i for i, tag in enumerate(tags)}
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["time_utc", "epoch_s", *(f"{t}{suffix}" for t in tags for suffix in ("", " quality"))])
    lines = 0
    line: list[str] | None = None
    line_ts = None
    for tag, ts, value, quality in rows:
        i = 2 + 2 * column[tag]
        if ts != line_ts or (line is not None and line[i + 1]):  # a second row of a tag at one time: own line
            if line is not None:
                writer.writerow(line)
                lines += 1
            line_ts = ts
            line = [datetime.fromtimestamp(ts, UTC).isoformat(), repr(ts), *([""] * (2 * len(tags)))]
        line[i] = "" if value != value else repr(value)  # NaN: no number was stored
        line[i + 1] = Quality(quality).name
    if line is not None:
        writer.writerow(line)
        lines += 1
    return lines
