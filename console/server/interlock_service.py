"""PLC interlocks from the console: select, execute, supervise the feedback; and the requests site rules make.

DOMAIN `PLC interlock` and IEC 61850 select-before-operate with enhanced security: an interlock is armed
(selected) first, which says what it will do, the feedback now and who may execute; the selection lapses
after the interlock's `select_timeout_s`. Execute writes the command node over OPC UA (its data type read
first, `integrations.opcua_write`), then supervises the independent feedback until it follows within the
interlock's `timeout_s`. A feedback that does not follow is the interlock's tier-1 mismatch alarm, the one
`alarms.interlocks.InterlockWatch` raises (one mechanism, `AlarmService.did_not_follow`). Reset returns to
normal the same way. A `two_person` interlock waits for a second person with an allowed role to confirm with
their password before the write (GE iFIX perform-and-verify). `[[interlock_rules]]` turn an alarm (a worker
in a zone without a permit, a video-AI class, a tier-1 gas alarm) into a request the operator confirms, or
with `auto` into a write at once.

Every step is journaled (kind `interlock`) with its audit entry in the same transaction: arm, confirm,
cancel, dismiss (the core's command entry), the write (old and new value, the server's status code), the
feedback result, a lapsed selection, a request. Runs on the core's asyncio loop thread; not thread-safe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol

from alarms.clock import Clock
from alarms.definitions import Tier
from alarms.records import SYSTEM, Transition
from alarms.samples import InterlockSample
from alarms.states import Event
from alarms.states import State as AlarmState
from console.server.alarm_service import AlarmService
from console.server.hazard_words import override_ids, override_words, reconfirm_refusal
from console.server.second_person import Roles, Verify, second_person_refusal
from integrations.opcua_write import WriteOutcome
from integrations.storage import AuditEntry, JournalEntry, StoreWriter
from plant_maps.alarm_zones import Hazard, Occurrence
from plant_maps.roles import role_words
from plant_maps.site import Interlock, InterlockRule, RuleCondition, Site
from plant_maps.worker_rule_kinds import WorkerRule, worker_alarm

log = logging.getLogger(__name__)

JOURNAL_KIND = "interlock"
COMMIT_TIMEOUT_S = 10.0
_SILENCED = frozenset({AlarmState.SUPPRESSED, AlarmState.SHELVED, AlarmState.OUT_OF_SERVICE})
GRACE_S = 0.75  # beyond `timeout_s`: the feedback watch times from the command's sample, a little later


class InterlockWriter(Protocol):
    """Where the command goes: the OPC UA source (its connection, security and login)."""

    async def write_interlock(self, interlock_id: str, value: bool) -> WriteOutcome: ...


class State(StrEnum):
    NORMAL = "normal"
    ARMED = "armed"
    EXECUTING = "executing"
    TRIPPED = "tripped"
    DID_NOT_FOLLOW = "did not follow"
    DIFFERS = "feedback differs"  # written by someone else, or mid-way: the mismatch alarm times it
    UNKNOWN = "unknown"  # no usable command or feedback (its communication alarm says why)


@dataclass(frozen=True, slots=True)
class Result:
    """A command's outcome, for the operator (the core turns it into its CommandResult)."""

    ok: bool
    message: str


@dataclass(frozen=True, slots=True)
class Selection:
    """An armed interlock: by whom, which way (`trip`, else return to normal), until when (epoch s)."""

    actor: str
    trip: bool
    since: float
    until: float
    second: str = ""  # who confirmed (two-person), once they have
    second_seen: frozenset[Occurrence] = frozenset()  # the tier-1 alarms their confirmation showed them


@dataclass(slots=True)
class _Supervision:
    actor: str
    target: bool
    since: float  # when the server took the write
    deadline: float
    old_feedback: bool | None
    done: asyncio.Future[bool]


@dataclass(frozen=True, slots=True)
class LastAction:
    actor: str
    ts: float
    text: str


@dataclass(frozen=True, slots=True)
class Request:
    """A site rule asks for the interlock (`reason`: what happened); the operator executes or dismisses it."""

    interlock_id: str
    reason: str
    ts: float
    auto: bool = False


