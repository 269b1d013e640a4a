"""Interlock feedback mismatch timing: has the feedback followed the command within the interlock's timeout?

DOMAIN `PLC interlock`: the console verifies an independent feedback tag within a timeout (default 5 s)
and alarms if the feedback does not follow; DESIGN: that alarm is tier 1. This module only times the
condition; the alarm itself is an ISA-18.2 discrete event alarm of the engine (`raise_event`/`clear_event`).

Per interlock it keeps the latest command and feedback and since when they differ. The condition becomes
true once they have differed for longer than the timeout, checked by `due` on the engine's clock (every
alarm tick), and false as soon as a sample shows the feedback matching the command. An unknown value
(None: not received, bad, or stale after a source dropped) never raises a mismatch: the communication
alarm covers it. It holds an active condition, and it restarts the timer of one not yet active, because
nothing is known of the gap. Runs on the core's loop thread; not thread-safe.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from alarms.samples import InterlockSample


@dataclass(frozen=True, slots=True)
class MismatchEdge:
    """The mismatch condition of one interlock changed at `ts`; `seconds` is how long the two differed
    (NaN when that is not known, e.g. for a mismatch restored from the journal)."""

    interlock_id: str
    active: bool
    seconds: float
    command: bool
    feedback: bool
    ts: float


@dataclass(slots=True)
class _Watched:
    timeout_s: float
    latest: InterlockSample | None = None
    since: float | None = None  # when command and feedback began to differ, both known
    active: bool = False  # the condition as last reported


class InterlockWatch:
    """The mismatch condition of every interlock of a site; `timeouts` maps interlock id -> timeout_s."""

    def __init__(self, timeouts: Mapping[str, float]) -> None:
        for interlock_id, timeout_s in timeouts.items():
            if not timeout_s > 0:
                raise ValueError(f"interlock {interlock_id!r}: timeout must be > 0, got {timeout_s!r}")
        self._watched = {interlock_id: _Watched(t) for interlock_id, t in timeouts.items()}

    def latest(self, interlock_id: str) -> InterlockSample | None:
        """The interlock's latest sample (None before the first); KeyError for an unknown interlock."""
        return self._watched[interlock_id].latest

    def apply(self, samples: Iterable[InterlockSample]) -> list[MismatchEdge]:
        """Take new samples (later ones of an interlock win); returns the mismatches they cleared."""
        out: list[MismatchEdge] = []
        for sample in samples:
            w = self._watched[sample.interlock_id]
            w.latest = sample
            command, feedback = sample.command, sample.feedback
            if command is None or feedback is None:
                if not w.active:
                    w.since = None
            elif command != feedback:
                if w.since is None and not w.active:
                    w.since = sample.ts
            else:
                if w.active:
                    seconds = math.nan if w.since is None else sample.ts - w.since
                    out.append(
                        MismatchEdge(sample.interlock_id, False, seconds, command, feedback, sample.ts)
                    )
                w.since, w.active = None, False
        return out

    def due(self, now: float) -> list[MismatchEdge]:
        """Mismatches that at `now` have lasted longer than their interlock's timeout (each reported once)."""
        out: list[MismatchEdge] = []
        for interlock_id, w in self._watched.items():
            if w.active or w.since is None or now - w.since <= w.timeout_s:
                continue
            w.active = True
            latest = w.latest  # `since` is set only while both values are known
            assert latest is not None and latest.command is not None and latest.feedback is not None
            out.append(MismatchEdge(interlock_id, True, now - w.since, latest.command, latest.feedback, now))
        return out

    def force(self, interlock_id: str, active: bool) -> None:
        """Set the condition as restored from the journal (how long it has lasted is not known)."""
        w = self._watched[interlock_id]
        w.active, w.since = active, None
