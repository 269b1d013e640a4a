"""The alarm engine: rules -> conditions -> ISA-18.2 states -> transitions, a batch at a time.

Runs on the core's asyncio loop thread only (nothing here is thread-safe). Every accepted event yields
exactly one immutable Transition, returned in `seq` order; the console journals each before showing it, and
`restore` rebuilds the engine from that journal after a restart. Operator commands that cannot be carried
out come back as a Refusal with the reason; they never raise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from alarms.clock import Clock
from alarms.comm import CommBank
from alarms.definitions import AlarmSpec, Definitions, LimitKind, Tier
from alarms.derived import DerivedBank
from alarms.escalation import Escalation
from alarms.limits import LimitBank
from alarms.noise import ChatterDetector, FloodDetector, FloodState
from alarms.records import SYSTEM, AlarmView, Edge, Raised, Refusal, Shelve, Transition
from alarms.samples import TagBatch
from alarms.shelving import Shelving
from alarms.states import (
    HIDDEN,
    UNACKNOWLEDGED,
    Event,
    InvalidTransition,
    State,
    Status,
    allows,
    occurrence_raised,
)
from alarms.tags import LiveTags
from alarms.trend import TrendBuffer


@dataclass(slots=True)
class _Alarm:
    """What the engine holds of one alarm that has been touched; untouched alarms cost nothing."""

    spec: AlarmSpec
    status: Status
    seq: int = 0  # of its latest transition other than an escalation
    value: float = math.nan
    message: str = ""
    ts: float = 0.0
    response_s: float | None = None
    active_ts: float | None = None  # when the current (or last) occurrence became active
    ack_ts: float | None = None  # when that occurrence was acknowledged
    clear_ts: float | None = None  # when it returned to normal
    first_out: bool = False  # that occurrence was the first annunciation of a burst in its area
    area: str = ""  # of the current occurrence ("": the spec's area)
    cause: str | None = None  # of the current occurrence, where it is not the spec's (worker in a gas zone)
    raised: Raised | None = None  # what raised it, kept through re-activations before an ack or in a chatter
    raised_ts: float | None = None  # when the occurrence its latest transition belongs to was raised
    ack_by: str = ""  # who acknowledged the current occurrence
    acked_by_unshelve: bool = False  # that acknowledgement was a manual unshelve (ISA-18.2 §11.7.3)


ACK_BY_UNSHELVE = "acknowledged by unshelve"  # the comment of a manual unshelve that acknowledged


class AlarmEngine:
    def __init__(
        self,
        definitions: Definitions,
        clock: Clock,
        *,
        shelving: Shelving | None = None,
        escalation: Escalation | None = None,
        chatter: ChatterDetector | None = None,
        flood: FloodDetector | None = None,
    ) -> None:
        rows = {tag: i for i, tag in enumerate(definitions.tags)}
        n = len(rows)
        self._clock = clock
        self._tags = LiveTags(n)
        self._all_rows = np.arange(n)
        self._limits = LimitBank(definitions.limits, rows, n)
        derived = (*definitions.rates, *definitions.composites, *definitions.time_to_threshold)
        self._derived = DerivedBank(derived, rows)
        self._trend = TrendBuffer(self._derived.spans(), n)
        self._comms = CommBank(definitions.comms, rows)
        self._specs = {rule.alarm.id: rule.alarm for rule in definitions.rules()}
        self._events = {rule.alarm.id for rule in definitions.events}
        self._shelving = shelving or Shelving()
        self._escalation = escalation or Escalation()
        self._chatter = chatter or ChatterDetector()
        self._flood = flood or FloodDetector()
        self._alarms: dict[str, _Alarm] = {}
        self._suppressed: set[str] = set()
        self._seq = 0
        # The views of `active()`, kept between calls so that a flood redraw rebuilds only what changed:
        # the alarms touched since, the alarms grouped under them, and the chattering ones (that flag fades).
        self._shown: dict[str, AlarmView] = {}  # alarms not in NORMAL, by their latest seq, oldest first
        self._touched: set[str] = set()  # alarms whose view may have changed
        self._consequences: dict[str, list[str]] = {}
        limit_specs = (rule.spec(kind) for rule in definitions.limits for kind in LimitKind)
        for spec in (*self._specs.values(), *filter(None, limit_specs)):
            if spec.cause:
                self._consequences.setdefault(spec.cause, []).append(spec.id)

    # -- the plant ------------------------------------------------------------------------------------

    def process(self, batch: TagBatch, details: Mapping[str, str] | None = None) -> list[Transition]:
        """Evaluate a batch: the limit and communication rules of the tags it touches, and the derived rules.

        `details` (alarm id -> why) completes the message of an alarm this batch activates: a communication
        alarm says what the server or the link said ("BadNodeIdUnknown …", "never connected: timeout").
        """
        rows = self._tags.apply(batch)
        touched = np.zeros(self._all_rows.size, dtype=bool)
        touched[rows] = True
        return self._evaluate(rows, touched, details)

    def process_arrays(
        self, value: np.ndarray, quality: np.ndarray, source_ts: np.ndarray | None = None
    ) -> list[Transition]:
        """Evaluate every rule on full arrays indexed by tag row (source time defaults to now)."""
        self._tags.replace(value, quality, self._clock.now() if source_ts is None else source_ts)
        return self._evaluate(None, None)

    def raise_event(
        self,
        alarm_id: str,
        value: float = math.nan,
        ts: float | None = None,
        message: str | None = None,
        area: str | None = None,
        cause: str | None = None,
    ) -> list[Transition]:
        """A discrete alarm from outside (SOS, fall, no motion, video AI, interlock mismatch) is active.

        `message` replaces the rendered template where the text depends on more than the value (which way an
        interlock's feedback failed to follow); `area` places this occurrence where it happens (a wearer's SOS
        in the zone they are in); `cause` groups it under the alarm it follows from, while that one is active
        (a worker inside a zone under the zone's tier-1 gas alarm: cause first). Later transitions of the
        occurrence keep all three. Suppression by design and flood counting stay with the alarm's own area:
        isolating a zone never silences a person's SOS.
        """
        return self._event(alarm_id, True, value, ts, message, area, cause)

    def clear_event(
        self, alarm_id: str, ts: float | None = None, value: float = math.nan, message: str | None = None
    ) -> list[Transition]:
        return self._event(alarm_id, False, value, ts, message, None, None)

    def tick(self, now: float | None = None) -> list[Transition]:
        """Let time pass: on/off delays, slopes, one expired shelve per stagger, tier-1 escalation."""
        now = self._clock.now() if now is None else now
        edges = [*self._limits.due(now, self._tags), *self._derived.evaluate(self._tags, self._trend, now)]
        out = self._conditions(edges, now)
        released = self._shelving.release(now)
        if released is not None:
            out.append(
                self._emit(self._alarms[released], Event.UNSHELVE_TIMER, now, comment="shelve expired")
            )
        for alarm_id in self._escalation.due(now):
            waited = self._escalation.waiting_s(alarm_id, now) or 0.0
            comment = f"unacknowledged for {waited:.0f} s: re-announce and notify the shift lead"
            out.append(self._emit(self._alarms[alarm_id], Event.ESCALATE, now, comment=comment))
        return out

    # -- operator commands ----------------------------------------------------------------------------

    def acknowledge(
        self, alarm_id: str, seq: int, user: str, console: str, comment: str = ""
    ) -> Transition | Refusal:
        """ISA-18.2 acknowledgement of the transition `seq` the operator saw; refused if the alarm has moved on."""

        def stale(alarm: _Alarm) -> str | None:
            if seq == alarm.seq:
                return None
            return f"stale acknowledgement: it names transition {seq}, the alarm's latest is {alarm.seq}"

        return self._command(alarm_id, Event.ACKNOWLEDGE, user, console, comment, stale)

    def shelve(
        self, alarm_id: str, user: str, console: str, reason: str, duration_s: float | None = None
    ) -> Transition | Refusal:
        """ISA-18.2 shelving for `duration_s`, or one-shot (None) until the alarm clears, never past the maximum."""

        def refusal(alarm: _Alarm) -> str | None:
            if not reason.strip():
                return "a shelve needs a reason"
            if alarm.spec.latched:
                return "a latched alarm stays until it is reset: it cannot be shelved"
            if duration_s is None and not alarm.status.active:
                return "a one-shot shelve ends when the alarm clears, and it is clear: shelve it for a time"
            return self._shelving.refusal(duration_s)

        shelve = self._shelving.shelve(self._clock.now(), duration_s)
        return self._command(alarm_id, Event.SHELVE, user, console, reason, refusal, shelve)

    def unshelve(self, alarm_id: str, user: str, console: str, comment: str = "") -> Transition | Refusal:
        """Manual unshelve: the alarm returns acknowledged (ISA-18.2 §11.7.3). Where that acknowledges an
        occurrence nobody acknowledged yet, the transition says so (ACK_BY_UNSHELVE in its comment)."""
        alarm = self._alarms.get(alarm_id)
        if alarm is not None and alarm.status.active and not alarm.status.acked:
            comment = "; ".join(filter(None, (comment, ACK_BY_UNSHELVE)))
        return self._command(alarm_id, Event.UNSHELVE_MANUAL, user, console, comment)

    def reset(self, alarm_id: str, user: str, console: str, comment: str = "") -> Transition | Refusal:
        """Reset a latched alarm that has returned to normal and been acknowledged."""
        return self._command(alarm_id, Event.RESET, user, console, comment)

    def remove_from_service(
        self, alarm_id: str, user: str, console: str, reason: str, *, privileged: bool
    ) -> Transition | Refusal:
        """Out of service (e.g. a detector being replaced): privileged, with a reason."""

        def refusal(alarm: _Alarm) -> str | None:
            if not privileged:
                return "removing an alarm from service is privileged"
            return None if reason.strip() else "removing an alarm from service needs a reason"

        return self._command(alarm_id, Event.REMOVE_FROM_SERVICE, user, console, reason, refusal)

    def return_to_service(
        self, alarm_id: str, user: str, console: str, comment: str = "", *, privileged: bool
    ) -> Transition | Refusal:
        def refusal(alarm: _Alarm) -> str | None:
            return None if privileged else "returning an alarm to service is privileged"

        return self._command(alarm_id, Event.RETURN_TO_SERVICE, user, console, comment, refusal)

    def suppress_area(self, area: str, on: bool, name: str = "") -> list[Transition]:
        """Suppression by design (state-based), e.g. while the zone is under maintenance; `name` is what the
        journal's comment calls the area (a person reads it)."""
        if on:
            self._suppressed.add(area)
        else:
            self._suppressed.discard(area)
        event = Event.SUPPRESS if on else Event.UNSUPPRESS
        comment = f"{name or 'area ' + area} {'suppressed by design' if on else 'no longer suppressed'}"
        now = self._clock.now()
        hit = [a for a in self._alarms.values() if a.spec.area == area and allows(a.status.state, event)]
        return [self._emit(alarm, event, now, comment=comment) for alarm in hit]

    def suppressed_areas(self) -> frozenset[str]:
        """The areas suppressed by design now (restored from the journal, or set by `suppress_area`)."""
        return frozenset(self._suppressed)

    # -- views ----------------------------------------------------------------------------------------

    def active(self) -> list[AlarmView]:
        """Every alarm not in NORMAL (hidden ones included, with their state), oldest transition first; and
        a chattering alarm in NORMAL until its chatter fades, so that the operator can still shelve it between
        its repeats and the banner keeps its line (ISA-18.2: a chattering alarm is shelved, not chased).

        An alarm that did not change since the last call comes back as the very same view object.
        """
        now = self._clock.now()
        stale = self._touched | {a for a, view in self._shown.items() if view.chattering}
        self._touched = set()
        for alarm in sorted((self._alarms[a] for a in stale if a in self._alarms), key=attrgetter("seq")):
            alarm_id, old = alarm.spec.id, self._shown.get(alarm.spec.id)
            quiet = alarm.status.state is State.NORMAL and not self._chatter.chattering(alarm_id, now)
            if not alarm.seq or quiet:
                self._shown.pop(alarm_id, None)
                continue
            view = self._view(alarm, now)
            if old is not None and old.seq != view.seq:
                del self._shown[alarm_id]  # a newer transition: it moves to the end
            self._shown[alarm_id] = view
        return list(self._shown.values())

    def view(self, alarm_id: str) -> AlarmView:
        """One alarm, touched or not; KeyError for an id the definitions do not know."""
        alarm = self._alarms.get(alarm_id) or _Alarm(self.spec(alarm_id), Status())
        return self._view(alarm, self._clock.now())

    def spec(self, alarm_id: str) -> AlarmSpec:
        spec = self._specs.get(alarm_id) or self._limits.spec(alarm_id)
        if spec is None:
            raise KeyError(f"unknown alarm {alarm_id!r}")
        return spec

    def flood_state(self, area: str) -> FloodState:
        """EEMUA 191 flood state of an operator area, with the first-out alarm of the burst."""
        return self._flood.state(area, self._clock.now())

    # -- restart --------------------------------------------------------------------------------------

    def restore(self, records: Iterable[Transition]) -> list[Transition]:
        """Rebuild the alarms from the journal after a restart; returns the transitions restoring made.

        Replays the records through the same bookkeeping as live events (states, seq, shelves, chatter,
        flood, escalation) and sets the rule conditions to match. A shelve whose expiry was not recovered
        reverts to unshelved (by timer: it returns unacknowledged if active). Records of alarms no longer
        defined are skipped. Areas with a suppressed alarm count as suppressed: the console then calls
        `suppress_area` with each area's current maintenance state.
        """
        for t in sorted(records, key=attrgetter("seq")):
            try:
                alarm = self._alarm(t.alarm_id)
            except KeyError:
                continue
            self._observe(alarm, t.event, t.annunciate and t.event is not Event.ESCALATE, t.ts, t.group)
            self._record(alarm, t)
        for alarm in self._alarms.values():
            for bank in (self._limits, self._derived, self._comms):
                if bank.force(alarm.spec.id, alarm.status.active):
                    break
            if alarm.status.state is State.SUPPRESSED:
                self._suppressed.add(alarm.spec.area)
        now = self._clock.now()
        lost = [
            a
            for a in self._alarms.values()
            if a.status.state is State.SHELVED and not self._shelving.get(a.spec.id)
        ]
        return [
            self._emit(a, Event.UNSHELVE_TIMER, now, comment="shelve not recoverable after restart")
            for a in lost
        ]

    # -- internals ------------------------------------------------------------------------------------

    def _evaluate(
        self, rows: np.ndarray | None, touched: np.ndarray | None, details: Mapping[str, str] | None = None
    ) -> list[Transition]:
        now = self._clock.now()
        tags = self._tags
        self._trend.append(rows, tags.value, tags.ts, tags.usable)
        edges = [
            *self._limits.evaluate(rows, tags, now),
            *self._derived.evaluate(tags, self._trend, now),
            *self._comms.evaluate(touched, tags),
        ]
        return self._conditions(edges, now, details)

    def _event(
        self,
        alarm_id: str,
        active: bool,
        value: float,
        ts: float | None,
        message: str | None,
        area: str | None,
        cause: str | None,
    ) -> list[Transition]:
        if alarm_id not in self._events:
            raise KeyError(f"{alarm_id!r} is not a discrete event alarm")
        edge = Edge(alarm_id, active, value, message, area, cause)
        return self._conditions([edge], self._clock.now() if ts is None else ts)

    def _conditions(
        self, edges: list[Edge], ts: float, details: Mapping[str, str] | None = None
    ) -> list[Transition]:
        out: list[Transition] = []
        for edge in edges:
            alarm = self._alarm(edge.alarm_id)
            if alarm.status.active == edge.active:
                continue  # already so, e.g. restored from the journal
            event = Event.ACTIVATE if edge.active else Event.CLEAR
            message = edge.message
            if message is None and edge.active and details and edge.alarm_id in details:
                message = f"{alarm.spec.render(edge.value)}: {details[edge.alarm_id]}"
            out.append(
                self._emit(
                    alarm, event, ts, value=edge.value, message=message, area=edge.area, cause=edge.cause
                )
            )
            shelve = self._shelving.get(edge.alarm_id)
            if shelve is not None and shelve.one_shot and not edge.active:
                out.append(
                    self._emit(
                        alarm, Event.UNSHELVE_TIMER, ts, comment="one-shot shelve ended: the alarm cleared"
                    )
                )
        return out

    def _alarm(self, alarm_id: str) -> _Alarm:
        alarm = self._alarms.get(alarm_id)
        if alarm is None:
            spec = self.spec(alarm_id)
            state = State.SUPPRESSED if spec.area in self._suppressed else State.NORMAL
            alarm = self._alarms[alarm_id] = _Alarm(spec, Status(state))
        return alarm

    def _command(
        self,
        alarm_id: str,
        event: Event,
        user: str,
        console: str,
        comment: str,
        refusal: Callable[[_Alarm], str | None] | None = None,
        shelve: Shelve | None = None,
    ) -> Transition | Refusal:
        try:
            alarm = self._alarm(alarm_id)
        except KeyError:
            return Refusal(alarm_id, event, f"unknown alarm {alarm_id!r}")
        state = alarm.status.state
        reason = (
            str(InvalidTransition(state, event)) if not allows(state, event) else refusal and refusal(alarm)
        )
        if reason:
            return Refusal(alarm_id, event, reason)
        now = self._clock.now()
        return self._emit(alarm, event, now, actor=user, console=console, comment=comment, shelve=shelve)

    def _emit(
        self,
        alarm: _Alarm,
        event: Event,
        ts: float,
        *,
        value: float | None = None,
        actor: str = SYSTEM,
        console: str = "",
        comment: str = "",
        shelve: Shelve | None = None,
        message: str | None = None,
        area: str | None = None,
        cause: str | None = None,
    ) -> Transition:
        spec, before = alarm.spec, alarm.status
        if area is None:  # a new occurrence starts in the alarm's own area unless it says where it is
            area = spec.area if event is Event.ACTIVATE or not alarm.area else alarm.area
        status = before.apply(event, latched=spec.latched, suppressed=spec.area in self._suppressed)
        group = self._group(spec, cause if event is Event.ACTIVATE else alarm.cause)
        candidate = (
            status.state is State.UNACK
            and before.state not in UNACKNOWLEDGED
            and (group is None or spec.tier is Tier.LIFE)
        )
        chattering, first_out, flood = self._observe(alarm, event, candidate, ts, group)
        own_value = value is not None
        value = value if value is not None else alarm.value
        if message is None:  # an event without a value of its own (acknowledge, shelve...) keeps the text
            message = alarm.message if not own_value and alarm.message else spec.render(value)
        self._seq += 1
        t = Transition(
            seq=self._seq,
            alarm_id=spec.id,
            source=spec.source,
            tier=spec.tier,
            priority=spec.priority,
            area=area,
            message=message,
            event=event,
            from_state=before.state,
            to_state=status.state,
            active=status.active,
            acked=status.acked,
            value=value,
            actor=actor,
            console=console,
            comment=comment,
            ts=ts,
            annunciate=(candidate and not chattering) or event is Event.ESCALATE,
            first_out=first_out,
            chattering=chattering,
            flood=flood,
            group=group,
            shelve=(shelve or self._shelving.get(spec.id)) if status.state is State.SHELVED else None,
            response_s=self._escalation.waiting_s(spec.id, ts) if event is Event.ACKNOWLEDGE else None,
            unit=spec.unit,
            raised_ts=occurrence_raised(event, before.state, ts, alarm.raised_ts),
        )
        self._record(alarm, t)
        return t

    def _observe(
        self, alarm: _Alarm, event: Event, candidate: bool, ts: float, group: str | None
    ) -> tuple[bool, bool, bool]:
        """Noise bookkeeping shared by live events and restore: (chattering, first_out, flood).

        A consequence (an occurrence grouped under its active cause: an H under its HH, a worker inside a zone
        under the zone's tier-1 gas alarm) belongs to its cause's burst: it counts in the cause's area and
        never takes the first-out, which goes to the alarm that started the burst.
        """
        alarm_id = alarm.spec.id
        area = self.spec(group).area if group else alarm.spec.area
        if event is Event.ACTIVATE:
            chattering = self._chatter.activation(alarm_id, ts)
        else:
            chattering = self._chatter.chattering(alarm_id, ts)
        if candidate and not chattering:
            return (chattering, *self._flood.annunciation(area, alarm_id, ts, consequence=group is not None))
        return chattering, False, self._flood.state(area, ts).flooding

    def _record(self, alarm: _Alarm, t: Transition) -> None:
        """Take a transition into the alarm's state and the bookkeeping (shared by live events and restore)."""
        before, was_acked = alarm.status.state, alarm.status.acked
        alarm.status = Status(t.to_state, t.active, t.acked)
        if t.event is not Event.ESCALATE:
            alarm.seq = t.seq
        alarm.value, alarm.message, alarm.ts, alarm.area = t.value, t.message, t.ts, t.area
        alarm.raised_ts = t.raised_ts
        if t.response_s is not None:
            alarm.response_s = t.response_s
        if t.event is Event.ACTIVATE:
            alarm.active_ts, alarm.ack_ts, alarm.clear_ts, alarm.first_out = t.ts, None, None, t.first_out
            alarm.ack_by, alarm.acked_by_unshelve = "", False
            if alarm.raised is None or not (before is State.RTN_UNACK or t.chattering):
                alarm.raised = Raised(t.ts, t.value, t.message)
            alarm.cause = t.group if t.group != alarm.spec.cause else None
            consequences = self._consequences.setdefault(alarm.cause, []) if alarm.cause else []
            if alarm.cause and t.alarm_id not in consequences:
                consequences.append(t.alarm_id)  # its view changes with its cause
        elif t.event is Event.ACKNOWLEDGE:
            alarm.ack_ts, alarm.ack_by, alarm.acked_by_unshelve = t.ts, t.actor, False
        elif t.event is Event.UNSHELVE_MANUAL and t.active and t.acked and not was_acked:
            alarm.ack_ts, alarm.ack_by, alarm.acked_by_unshelve = t.ts, t.actor, True
        elif t.event is Event.CLEAR:
            alarm.clear_ts = t.ts
        self._shelving.hold(t.alarm_id, t.shelve if t.to_state is State.SHELVED else None)
        if t.event is Event.ESCALATE:
            self._escalation.escalated(t.alarm_id, t.ts)
        elif t.to_state in UNACKNOWLEDGED and before not in UNACKNOWLEDGED:
            self._escalation.unacknowledged(t.alarm_id, t.tier, t.ts)
        elif t.to_state not in UNACKNOWLEDGED:
            self._escalation.settled(t.alarm_id)
        self._touched.add(t.alarm_id)
        self._touched.update(self._consequences.get(t.alarm_id, ()))
        self._seq = max(self._seq, t.seq)

    def _group(self, spec: AlarmSpec, occurrence_cause: str | None = None) -> str | None:
        """Consequential grouping: the alarm's cause (its occurrence's, else its own), while it is active."""
        cause_id = occurrence_cause or spec.cause
        cause = self._alarms.get(cause_id) if cause_id else None
        return cause_id if cause is not None and cause.status.active else None

    def _view(self, alarm: _Alarm, now: float) -> AlarmView:
        spec, status = alarm.spec, alarm.status
        chattering = self._chatter.chattering(spec.id, now)
        return AlarmView(
            id=spec.id,
            source=spec.source,
            tier=spec.tier,
            priority=spec.priority,
            area=alarm.area or spec.area,
            message=alarm.message or spec.render(alarm.value),
            state=status.state,
            active=status.active,
            acked=status.acked,
            latched=spec.latched,
            value=alarm.value,
            seq=alarm.seq,
            ts=alarm.ts,
            shelve=self._shelving.get(spec.id),
            chattering=chattering,
            suggest_shelve=chattering and status.state not in HIDDEN and not spec.latched,
            group=self._group(spec, alarm.cause),
            response_s=alarm.response_s,
            active_ts=alarm.active_ts,
            ack_ts=alarm.ack_ts,
            clear_ts=alarm.clear_ts,
            first_out=alarm.first_out,
            raised=alarm.raised,
            cause=alarm.cause or spec.cause,
            home_area=spec.area,
            ack_by=alarm.ack_by,
            acked_by_unshelve=alarm.acked_by_unshelve,
            unit=spec.unit,
        )
