"""The alarm engine at work in the core: every batch evaluated, every transition journaled before it is shown.

Runs on the core's asyncio loop thread. Transitions go to the store writer at once; only when their commit
lands are they handed to `on_committed` (the views, the annunciator, the escalation publisher), so what an
operator sees or hears is already in the journal (ISA-18.2: a record of every transition; DESIGN: committed
before shown). Commits land in order, so the views never run ahead of the journal by more than one commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future

import numpy as np

from alarms.clock import Clock
from alarms.definitions import EventKind
from alarms.engine import AlarmEngine
from alarms.escalation import Escalation
from alarms.interlocks import InterlockWatch, MismatchEdge
from alarms.noise import FloodState
from alarms.records import AlarmView, Refusal, Transition
from alarms.samples import InterlockSample, Quality, TagBatch
from alarms.shelving import Shelving
from alarms.states import Event
from integrations.storage import JournalEntry, StoreWriter
from plant_maps.alarm_rules import (
    clock_alarm,
    interlock_alarm,
    mismatch_message,
    source_comm_alarm,
    tag_comm_alarm,
    wearable_alarm,
)
from plant_maps.site import Site
from plant_maps.wearables import VisionDetection, WearableEvent
from plant_maps.worker_rule_kinds import worker_alarm
from plant_maps.worker_rules import WorkerFinding

log = logging.getLogger(__name__)

COMMIT_TIMEOUT_S = 10.0
ISOLATION_JOURNAL = "zone_isolation"
_WEARABLE_KINDS = {"sos": EventKind.SOS, "fall": EventKind.FALL, "no_motion": EventKind.NO_MOTION}


class AlarmService:
    """The site's alarm engine plus the journal discipline around it."""

    def __init__(
        self,
        site: Site,
        clock: Clock,
        writer: StoreWriter,
        on_committed: Callable[[list[Transition]], None],
    ) -> None:
        settings = site.alarms
        self.site = site
        self.engine = AlarmEngine(
            settings.definitions,
            clock,
            shelving=Shelving(max_s=settings.max_shelve_s),
            escalation=Escalation(after_s=settings.escalate_after_s),
        )
        self.max_shelve_s = settings.max_shelve_s
        self._writer = writer
        self._on_committed = on_committed
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = False
        self.isolated: set[str] = set()  # zones under maintenance isolation
        self._areas = [z.id for z in site.zones] + ["site"]
        self._clock = clock
        self._interlocks = {il.id: il for il in site.interlocks}
        self.interlocks = InterlockWatch({il.id: il.timeout_s for il in site.interlocks})
        self._commanded: dict[str, bool] = {}  # last known command per interlock, kept while stale

    # -- plant and wearables (loop thread) ------------------------------------------------------------

    def restore(self, records: Iterable[Transition]) -> None:
        """Bring back the alarms journaled before a restart (what restoring changes is journaled too)."""
        self._commit(self.engine.restore(records))
        for interlock_id in self._interlocks:
            self.interlocks.force(interlock_id, self.engine.view(interlock_alarm(interlock_id)).active)

    def stop(self) -> None:
        """The console is shutting down: its own sources closing are not a loss of communication with the
        plant, so from now on the plant no longer moves the alarms (operator commands still work)."""
        self._stopped = True

    def on_tags(self, batch: TagBatch) -> None:
        if not self._stopped:
            self._commit(self.engine.process(batch))

    def on_stale(self, rows: np.ndarray, now: float, reason: str = "") -> None:
        """A source dropped or never connected: its tags carry no usable value, which is what raises the
        communication alarms; `reason` completes the source's alarm message."""
        if self._stopped or not rows.size:
            return
        source = source_comm_alarm(self.site.sensors[int(rows[0])].scheme)
        self._unusable(rows, Quality.STALE, now, {source: reason} if reason else None)

    def on_tag_errors(self, errors: dict[int, str], now: float) -> None:
        """Tags their server refuses (unknown node, access denied, not a number): bad quality, and each one's
        communication alarm says the server's answer in words."""
        if self._stopped or not errors:
            return
        rows = np.fromiter(errors, dtype=np.int32, count=len(errors))
        sensors = self.site.sensors
        details = {tag_comm_alarm(sensors[row].id): why for row, why in errors.items()}
        self._unusable(rows, Quality.BAD, now, details)

    def _unusable(
        self, rows: np.ndarray, quality: Quality, now: float, details: dict[str, str] | None
    ) -> None:
        marks = np.full(rows.size, int(quality), dtype=np.int8)
        batch = TagBatch(
            rows.astype(np.int32), np.full(rows.size, np.nan), marks, np.full(rows.size, now), now
        )
        self._commit(self.engine.process(batch, details))

    def on_wearable_events(self, events: Sequence[WearableEvent]) -> None:
        """SOS, fall and no-motion raise their wearer's latched tier-1 alarm; a repeat delivery changes nothing
        while it is active, and `sos_cancel` is only logged (the alarm needs an operator)."""
        out: list[Transition] = []
        for event in events:
            kind = _WEARABLE_KINDS.get(event.type)
            if kind is not None:
                out += self.engine.raise_event(wearable_alarm(event.worker, kind), ts=event.ts)
        self._commit(out)

    def on_detections(self, detections: Sequence[VisionDetection]) -> None:
        """A video-AI detection is momentary: it raises and returns at once, and waits for acknowledgement."""
        out: list[Transition] = []
        for d in detections:
            alarm_id = self.site.alarms.vision_alarm(d.zone, d.cls)
            out += self.engine.raise_event(alarm_id, d.confidence, d.ts)
            out += self.engine.clear_event(alarm_id, d.ts)
        self._commit(out)

    def on_device_clock(self, worker: str, offset_s: float | None, message: str) -> None:
        """A wearable's clock went wrong (offset in seconds) or right again (None): its tier-3 alarm."""
        if self._stopped:
            return
        alarm_id = clock_alarm(worker)
        if offset_s is None:
            self._commit(self.engine.clear_event(alarm_id, message=message))
        else:
            self._commit(self.engine.raise_event(alarm_id, offset_s, message=message))

    def on_worker_findings(self, findings: Sequence[WorkerFinding]) -> None:
        """Worker rules that started or stopped holding raise or clear that worker's alarm."""
        out: list[Transition] = []
        for f in findings:
            alarm_id = worker_alarm(f.worker, f.rule)
            out += self.engine.raise_event(alarm_id) if f.active else self.engine.clear_event(alarm_id)
        self._commit(out)

    async def resolve(
        self, alarm_id: str, actor: str, console: str, notes: str
    ) -> tuple[list[Transition], list[Refusal]]:
        """A responder resolved a wearable alarm: its condition ends and, latched, it is reset (both journaled
        with the notes). Only an acknowledged alarm is resolved."""
        view = self.engine.view(alarm_id)
        if not view.acked:
            return [], [Refusal(alarm_id, Event.RESET, "acknowledge it before resolving it")]
        done = self.engine.clear_event(alarm_id)
        reset = self.engine.reset(alarm_id, actor, console, notes)
        return await self._carry_out([*done, reset])

    def on_interlocks(self, samples: Sequence[InterlockSample]) -> list[InterlockSample]:
        """Interlock command and feedback values: a feedback that now follows clears its mismatch alarm (one
        that does not is raised by `tick`). Returns the samples whose command changed, for the event log."""
        commanded: list[InterlockSample] = []
        for s in samples:
            if s.command is None:
                continue
            if self._commanded.get(s.interlock_id, s.command) != s.command:
                commanded.append(s)
            self._commanded[s.interlock_id] = s.command
        if not self._stopped:
            self._commit(self._mismatches(self.interlocks.apply(samples)))
        return commanded

    def tick(self) -> None:
        """Let time act: on/off delays, slopes, shelve expiry, tier-1 escalation, interlock feedback timeouts.
        Called every TICK_S; one reading of the clock for all of them."""
        if not self._stopped:
            now = self._clock.now()
            self._commit([*self.engine.tick(now), *self._mismatches(self.interlocks.due(now))])

    # -- operator commands (loop thread) --------------------------------------------------------------

    async def acknowledge(
        self, alarms: Sequence[tuple[str, int]], actor: str, console: str, comment: str = ""
    ) -> tuple[list[Transition], list[Refusal]]:
        """Acknowledge each (alarm id, seq the operator saw); returns once the acknowledgements are journaled."""
        results = [
            self.engine.acknowledge(alarm_id, seq, actor, console, comment) for alarm_id, seq in alarms
        ]
        return await self._carry_out(results)

    async def shelve(
        self, alarm_id: str, actor: str, console: str, reason: str, duration_s: float | None
    ) -> tuple[list[Transition], list[Refusal]]:
        return await self._carry_out([self.engine.shelve(alarm_id, actor, console, reason, duration_s)])

    async def unshelve(
        self, alarm_id: str, actor: str, console: str
    ) -> tuple[list[Transition], list[Refusal]]:
        return await self._carry_out([self.engine.unshelve(alarm_id, actor, console)])

    async def isolate(
        self, zone: str, on: bool, actor: str, console: str, reason: str
    ) -> tuple[list[Transition], list[Refusal]]:
        """Maintenance isolation: the zone's alarms are suppressed by design (or no longer); the isolation
        itself is journaled so that a restart keeps it."""
        ts = self._clock.now()
        entry = JournalEntry(ts, ISOLATION_JOURNAL, zone, actor, console, {"isolated": on, "reason": reason})
        await asyncio.wait_for(asyncio.wrap_future(self._writer.journal([entry])), COMMIT_TIMEOUT_S)
        if on:
            self.isolated.add(zone)
        else:
            self.isolated.discard(zone)
        return await self._carry_out(self.engine.suppress_area(zone, on))

    def restore_isolation(self, entries: Iterable[JournalEntry]) -> None:
        """Zones still isolated when the console stopped are isolated again (their alarms stay suppressed)."""
        latest = {e.source: bool(e.payload["isolated"]) for e in entries if e.kind == ISOLATION_JOURNAL}
        for zone, on in latest.items():
            if on:
                self.isolated.add(zone)
                self._commit(self.engine.suppress_area(zone, True))

    async def remove_from_service(
        self, alarm_id: str, actor: str, console: str, reason: str, privileged: bool
    ) -> tuple[list[Transition], list[Refusal]]:
        return await self._carry_out(
            [self.engine.remove_from_service(alarm_id, actor, console, reason, privileged=privileged)]
        )

    async def return_to_service(
        self, alarm_id: str, actor: str, console: str, privileged: bool
    ) -> tuple[list[Transition], list[Refusal]]:
        return await self._carry_out(
            [self.engine.return_to_service(alarm_id, actor, console, privileged=privileged)]
        )

    async def reset(self, alarm_id: str, actor: str, console: str) -> tuple[list[Transition], list[Refusal]]:
        return await self._carry_out([self.engine.reset(alarm_id, actor, console)])

    # -- views ----------------------------------------------------------------------------------------

    def views(self) -> list[AlarmView]:
        return self.engine.active()

    def floods(self) -> list[FloodState]:
        return [self.engine.flood_state(area) for area in self._areas]

    # -- internals ------------------------------------------------------------------------------------

    def _mismatches(self, edges: Sequence[MismatchEdge]) -> list[Transition]:
        """DOMAIN `PLC interlock`: the feedback-mismatch edges as the interlocks' tier-1 discrete alarms."""
        out: list[Transition] = []
        for e in edges:
            alarm_id = interlock_alarm(e.interlock_id)
            message = mismatch_message(self._interlocks[e.interlock_id], e)
            if e.active:
                out += self.engine.raise_event(alarm_id, e.seconds, e.ts, message)
            else:
                out += self.engine.clear_event(alarm_id, e.ts, e.seconds, message)
        return out

    async def _carry_out(
        self, results: Sequence[Transition | Refusal]
    ) -> tuple[list[Transition], list[Refusal]]:
        done = [r for r in results if isinstance(r, Transition)]
        refused = [r for r in results if isinstance(r, Refusal)]
        if done:
            await asyncio.wait_for(asyncio.wrap_future(self._commit(done)), COMMIT_TIMEOUT_S)
        return done, refused

    def _commit(self, transitions: list[Transition]) -> Future[None]:
        """Journal, then tell: `on_committed` runs on the loop once the rows are in the database."""
        future = self._writer.journal_alarms(transitions)
        if not transitions:
            return future
        loop = self._loop or asyncio.get_running_loop()
        self._loop = loop

        def landed(f: Future[None]) -> None:
            loop.call_soon_threadsafe(self._landed, transitions, f)

        future.add_done_callback(landed)
        return future

    def _landed(self, transitions: list[Transition], future: Future[None]) -> None:
        error = future.exception()
        if error is not None:  # only when closing without the database: show them anyway, never hide an alarm
            log.error("%d alarm transitions were NOT journaled: %s", len(transitions), error)
        self._on_committed(transitions)
