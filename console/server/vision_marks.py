"""Video-AI detections an operator marks false: the seeds' AI false-alarm rate (<= 3.5 %) needs the operator's word.

Runs on the core's asyncio loop thread. The core tells this service every detection it journals (`seen`);
an operator who looked at the camera and found a shadow or a reflection marks it false with a reason
(`mark_false`). The mark is journaled beside the detection (kind VISION_FALSE_KIND, source the camera,
payload: the detection's id, zone, class and the reason), audited with the command, and told in the event
log; the detection's own record and alarm stay as they were (the journal is never rewritten). The service
remembers the detections of the last MEMORY_S (`restore` brings them back after a restart), so that the
window can offer the mark on a vision alarm (`latest`) and a detection is marked false at most once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from alarms.clock import Clock
from integrations.storage import JournalEntry, StoreWriter
from plant_maps.site import Site
from plant_maps.wearables import VisionDetection

DETECTION_KIND = "vision_detection"
VISION_FALSE_KIND = "vision_false"
MEMORY_S = 24 * 3600.0  # detections older than this can no longer be marked
MEMORY_COUNT = 10_000
REASON_MAX_CHARS = 200
COMMIT_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class FalseMark:
    """Who marked a detection false, when, and why."""

    detection: str
    actor: str
    ts: float
    reason: str


class VisionMarks:
    """The recent detections (newest last) and the false marks on them."""

    def __init__(
        self,
        site: Site,
        clock: Clock,
        writer: StoreWriter,
        console: str,
        log: Callable[[str, str, str], object],
    ) -> None:
        self._site, self._clock, self._writer, self._console, self._log = site, clock, writer, console, log
        self._detections: OrderedDict[str, VisionDetection] = OrderedDict()
        self._marks: dict[str, FalseMark] = {}

    def seen(self, detections: Iterable[VisionDetection]) -> None:
        """Remember detections just journaled (the oldest are forgotten past MEMORY_COUNT or MEMORY_S)."""
        for d in detections:
            self._detections[d.id] = d
        self._forget(self._clock.now())

    def restore(self, entries: Iterable[JournalEntry]) -> None:
        """The detections and marks journaled in the last MEMORY_S, oldest first (after a restart)."""
        for e in entries:
            p = e.payload
            if e.kind == DETECTION_KIND:
                confidence = float(p.get("confidence", 0.0))
                detection = VisionDetection(
                    str(p["id"]), e.source, str(p["class"]), confidence, str(p["zone"]), e.ts
                )
                self._detections[detection.id] = detection
            elif e.kind == VISION_FALSE_KIND:
                mark = FalseMark(str(p["detection"]), e.actor, e.ts, str(p.get("reason", "")))
                self._marks[mark.detection] = mark
        self._forget(self._clock.now())

    def latest(self, alarm_id: str) -> VisionDetection | None:
        """The newest remembered detection that raised this vision alarm (None: none, or not a vision alarm)."""
        alarms = self._site.alarms
        for d in reversed(self._detections.values()):
            if alarms.vision_alarm(d.zone, d.cls) == alarm_id:
                return d
        return None

    def mark(self, detection_id: str) -> FalseMark | None:
        return self._marks.get(detection_id)

    async def mark_false(self, actor: str, detection_id: str, reason: str) -> tuple[bool, str]:
        """Journal the operator's mark; (done, what the operator is told). Refused: an unknown or forgotten
        detection, no reason or one too long, a detection marked already."""
        reason = reason.strip()
        d = self._detections.get(detection_id)
        if d is None:
            return False, f"no detection {detection_id} seen in the last {MEMORY_S / 3600:g} h"
        if not reason:
            return False, "marking a detection false needs a reason (what the camera showed)"
        if len(reason) > REASON_MAX_CHARS:
            return False, f"the reason is longer than {REASON_MAX_CHARS} characters"
        done = self._marks.get(d.id)
        if done is not None:
            return False, f"this detection was marked false already, by {done.actor}"
        now = self._clock.now()
        payload = {"detection": d.id, "zone": d.zone, "class": d.cls, "reason": reason}
        entry = JournalEntry(now, VISION_FALSE_KIND, d.camera, actor, self._console, payload)
        await asyncio.wait_for(asyncio.wrap_future(self._writer.journal([entry])), COMMIT_TIMEOUT_S)
        self._marks[d.id] = FalseMark(d.id, actor, now, reason)
        what = f"{d.cls.replace('_', ' ')} in {self._site.zone_name(d.zone)} ({d.camera})"
        self._log("action", actor, f"false detection: {what}: {reason}")
        return True, f"{what} marked as a false detection"

    def _forget(self, now: float) -> None:
        while self._detections and (
            len(self._detections) > MEMORY_COUNT or next(iter(self._detections.values())).ts < now - MEMORY_S
        ):
            _, d = self._detections.popitem(last=False)
            self._marks.pop(d.id, None)
