"""The scripted operator of a played shift: acts through the core's commands, as the window would, in shift time.

What any operator does (`ScriptedOperator.act`, every step of the shift): acknowledge what comes in after a
human delay (drawn per tier from a seeded log-normal: tier 1 ~15 s, tier 2 ~25 s, tier 3 ~40 s, median), shelve
a chattering alarm once it is flagged, carry an SOS through acknowledge, assign, on scene and resolved, and
mark false the camera detections that were a shadow. What this shift's people planned (`PLAN`: permits
opened, resumed and closed, notes in the shift log) at fixed shift times. Every command must be carried out:
a refusal stops the run with the core's reason (`ShiftRefused`), so a plant or rule change that breaks the
shift is seen, never hidden.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from alarms.definitions import Tier
from alarms.records import AlarmView
from alarms.states import State
from console.server.core import Core
from console.server.session import (
    Acknowledge,
    ActivatePermit,
    ApprovePermit,
    AssignResponder,
    CheckInGuardian,
    ClosePermit,
    Command,
    MarkFalseDetection,
    OperatorNote,
    RecordGasTest,
    ResolveWearableAlarm,
    ResponderOnScene,
    ResumePermit,
    Shelve,
    SubmitPermit,
)
from integrations.simulator.shift import MIN, H, ShiftPlant
from plant_maps.alarm_rules import wearable_worker
from plant_maps.permit_lifecycle import LIVE
from plant_maps.wearables import Resolution

OPERATOR = "chen.hui"  # the board operator of the shift
LEAD = "zhao.lan"  # the shift lead: approvals, the shift log
# Median seconds to acknowledge, per tier, and the spread of the log-normal around it: a practised board
# operator (monitoring centres acknowledge 99 % of wearable alerts within 60 s; the seeds' target is a first
# response within 90 s), with now and then a slow one (p90 about twice the median).
ACK_MEDIAN_S = {Tier.LIFE: 15.0, Tier.HIGH: 25.0, Tier.LOW: 40.0}
ACK_SIGMA = 0.5
SHELVE_AFTER_S = 10.0  # from the chattering flag to the shelve
CHATTER_SHELVE_S = 2 * H
SOS_STEPS_S = (40.0, 4 * MIN, 12 * MIN)  # after the acknowledgement: assigned, on scene, resolved
FALSE_MARK_AFTER_S = 2 * MIN  # the operator looks at the camera, then marks the shadow
SOS_RESPONDER = "W10"
GAS_READINGS = (("lel", 0.0),)


class ShiftRefused(RuntimeError):
    """The core refused a command of the shift's script (the message says which and why)."""


@dataclass(frozen=True, slots=True)
class Planned:
    """A planned act at `at` shift seconds: the commands it gives, built from the core's state then."""

    at: float
    commands: Callable[[Core], list[Command]]


def _approvals(permit_id: str) -> Callable[[Core], list[Command]]:
    """Submit a draft and sign every step of its route, each by its first role (the lead signs in DEMO)."""

    def build(core: Core) -> list[Command]:
        route = core.permits.book.status(permit_id).route
        signs: list[Command] = [ApprovePermit(LEAD, permit_id, sorted(step.roles)[0]) for step in route]
        return [SubmitPermit(OPERATOR, permit_id), *signs]

    return build


def _start(permit_id: str, resume: bool = False, gas: bool = False) -> Callable[[Core], list[Command]]:
    """Gas test (where the permit needs one), the guardian's check-in, then start or restart the work."""

    def build(core: Core) -> list[Command]:
        test: list[Command] = [RecordGasTest(OPERATOR, permit_id, GAS_READINGS, "W21")] if gas else []
        go = ResumePermit(OPERATOR, permit_id) if resume else ActivatePermit(OPERATOR, permit_id)
        return [*test, CheckInGuardian(OPERATOR, permit_id), go]

    return build


def _close(permit_id: str, reason: str) -> Callable[[Core], list[Command]]:
    return lambda core: [ClosePermit(OPERATOR, permit_id, reason)]


def _note(text: str) -> Callable[[Core], list[Command]]:
    return lambda core: [OperatorNote(LEAD, text)]


PLAN: tuple[Planned, ...] = (
    Planned(
        10 * MIN, _note("Shift taken over: 7 permits live, K-302 discharge blind planned, T-104 to fill")
    ),
    Planned(30 * MIN, _start("PTW-LB-002")),
    Planned(55 * MIN, _approvals("PTW-HW-009")),
    Planned(1 * H + 15 * MIN, _start("PTW-HW-009", gas=True)),
    Planned(2 * H + 35 * MIN, _note("K-301 suction leak isolated by the field operator; cloud gone")),
    Planned(2 * H + 40 * MIN, _close("PTW-HW-001", "work stopped after the K-301 leak; re-issued tomorrow")),
    Planned(2 * H + 45 * MIN, _start("PTW-LB-002", resume=True)),
    Planned(3 * H, _close("PTW-LF-005", "pump skid set down")),
    Planned(3 * H, _close("PTW-RC-008", "east access road open again")),
    Planned(4 * H + 50 * MIN, _close("PTW-CS-003", "R-202 inspection done, manway closed")),
    Planned(4 * H + 50 * MIN, _close("PTW-WH-004", "scaffold on C-203 finished and tagged")),
    Planned(6 * H + 15 * MIN, _close("PTW-LB-002", "K-302 discharge blind fitted")),
    Planned(
        6 * H + 35 * MIN, _note("GD-CH-05 chattering (pump vibration): shelved 2 h, instrument WO raised")
    ),
    Planned(7 * H + 40 * MIN, _note("K-302 swapped to the standby after rising vibration")),
    Planned(9 * H + 10 * MIN, _start("PTW-EX-007", resume=True)),
    Planned(
        11 * H + 45 * MIN, _note("Handover: T-104 emptied; PTW-HW-009 ran out unclosed, welder to explain")
    ),
)


