"""The core: live site state, the event log, and the one place every source delivers to.

Runs on the asyncio loop thread (the Qt thread under qasync, a plain loop headless). It implements the
`integrations.source.Sink` protocol, records history and the journal through the store writer, and tells
subscribers (the Qt bridge, tests, a remote session) what changed — never one notification per message:
per delivered batch.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from alarms.clock import Clock
from alarms.definitions import Tier
from alarms.records import SYSTEM, Refusal, Transition
from alarms.samples import InterlockSample, Quality, TagBatch
from alarms.states import Event
from console.server.accounts import Accounts
from console.server.alarm_service import AlarmService
from console.server.broadcasts import BroadcastService
from console.server.field_operations import FieldOperations
from console.server.handover import HandoverService, lead_finder
from console.server.handover_commands import carry_out as carry_out_handover
from console.server.handover_gather import LiveState
from console.server.hazard_override import OverrideCheck
from console.server.incident_commands import carry_out as carry_out_incident
from console.server.incidents import IncidentService
from console.server.interlock_commands import carry_out as carry_out_interlock
from console.server.interlock_service import InterlockService
from console.server.journal_watch import JournalStatus, journal_status, saving_again
from console.server.permissions import Access
from console.server.session import (
    Acknowledge,
    ApprovePermit,
    Broadcast,
    Command,
    CommandResult,
    FieldCommand,
    HandoverCommand,
    IncidentCommand,
    InterlockCommand,
    IsolateZone,
    LogEntry,
    MarkFalseDetection,
    OperatorNote,
    RemoveFromService,
    ResetAlarm,
    ReturnToService,
    Shelve,
    SignedCommand,
    SignHandover,
    SuspendPermits,
    Topic,
    Unshelve,
    alarm_severity,
)
from console.server.signatures import SignedBy, approval_meaning, closing_meaning, handover_meaning
from console.server.trend_buffer import TrendBuffer
from console.server.vision_marks import DETECTION_KIND, VisionMarks
from console.server.zone_isolation import utc_text
from integrations.device_time import describe_offset
from integrations.source import ConnectionState, SourceStatus
from integrations.storage import AuditEntry, JournalEntry, StoreWriter
from plant_maps.alarm_zones import Hazard
from plant_maps.limits import LimitArrays
from plant_maps.muster import MissingWorker
from plant_maps.replay_frame import ReplayFrame
from plant_maps.shifts import ShiftPattern
from plant_maps.site import Site
from plant_maps.state import TagTable, WorkerTable
from plant_maps.trend_tags import history_tags, vitals_batch
from plant_maps.wearables import PositionBatch, SeenEvents, VisionDetection, Vitals, WearableEvent

log = logging.getLogger(__name__)

EVENT_MEMORY = 10_000  # wearable event ids remembered to recognise a repeated delivery
AUDIT_TIMEOUT_S = 10.0
_TARGET_FIELDS = (
    "alarm_id",
    "from_alarm",
    "permit_id",
    "zone",
    "worker_id",
    "interlock_id",
    "handover_id",
    "flag_id",
    "incident_id",
    "detection",
)
_SECRET_FIELDS = ("actor", "password", "signature")  # never in the audit trail (the actor has its own column;
# a signature's password is never written anywhere)


_SEVERITY_OF_STATE = {
    ConnectionState.CONNECTED: "info",
    ConnectionState.CONNECTING: "info",
    ConnectionState.RECONNECTING: "error",
    ConnectionState.DISCONNECTED: "warning",
}
_EVENT_TEXT = {
    "sos": "SOS pressed",
    "fall": "fall detected (man-down)",
    "no_motion": "no motion detected (man-down)",
    "sos_cancel": "SOS cancelled by the wearer",
}


class Core:
    """Site state plus the reactions to every source event; see the module docstring for threading."""

    LOG_CAPACITY = 10_000

    def __init__(
        self,
        site: Site,
        clock: Clock,
        writer: StoreWriter,
        console_name: str,
        privileged: bool = False,
        *,
        first_connect_s: float = 10.0,
        clock_alarms: bool = True,
        access: Access | None = None,
        accounts: Accounts | None = None,
        shifts: ShiftPattern | None = None,
        handover_folder: Path | None = None,
    ) -> None:
        self.site, self.clock, self.writer, self.console_name = site, clock, writer, console_name
        self.privileged = privileged  # this console may take alarms out of service
        self.first_connect_s = first_connect_s  # a source not connected by then raises its alarm
        self.clock_alarms = clock_alarms  # a wearable with a wrong clock raises its tier-3 alarm
        self.access = access or Access(demo=True)  # who may do what (permissions.py)
        self.accounts = accounts  # checks electronic signatures' passwords (None: only DEMO signs)
        self._first_connect_due: dict[str, float] = {}
        self.tags = TagTable(len(site.sensors))
        # the last hours of every tag and vital (plant_maps.trend_tags) for trends: coarse for all, full-rate
        # for the tags a trend shows (`trends.watch`)
        self.trends = TrendBuffer(len(history_tags(site)))
        self.workers = WorkerTable(site)
        self.limits = LimitArrays(site)
        self.statuses: dict[str, SourceStatus] = {}
        self.journal = JournalStatus(writer.store.place)  # is the store saving? (status bar, STORE.COMM)
        self._journal_saving: bool | None = None  # as last told to the alarms (None: not yet)
        self.log: deque[LogEntry] = deque(maxlen=self.LOG_CAPACITY)
        self._seq = 0
        self._subscribers: dict[Topic, list[Callable[[Any], None]]] = {t: [] for t in Topic}
        self.alarms = AlarmService(
            site, clock, writer, self._alarms_committed, self.add_log, readings=self.tags
        )
        self.field = FieldOperations(
            site,
            clock,
            writer,
            console_name,
            self.alarms,
            self.tags,
            self.workers,
            self._publish,
            self.add_log,
        )
        self.permits, self.responses, self.muster = (
            self.field.permits,
            self.field.responses,
            self.field.muster,
        )
        self.broadcasts = BroadcastService(
            site, clock, writer, console_name, self.workers, self.alarms, self._publish, self.add_log
        )
        self.interlocks = InterlockService(
            site,
            clock,
            writer,
            console_name,
            self.alarms,
            self.access,
            lambda ids: self._publish(Topic.INTERLOCKS, ids),
            self.add_log,
            accounts.verify if accounts is not None else None,
        )
        self.overrides = OverrideCheck(
            site, self.alarms, self.interlocks, self.permits, self.access, self.accounts
        )
        self.vision = VisionMarks(site, clock, writer, console_name, self.add_log)
        self.handovers = HandoverService(
            site,
            clock,
            writer,
            console_name,
            self._live_state,
            shifts=shifts or ShiftPattern(),
            folder=handover_folder,
            find_lead=lead_finder(accounts.users.get if accounts is not None else None, self.access.demo),
            on_changed=lambda ids: self._publish(Topic.HANDOVERS, ids),
        )
        self.incidents = IncidentService(
            site,
            clock,
            writer,
            console_name,
            self.alarms,
            lambda ids: self._publish(Topic.INCIDENTS, ids),
        )
        self._seen_events = SeenEvents(EVENT_MEMORY)
        self.ticks = 0  # how often time has acted (tests wait on it)

    # -- session side -------------------------------------------------------------------------------

    def muster_missing(self) -> list[MissingWorker]:
        return self.field.muster_missing()

    def _live_state(self) -> LiveState:
        """What a handover freezes of the core's state (cheap copies, on the loop thread)."""
        return LiveState(
            tuple(self.alarms.views()),
            self.permits.statuses(),
            tuple(self.responses.open.values()),
            self.alarms.isolations.all(),
        )

    def subscribe(self, topic: Topic, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Call `callback(payload)` on the loop thread after each change of `topic`; returns unsubscribe."""
        self._subscribers[topic].append(callback)
        return lambda: self._subscribers[topic].remove(callback)

    def _publish(self, topic: Topic, payload: Any) -> None:
        for callback in list(self._subscribers[topic]):
            try:
                callback(payload)
            except Exception:
                log.exception("subscriber of %s failed; the core carries on", topic.value)

    def add_log(self, severity: str, source: str, text: str, ts: float | None = None) -> LogEntry:
        self._seq += 1
        entry = LogEntry(self._seq, self.clock.now() if ts is None else ts, severity, source, text)
        self.log.append(entry)
        self._publish(Topic.LOG, [entry])
        return entry

    # -- Sink: called by sources on the loop thread ------------------------------------------------

    def on_tags(self, batch: TagBatch) -> None:
        changed = self.tags.apply(batch)
        self.writer.record_history(batch)
        self.trends.append(batch)
        self.alarms.on_tags(batch)
        self._publish(Topic.TAGS, changed)

    def on_stale(self, tag_index: list[int], reason: str = "") -> None:
        rows = np.asarray(tag_index, dtype=np.int32)
        self.tags.mark(rows, Quality.STALE)
        self._gap(rows, Quality.STALE)
        self.alarms.on_stale(rows, self.clock.now(), reason)
        self._publish(Topic.TAGS, rows)

    def on_tag_errors(self, errors: dict[int, str]) -> None:
        """Tags their server refuses: bad quality, each with its own alarm and event-log line saying why."""
        rows = np.fromiter(errors, dtype=np.int32, count=len(errors))
        self.tags.mark(rows, Quality.BAD)
        self._gap(rows, Quality.BAD)
        for row, why in errors.items():
            sensor = self.site.sensors[row]
            self.add_log("error", sensor.scheme, f"{sensor.name} ({sensor.id}) is not being read: {why}")
        self.alarms.on_tag_errors(errors, self.clock.now())
        self._publish(Topic.TAGS, rows)

    def _gap(self, rows: np.ndarray, quality: Quality) -> None:
        """Tags went stale or bad now: a sample without a number breaks their trend lines, in the trend
        buffer and in the stored history (which draws what a trend opened later shows of the past)."""
        now = self.clock.now()
        n = rows.size
        batch = TagBatch(
            rows, np.full(n, np.nan), np.full(n, int(quality), dtype=np.int8), np.full(n, now), now
        )
        self.writer.record_history(batch)
        self.trends.append(batch)

    def on_interlock_errors(self, errors: dict[str, str]) -> None:
        """Interlocks whose command or feedback node the server refuses: logged, each with its alarm."""
        for interlock_id, why in errors.items():
            self.add_log("error", "interlock", f"{interlock_id} cannot be supervised: {why}")
        self.alarms.on_interlock_errors(errors, self.clock.now())

    def on_device_clock(self, worker: str, offset_s: float | None) -> None:
        """A wearable's clock went wrong or right again: logged, and its tier-3 alarm if the site wants one."""
        w = self.site.workers[self.site.worker_index[worker]]
        if offset_s is None:
            text = f"{w.name} ({w.id}): wearable clock right again"
        else:
            text = (
                f"{w.name} ({w.id}): wearable clock wrong, {describe_offset(offset_s)}; timed by the console"
            )
        self.add_log("info" if offset_s is None else "warning", "wearable", text)
        if self.clock_alarms:
            self.alarms.on_device_clock(worker, offset_s, text)

    def add_source(self, status: SourceStatus) -> None:
        """A source starts now: shown at once, and alarmed if it has not connected `first_connect_s` later."""
        self.statuses[status.name] = status
        self._first_connect_due[status.name] = self.clock.now() + self.first_connect_s
        self._publish(Topic.CONNECTIONS, status)

    def _check_first_connects(self, now: float) -> None:
        """DESIGN: a source that never connects raises its communication alarm, saying why."""
        for name, due in list(self._first_connect_due.items()):
            status = self.statuses[name]
            if status.connected_once:
                del self._first_connect_due[name]
            elif now >= due:
                del self._first_connect_due[name]
                why = status.last_error or "no answer yet"
                reason = f"never connected in {self.first_connect_s:g} s: {why}"
                self.add_log("error", name, f"{reason} ({status.url})")
                rows = [i for i, s in enumerate(self.site.sensors) if s.scheme == status.scheme]
                if rows:
                    self.on_stale(rows, reason)
                self.alarms.on_link(status.scheme, True, reason, now)

    def _watch_journal(self, now: float) -> None:
        """DESIGN: a failing database hides nothing, not even itself. When the journal stops or starts saving
        again, STORE.COMM is raised or cleared (the first look also clears one restored from before a
        restart) and the event log says so."""
        was = self.journal
        self.journal = status = journal_status(was.place, self.writer.health(), now, was)
        if status.saving is self._journal_saving:
            return
        told = self._journal_saving is not None
        self._journal_saving = status.saving
        if status.saving:
            text = saving_again(was.since)
            if told:
                self.add_log("info", "journal", text)
        else:
            text = status.outage()
            self.add_log("error", "journal", f"{text}; kept, and written when the database answers")
        self.alarms.on_journal(status.saving, text)

    def restore_positions(self, frame: ReplayFrame) -> None:
        """After a restart: each worker where their last stored fix put them, if it is younger than the
        lost-signal time (an older one would raise "lost signal" for everyone before the bands are heard
        again); not stored a second time. The map and an incident's people are there at once."""
        lost_s = self.field.worker_rules.settings.lost_after_s
        rows = np.flatnonzero(np.isfinite(frame.worker_x) & (frame.ts - frame.fix_ts <= lost_s)).astype(
            np.int32
        )
        if rows.size:
            batch = PositionBatch(
                rows,
                frame.worker_x[rows],
                frame.worker_y[rows],
                frame.worker_floor[rows].astype(np.int16),
                np.full(rows.size, np.nan, dtype=np.float32),
                frame.fix_ts[rows],
            )
            self._publish(Topic.WORKERS, self.workers.apply_positions(batch))

    def on_positions(self, batch: PositionBatch) -> None:
        self.writer.record_positions(batch)  # decimated on the writer thread, for the map replay
        self._publish(Topic.WORKERS, self.workers.apply_positions(batch))

    def on_vitals(self, vitals: list[Vitals]) -> None:
        self.workers.apply_vitals(vitals)
        vital_samples = vitals_batch(self.site, vitals)  # history and trends, like a sensor's samples
        self.writer.record_history(vital_samples)
        self.trends.append(vital_samples)
        rows = np.array([self.site.worker_index[v.worker] for v in vitals], dtype=np.int32)
        self._publish(Topic.WORKERS, rows)

    def tick(self) -> None:
        """Let time act on the alarms, the permits, the worker rules and the muster (every TICK_S)."""
        self._check_first_connects(self.clock.now())
        self._watch_journal(self.clock.now())
        self.alarms.tick()
        self.field.tick()
        self.broadcasts.tick()
        self.interlocks.tick()
        self.ticks += 1

    def on_wearable_events(self, events: list[WearableEvent]) -> None:
        events = self._seen_events.new(events)  # QoS 1 delivers at least once: a repeat is the same event
        if not events:
            return
        for event in events:
            worker = self.site.workers[self.site.worker_index[event.worker]]
            severity = "info" if event.type == "sos_cancel" else alarm_severity(int(Tier.LIFE))
            text = f"{worker.name} ({worker.id}): {_EVENT_TEXT[event.type]}"
            self.add_log(severity, "wearable", text, event.ts)
        zones = self._wearer_zones(events)
        self._journal(
            [
                JournalEntry(
                    e.ts,
                    "wearable_event",
                    e.worker,
                    "",
                    self.console_name,
                    {
                        "id": e.id,
                        "type": e.type,
                        "device_ts": _json_time(e.device_ts),
                        "zone": zones.get(e.worker, ""),  # where the wearer was last seen (trends)
                    },
                )
                for e in events
            ]
        )
        self.alarms.on_wearable_events(events, zones)

    def _wearer_zones(self, events: list[WearableEvent]) -> dict[str, str]:
        """The zone of each wearer's last fix, however old (the best place known to send help to)."""
        zones = {}
        for e in events:
            zone = int(self.workers.zone[self.site.worker_index[e.worker]])
            if zone >= 0:
                zones[e.worker] = self.site.zones[zone].id
        return zones

    def on_detections(self, detections: list[VisionDetection]) -> None:
        for d in detections:
            zone = self.site.zone_name(d.zone)
            self.add_log("warning", f"vision {d.camera}", f"{d.cls} in {zone} ({d.confidence:.0%})", d.ts)
        self._journal(
            [
                JournalEntry(
                    d.ts,
                    DETECTION_KIND,
                    d.camera,
                    "",
                    self.console_name,
                    {
                        "id": d.id,
                        "class": d.cls,
                        "confidence": d.confidence,
                        "zone": d.zone,
                        "device_ts": _json_time(d.device_ts),
                    },
                )
                for d in detections
            ]
        )
        self.vision.seen(detections)
        self.alarms.on_detections(detections)

    def on_interlocks(self, samples: list[InterlockSample]) -> None:
        """Interlock command and feedback values go to the alarm service; a changed command is logged."""
        for s in self.alarms.on_interlocks(samples):
            state = "ON" if s.command else "OFF"
            self.add_log(
                "warning" if s.command else "info", "interlock", f"{s.interlock_id} commanded {state}", s.ts
            )
        self.interlocks.on_samples(samples)

    def on_status(self, status: SourceStatus, message: str) -> None:
        self.statuses[status.name] = status
        if status.state is ConnectionState.CONNECTED:
            self.alarms.on_link(status.scheme, False, "", self.clock.now())
        elif status.connected_once and status.state is not ConnectionState.CONNECTING:
            self.alarms.on_link(status.scheme, True, message, self.clock.now())
        self.add_log(_SEVERITY_OF_STATE[status.state], status.name, message)
        self._journal(
            [
                JournalEntry(
                    self.clock.now(),
                    "connection",
                    status.name,
                    "",
                    self.console_name,
                    {"state": status.state.value, "message": message, "url": status.url},
                )
            ]
        )
        self._publish(Topic.CONNECTIONS, status)

    async def command(self, command: Command) -> CommandResult:
        """Carry out an operator command if the actor's roles allow it (and, for a signed command, the
        signer's password is right); it is committed to the journal before it is reported done, and
        audited: in the same transaction as its first journal write, or on its own when it wrote nothing
        (a refusal, with the reason). A signed command's entry carries the signature, never the password;
        one that overrides live tier-1 alarms (`hazard_override`) carries them, done or refused. A refusal is
        also a line of the event log, saying why."""
        entry = _audit_entry(command, self.clock.now(), self.console_name)
        refusal = self.access.refusal(command)
        signed: SignedBy | None = None
        if not refusal and isinstance(command, SignedCommand):
            checked = await self._signature(command)
            refusal, signed = (checked, None) if isinstance(checked, str) else ("", checked)
        override = None if refusal else self.overrides.find(command)
        if override is not None:
            overridden = [h.record() for h in override.hazards]
            entry = dataclasses.replace(entry, new_value={**entry.new_value, "overrides": overridden})
            refusal = await self.overrides.refusal(override)
        if refusal:
            await self.audit([dataclasses.replace(entry, outcome="refused", reason=refusal)])
            self._log_refusal(entry, refusal)
            return CommandResult(False, refusal)
        if signed is not None:
            entry = dataclasses.replace(entry, new_value={**entry.new_value, "signature": signed.record()})
        hazards = override.hazards if override is not None else ()
        with self.writer.auditing(entry) as pending:
            result = await self._carry_out(command, signed, hazards)
        if isinstance(result, _NotSaved) and pending.attached:  # its audit row waits with its rows, no second
            return result
        if not pending.attached or not result.ok:  # nothing written with it, or refused after a first write
            outcome, reason = ("done", "") if result.ok else ("refused", result.message)
            await self.audit(
                [dataclasses.replace(entry, ts=self.clock.now(), outcome=outcome, reason=reason)]
            )
        if not result.ok:
            self._log_refusal(entry, result.message)
        return result

    def _log_refusal(self, entry: AuditEntry, why: str) -> None:
        """A command not carried out, in the event log: "resume permit PTW-CS-003 refused: <why>"."""
        what = " ".join(part for part in (entry.action.replace("_", " "), entry.target) if part)
        self.add_log("warning", entry.username, f"{what} refused: {why}")

    async def _signature(self, command: SignedCommand) -> SignedBy | str:
        """The checked signature of `command`, or why it is refused. DEMO signs without a password (the
        demo user has no account); the window says DEMO plainly."""
        signer = full_name = command.actor
        if isinstance(command, ApprovePermit):
            meaning = approval_meaning(command.role)
        elif isinstance(command, SignHandover):
            meaning, signer = handover_meaning(command.side), command.signer or command.actor
            refusal = self.handovers.signer_refusal(command.handover_id, command.side, signer)
            if refusal:
                return refusal
            full_name = self.handovers.handovers[command.handover_id].lead(command.side).full_name
        else:
            meaning = closing_meaning(command.alarm_id, command.resolution)
        if self.access.demo:
            return SignedBy(signer, full_name, meaning, self.clock.now())
        if command.signature is None or not command.signature.password:
            return f"{meaning} is an electronic signature: it needs the signer's password"
        if self.accounts is None:
            return "this console cannot check signatures"
        checked = await self.accounts.check_signature(signer, command.signature.password)
        if not checked.ok or checked.user is None:
            return f"signature refused: {checked.reason}"
        if isinstance(command, SignHandover) and "shift_lead" not in checked.user.roles:
            return f"{signer} may not sign a handover: it needs the role shift lead"
        return SignedBy(signer, checked.user.full_name, meaning, self.clock.now())

    async def audit(self, entries: list[AuditEntry]) -> bool:
        """Chain entries onto the audit trail and wait for the commit; False (and said in the event log)
        when the database did not confirm in time."""
        try:
            await asyncio.wait_for(asyncio.wrap_future(self.writer.audit(entries)), AUDIT_TIMEOUT_S)
        except Exception as exc:
            self.add_log("error", "audit", f"audit trail NOT saved ({entries[0].action}): {exc}")
            return False
        return True

    async def _carry_out(
        self, command: Command, signed: SignedBy | None, overrides: tuple[Hazard, ...]
    ) -> CommandResult:
        """`overrides`: the live tier-1 alarms the command overrides (the check let it, with its reason)."""
        console = self.console_name
        try:
            if isinstance(command, FieldCommand):
                return await self.field.command(command, signed, overrides)
            if isinstance(command, InterlockCommand):
                return await carry_out_interlock(self.interlocks, command, overrides)
            if isinstance(command, HandoverCommand):
                return await carry_out_handover(self.handovers, command, signed)
            if isinstance(command, IncidentCommand):
                return await carry_out_incident(self.incidents, command)
            match command:
                case OperatorNote():
                    return await self._note(command)
                case Acknowledge():
                    outcome = await self.alarms.acknowledge(
                        command.alarms, command.actor, console, command.comment
                    )
                case Shelve():
                    outcome = await self.alarms.shelve(
                        command.alarm_id, command.actor, console, command.reason, command.duration_s
                    )
                case Unshelve():
                    outcome = await self.alarms.unshelve(command.alarm_id, command.actor, console)
                case ResetAlarm():
                    outcome = await self.alarms.reset(command.alarm_id, command.actor, console)
                case IsolateZone():
                    return await self._isolate(command)
                case Broadcast():
                    return await self.broadcasts.send(command)
                case RemoveFromService(actor, alarm_id, reason):
                    outcome = await self.alarms.remove_from_service(
                        alarm_id, actor, console, reason, self.privileged
                    )
                case MarkFalseDetection(actor, detection, reason):
                    return CommandResult(*await self.vision.mark_false(actor, detection, reason))
                case ReturnToService(actor, alarm_id):
                    outcome = await self.alarms.return_to_service(alarm_id, actor, console, self.privileged)
                case _:
                    return CommandResult(False, f"unknown command {command!r}")
        except (
            Exception
        ) as exc:  # the journal did not confirm: the command is not done, and the operator knows
            why = str(exc) or (
                "the database did not confirm it in time" if isinstance(exc, TimeoutError) else repr(exc)
            )
            self.add_log("error", command.actor, f"{type(command).__name__} NOT saved: {why}")
            return _NotSaved(False, f"not saved: {why}")
        return _result(*outcome)

    async def _isolate(self, command: IsolateZone) -> CommandResult:
        """Start or end a zone's maintenance isolation; done once journaled, or refused saying why."""
        zone, actor = command.zone, command.actor
        if command.isolated:
            outcome = await self.alarms.isolate(
                zone, actor, self.console_name, command.reason, command.duration_s
            )
        else:
            outcome = await self.alarms.end_isolation(zone, actor, self.console_name)
        if isinstance(outcome, str):
            return CommandResult(False, f"isolation refused: {outcome}")
        name = self.site.zone(zone).name
        if command.isolated:
            return CommandResult(True, f"{name} isolated until {utc_text(outcome.until)}")
        return CommandResult(True, f"{name} back in service: its alarms are live again")

    async def _note(self, note: OperatorNote) -> CommandResult:
        text = note.text.strip()
        if not text:
            return CommandResult(False, "a note needs some text")
        entry = JournalEntry(
            self.clock.now(), "operator_note", "console", note.actor, self.console_name, {"text": text}
        )
        await asyncio.wait_for(asyncio.wrap_future(self.writer.journal([entry])), timeout=10.0)
        self.add_log("info", note.actor, f"note: {text}")
        return CommandResult(True, "note saved")

    def _alarms_committed(self, transitions: list[Transition]) -> None:
        """Journaled transitions: into the event log where they matter to a person, then to subscribers."""
        for t in transitions:
            text = _alarm_log_text(t)
            if text:
                severity = (
                    alarm_severity(int(t.tier)) if t.annunciate or t.event is Event.ESCALATE else "action"
                )
                self.add_log(severity, t.actor if t.actor != SYSTEM else "alarm", text, t.ts)
        self._publish(Topic.ALARMS, transitions)
        self.interlocks.on_alarms(transitions)

    def _journal(self, entries: list[JournalEntry]) -> None:
        if entries:
            self.writer.journal(entries)


@dataclasses.dataclass(frozen=True, slots=True)
class _NotSaved(CommandResult):
    """A command the database did not confirm in time: its rows (with its audit row, when that rode them) stay
    queued in the store writer and are written if the database answers again."""


def _audit_entry(command: Command, now: float, console: str) -> AuditEntry:
    """What the audit trail says about a command: its name, what it acts on and what it asks for."""
    fields = {
        f.name: getattr(command, f.name) for f in dataclasses.fields(command) if f.name not in _SECRET_FIELDS
    }
    target = next((str(fields[f]) for f in _TARGET_FIELDS if fields.get(f)), "")  # the first one given
    if isinstance(command, Acknowledge):
        target = " ".join(alarm_id for alarm_id, _ in command.alarms)
    elif isinstance(command, Broadcast):
        target = " ".join(command.zones) or "all PA zones"
    elif isinstance(command, SuspendPermits):
        target = " ".join(command.permits)
    try:
        asked = json.loads(json.dumps(fields, default=lambda v: getattr(v, "value", str(v)), allow_nan=False))
    except ValueError:  # e.g. a NaN reading: recorded as typed, and the command refuses it itself
        asked = {k: repr(v) for k, v in fields.items()}
    return AuditEntry(now, command.actor, console, _snake(type(command).__name__), target, new_value=asked)


def _snake(name: str) -> str:
    """'RemoveFromService' -> 'remove_from_service'."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _json_time(ts: float) -> float | None:
    """A device time for a JSON payload: kept as sent (epoch seconds), null when there is none."""
    return ts if math.isfinite(ts) else None


def _alarm_log_text(t: Transition) -> str:
    """The event-log line of a transition an operator should see on the timeline ("" for the rest)."""
    if t.event is Event.ESCALATE:
        return f"ESCALATED to the shift lead: T{t.tier} {t.alarm_id} {t.comment}"
    if t.annunciate:
        return f"T{t.tier} {t.alarm_id}: {t.message}" + (" (first out)" if t.first_out else "")
    if t.actor != SYSTEM:
        done = {
            Event.ACKNOWLEDGE: "acknowledged",
            Event.SHELVE: "shelved",
            Event.UNSHELVE_MANUAL: "unshelved",
        }
        verb = done.get(t.event, t.event.value.replace("_", " "))
        reason = f" ({t.comment})" if t.comment else ""
        return f"{verb} {t.alarm_id}{reason}"
    return ""


def _result(done: list[Transition], refused: list[Refusal]) -> CommandResult:
    """One line for the operator: what was done, and why anything was not."""
    parts = []
    if done:
        verb = done[0].event.value.replace("_", " ")
        parts.append(f"{verb}: {', '.join(t.alarm_id for t in done)}")
    parts += [f"{r.alarm_id} refused: {r.reason}" for r in refused]
    return CommandResult(not refused, "; ".join(parts) or "nothing to do")
