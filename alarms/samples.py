"""Tag samples as batches of numpy arrays: the one sample type every source produces.

A batch carries many samples at once so that ingest, rules and history work a publish cycle at a time,
never one message at a time. Interlocks are few and Boolean: their command and feedback travel together
as an `InterlockSample` per interlock touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

BAD, NO_DATA = "bad", "no data"  # the kinds of a trend's gap band: rows that were not good; no rows at all


class Quality(IntEnum):
    """Data quality of a tag value, ordered from best to worst (worst wins when combined)."""

    GOOD = 0
    UNCERTAIN = 1
    BAD = 2
    STALE = 3  # the source dropped: the last value is kept but no longer current

    @classmethod
    def parse(cls, text: str) -> Quality:
        """Quality from its wire name (`good`, `bad`, `uncertain`, `stale`); ValueError otherwise."""
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown quality {text!r} (expected good, uncertain, bad or stale)") from None


@dataclass(frozen=True, slots=True)
class TagBatch:
    """Samples for several tags: `index[i]` is the tag's row in the site's tag table.

    `source_ts` is when the value was measured (seconds since the epoch, from the source),
    `received_ts` when the console got it (from the console's clock).
    """

    index: np.ndarray  # int32
    value: np.ndarray  # float64; NaN where the source sent no usable number
    quality: np.ndarray  # int8, Quality values
    source_ts: np.ndarray  # float64
    received_ts: float

    def __len__(self) -> int:
        return int(self.index.size)

    @classmethod
    def from_lists(
        cls,
        index: list[int],
        value: list[float],
        quality: list[int],
        source_ts: list[float],
        received_ts: float,
    ) -> TagBatch:
        """Pack parallel Python lists (as a source accumulates them) into one batch."""
        return cls(
            index=np.asarray(index, dtype=np.int32),
            value=np.asarray(value, dtype=np.float64),
            quality=np.asarray(quality, dtype=np.int8),
            source_ts=np.asarray(source_ts, dtype=np.float64),
            received_ts=received_ts,
        )


@dataclass(frozen=True, slots=True)
class InterlockSample:
    """The command and feedback of one interlock as the console last saw them, both at once.

    None means unknown: not received yet, bad quality, not a Boolean, or its source dropped (stale).
    `ts` is when the console received it, on its one clock: the feedback timing runs on that clock.
    """

    interlock_id: str
    command: bool | None
    feedback: bool | None
    ts: float
