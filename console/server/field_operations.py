"""Work in the field, in the core: permits, worker rules, wearable responses and mustering.

Runs on the core's asyncio loop thread. `tick()` (every TICK_S, from the application) applies the rules that
depend on where people are and on time: worker rules raise and clear worker alarms, permits expire and are
suspended automatically, the muster counts who reached a muster point. Operators' commands for permits,
wearable responses and mustering arrive in `command()`; each is journaled before it is reported done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from alarms.clock import Clock
from alarms.definitions import Tier
from alarms.records import SYSTEM, AlarmView, Transition
from alarms.states import ACTIVE, State
from console.server.alarm_service import AlarmService
from console.server.hazard_words import override_words
from console.server.permit_service import PermitService, RecordedGasTest
from console.server.session import (
    AccountForWorker,
    ActivatePermit,
    ApprovePermit,
    AssignResponder,
    CheckInGuardian,
    ClosePermit,
    CommandResult,
    FieldCommand,
    RecordGasTest,
    ResolveWearableAlarm,
    ResponderOnScene,
    ResumePermit,
    StartMuster,
    StopMuster,
    SubmitPermit,
    SuspendPermit,
    SuspendPermits,
    Topic,
)
from console.server.signatures import SignedBy
from console.server.wearable_response import WearableResponses
from integrations.storage import JournalEntry, StoreWriter
from plant_maps.alarm_rules import wearable_worker
from plant_maps.alarm_zones import Hazard, tier1_zones
from plant_maps.certificates import expiry_warnings, site_day
from plant_maps.gas_tests import readings_text
from plant_maps.muster import MissingWorker, Muster
from plant_maps.permit_lifecycle import TERMINAL, PermitChange, PermitRefusal
from plant_maps.replay_frame import ReplayAlarm
from plant_maps.site import Site
from plant_maps.state import TagTable, WorkerTable
from plant_maps.wearables import NOTES_MAX_CHARS, RESPONDER_MAX_CHARS, Resolution, Step
from plant_maps.worker_rule_kinds import WorkerRule, worker_rule_alarm
from plant_maps.worker_rules import WorkerRules

MUSTER_JOURNAL = "muster"
COMMIT_TIMEOUT_S = 10.0
_WEARABLE_ALERTS = {".SOS": "SOS", ".FALL": "MAN DOWN", ".NO_MOTION": "MAN DOWN"}


def worker_alarm_marks(views: Iterable[AlarmView | ReplayAlarm]) -> dict[str, tuple[Tier, WorkerRule]]:
    """Workers with an active worker rule's alarm (in a permit zone without a permit, in a gas zone...) and
    the most severe of them: the map marks each such worker in that alarm's look, with its id and the rule."""
    out: dict[str, tuple[Tier, WorkerRule]] = {}
    for v in views:
        found = worker_rule_alarm(v.id) if v.state in ACTIVE else None
        if found is not None and (found[0] not in out or v.tier < out[found[0]][0]):
            out[found[0]] = (v.tier, found[1])
    return out


def wearable_alerts(views: Iterable[AlarmView | ReplayAlarm]) -> dict[str, str]:
    """Workers with an SOS or man-down alarm not yet resolved, and which (the map pulses them); live, or as a
    replayed moment had them."""
    out = {}
    for v in views:
        suffix = v.id[v.id.rfind(".") :]
        if suffix in _WEARABLE_ALERTS:
            out[v.source] = _WEARABLE_ALERTS[suffix]
    return out


