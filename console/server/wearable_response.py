"""The response to a wearer's SOS or man-down: acknowledge → assign a responder → on scene → resolved.

DOMAIN.md: an SOS is latched until an operator acknowledges it and a responder resolves it; a wearer's
`sos_cancel` is shown but clears nothing. Each step is journaled (actor, console, notes) before it is
reported done; the steps must come in order, so a resolution always names who went and when they got there.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from alarms.clock import Clock
from console.server.signatures import SignedBy
from integrations.storage import JournalEntry, StoreWriter
from plant_maps.wearables import Resolution, Response, Step

JOURNAL_KIND = "wearable_response"
COMMIT_TIMEOUT_S = 10.0

# The step each step may follow (assigning again replaces the responder before they are on scene).
_COMES_AFTER = {
    Step.ASSIGNED: (None, Step.ASSIGNED),
    Step.ON_SCENE: (Step.ASSIGNED,),
    Step.RESOLVED: (Step.ON_SCENE,),
}


class WearableResponses:
    """The open responses, by alarm id; a resolution closes one."""

    def __init__(self, clock: Clock, writer: StoreWriter, console: str) -> None:
        self._clock, self._writer, self._console = clock, writer, console
        self.open: dict[str, Response] = {}

    def restore(self, entries: list[JournalEntry]) -> None:
        """Replay the journal's response steps (oldest first) after a restart."""
        for e in entries:
            if e.kind == JOURNAL_KIND:
                responder = str(e.payload.get("responder", ""))
                name = str(e.payload.get("responder_name", responder))
                self._apply(e.source, Step(e.payload["step"]), e.ts, responder, name, "")

    def refusal(self, alarm_id: str, step: Step) -> str | None:
        """Why `step` cannot be taken now (the steps come in order), or None."""
        current = self.open.get(alarm_id, Response(alarm_id)).step
        if current in _COMES_AFTER[step]:
            return None
        if step is Step.RESOLVED:
            return "a responder must be assigned and on scene before the alarm is resolved"
        if step is Step.ON_SCENE:
            return "assign a responder first"
        return "the responder is already on scene"

    async def record(
        self,
        alarm_ids: list[str],
        step: Step,
        actor: str,
        responder: tuple[str, str] = ("", ""),
        notes: str = "",
        resolution: Resolution | None = None,
        signed: SignedBy | None = None,
    ) -> None:
        """Journal one step of the responses to `alarm_ids` (one event of one wearer) in one commit, then
        take it (raises if the journal does not confirm). `responder` is (worker id or typed name, as read)."""
        now = self._clock.now()
        payload = {"step": step.value, "responder": responder[0], "responder_name": responder[1]}
        payload |= {"notes": notes, "resolution": resolution.value if resolution else ""}
        if signed is not None:  # the resolution's electronic signature, with the step it closes
            payload["signature"] = signed.record()
        entries = [JournalEntry(now, JOURNAL_KIND, a, actor, self._console, payload) for a in alarm_ids]
        await asyncio.wait_for(asyncio.wrap_future(self._writer.journal(entries)), COMMIT_TIMEOUT_S)
        for alarm_id in alarm_ids:
            self._apply(alarm_id, step, now, *responder, notes)

    def _apply(self, alarm_id: str, step: Step, ts: float, responder: str, name: str, notes: str) -> None:
        if step is Step.RESOLVED:
            self.open.pop(alarm_id, None)
            return
        r = self.open.get(alarm_id, Response(alarm_id))
        if step is Step.ASSIGNED:
            r = replace(r, responder=responder, responder_name=name, assigned_at=ts)
        else:
            r = replace(r, on_scene_at=ts)
        self.open[alarm_id] = replace(r, notes=(*r.notes, notes) if notes else r.notes)
