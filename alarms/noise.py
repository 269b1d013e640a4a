"""Alarm noise control: chattering per alarm, floods and first-out per operator area.

ISA-18.2 chattering: an alarm activating 3 or more times in 60 s is chattering; it is annunciated once and
the operator is offered a shelve. EEMUA 191 flood: an operator area is in flood from more than 10
annunciations in 10 min until fewer than 5 remain in the last 10 min. First-out: the first annunciation in
an area after a quiet window is marked, so the cause of a burst stands out; a consequence of another alarm
(grouped under it) is never the first out.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


class ChatterDetector:
    def __init__(self, activations: int = 3, window_s: float = 60.0) -> None:
        self._activations = activations
        self._window_s = window_s
        self._times: dict[str, deque[float]] = {}

    def activation(self, alarm_id: str, ts: float) -> bool:
        """Count an activation; True when the alarm is now chattering."""
        self._times.setdefault(alarm_id, deque()).append(ts)
        return self.chattering(alarm_id, ts)

    def chattering(self, alarm_id: str, now: float) -> bool:
        times = self._times.get(alarm_id)
        if times is None:
            return False
        while times and times[0] <= now - self._window_s:
            times.popleft()
        if not times:
            del self._times[alarm_id]
        return len(times) >= self._activations


@dataclass(frozen=True, slots=True)
class FloodState:
    area: str
    flooding: bool
    count: int  # annunciations in the last window
    since: float | None  # when the current flood started
    first_out: str | None  # the first alarm of the burst that started it
    # The first alarm after a quiet window, once another followed it within the window: the first-out of a
    # burst, marked whether or not the burst became a flood (the likely cause of what came after).
    burst_first_out: str | None = None


@dataclass(slots=True)
class _Area:
    annunciations: deque[tuple[float, str]]
    flooding: bool = False
    since: float | None = None
    first_out: str | None = None
    leader: str | None = None  # the first annunciation after the area was quiet, consequences aside


class FloodDetector:
    def __init__(self, start_above: int = 10, end_below: int = 5, window_s: float = 600.0) -> None:
        self._start_above = start_above
        self._end_below = end_below
        self._window_s = window_s
        self._areas: dict[str, _Area] = {}

    def annunciation(
        self, area: str, alarm_id: str, ts: float, consequence: bool = False
    ) -> tuple[bool, bool]:
        """Count an annunciation; returns (first_out, flooding).

        A `consequence` (grouped under the alarm it follows from) counts, but never leads a burst: the
        first-out is the first annunciation after the quiet window that is not one.
        """
        a = self._areas.setdefault(area, _Area(deque()))
        self._expire(a, ts)
        first_out = a.leader is None and not consequence
        if first_out:
            a.leader = alarm_id
        a.annunciations.append((ts, alarm_id))
        if not a.flooding and len(a.annunciations) > self._start_above:
            a.flooding, a.since, a.first_out = True, ts, a.leader or a.annunciations[0][1]
        return first_out, a.flooding

    def state(self, area: str, now: float) -> FloodState:
        a = self._areas.get(area)
        if a is None:
            return FloodState(area, False, 0, None, None)
        self._expire(a, now)
        count = len(a.annunciations)
        return FloodState(area, a.flooding, count, a.since, a.first_out, a.leader if count >= 2 else None)

    def _expire(self, a: _Area, now: float) -> None:
        while a.annunciations and a.annunciations[0][0] <= now - self._window_s:
            a.annunciations.popleft()
        if not a.annunciations:
            a.leader = None
        if a.flooding and len(a.annunciations) < self._end_below:
            a.flooding, a.since, a.first_out = False, None, None
