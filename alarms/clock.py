"""The one clock of the console: every timestamp the core makes comes from here, so tests and replays drive time."""

from __future__ import annotations

import time


class Clock:
    """Wall-clock time in seconds since the epoch (UTC)."""

    def now(self) -> float:
        return time.time()


class ManualClock(Clock):
    """A clock that moves only when told: for tests that must not wait hours for a permit to expire."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def set(self, epoch_seconds: float) -> None:
        self._now = epoch_seconds
