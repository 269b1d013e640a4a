"""Tiered response: escalate a tier-1 alarm left unacknowledged, and time every first acknowledgement.

A tier-1 alarm unacknowledged `after_s` (default 60 s) after it was annunciated is escalated once
(re-announce, notify the shift lead), then again every `repeat_s` if set. The time from annunciation to
acknowledgement is measured for every alarm: the seeds' target is alarm to first response <= 90 s.
"""

from __future__ import annotations

from alarms.definitions import Tier


class Escalation:
    def __init__(
        self,
        after_s: float = 60.0,
        repeat_s: float | None = None,
        tiers: frozenset[Tier] = frozenset({Tier.LIFE}),
    ) -> None:
        self.after_s = after_s
        self._repeat_s = repeat_s
        self._tiers = tiers
        self._since: dict[str, float] = {}
        self._due: dict[str, float] = {}

    def unacknowledged(self, alarm_id: str, tier: Tier, ts: float) -> None:
        """The alarm was annunciated and now waits for an acknowledgement."""
        self._since[alarm_id] = ts
        if tier in self._tiers:
            self._due[alarm_id] = ts + self.after_s

    def settled(self, alarm_id: str) -> None:
        """The alarm no longer waits: acknowledged, hidden, or gone back to normal."""
        self._since.pop(alarm_id, None)
        self._due.pop(alarm_id, None)

    def waiting_s(self, alarm_id: str, now: float) -> float | None:
        """Seconds the alarm has waited for an acknowledgement (its response time when acknowledged now)."""
        since = self._since.get(alarm_id)
        return None if since is None else now - since

    def escalated(self, alarm_id: str, ts: float) -> None:
        if self._repeat_s is None:
            self._due.pop(alarm_id, None)
        else:
            self._due[alarm_id] = ts + self._repeat_s

    def due(self, now: float) -> list[str]:
        return [alarm_id for alarm_id, at in self._due.items() if at <= now]