class FieldOperations:
    """Permits, worker rules, responses and the muster of one site, wired to the alarms and the journal."""

    def __init__(
        self,
        site: Site,
        clock: Clock,
        writer: StoreWriter,
        console: str,
        alarms: AlarmService,
        tags: TagTable,
        workers: WorkerTable,
        publish: Callable[[Topic, Any], None],
        log: Callable[[str, str, str], object],
    ) -> None:
        self.site, self.clock, self.console = site, clock, console
        self._alarms, self._tags, self._workers = alarms, tags, workers
        self._publish, self._log = publish, log
        self._writer = writer
        self.permits = PermitService(site, clock, writer, console, self._permits_committed)
        self.worker_rules = WorkerRules(site)
        self.responses = WearableResponses(clock, writer, console)
        self.muster = Muster(site)
        self._gas_sensors = frozenset(s.id for s in site.sensors if s.is_gas)
        # occurrences of tier-1 alarms a resume or start overrode (with a reason): they no longer suspend
        # permits (a new alarm, or a new occurrence of the same one, does); kept in memory while they last
        self._overridden: set[tuple[str, float | None]] = set()

    def restore(self, entries: list[JournalEntry]) -> None:
        """Permits and open responses as the journal last recorded them (after a restart)."""
        moved = self.permits.restore(entries)
        self.responses.restore(entries)
        for e in entries:
            if e.kind == MUSTER_JOURNAL:
                self._apply_muster(str(e.payload["event"]), e.source, e.actor, e.ts)
        if moved:
            self._log("info", "permit", f"restored the state of {moved} permits from the journal")
        self._warn_certificates()

    def _warn_certificates(self) -> None:
        """DOMAIN.md: warn 90 and 30 days before a certificate expires (told once per console start)."""
        today = site_day(self.clock.now())
        for w in expiry_warnings(self.site.workers, today):
            days = f"expires in {w.days_left} days" if w.days_left > 0 else "has EXPIRED"
            severity = "warning" if w.days_left <= 30 else "info"
            self._log(severity, "certificates", f"{w.name} ({w.worker}): {w.certificate.type} {days}")

    def tick(self) -> None:
        views = self._alarms.views()
        gas_zones = tier1_zones(views, self._gas_sensors)
        findings = self.worker_rules.evaluate(
            self.clock.now(), self._workers, self.permits.book.with_states(), gas_zones
        )
        if findings:
            self._alarms.on_worker_findings(findings)
            for f in findings:
                if f.active:
                    self._log("warning", "worker", f"{self._name(f.worker)}: {f.detail}")
        live = {(v.id, v.active_ts) for v in views if v.active}
        self._overridden &= live
        admitted = [v for v in views if (v.id, v.active_ts) not in self._overridden]
        self.permits.evaluate(self._workers, self._tags, tier1_zones(admitted, wearers=self._workers))
        if self.muster.active:
            counted = self.muster.update(self._workers)
            if counted:
                self._publish(Topic.MUSTER, counted)

    async def command(
        self, command: FieldCommand, signed: SignedBy | None = None, overrides: tuple[Hazard, ...] = ()
    ) -> CommandResult:
        """Carry out a field command; `signed` is the core's checked signature of a signed command,
        `overrides` the live tier-1 alarms a resume or start overrides (the core's check let it)."""
        match command:
            case SuspendPermit(actor, permit_id, reason):
                return _permit_result(await self.permits.suspend(permit_id, actor, reason))
            case SuspendPermits(actor, permit_ids, reason):
                return _suspended(*await self.permits.suspend_all(permit_ids, actor, reason))
            case ResumePermit(actor, permit_id, reason):
                why = override_words(overrides, reason.strip())
                return self._admitted(await self.permits.resume(permit_id, actor, why), overrides)
            case ClosePermit(actor, permit_id, reason):
                return _permit_result(await self.permits.close(permit_id, actor, reason))
            case SubmitPermit(actor, permit_id):
                return _permit_result(await self.permits.submit(permit_id, actor))
            case ApprovePermit(actor, permit_id, role):
                return _permit_result(await self.permits.approve(permit_id, actor, role, signed))
            case ActivatePermit(actor, permit_id, reason):
                why = override_words(overrides, reason.strip())
                return self._admitted(await self.permits.activate(permit_id, actor, why), overrides)
            case RecordGasTest(actor, permit_id, readings, tester):
                recorded = await self.permits.record_gas_test(
                    permit_id, actor, dict(readings), tester, lambda r: self._gas_alarm(permit_id, r)
                )
                if isinstance(recorded, PermitRefusal):
                    return CommandResult(False, f"permit {permit_id}: {recorded.reason}")
                return self._gas_tested(permit_id, actor, recorded)
            case CheckInGuardian(actor, permit_id):
                outcome = await self.permits.check_in_guardian(permit_id, actor, self._workers)
                if isinstance(outcome, PermitRefusal):
                    return CommandResult(False, f"permit {permit_id}: {outcome.reason}")
                text = (
                    f"guardian {self._name(outcome.worker)} checked in at {permit_id}, "
                    f"{outcome.distance_m:.0f} m from {self._zone_name(permit_id)}"
                )
                self._log("action", actor, text)
                return CommandResult(True, text)
            case AssignResponder(actor, alarm_id, responder):
                return await self._respond(alarm_id, Step.ASSIGNED, actor, responder=responder)
            case ResponderOnScene(actor, alarm_id):
                return await self._respond(alarm_id, Step.ON_SCENE, actor)
            case ResolveWearableAlarm(actor, alarm_id, notes, resolution):
                return await self._resolve(alarm_id, actor, notes, resolution, signed)
            case StartMuster(actor):
                return await self._muster(actor, "start")
            case StopMuster(actor):
                if not self.muster.active:
                    return CommandResult(False, "no muster in progress")
                return await self._muster(actor, "stop")
            case AccountForWorker(actor, worker_id, reason):
                if worker_id not in self.site.worker_index:
                    return CommandResult(False, f"unknown worker {worker_id!r}")
                if not self.muster.active:
                    return CommandResult(False, "no muster in progress")
                if not _plain(reason):
                    return CommandResult(
                        False, "accounting for a worker by hand needs a reason: who saw them, and where"
                    )
                return await self._muster(actor, "account", worker_id, _plain(reason))

    def _admitted(
        self, outcome: PermitChange | PermitRefusal, overrides: tuple[Hazard, ...]
    ) -> CommandResult:
        """Work resumed or started over live tier-1 alarms: those occurrences no longer suspend permits."""
        if isinstance(outcome, PermitChange):
            self._overridden |= {h.occurrence for h in overrides}
        return _permit_result(outcome)

    async def _respond(self, alarm_id: str, step: Step, actor: str, responder: str = "") -> CommandResult:
        refusal = self._response_refusal(alarm_id, step)
        who = ("", "")
        if refusal is None and step is Step.ASSIGNED:
            who, refusal = self._responder(responder)
        if refusal is not None:
            return CommandResult(False, refusal)
        targets = self._one_event(alarm_id, step)
        await self.responses.record(targets, step, actor, responder=who)
        text = f"responder {who[1]} assigned" if step is Step.ASSIGNED else "responder on scene"
        self._log("action", actor, f"{', '.join(targets)}: {text}")
        self._publish(Topic.RESPONSES, targets)
        return CommandResult(True, f"{', '.join(targets)}: {text}")

    async def _resolve(
        self, alarm_id: str, actor: str, notes: str, resolution: str, signed: SignedBy | None
    ) -> CommandResult:
        notes = _plain(notes, keep_lines=True)
        if not notes:
            return CommandResult(False, "a resolution needs notes: what was found, what was done")
        if len(notes) > NOTES_MAX_CHARS:
            return CommandResult(False, f"the notes are {len(notes)} characters; at most {NOTES_MAX_CHARS}")
        if resolution not in {r.value for r in Resolution}:
            return CommandResult(False, "say whether it was an actual incident or a false alarm")
        refusal = self._response_refusal(alarm_id, Step.RESOLVED)
        if refusal:
            return CommandResult(False, refusal)
        found = Resolution(resolution)
        signature = f"; {signed.text()}" if signed is not None else ""
        comment = f"{found.words}: {notes}{signature}"
        done: list[Transition] = []
        resolved: list[str] = []
        for target in self._one_event(alarm_id, Step.RESOLVED):
            cleared, refused = await self._alarms.resolve(target, actor, self.console, comment)
            if refused:  # only the alarm asked for can be refused: the others were checked alike
                return CommandResult(False, "; ".join(f"{r.alarm_id}: {r.reason}" for r in refused))
            done += cleared
            resolved.append(target)
        await self.responses.record(
            resolved, Step.RESOLVED, actor, notes=notes, resolution=found, signed=signed
        )
        self._publish(Topic.RESPONSES, resolved)
        return CommandResult(
            True, f"{', '.join(resolved)} resolved ({found.words}): {_states(done)}{signature}"
        )

    def _response_refusal(self, alarm_id: str, step: Step) -> str | None:
        """Why `step` of the response to `alarm_id` cannot be taken now, or None."""
        worker = wearable_worker(alarm_id)
        if worker is None or worker not in self.site.worker_index:
            return f"{alarm_id} is not a wearable SOS or man-down alarm"
        view = self._alarms.engine.view(alarm_id)
        if view.state is State.NORMAL:
            return f"{alarm_id} is not raised"
        if not view.acked:
            return f"acknowledge {alarm_id} first"
        refusal = self.responses.refusal(alarm_id, step)
        return f"{alarm_id}: {refusal}" if refusal else None

    def _responder(self, typed: str) -> tuple[tuple[str, str], str | None]:
        """(worker id or typed name, as it reads) of a responder, or the reason it is refused."""
        text = _plain(typed)
        if not text:
            return ("", ""), "name the responder: a site worker or a typed name"
        if len(text) > RESPONDER_MAX_CHARS:
            return ("", ""), f"a responder's name is at most {RESPONDER_MAX_CHARS} characters"
        return (text, self._name(text) if text in self.site.worker_index else text), None

    def _one_event(self, alarm_id: str, step: Step) -> list[str]:
        """`alarm_id` and the wearer's other acknowledged SOS / man-down alarms ready for the same step: a fall
        then no motion, or an SOS and a man-down, of one person are one event with one responder."""
        worker = wearable_worker(alarm_id)
        related = [
            v.id
            for v in self._alarms.views()
            if v.id != alarm_id
            and wearable_worker(v.id) == worker
            and v.acked
            and v.state is not State.NORMAL
            and self.responses.refusal(v.id, step) is None
        ]
        return [alarm_id, *related]

    async def _muster(self, actor: str, event: str, worker: str = "", reason: str = "") -> CommandResult:
        """Journal a muster event, then apply it: a muster in progress survives a restart. The end of one
        is journaled with who was still missing then."""
        now = self.clock.now()
        payload: dict[str, Any] = {"event": event}
        if event == "stop":
            payload["missing"] = [m.worker for m in self.muster_missing()]
        if reason:
            payload["reason"] = reason
        entry = JournalEntry(now, MUSTER_JOURNAL, worker or "site", actor, self.console, payload)
        await asyncio.wait_for(asyncio.wrap_future(self._writer.journal([entry])), COMMIT_TIMEOUT_S)
        self._apply_muster(event, worker, actor, now)
        text = {
            "start": "mustering started: count at the muster points",
            "stop": self._ended_text(payload.get("missing", [])),
            "account": f"{self._name(worker)} accounted for by head count: {reason}",
        }[event]
        self._log("action", actor, text)
        self._publish(Topic.MUSTER, [])
        return CommandResult(True, text)

    def _apply_muster(self, event: str, worker: str, actor: str, ts: float) -> None:
        if event == "start":
            self.muster.start(ts)
        elif event == "stop":
            self.muster.stop()
        else:
            self.muster.account(worker, actor, ts)

    def muster_missing(self) -> list[MissingWorker]:
        """The missing, most urgent first: in SOS or man-down, then last seen in a zone with a tier-1 alarm
        (the danger zone), then the rest; none while no muster runs."""
        if not self.muster.active:
            return []
        views = self._alarms.views()
        danger = tier1_zones(views, wearers=self._workers)
        return self.muster.missing(self.clock.now(), self._workers, wearable_alerts(views), danger)

    def _gas_alarm(self, permit_id: str, recorded: RecordedGasTest) -> None:
        """As soon as a test is judged, whatever the database then does: a failed one that stopped running
        work raises the permit's tier-1 alarm naming the readings and their limits, a passing one returns it."""
        if recorded.verdict.passed:
            self._alarms.on_gas_test(permit_id, None)
        elif recorded.suspension is not None:
            self._alarms.on_gas_test(permit_id, "; ".join(recorded.verdict.failures))

    def _gas_tested(self, permit_id: str, actor: str, recorded: RecordedGasTest) -> CommandResult:
        """A journaled gas test in the event log, and the command's outcome."""
        verdict, stopped = recorded.verdict, recorded.suspension
        tester = verdict.test.tester
        if verdict.passed:
            text = (
                f"gas test for {permit_id} passed (tester {tester}): {readings_text(verdict.test.readings)}"
            )
            self._log("action", actor, text)
            return CommandResult(True, text)
        failures = "; ".join(verdict.failures)
        then = f"; {permit_id} SUSPENDED: the work stops" if stopped is not None else ""
        text = f"gas test for {permit_id} FAILED (tester {tester}): {failures}{then}"
        self._log("warning", actor, text)
        return CommandResult(True, text)

    def _permits_committed(self, changes: list[PermitChange]) -> None:
        for c in changes:
            if c.to_state in TERMINAL:  # its work is over: a failed test there no longer stands
                self._alarms.on_gas_test(c.permit, None)
            reason = f": {c.reason}" if c.reason else ""
            severity = (
                "warning"
                if c.to_state.value in ("suspended", "expired")
                else "info"
                if c.actor == SYSTEM
                else "action"
            )
            self._log(
                severity, c.actor, f"permit {c.permit} {c.from_state.value} → {c.to_state.value}{reason}"
            )
        self._publish(Topic.PERMITS, changes)

    def _ended_text(self, missing: list[str]) -> str:
        if not missing:
            return "mustering ended: everyone accounted for"
        return f"mustering ended with {len(missing)} still missing: {', '.join(map(self._name, missing))}"

    def _zone_name(self, permit_id: str) -> str:
        zone = self.permits.status(permit_id).permit.zone
        return self.site.zone(zone).name

    def _name(self, worker_id: str) -> str:
        row = self.site.worker_index.get(worker_id)
        return worker_id if row is None else f"{self.site.workers[row].name} ({worker_id})"


