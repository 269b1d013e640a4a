"""Times and spans as an operator reads them, in one place: the control-room clock, a date when it is not
today, a span in whole units ("1 h 30 min"), what is left and how long ago.

Words are translated where they are read (`QCoreApplication.translate`, context "TimeText").
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QCoreApplication


def _tr(text: str) -> str:
    return QCoreApplication.translate("TimeText", text)


def clock_text(ts: float, seconds: bool = True) -> str:
    """Local wall-clock time of an epoch timestamp, as the operator reads the control-room clock."""
    return time.strftime("%H:%M:%S" if seconds else "%H:%M", time.localtime(ts))


def dated_clock_text(ts: float, now: float) -> str:
    """`clock_text` with the date in front when `ts` is not of today (local): "2026-11-23 16:30:05"."""
    here, today = time.localtime(ts), time.localtime(now)
    if (here.tm_year, here.tm_yday) == (today.tm_year, today.tm_yday):
        return clock_text(ts)
    return time.strftime("%Y-%m-%d %H:%M:%S", here)


def duration_text(seconds: float, to_the_second: bool = False) -> str:
    """A span as an operator says it: "45 s", "12 min", "5 h 12 min", "3 d 4 h"; `to_the_second` keeps the
    seconds of a span under an hour ("1 min 30 s"), for a countdown such as a time to threshold."""
    s = max(0, math.floor(seconds))
    if s < 60:
        return _tr("{s} s").format(s=s)
    if s < 3600:
        m, rest = divmod(s, 60)
        if to_the_second and rest:
            return _tr("{m} min {s} s").format(m=m, s=rest)
        return _tr("{m} min").format(m=m)
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return _tr("{h} h {m} min").format(h=h, m=m) if m else _tr("{h} h").format(h=h)
    d, h = divmod(s // 3600, 24)
    return _tr("{d} d {h} h").format(d=d, h=h) if h else _tr("{d} d").format(d=d)


def remaining_text(end: float, now: float) -> str:
    """ "5 h 12 min left" or "ended 10 min ago"."""
    left = end - now
    if left > 0:
        return _tr("{span} left").format(span=duration_text(left))
    return _tr("ended {span} ago").format(span=duration_text(-left))


def ago_text(seconds: float) -> str:
    """ "12 min ago"."""
    return _tr("{span} ago").format(span=duration_text(seconds))


def day_clock_text(ts: float, now: float) -> str:
    """Local time of `ts`, with the date when it is not today: "16:30" or "11-26 16:30"."""
    here, today = time.localtime(ts), time.localtime(now)
    same_day = (here.tm_year, here.tm_yday) == (today.tm_year, today.tm_yday)
    return time.strftime("%H:%M" if same_day else "%m-%d %H:%M", here)
