"""What a site's alarm system is, once read: the engine's definitions and the site-wide settings.

Kept apart from the `[alarms]` parser (`plant_maps.alarm_rules`) so that the site model can hold it without
needing the parser, which itself reads against the site's sensors, zones and workers.
"""

from __future__ import annotations

from dataclasses import dataclass

from alarms.definitions import Definitions, Tier

VISION_PREFIX = "VISION."


@dataclass(frozen=True, slots=True)
class AlarmSettings:
    """A site's alarm definitions plus the site-wide settings of the alarm system."""

    definitions: Definitions
    escalate_after_s: float = 60.0  # tier-1 unacknowledged this long: re-announce, tell the shift lead
    max_shelve_s: float = 8 * 3600.0
    vision_tiers: dict[str, Tier] | None = None  # detection class -> tier; others are tier 3
    ack_comment_tiers: frozenset[Tier] = frozenset()  # acknowledging these needs a comment (site rule)

    @staticmethod
    def is_vision_alarm(alarm_id: str) -> bool:
        """A video-AI detection's alarm (`vision_alarm`): one a camera's detection raises."""
        return alarm_id.startswith(VISION_PREFIX)

    def vision_alarm(self, zone: str, detection_class: str) -> str:
        """The alarm id a video-AI detection raises (unlisted classes share the zone's OTHER alarm)."""
        known = detection_class if detection_class in (self.vision_tiers or {}) else "OTHER"
        return f"{VISION_PREFIX}{zone}.{known}"
