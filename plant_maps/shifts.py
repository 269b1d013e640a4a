"""The plant's shift pattern: when each shift starts, and the periods a shift lead asks about.

Shifts start at the same local times every day (`[shifts] starts = ["08:00", "20:00"]`); a shift runs until
the next start. Times are the plant's local time (`timezone`, an IANA name; empty: the machine's), so that a
day shift is 08:00-20:00 on the wall clock also across a daylight-saving change. Periods are epoch seconds,
`since` inclusive and `until` exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

DAY_S = 86_400.0


class Period(StrEnum):
    THIS_SHIFT = "this shift"
    LAST_SHIFT = "last shift"
    LAST_24_H = "24 h"
    LAST_7_D = "7 d"


@dataclass(frozen=True, slots=True)
class ShiftPattern:
    starts: tuple[time, ...] = (time(8, 0), time(20, 0))  # sorted, at least one
    timezone: str = ""  # IANA name; "": the machine's local time
    operator_positions: int = 1  # alarm loads are per operator position (ISA-18.2 §16)

    def __post_init__(self) -> None:
        if not self.starts:
            raise ValueError("a shift pattern needs at least one start time")
        if list(self.starts) != sorted(set(self.starts)):
            raise ValueError("shift start times must be distinct and in order")
        if self.operator_positions < 1:
            raise ValueError("there is at least one operator position")
        self._zone()  # an unknown time zone fails here (ZoneInfoNotFoundError), not at the first question

    def _zone(self) -> tzinfo | None:
        return ZoneInfo(self.timezone) if self.timezone else None

    def shift_start(self, ts: float) -> float:
        """When the shift that holds `ts` started."""
        zone = self._zone()  # None: naive local times, which timestamp() reads as the machine's
        day = datetime.fromtimestamp(ts, zone).date()
        for back in (0, 1):
            for start in reversed(self.starts):
                begin = datetime.combine(day - timedelta(days=back), start, zone).timestamp()
                if begin <= ts:
                    return begin
        raise AssertionError("unreachable: a shift started within the last two days")

    def next_start(self, ts: float) -> float:
        """When the shift that holds `ts` ends (the next one starts)."""
        zone = self._zone()
        day = datetime.fromtimestamp(ts, zone).date()
        for ahead in (0, 1):
            for start in self.starts:
                begin = datetime.combine(day + timedelta(days=ahead), start, zone).timestamp()
                if begin > ts:
                    return begin
        raise AssertionError("unreachable: a shift starts within the next two days")

    def period(self, which: Period, now: float) -> tuple[float, float]:
        """(since, until) of `which` as seen at `now`; this shift ends now, not at its scheduled end."""
        match which:
            case Period.THIS_SHIFT:
                return self.shift_start(now), now
            case Period.LAST_SHIFT:
                end = self.shift_start(now)
                return self.shift_start(end - 1.0), end
            case Period.LAST_24_H:
                return now - DAY_S, now
            case Period.LAST_7_D:
                return now - 7 * DAY_S, now
        raise ValueError(f"unknown period {which!r}")


def parse_start(text: str) -> time:
    """ "08:00" -> time(8, 0); ValueError saying what is wrong."""
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day as HH:MM") from None
