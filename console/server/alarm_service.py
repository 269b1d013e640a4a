"""The alarm engine at work in the core: every batch evaluated, every transition journaled before it is shown.

Runs on the core's asyncio loop thread. Transitions go to the store writer at once; only when their commit
lands are they handed to `on_committed` (the views, the annunciator, the escalation publisher), so what an
operator sees or hears is already in the journal (ISA-18.2: a record of every transition; DESIGN: committed
before shown). Commits land in order, so the views never run ahead of the journal by more than one commit.
A database that fails does not hide alarms: after SHOW_UNCONFIRMED_AFTER_S without a commit they are shown
all the same, and logged as not journaled (`console.server.shown`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future

import numpy as np

from alarms.clock import Clock
from alarms.definitions import EventKind, Tier
from alarms.engine import AlarmEngine
from alarms.escalation import Escalation
from alarms.interlocks import InterlockWatch, MismatchEdge
from alarms.noise import FloodState
from alarms.records import SYSTEM, AlarmView, Refusal, Transition
from alarms.samples import InterlockSample, Quality, TagBatch
from alarms.shelving import Shelving
from alarms.states import Event
from console.server.shown import show_when_committed
from console.server.zone_isolation import (
    Ending,
    Isolation,
    IsolationBook,
    end_entry,
    impact,
    journaled,
    start_entry,
    utc_text,
)
from integrations.storage import JournalEntry, StoreWriter
from plant_maps.alarm_rules import (
    STORE_ALARM,
    clock_alarm,
    gas_test_alarm,
    interlock_alarm,
    interlock_comm_alarm,
    mismatch_message,
    pa_alarm,
    source_comm_alarm,
    tag_comm_alarm,
    wearable_alarm,
)
from plant_maps.alarm_zones import Hazard, tier1_hazards
from plant_maps.permit_watch import Readings
from plant_maps.site import Site
from plant_maps.wearables import VisionDetection, WearableEvent
from plant_maps.worker_rule_kinds import WorkerRule, worker_alarm
from plant_maps.worker_rules import WorkerFinding

log = logging.getLogger(__name__)

COMMIT_TIMEOUT_S = 10.0
_WEARABLE_KINDS = {"sos": EventKind.SOS, "fall": EventKind.FALL, "no_motion": EventKind.NO_MOTION}


def site_engine(site: Site, clock: Clock) -> AlarmEngine:
    """The alarm engine of the site's alarm settings."""
    settings = site.alarms
    return AlarmEngine(
        settings.definitions,
        clock,
        shelving=Shelving(max_s=settings.max_shelve_s),
        escalation=Escalation(after_s=settings.escalate_after_s),
    )