def _suspended(changes: list[PermitChange], refused: list[PermitRefusal]) -> CommandResult:
    """Several permits suspended at once: which stopped, and which not and why."""
    if not changes and not refused:
        return CommandResult(False, "no permit to suspend")
    stopped = f"suspended {', '.join(c.permit for c in changes)}" if changes else "nothing suspended"
    why = "; ".join(f"{r.permit}: {r.reason}" for r in refused)
    return CommandResult(bool(changes), f"{stopped}; not suspended: {why}" if why else stopped)


def _permit_result(outcome: PermitChange | PermitRefusal) -> CommandResult:
    if isinstance(outcome, PermitRefusal):
        return CommandResult(False, f"permit {outcome.permit}: {outcome.reason}")
    return CommandResult(True, f"permit {outcome.permit} {outcome.to_state.value}")


def _plain(typed: str, keep_lines: bool = False) -> str:
    """Typed text as plain text: control characters become spaces (line breaks kept in notes), no ends."""
    lines = typed.splitlines() if keep_lines else [typed]
    clean = (" ".join("".join(c if c.isprintable() else " " for c in line).split()) for line in lines)
    return "\n".join(clean).strip()


def _states(transitions: list[Transition]) -> str:
    return ", ".join(t.to_state.value for t in transitions) or "no change"
