"""ISA-18.2 shelving (§11.7.3, OPC UA Part 9): bounded duration, one-shot or timed, staggered release.

A shelve longer than the maximum is refused; a one-shot shelve lasts until the alarm clears but never past
the maximum either. Expired shelves are released one at a time, `stagger_s` apart, so that unshelving by
timer never floods the operator.
"""

from __future__ import annotations

import math

from alarms.records import Shelve


class Shelving:
    def __init__(self, max_s: float = 8 * 3600.0, stagger_s: float = 1.0) -> None:
        self.max_s = max_s
        self._stagger_s = stagger_s
        self._shelves: dict[str, Shelve] = {}
        self._next_release = -math.inf

    def refusal(self, duration_s: float | None) -> str | None:
        """Why a shelve of this duration (None: one-shot) is refused, or None."""
        if duration_s is not None and not 0 < duration_s <= self.max_s:
            return f"a shelve lasts more than 0 s and at most {self.max_s:g} s (asked {duration_s:g} s)"
        return None

    def shelve(self, now: float, duration_s: float | None) -> Shelve:
        if duration_s is None:
            return Shelve(now + self.max_s, one_shot=True)
        return Shelve(now + duration_s)

    def get(self, alarm_id: str) -> Shelve | None:
        return self._shelves.get(alarm_id)

    def hold(self, alarm_id: str, shelve: Shelve | None) -> None:
        """Keep (or, with None, drop) the shelve of an alarm."""
        if shelve is None:
            self._shelves.pop(alarm_id, None)
        else:
            self._shelves[alarm_id] = shelve

    def release(self, now: float) -> str | None:
        """The alarm whose shelve expired first, if the stagger allows a release now."""
        if now < self._next_release:
            return None
        expired = [(s.until, alarm_id) for alarm_id, s in self._shelves.items() if s.until <= now]
        if not expired:
            return None
        self._next_release = now + self._stagger_s
        return min(expired)[1]
