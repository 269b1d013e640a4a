"""The condition of rules that own one alarm each, as a bool array, and the edges it yields."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from alarms.records import Edge


class RuleBank:
    """Base of the communication and derived banks: `active[i]` is the condition of rule i."""

    def __init__(self, ids: Sequence[str]) -> None:
        self._ids = list(ids)
        self._index = {alarm_id: i for i, alarm_id in enumerate(self._ids)}
        self.active = np.zeros(len(self._ids), dtype=bool)

    def force(self, alarm_id: str, active: bool) -> bool:
        """Set a condition as restored from the journal; False if the alarm is not one of this bank's."""
        i = self._index.get(alarm_id)
        if i is not None:
            self.active[i] = active
        return i is not None

    def _edges(self, new: np.ndarray, changed: np.ndarray, value: np.ndarray) -> list[Edge]:
        """Take the changed conditions; `value[i]` is what rule i reports as the value that raised it."""
        idx = np.flatnonzero(changed)
        self.active[idx] = new[idx]
        return [
            Edge(self._ids[i], a, v)
            for i, a, v in zip(idx.tolist(), new[idx].tolist(), value[idx].tolist(), strict=True)
        ]
