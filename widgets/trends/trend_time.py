"""The time spans a trend offers: live spans that follow now, and the history presets (shifts, 24 h, 7 d).

The site file names no shift times, so shifts are the common three-shift day: 00:00, 08:00 and 16:00
local time (the control-room clock).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QT_TRANSLATE_NOOP

SHIFT_S = 8 * 3600
HOUR = 3600.0

LIVE_SPANS = (  # (label, seconds): follow now
    (QT_TRANSLATE_NOOP("TrendView", "Live 5 min"), 300.0),
    (QT_TRANSLATE_NOOP("TrendView", "Live 15 min"), 900.0),
    (QT_TRANSLATE_NOOP("TrendView", "Live 1 h"), HOUR),
    (QT_TRANSLATE_NOOP("TrendView", "Live 8 h"), 8 * HOUR),
    (QT_TRANSLATE_NOOP("TrendView", "Live 24 h"), 24 * HOUR),
)
HISTORY_PRESETS = (  # (label, key)
    (QT_TRANSLATE_NOOP("TrendView", "This shift"), "this_shift"),
    (QT_TRANSLATE_NOOP("TrendView", "Last shift"), "last_shift"),
    (QT_TRANSLATE_NOOP("TrendView", "Last 24 h"), "24h"),
    (QT_TRANSLATE_NOOP("TrendView", "Last 7 days"), "7d"),
)


def shift_start(now: float) -> float:
    """When the shift running at `now` began (00:00, 08:00 or 16:00 local time)."""
    t = time.localtime(now)
    midnight = time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1))
    return midnight + (t.tm_hour // 8) * SHIFT_S


def preset_range(key: str, now: float) -> tuple[float, float]:
    """The (start, end) of a history preset at `now`."""
    if key == "this_shift":
        return shift_start(now), now
    if key == "last_shift":
        start = shift_start(now)
        return shift_start(start - 1), start
    if key == "24h":
        return now - 24 * HOUR, now
    if key == "7d":
        return now - 7 * 24 * HOUR, now
    raise KeyError(key)