@dataclass(frozen=True, slots=True)
class InterlockStatus:
    """One interlock as the panel shows it; `overrides`: the tier-1 alarms executing its selection would
    override (a return to normal while they are active in its zone), `second_needed`: it waits for a second
    person (a two-person interlock, or such an override where the site asks for one)."""

    interlock: Interlock
    state: State
    command: bool | None
    feedback: bool | None
    selection: Selection | None
    last: LastAction | None
    request: Request | None
    overrides: tuple[Hazard, ...] = ()
    second_needed: bool = False


def on_off(value: bool | None) -> str:
    return "unknown" if value is None else "ON" if value else "OFF"


def who_may(interlock: Interlock) -> str:
    """Who may execute, as the confirmation says it."""
    roles = role_words(interlock.roles)
    if interlock.two_person:
        return f"{roles}; a second person with one of these roles confirms with their password"
    return roles


class InterlockService:
    """The interlocks of one site: selections, writes, supervision, requests."""

    def __init__(
        self,
        site: Site,
        clock: Clock,
        writer: StoreWriter,
        console: str,
        alarms: AlarmService,
        access: Roles,
        changed: Callable[[list[str]], None],
        log_line: Callable[[str, str, str], object],
        verify: Verify | None = None,
    ) -> None:
        self.site, self.clock, self.console = site, clock, console
        self._writer, self._alarms, self._access = writer, alarms, access
        self._changed, self._log = changed, log_line
        self.interlocks = {il.id: il for il in site.interlocks}
        self.plant: InterlockWriter | None = None  # set once the OPC UA source exists
        self.verify = verify  # the user store's password check (None: no second person can confirm)
        self._selections: dict[str, Selection] = {}
        self._supervising: dict[str, _Supervision] = {}
        self._failed: set[str] = set()  # did not follow, until the feedback equals the command again
        self._last: dict[str, LastAction] = {}
        self._requests: dict[str, Request] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._gas_sensors = frozenset(s.id for s in site.sensors if s.is_gas)

    # -- views -----------------------------------------------------------------------------------------

    def statuses(self) -> list[InterlockStatus]:
        return [self.status(interlock_id) for interlock_id in self.interlocks]

    def status(self, interlock_id: str) -> InterlockStatus:
        il = self.interlocks[interlock_id]
        latest = self._alarms.interlocks.latest(interlock_id)
        command, feedback = (latest.command, latest.feedback) if latest else (None, None)
        selection = self._selections.get(interlock_id)
        overrides = self.overrides(interlock_id)
        return InterlockStatus(
            il,
            self._state(interlock_id, command, feedback),
            command,
            feedback,
            selection,
            self._last.get(interlock_id),
            self._requests.get(interlock_id),
            overrides,
            selection is not None and self._needs_second(il, overrides),
        )

    def overrides(self, interlock_id: str) -> tuple[Hazard, ...]:
        """The tier-1 alarms executing the interlock's selection would override: those active in its zone
        when it is armed to return to normal (undoing the trip's protection); none for a trip."""
        sel = self._selections.get(interlock_id)
        if sel is None or sel.trip:
            return ()
        return self._alarms.hazards([self.interlocks[interlock_id].zone])

    def _needs_second(self, il: Interlock, overrides: tuple[Hazard, ...]) -> bool:
        """Perform and verify: a two-person interlock, or an override where the site asks for a second person."""
        return il.two_person or (self.site.hazard_second_person and bool(overrides))

    def _unconfirmed(self, sel: Selection, overrides: tuple[Hazard, ...]) -> tuple[Hazard, ...]:
        """Where the site asks a second person for an override, the alarms it overrides that their
        confirmation did not show them (raised since, or again)."""
        if not self.site.hazard_second_person:
            return ()
        return tuple(h for h in overrides if h.occurrence not in sel.second_seen)

    def requests(self) -> list[Request]:
        return sorted(self._requests.values(), key=lambda r: r.ts)

    def supervision(self, interlock_id: str) -> asyncio.Future[bool] | None:
        """The running supervision's outcome (True: the feedback followed), None when none runs."""
        s = self._supervising.get(interlock_id)
        return s.done if s else None

    def _state(self, interlock_id: str, command: bool | None, feedback: bool | None) -> State:
        if interlock_id in self._supervising:
            return State.EXECUTING
        if interlock_id in self._selections:
            return State.ARMED
        if interlock_id in self._failed:
            return State.DID_NOT_FOLLOW
        if command is None or feedback is None:
            return State.UNKNOWN
        if command != feedback:
            return State.DIFFERS
        return State.TRIPPED if command else State.NORMAL

    # -- plant and time (loop thread) ------------------------------------------------------------------

    def on_samples(self, samples: Sequence[InterlockSample]) -> None:
        """New command and feedback values: a supervised feedback that follows ends its supervision."""
        changed = []
        for s in samples:
            if s.interlock_id in self._failed and s.command is not None and s.command == s.feedback:
                self._failed.discard(s.interlock_id)
            sup = self._supervising.get(s.interlock_id)
            if sup is not None and s.feedback == sup.target:
                self._finish(s.interlock_id, sup, True, s.feedback)
            changed.append(s.interlock_id)
        if changed:
            self._changed(changed)

    def tick(self) -> None:
        """Selections that lapsed, supervisions whose time is up (called with the alarm clock's tick)."""
        now = self.clock.now()
        for interlock_id, sel in list(self._selections.items()):
            if now >= sel.until:
                del self._selections[interlock_id]
                self._lapsed(interlock_id, sel)
        for interlock_id, sup in list(self._supervising.items()):
            if now >= sup.deadline:
                latest = self._alarms.interlocks.latest(interlock_id)
                self._finish(interlock_id, sup, False, latest.feedback if latest else None)

    def on_alarms(self, transitions: Iterable[Transition]) -> None:
        """Committed alarm transitions: an activation a `[[interlock_rules]]` rule names requests its
        interlock (one request at a time), or executes it at once with `auto`; never one an operator has
        silenced (a zone under maintenance isolation, a shelved or out-of-service alarm)."""
        for t in transitions:
            if t.event is not Event.ACTIVATE or t.to_state in _SILENCED:
                continue
            for rule in self.site.interlock_rules:
                if rule.interlock in self._requests or rule.interlock in self._supervising:
                    continue
                if self._matches(rule, t):
                    self._request(rule, t)

    def _matches(self, rule: InterlockRule, t: Transition) -> bool:
        if t.area != rule.zone:
            return False
        match rule.when:
            case RuleCondition.WORKER_ALARM:
                return t.alarm_id == worker_alarm(t.source, WorkerRule(rule.worker_rule))
            case RuleCondition.VISION:
                expected = self.site.alarms.vision_alarm(rule.zone, rule.vision_class)
                return t.alarm_id == expected and t.value >= rule.min_confidence
            case RuleCondition.GAS_TIER1:
                return t.tier is Tier.LIFE and t.source in self._gas_sensors
        return False

    def _request(self, rule: InterlockRule, t: Transition) -> None:
        reason = f"{t.message} ({self.site.zone_name(rule.zone)})"
        request = Request(rule.interlock, reason, self.clock.now(), rule.auto)
        self._requests[rule.interlock] = request
        how = "executing at once (auto)" if rule.auto else "confirm on the banner: Execute or Dismiss"
        self._log("warning", "interlock", f"{rule.interlock} requested: {reason}; {how}")
        self._changed([rule.interlock])
        payload = {"step": "request", "reason": reason, "auto": rule.auto, "alarm_id": t.alarm_id}
        audit = AuditEntry(
            request.ts, SYSTEM, self.console, "interlock_request", rule.interlock, None, payload
        )
        self._later(self._record(rule.interlock, SYSTEM, payload, audit))
        if rule.auto:
            self._later(self._auto(rule.interlock, reason))

    async def _auto(self, interlock_id: str, reason: str) -> None:
        """`auto = true`: the site decided in advance; written by the system, supervised like any trip."""
        await self._write(interlock_id, Selection(SYSTEM, True, self.clock.now(), self.clock.now()), reason)

    # -- operator commands (loop thread) ---------------------------------------------------------------

    def refusal(self, interlock_id: str, user: str) -> str:
        """Why `user` may not act on the interlock ("" when they may): unknown, or not one of its roles (site
        file), on top of the permission table the core checked."""
        il = self.interlocks.get(interlock_id)
        if il is None:
            return f"no interlock {interlock_id!r}"
        return self._role_refusal(il, user)

    def _role_refusal(self, il: Interlock, user: str) -> str:
        """The interlock's own roles (site file), on top of the permission table the core checked."""
        roles = self._access.roles_of(user)
        if roles is not None and not roles & il.roles:
            return f"{user} may not act on {il.id}: it needs one of the roles {role_words(il.roles)}"
        return ""

    async def arm(self, interlock_id: str, actor: str, trip: bool) -> Result:
        """Select the interlock to trip it (`trip`) or to return it to normal."""
        il = self.interlocks[interlock_id]
        now = self.clock.now()
        if il.id in self._supervising:
            return Result(False, f"{il.id} is being executed: wait for its feedback")
        held = self._selections.get(il.id)
        if held is not None and held.actor != actor:
            return Result(False, f"{il.id} is armed by {held.actor}: they execute or cancel it first")
        selection = Selection(actor, trip, now, now + il.select_timeout_s)
        latest = self._alarms.interlocks.latest(il.id)
        feedback = latest.feedback if latest else None
        what = f"to trip: {il.does or il.name}" if trip else "to return to normal"
        await self._step(
            il.id,
            actor,
            {"step": "arm" if trip else "arm_reset", "feedback": feedback, "expires_s": il.select_timeout_s},
            f"armed {what}",
            f"armed {il.id} {what}; expires in {il.select_timeout_s:g} s",
        )
        self._selections[il.id] = selection
        return Result(
            True,
            f"{il.id} armed {what}. Feedback now {on_off(feedback)}. May execute: {who_may(il)}. "
            f"Expires in {il.select_timeout_s:g} s.",
        )

    async def cancel(self, interlock_id: str, actor: str) -> Result:
        il = self.interlocks[interlock_id]
        sel = self._selections.get(il.id)
        if sel is None:
            return Result(False, f"{il.id} is not armed")
        payload = {"step": "cancel", "armed_by": sel.actor}
        await self._step(
            il.id, actor, payload, "cancelled the selection", f"cancelled the selection of {il.id}"
        )
        self._selections.pop(il.id, None)
        return Result(True, f"{il.id}: selection cancelled, nothing written")

    async def confirm(
        self, interlock_id: str, actor: str, second: str, password: str, seen: tuple[Occurrence, ...] = ()
    ) -> Result:
        """A second person confirms `actor`'s selection with their own password (perform and verify), having
        been shown the tier-1 alarms `seen` (their confirmation of an override covers those alone)."""
        il = self.interlocks[interlock_id]
        sel = self._selections.get(il.id)
        second = second.strip()
        if sel is None:
            return Result(False, f"{il.id} is not armed: nothing to confirm")
        if not self._needs_second(il, self.overrides(il.id)):
            return Result(False, f"{il.id} needs no second person")
        refusal = await second_person_refusal(
            self.verify,
            self._access,
            second,
            password,
            others=(sel.actor, actor),
            roles=il.roles,
            what=il.id,
        )
        if refusal:
            return Result(False, refusal)
        if self._selections.get(il.id) is not sel:
            return Result(False, f"{il.id}: the selection ended while the password was checked")
        await self._step(
            il.id,
            actor,
            {"step": "confirm", "second": second},
            f"{second} confirmed as second person",
            f"{second} confirmed {il.id} as second person",
        )
        self._selections[il.id] = replace(sel, second=second, second_seen=frozenset(seen))
        return Result(True, f"{il.id}: {second} confirmed; {sel.actor} may execute now")

    async def dismiss(self, interlock_id: str, actor: str) -> Result:
        il = self.interlocks[interlock_id]
        request = self._requests.get(il.id)
        if request is None:
            return Result(False, f"{il.id} has no request to dismiss")
        payload = {"step": "dismiss", "reason": request.reason}
        await self._step(il.id, actor, payload, "dismissed the request", f"dismissed the request for {il.id}")
        self._requests.pop(il.id, None)
        return Result(True, f"{il.id}: request dismissed, nothing written")

    async def execute(
        self, interlock_id: str, actor: str, reason: str = "", overrides: tuple[Hazard, ...] = ()
    ) -> Result:
        """Write what `actor` armed (once a second person confirmed, where one is needed), then supervise the
        feedback. `overrides`: the live tier-1 alarms the core found this overrides, `reason` why (the core
        refused it without one); both go into the journal and the event log."""
        il = self.interlocks[interlock_id]
        sel = self._selections.get(il.id)
        if sel is None:
            return Result(False, f"{il.id} is not armed: arm it first (select before operate)")
        if sel.actor != actor:
            return Result(False, f"{il.id} is armed by {sel.actor}: only they may execute it")
        if self.clock.now() >= sel.until:
            return Result(False, f"{il.id}: the selection lapsed; arm it again")
        if self._needs_second(il, overrides) and not sel.second:
            why = "" if il.two_person else f" (site rule: it overrides {override_ids(overrides)})"
            return Result(False, f"{il.id} waits for a second person to confirm (perform and verify){why}")
        unconfirmed = self._unconfirmed(sel, overrides)
        if unconfirmed:  # their confirmation is dropped: they confirm again with these in view
            self._selections[il.id] = replace(sel, second="", second_seen=frozenset())
            dropped = f"{sel.second}'s confirmation dropped: {override_ids(unconfirmed)} not shown to them"
            self._done(il.id, actor, dropped)
            return Result(False, reconfirm_refusal(il.id, sel.second, unconfirmed))
        del self._selections[il.id]
        return await self._write(il.id, sel, reason, overrides)

    async def _write(
        self, interlock_id: str, sel: Selection, reason: str, overrides: tuple[Hazard, ...] = ()
    ) -> Result:
        """Write the selection to the command node; journaled and audited with the server's status code (and
        the live tier-1 alarms it overrides); on success the feedback is supervised from now on."""
        il = self.interlocks[interlock_id]
        if interlock_id in self._supervising:
            return Result(False, f"{interlock_id} is being executed: wait for its feedback")
        latest = self._alarms.interlocks.latest(interlock_id)
        old = {"command": latest.command, "feedback": latest.feedback} if latest else None
        plant = self.plant
        if plant is None:
            outcome = WriteOutcome(False, "BadNotConnected", "BadNotConnected (no OPC UA source)")
        else:
            outcome = await plant.write_interlock(interlock_id, sel.trip)
        now = self.clock.now()
        payload = {
            "step": "write",
            "value": sel.trip,
            "status": outcome.status,
            "second": sel.second,
            "reason": reason,
        }
        if overrides:
            payload["overrides"] = [h.alarm_id for h in overrides]
        audit = AuditEntry(
            now,
            sel.actor,
            self.console,
            "interlock_write",
            interlock_id,
            old,
            {"command": sel.trip},
            "done" if outcome.ok else "failed",
            outcome.words,
        )
        await self._record(interlock_id, sel.actor, payload, audit)
        value = on_off(sel.trip)
        if not outcome.ok:
            self._done(interlock_id, sel.actor, f"write {value} failed: {outcome.status}")
            self._log("error", sel.actor, f"{interlock_id} NOT written {value}: {outcome.words}")
            return Result(False, f"{interlock_id} not written: {outcome.words}")
        if sel.actor != SYSTEM:  # an operator acted on it; an automatic one stays shown until seen
            self._requests.pop(interlock_id, None)
        self._failed.discard(interlock_id)
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        old_feedback = latest.feedback if latest else None
        sup = _Supervision(sel.actor, sel.trip, now, now + il.timeout_s + GRACE_S, old_feedback, done)
        self._supervising[interlock_id] = sup
        self._done(interlock_id, sel.actor, f"wrote {value} ({outcome.status}); awaiting feedback")
        written = f"{interlock_id} written {value} ({outcome.status})"
        if overrides:
            self._log("warning", sel.actor, f"{written}; {override_words(overrides, reason)}")
        else:
            self._log("action", sel.actor, written)
        if latest is not None and latest.feedback == sel.trip:  # already there: nothing left to follow
            self._finish(interlock_id, sup, True, latest.feedback)
        return Result(
            True,
            f"{interlock_id} written {value} ({outcome.status}); feedback supervised for {il.timeout_s:g} s",
        )

    # -- outcomes --------------------------------------------------------------------------------------

    def _finish(self, interlock_id: str, sup: _Supervision, followed: bool, feedback: bool | None) -> None:
        """The feedback followed, or the time ran out: journaled and audited; the latter is the tier-1
        mismatch alarm."""
        if self._supervising.get(interlock_id) is not sup:
            return
        del self._supervising[interlock_id]
        now = self.clock.now()
        seconds = now - sup.since
        il = self.interlocks[interlock_id]
        if followed:
            text = f"feedback {on_off(feedback)} followed in {seconds:.1f} s"
            self._log("action", "interlock", f"{interlock_id} {text}")
        else:
            text = (
                f"feedback {on_off(feedback)} did NOT follow {on_off(sup.target)} within {il.timeout_s:g} s"
            )
            self._failed.add(interlock_id)
            self._alarms.did_not_follow(interlock_id, sup.target, feedback, seconds)
            self._log("error", "interlock", f"{interlock_id} {text}")
        self._done(interlock_id, sup.actor, text)
        payload = {
            "step": "feedback",
            "followed": followed,
            "feedback": feedback,
            "seconds": round(seconds, 3),
        }
        audit = AuditEntry(
            now,
            sup.actor,
            self.console,
            "interlock_feedback",
            interlock_id,
            {"feedback": sup.old_feedback},
            {"feedback": feedback},
            "done" if followed else "failed",
            text,
        )
        self._later(self._record(interlock_id, sup.actor, payload, audit))
        if not sup.done.done():
            sup.done.set_result(followed)

    def _lapsed(self, interlock_id: str, sel: Selection) -> None:
        il = self.interlocks[interlock_id]
        text = f"selection by {sel.actor} lapsed after {il.select_timeout_s:g} s: nothing written"
        self._done(interlock_id, SYSTEM, text)
        self._log("warning", "interlock", f"{interlock_id}: {text}")
        payload = {"step": "timeout", "armed_by": sel.actor}
        audit = AuditEntry(
            self.clock.now(),
            SYSTEM,
            self.console,
            "interlock_select_timeout",
            interlock_id,
            None,
            None,
            "done",
            text,
        )
        self._later(self._record(interlock_id, SYSTEM, payload, audit))

    async def _step(
        self, interlock_id: str, actor: str, payload: dict[str, Any], done: str, logged: str
    ) -> None:
        """An operator's step: journaled (with the command's audit entry), then the last action and the
        event log say it."""
        await self._record(interlock_id, actor, payload)
        self._done(interlock_id, actor, done)
        self._log("action", actor, logged)

    def _done(self, interlock_id: str, actor: str, text: str) -> None:
        self._last[interlock_id] = LastAction(actor, self.clock.now(), text)
        self._changed([interlock_id])

    async def _record(
        self, interlock_id: str, actor: str, payload: dict[str, Any], audit: AuditEntry | None = None
    ) -> None:
        """Journal one step; `audit` (else the command's own entry, when in one) commits with it."""
        entry = JournalEntry(self.clock.now(), JOURNAL_KIND, interlock_id, actor, self.console, payload)
        if audit is None:
            future = self._writer.journal([entry])
        else:
            with self._writer.auditing(audit):
                future = self._writer.journal([entry])
        await asyncio.wait_for(asyncio.wrap_future(future), COMMIT_TIMEOUT_S)

    def _later(self, work: Awaitable[Any]) -> None:
        """Steps the clock or an alarm starts (no command awaits them): kept referenced, failures logged."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("an interlock step was NOT journaled: %s", task.exception())
            self._log("error", "interlock", f"an interlock step was NOT journaled: {task.exception()}")