class AlarmService:
    """The site's alarm engine plus the journal discipline around it."""

    def __init__(
        self,
        site: Site,
        clock: Clock,
        writer: StoreWriter,
        on_committed: Callable[[list[Transition]], None],
        log_line: Callable[[str, str, str], object] = lambda severity, source, text: None,
        readings: Readings | None = None,
    ) -> None:
        settings = site.alarms
        self.site = site
        self.engine = site_engine(site, clock)
        self.max_shelve_s = settings.max_shelve_s
        self._writer = writer
        self._on_committed = on_committed
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = False
        self.isolations = IsolationBook({z.id: z.name for z in site.zones}, settings.max_shelve_s)
        self._ending: set[str] = set()  # isolations whose end is being journaled
        self._endings: set[asyncio.Task[None]] = set()  # ends by time, kept referenced until done
        self._log_line = log_line  # the event log: (severity, source, text)
        self._readings = readings  # the core's tag table: a hazard's reading now
        self._areas = [z.id for z in site.zones] + ["site"]
        self._clock = clock
        self._interlocks = {il.id: il for il in site.interlocks}
        self._gas_sensors = {s.id for s in site.sensors if s.is_gas}
        self._links = {r.alarm.id for r in settings.definitions.events if r.kind is EventKind.LINK}
        self._gas_tests = {r.alarm.id for r in settings.definitions.events if r.kind is EventKind.GAS_TEST}
        self.interlocks = InterlockWatch({il.id: il.timeout_s for il in site.interlocks})
        self._commanded: dict[str, bool] = {}  # last known command per interlock, kept while stale
        self._refused: set[str] = set()  # interlocks with a node the server refuses (their COMM alarm)

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

    def on_link(self, scheme: str, down: bool, reason: str, ts: float) -> None:
        """A source without tags of its own (the wearables' MQTT link) went down or came back: its alarm,
        where the site has one (`plant_maps.alarm_rules`, link rules)."""
        alarm_id = source_comm_alarm(scheme)
        if self._stopped or alarm_id not in self._links:
            return
        if down:
            message = f"{self.engine.spec(alarm_id).message}: {reason}" if reason else None
            self._commit(self.engine.raise_event(alarm_id, ts=ts, message=message))
        else:
            self._commit(self.engine.clear_event(alarm_id, ts))

    def on_journal(self, saving: bool, message: str) -> None:
        """The journal stopped saving (STORE.COMM raised; `message` says since when, how much waits and why) or
        saves again (it clears, if it was active: also one restored after a restart). Its own transitions wait
        in the writer like every other row: shown once SHOW_UNCONFIRMED_AFTER_S has passed, journaled when the
        database answers again."""
        self._raise_or_clear(STORE_ALARM, not saving, message)

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

    def on_wearable_events(self, events: Sequence[WearableEvent], zones: Mapping[str, str]) -> None:
        """SOS, fall and no-motion raise their wearer's latched tier-1 alarm, in the zone `zones` places the
        wearer in (else site-wide); a repeat delivery changes nothing while it is active, and `sos_cancel` is
        only logged (the alarm needs an operator)."""
        out: list[Transition] = []
        for event in events:
            kind = _WEARABLE_KINDS.get(event.type)
            if kind is not None:
                alarm_id = wearable_alarm(event.worker, kind)
                out += self.engine.raise_event(alarm_id, ts=event.ts, area=zones.get(event.worker))
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

    def on_pa_zone(self, pa_zone: str, reached: bool, message: str) -> None:
        """An emergency or evacuation broadcast did not reach a PA zone (its tier-2 alarm), or a later call
        reached it again (also when the alarm was restored from the journal after a restart)."""
        self._raise_or_clear(pa_alarm(pa_zone), not reached, message)

    def _raise_or_clear(self, alarm_id: str, active: bool, message: str) -> None:
        """Raise a discrete alarm, or clear it if it is active, with `message`."""
        if self._stopped or (not active and not self.engine.view(alarm_id).active):
            return
        edge = self.engine.raise_event if active else self.engine.clear_event
        self._commit(edge(alarm_id, message=message))

    def on_gas_test(self, permit_id: str, failed: str | None) -> None:
        """A permit's gas test failed while its work ran (`failed`: the readings and the limits they broke,
        its tier-1 alarm is raised), or the permit's atmosphere is no longer known to fail (None: a passing
        test, or the permit ended; its alarm returns if it was active)."""
        alarm_id = gas_test_alarm(permit_id)
        if self._stopped or alarm_id not in self._gas_tests:
            return
        if failed is not None:
            message = f"{permit_id} gas test failed: {failed}"
            self._commit(self.engine.raise_event(alarm_id, message=message))
        elif self.engine.view(alarm_id).active:
            self._commit(self.engine.clear_event(alarm_id))

    def on_worker_findings(self, findings: Sequence[WorkerFinding]) -> None:
        """Worker rules that started or stopped holding raise or clear that worker's alarm."""
        out: list[Transition] = []
        for f in findings:
            alarm_id = worker_alarm(f.worker, f.rule)
            if not f.active:
                out += self.engine.clear_event(alarm_id)
                continue
            cause = self._gas_alarm_in(f.zone) if f.rule is WorkerRule.GAS_ALARM_ZONE else None
            out += self.engine.raise_event(alarm_id, area=f.zone or None, cause=cause)
        self._commit(out)

    def _gas_alarm_in(self, zone: str) -> str | None:
        """Cause first: the zone's tier-1 gas alarm that a worker-in-gas-zone alarm follows from (the one
        active longest), so the banner and the list show the gas first, with the people under it."""
        gas = [
            v
            for v in self.engine.active()
            if v.area == zone and v.active and v.tier is Tier.LIFE and v.source in self._gas_sensors
        ]
        first = min(gas, key=lambda v: (v.active_ts or v.ts, v.id), default=None)
        return first.id if first else None

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
            readable = {
                s.interlock_id
                for s in samples
                if s.command is not None and s.feedback is not None and s.interlock_id in self._refused
            }
            self._refused -= readable
            cleared = [
                t for il in sorted(readable) for t in self.engine.clear_event(interlock_comm_alarm(il))
            ]
            self._commit([*cleared, *self._mismatches(self.interlocks.apply(samples))])
        return commanded

    def on_interlock_errors(self, errors: Mapping[str, str], now: float) -> None:
        """Interlocks whose command or feedback node the server refuses: each one's communication alarm,
        saying the server's answer in words; it clears once both nodes deliver a usable value again."""
        if self._stopped:
            return
        out: list[Transition] = []
        for interlock_id, why in errors.items():
            alarm_id = interlock_comm_alarm(interlock_id)
            self._refused.add(interlock_id)
            out += self.engine.raise_event(
                alarm_id, ts=now, message=f"{self.engine.spec(alarm_id).message}: {why}"
            )
        self._commit(out)

    def did_not_follow(
        self, interlock_id: str, commanded: bool, feedback: bool | None, seconds: float
    ) -> None:
        """The interlock service's supervision ran out without the feedback following a write: the tier-1
        mismatch alarm, the same one the feedback watch raises (raised here only if the watch has not: e.g.
        the command node's own value never came back)."""
        alarm_id = interlock_alarm(interlock_id)
        if self._stopped or self.engine.view(alarm_id).active:
            return
        now = self._clock.now()
        self.interlocks.force(interlock_id, True)
        if feedback is not None:
            self._commit(
                self._mismatches([MismatchEdge(interlock_id, True, seconds, commanded, feedback, now)])
            )
            return
        il, state = self._interlocks[interlock_id], "ON" if commanded else "OFF"
        message = f"{il.id} {il.name}: feedback unknown, command {state} not confirmed for {seconds:.0f} s"
        self._commit(self.engine.raise_event(alarm_id, seconds, now, message))

    def tick(self) -> None:
        """Let time act: on/off delays, slopes, shelve expiry, tier-1 escalation, interlock feedback timeouts.
        Called every TICK_S; one reading of the clock for all of them."""
        if not self._stopped:
            now = self._clock.now()
            for isolation in self.isolations.due(now):
                if isolation.zone not in self._ending:
                    self._end_later(isolation, Ending.TIME_UP)
            self._commit([*self.engine.tick(now), *self._mismatches(self.interlocks.due(now))])

    # -- operator commands (loop thread) --------------------------------------------------------------

    async def acknowledge(
        self, alarms: Sequence[tuple[str, int]], actor: str, console: str, comment: str = ""
    ) -> tuple[list[Transition], list[Refusal]]:
        """Acknowledge each (alarm id, seq the operator saw); returns once the acknowledgements are journaled.

        A site may ask for a comment on acknowledging some tiers (`[alarms] ack_comment_required`): without
        one, those are refused here, in the core, whatever window sent the command."""
        results = [
            self._comment_refusal(alarm_id, comment)
            or self.engine.acknowledge(alarm_id, seq, actor, console, comment)
            for alarm_id, seq in alarms
        ]
        return await self._carry_out(results)

    def _comment_refusal(self, alarm_id: str, comment: str) -> Refusal | None:
        tiers = self.site.alarms.ack_comment_tiers
        if comment.strip() or not tiers:
            return None
        try:
            tier = self.engine.spec(alarm_id).tier
        except KeyError:
            return None  # the engine refuses the unknown alarm in its own words
        if tier not in tiers:
            return None
        return Refusal(
            alarm_id,
            Event.ACKNOWLEDGE,
            f"this site requires a comment to acknowledge a tier-{int(tier)} alarm",
        )

    async def shelve(
        self, alarm_id: str, actor: str, console: str, reason: str, duration_s: float | None
    ) -> tuple[list[Transition], list[Refusal]]:
        return await self._carry_out([self.engine.shelve(alarm_id, actor, console, reason, duration_s)])

    async def unshelve(
        self, alarm_id: str, actor: str, console: str
    ) -> tuple[list[Transition], list[Refusal]]:
        return await self._carry_out([self.engine.unshelve(alarm_id, actor, console)])

    async def isolate(
        self, zone: str, actor: str, console: str, reason: str, duration_s: float | None
    ) -> Isolation | str:
        """Maintenance isolation (ISA-18.2 suppression by design) for `duration_s`, with a reason: journaled,
        then the zone's alarms are suppressed. Returns the isolation, or why it is refused."""
        refusal = self.isolations.refusal(zone, reason, duration_s)
        if refusal is not None or duration_s is None:
            return refusal or "an isolation needs a duration"
        now = self._clock.now()
        isolation = Isolation(zone, reason.strip(), actor, console, now, now + duration_s)
        await self._record(start_entry(isolation))
        self.isolations.hold(isolation)
        suppressed = impact(self.site, zone, self.views())
        await self._carry_out(self._suppress(zone, True))
        self._log_line(
            "action",
            actor,
            f"{self.site.zone_name(zone)} isolated until {utc_text(isolation.until)}: {isolation.reason}; "
            f"suppresses {suppressed.describe()}",
        )
        return isolation

    async def end_isolation(self, zone: str, actor: str, console: str) -> Isolation | str:
        """End an isolation early by hand; its zone's alarms are live again (journaled first)."""
        isolation = self.isolations.get(zone)
        if isolation is None or zone in self._ending:
            return f"{self.site.zone_name(zone)} is not isolated"
        await self._end(isolation, Ending.BY_HAND, actor, console)
        return isolation

    def restore_isolation(self, entries: Iterable[JournalEntry]) -> None:
        """Zones still isolated when the console stopped are isolated again until their journaled end; one
        whose end passed while the console was down ends now. A zone whose alarms the alarm journal left
        suppressed without an isolation in force (the console stopped between the two rows) is unsuppressed."""
        now = self._clock.now()
        for isolation in journaled(entries, self.isolations.max_s):
            self.isolations.hold(isolation)
            self._commit(self._suppress(isolation.zone, True))
            if isolation.until <= now:
                self._end_later(isolation, Ending.WHILE_DOWN)
        for zone in sorted(self.engine.suppressed_areas() - self.isolations.zones):
            self._commit(self._suppress(zone, False))

    async def _end(self, isolation: Isolation, ending: Ending, actor: str, console: str) -> None:
        """Journal the end, then take the isolation out of the book and unsuppress the zone's alarms (still
        active ones come back unacknowledged and are announced). An end by time that the journal did not
        confirm ends all the same: an isolation never outlasts its time."""
        zone = isolation.zone
        self._ending.add(zone)
        try:
            await self._record(end_entry(isolation, ending, actor, console, self._clock.now()))
        except Exception:
            if ending is Ending.BY_HAND:
                raise
            log.exception("the end of the isolation of %s was NOT journaled; it ends all the same", zone)
        finally:
            self._ending.discard(zone)
        self.isolations.end(zone)
        await self._carry_out(self._suppress(zone, False))
        self._log_line(
            "warning" if actor == SYSTEM else "action",
            actor if actor != SYSTEM else "alarm",
            f"{self.site.zone_name(zone)} back in service ({ending.value}): its alarms are live again",
        )

    def _end_later(self, isolation: Isolation, ending: Ending) -> None:
        """End an isolation by the system, from the clock's tick or the restart (both synchronous)."""
        self._ending.add(isolation.zone)  # the next tick must not end it twice
        task = asyncio.ensure_future(self._end(isolation, ending, SYSTEM, ""))
        self._endings.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._endings.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("ending an isolation failed: %s", task.exception())

    def _suppress(self, zone: str, on: bool) -> list[Transition]:
        """ISA-18.2 suppression by design of a zone's alarms, journaled under the zone's name."""
        return self.engine.suppress_area(zone, on, self.site.zone_name(zone))

    async def _record(self, entry: JournalEntry) -> None:
        await asyncio.wait_for(asyncio.wrap_future(self._writer.journal([entry])), COMMIT_TIMEOUT_S)

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

    def hazards(self, zones: Collection[str]) -> tuple[Hazard, ...]:
        """The tier-1 alarms active in `zones` (shelved or suppressed too), each detector's with its reading
        now: what returning an interlock to normal or re-admitting work there would override."""
        return tier1_hazards(self.views(), zones, self.site, self._readings)

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
        """Journal, then tell: `on_committed` runs on the loop once the rows are in the database, or once the
        database has been silent too long (`console.server.shown`): an alarm is never hidden by the store."""
        future = self._writer.journal_alarms(transitions)
        if transitions:
            loop = self._loop or asyncio.get_running_loop()
            self._loop = loop
            show_when_committed(future, loop, lambda error: self._landed(transitions, error))
        return future

    def _landed(self, transitions: list[Transition], error: BaseException | None) -> None:
        if error is not None:  # the database failed or is silent: shown all the same, never hide an alarm
            log.error("%d alarm transitions shown NOT journaled: %s", len(transitions), error)
        self._on_committed(transitions)