class ScriptedOperator:
    """Watches the alarms and the plan; `act(now)` gives whatever commands are due at shift time `now`."""

    def __init__(
        self, core: Core, plant: ShiftPlant, seed: int = 0, plan: tuple[Planned, ...] = PLAN
    ) -> None:
        self._core, self._plant, self._rng = core, plant, random.Random(seed)
        self._plan = sorted(plan, key=lambda p: p.at)
        self._acks: dict[tuple[str, float | None], float] = {}  # (alarm, occurrence) -> when to acknowledge
        self._shelves: dict[str, float] = {}  # chattering alarm -> when to shelve it
        self._sos: dict[str, list[float]] = {}  # wearable alarm -> when its next response steps are due
        self._marked: set[str] = set()
        self.commands = 0  # carried out, for the summary

    async def act(self, now: float) -> None:
        views = self._core.alarms.views()
        acks = self._due_acks(views, now)
        if acks:
            await self._give(Acknowledge(OPERATOR, tuple(acks)))
        for command in [*self._due_shelves(views, now), *self._due_responses(views, now)]:
            await self._give(command)
        for command in self._due_marks(now):
            await self._give(command)
        while self._plan and self._plan[0].at <= now - self._plant.t0:
            for command in self._plan.pop(0).commands(self._core):
                await self._give(command)

    async def _give(self, command: Command) -> None:
        result = await self._core.command(command)
        if not result.ok:
            raise ShiftRefused(f"{type(command).__name__} refused: {result.message}")
        self.commands += 1
        if isinstance(command, ClosePermit):
            self._plant.send_off(self._done(command.permit_id))

    def _done(self, permit_id: str) -> list[str]:
        """The closed permit's people who hold no other live permit in its zone: their work there is over."""
        book = self._core.permits.book
        closed = book.status(permit_id).permit
        staying = {
            person
            for permit, state in book.with_states()
            if permit.id != permit_id and permit.zone == closed.zone and state in LIVE
            for person in (*permit.workers, permit.guardian)
        }
        return [p for p in (*closed.workers, closed.guardian) if p not in staying]

    def _due_acks(self, views: list[AlarmView], now: float) -> list[tuple[str, int]]:
        """The alarms whose acknowledgement delay has run out, as the operator sees them now (latest seq)."""
        due = []
        for v in views:
            if v.state not in (State.UNACK, State.RTN_UNACK):
                continue
            key = (v.id, v.active_ts)
            when = self._acks.setdefault(key, v.ts + self._delay(v.tier))
            if when <= now:
                due.append((v.id, v.seq))
        return due

    def _delay(self, tier: Tier) -> float:
        return ACK_MEDIAN_S[tier] * math.exp(self._rng.gauss(0.0, ACK_SIGMA))

    def _due_shelves(self, views: list[AlarmView], now: float) -> list[Command]:
        """ISA-18.2: a chattering alarm is shelved, not chased (with the reason the shift log gives)."""
        out: list[Command] = []
        for v in views:
            if not v.suggest_shelve:
                continue
            when = self._shelves.setdefault(v.id, now + SHELVE_AFTER_S)
            if when <= now:
                del self._shelves[v.id]
                reason = f"{v.source} chattering (pump vibration); instrument work order raised"
                out.append(Shelve(OPERATOR, v.id, reason, CHATTER_SHELVE_S))
        return out

    def _due_responses(self, views: list[AlarmView], now: float) -> list[Command]:
        """An acknowledged SOS: a responder assigned, on scene, and the resolution, each after its delay."""
        out: list[Command] = []
        for v in views:
            worker = wearable_worker(v.id)
            if worker is None or not v.acked or v.ack_ts is None:
                continue
            steps = self._sos.setdefault(v.id, [v.ack_ts + s for s in SOS_STEPS_S])
            if not steps or steps[0] > now:
                continue
            steps.pop(0)
            match len(steps):
                case 2:
                    out.append(AssignResponder(OPERATOR, v.id, SOS_RESPONDER))
                case 1:
                    out.append(ResponderOnScene(OPERATOR, v.id))
                case _:
                    notes = f"{worker} slipped into the trench and twisted an ankle; first aid, walked out"
                    out.append(ResolveWearableAlarm(OPERATOR, v.id, notes, Resolution.ACTUAL_INCIDENT))
        return out

    def _due_marks(self, now: float) -> list[Command]:
        """The shadows the camera took for people: marked false once the operator has looked."""
        out: list[Command] = []
        for seen, d in self._plant.detections:
            if seen.false and d.id not in self._marked and d.ts + FALSE_MARK_AFTER_S <= now:
                self._marked.add(d.id)
                reason = "shadow of the crane boom on the skid; nobody under the load"
                out.append(MarkFalseDetection(OPERATOR, d.id, reason))
        return out
