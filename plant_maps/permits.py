"""The permit book: the live state of every GB 30871 permit of a site, and the only place it changes.

Operator commands (submit, approve, activate, suspend, resume, close, cancel) and the rules (`evaluate`:
expiry and automatic suspension) all move permits through `permit_lifecycle.TRANSITIONS` and hand back a
`PermitChange` to journal, or a `PermitRefusal` saying why not; nothing raises at the operator. Time is
always the caller's `now` (epoch seconds from the console clock), so tests and replays drive expiry.
Runs on the core's loop thread; not thread-safe.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo

from alarms.records import SYSTEM
from plant_maps.certificates import expired_certificates, site_day
from plant_maps.gas_tests import GAS_TEST_MAX_AGE_S, GasTest, GasVerdict, fresh_enough, gas_limits, judge
from plant_maps.permit_grades import UNGRADED, ApprovalStep, approval_route, max_validity_s, normalise_grade
from plant_maps.permit_lifecycle import (
    LIVE,
    TERMINAL,
    Approval,
    PermitAction,
    PermitChange,
    PermitRefusal,
    PermitState,
    next_state,
)
from plant_maps.permit_watch import GUARDIAN_RADIUS_M, PermitWatch, Positions, Readings
from plant_maps.simops import DEFAULT_ADJACENT_M, SimopsFlag, ZoneGaps, simops_flags
from plant_maps.site import Permit, Site
from plant_maps.words import QT_TRANSLATE_NOOP, Words, joined

# GB 30871 approval routing: an approver who does not answer in 2 h is escalated.
APPROVAL_ESCALATE_S = 2 * 3600.0

Outcome = PermitChange | PermitRefusal


@dataclass(frozen=True, slots=True)
class GuardianCheckIn:
    """The guardian reported at the work location; accepted only within the guardian radius of the zone."""

    worker: str
    x: float
    y: float
    distance_m: float
    ts: float


@dataclass(frozen=True, slots=True)
class OverdueApproval:
    """A permit waiting for signatures longer than the escalation time (tell the approvers' superiors)."""

    permit: str
    waiting_for: tuple[str, ...]
    waited_s: float


@dataclass(frozen=True, slots=True)
class PermitStatus:
    """Everything the book knows of one permit now; replaced (never mutated) on every change."""

    permit: Permit
    state: PermitState
    since: float  # when it entered `state`
    end: float  # end of validity: the permit's window, cut to its grade's longest validity
    route: tuple[ApprovalStep, ...]
    approvals: tuple[Approval, ...] = ()
    submitted_at: float | None = None
    gas_verdict: GasVerdict | None = None  # of the latest gas test
    check_in: GuardianCheckIn | None = None  # the guardian's latest accepted check-in
    reason: str = ""  # of the latest change (the suspension reason while suspended)
    restored: bool = False  # loaded past approval from the site file: its signatures are on record elsewhere

    @property
    def id(self) -> str:
        return self.permit.id

    @property
    def pending_steps(self) -> tuple[ApprovalStep, ...]:
        signed = {a.step for a in self.approvals}
        return tuple(s for s in self.route if s.name not in signed)

    @property
    def approved(self) -> bool:
        return self.restored or not self.pending_steps

    @property
    def people(self) -> tuple[str, ...]:
        """Who is told of an expiry or suspension: the workers, the guardian and the applicant."""
        return tuple(dict.fromkeys((*self.permit.workers, self.permit.guardian, self.permit.applicant)))


def _validity(permit: Permit) -> tuple[float, tuple[ApprovalStep, ...]]:
    """The effective end and approval route; a grade the standard lacks gets no cap and the unit's approval
    here, and is refused when the permit is submitted."""
    start, end = permit.valid_from.timestamp(), permit.valid_to.timestamp()
    try:
        longest = max_validity_s(permit.category, permit.grade)
        route = approval_route(permit.category, permit.grade)
    except ValueError:
        return end, approval_route("confined_space", UNGRADED)
    return (end if longest is None else min(end, start + longest)), route


# GB 30871 gas analysis is taken before work starts, while it runs and before it resumes; the guardian reports
# at work about to start, running or stopped: both only while work may be on site.
GAS_TEST_STATES = LIVE
CHECK_IN_STATES = LIVE

_STATE_WORDS = {
    PermitState.DRAFT: QT_TRANSLATE_NOOP("PermitChecks", "draft"),
    PermitState.PENDING_APPROVAL: QT_TRANSLATE_NOOP("PermitChecks", "pending approval"),
    PermitState.APPROVED: QT_TRANSLATE_NOOP("PermitChecks", "approved"),
    PermitState.ACTIVE: QT_TRANSLATE_NOOP("PermitChecks", "active"),
    PermitState.SUSPENDED: QT_TRANSLATE_NOOP("PermitChecks", "suspended"),
    PermitState.CLOSED: QT_TRANSLATE_NOOP("PermitChecks", "closed"),
    PermitState.EXPIRED: QT_TRANSLATE_NOOP("PermitChecks", "expired"),
    PermitState.CANCELLED: QT_TRANSLATE_NOOP("PermitChecks", "cancelled"),
}
_ACTION_WORDS = {
    PermitAction.SUBMIT: QT_TRANSLATE_NOOP("PermitChecks", "submit"),
    PermitAction.SIGN: QT_TRANSLATE_NOOP("PermitChecks", "sign"),
    PermitAction.APPROVE: QT_TRANSLATE_NOOP("PermitChecks", "approve"),
    PermitAction.REJECT: QT_TRANSLATE_NOOP("PermitChecks", "reject"),
    PermitAction.ACTIVATE: QT_TRANSLATE_NOOP("PermitChecks", "activate"),
    PermitAction.SUSPEND: QT_TRANSLATE_NOOP("PermitChecks", "suspend"),
    PermitAction.RESUME: QT_TRANSLATE_NOOP("PermitChecks", "resume"),
    PermitAction.CLOSE: QT_TRANSLATE_NOOP("PermitChecks", "close"),
    PermitAction.EXPIRE: QT_TRANSLATE_NOOP("PermitChecks", "expire"),
    PermitAction.CANCEL: QT_TRANSLATE_NOOP("PermitChecks", "cancel"),
}


def _why(source: str, **values: object) -> Words:
    return Words("PermitChecks", source, values)


def utc_minute(ts: float) -> str:
    """A time in a refusal or a reason: "2026-11-24 14:30 UTC" (one console's words read alike on all)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, slots=True)
class PermitChecks:
    """Why a permit command would be refused now, in words: the one rule the book refuses by and the permit
    card greys its buttons by (STYLE: enablement declared once, with the reason), so that the card never
    offers a command the book would refuse, nor greys one it would carry out. Pure functions of a permit's
    status, the site (its people's certificates, its zones' names) and the time; an empty list: allowed."""

    site: Site
    gas_test_max_age_s: float = GAS_TEST_MAX_AGE_S
    tz: tzinfo = UTC  # the site's day, on which a certificate expires

    def why_not(self, s: PermitStatus, action: PermitAction, now: float) -> list[Words]:
        """Every reason the book would give for refusing `action` on this permit now.

        A reason the operator supplies with the command (a suspension's, a rejection's) and the signer's
        roles belong to the command, not the permit: the book checks them when the command arrives.
        """
        if next_state(s.state, action) is None:
            return [
                _why(
                    QT_TRANSLATE_NOOP("PermitChecks", "cannot {action} a permit that is {state}"),
                    action=self._action(action),
                    state=self._state(s),
                )
            ]
        if action is PermitAction.SUBMIT:
            return self.draft_problems(s, now)
        if action is PermitAction.ACTIVATE:
            return self._activation_problems(s, now)
        if action is PermitAction.RESUME:  # GB 30871: a new analysis and check-in after the stop
            return self._start_problems(s, now, since=s.since)
        return []

    def gas_test(self, s: PermitStatus) -> list[Words]:
        """Why no gas test can be recorded for this permit now."""
        if not gas_limits(s.permit):
            return [_why(QT_TRANSLATE_NOOP("PermitChecks", "{permit} needs no gas test"), permit=s.id)]
        if s.state not in GAS_TEST_STATES:
            source = QT_TRANSLATE_NOOP(
                "PermitChecks", "{permit} is {state}: a gas test is taken once it is approved"
            )
            return [_why(source, permit=s.id, state=self._state(s))]
        return []

    def check_in(self, s: PermitStatus) -> list[Words]:
        """Why the guardian cannot check in at this permit now (their distance is judged when they do)."""
        if s.state not in CHECK_IN_STATES:
            source = QT_TRANSLATE_NOOP(
                "PermitChecks", "{permit} is {state}: the guardian checks in once it is approved"
            )
            return [_why(source, permit=s.id, state=self._state(s))]
        return []

    def draft_problems(self, s: PermitStatus, now: float) -> list[Words]:
        """What keeps a draft from being signed: GB 30871 grade and validity, a JSA, its people."""
        p = s.permit
        try:
            grade = normalise_grade(p.category, p.grade)
        except ValueError as exc:
            return [_why("{error}", error=exc)]
        problems = []
        window = p.valid_to.timestamp() - p.valid_from.timestamp()
        longest = max_validity_s(p.category, grade)
        if longest is not None and window > longest:
            source = QT_TRANSLATE_NOOP(
                "PermitChecks",
                "{category} grade {grade} may be valid for at most {longest:g} h, this permit asks for {asked:g} h",
            )
            problems.append(
                _why(source, category=p.category, grade=grade, longest=longest / 3600, asked=window / 3600)
            )
        if p.valid_to.timestamp() <= now:
            source = QT_TRANSLATE_NOOP("PermitChecks", "its window ended at {time}")
            problems.append(_why(source, time=utc_minute(p.valid_to.timestamp())))
        if not any(a.upper().startswith("JSA") for a in p.attachments):
            problems.append(_why(QT_TRANSLATE_NOOP("PermitChecks", "no JSA (job safety analysis) attached")))
        if not p.workers:
            problems.append(_why(QT_TRANSLATE_NOOP("PermitChecks", "no workers assigned")))
        if p.guardian in p.workers:
            source = QT_TRANSLATE_NOOP(
                "PermitChecks",
                "guardian {guardian} is also assigned as a worker (a guardian does no other work)",
            )
            problems.append(_why(source, guardian=p.guardian))
        return problems + self._expired(p, now)

    def _activation_problems(self, s: PermitStatus, now: float) -> list[Words]:
        """Start work: approved, inside its window, a fresh passing gas test, the guardian checked in."""
        problems = []
        if not s.approved:
            steps = ", ".join(st.name.replace("_", " ") for st in s.pending_steps)
            problems.append(_why(QT_TRANSLATE_NOOP("PermitChecks", "still needs: {steps}"), steps=steps))
        if now < s.permit.valid_from.timestamp():
            source = QT_TRANSLATE_NOOP("PermitChecks", "valid only from {time}")
            problems.append(_why(source, time=utc_minute(s.permit.valid_from.timestamp())))
        return problems + self._start_problems(s, now, since=None)

    def _start_problems(self, s: PermitStatus, now: float, since: float | None) -> list[Words]:
        """What blocks work from starting (`since` None) or restarting after a stop at `since`.

        A test or check-in made at the very second of the stop does not count as made after it.
        GB 30871 gas analysis (fresh, passing, and on resumption new), guardian check-in, qualifications.
        """
        after = float("-inf") if since is None else since
        problems = []
        if now >= s.end:
            source = QT_TRANSLATE_NOOP("PermitChecks", "validity ended at {time}")
            problems.append(_why(source, time=utc_minute(s.end)))
        if gas_limits(s.permit):
            problems += self._gas_problems(s, now, after)
        if s.check_in is None or s.check_in.ts <= after:
            source = (
                QT_TRANSLATE_NOOP("PermitChecks", "guardian {guardian} has not checked in at {zone}")
                if since is None
                else QT_TRANSLATE_NOOP(
                    "PermitChecks",
                    "guardian {guardian} has not checked in at {zone} again since the suspension",
                )
            )
            problems.append(_why(source, guardian=s.permit.guardian, zone=self.site.zone_name(s.permit.zone)))
        return problems + self._expired(s.permit, now)

    def _gas_problems(self, s: PermitStatus, now: float, after: float) -> list[Words]:
        """GB 30871 gas analysis: a passing test, at most `gas_test_max_age_s` old, taken after `after`."""
        verdict = s.gas_verdict
        if verdict is None or verdict.test.taken_at <= after:
            if after == float("-inf"):
                return [_why(QT_TRANSLATE_NOOP("PermitChecks", "no gas test"))]
            return [_why(QT_TRANSLATE_NOOP("PermitChecks", "no gas test taken since the suspension"))]
        if not verdict.passed:
            source = QT_TRANSLATE_NOOP("PermitChecks", "gas test failed: {failures}")
            return [_why(source, failures="; ".join(verdict.failures))]
        if not fresh_enough(verdict.test, now, self.gas_test_max_age_s):
            source = QT_TRANSLATE_NOOP(
                "PermitChecks", "gas test is {age:.0f} min old (at most {limit:g} min before work)"
            )
            return [_why(source, age=(now - verdict.test.taken_at) / 60, limit=self.gas_test_max_age_s / 60)]
        return []

    def _expired(self, p: Permit, now: float) -> list[Words]:
        """GB 30871 qualifications: nobody on the permit with a certificate expired by the site's day."""
        today = site_day(now, self.tz)
        source = QT_TRANSLATE_NOOP(
            "PermitChecks", "{person} holds an expired {certificate} certificate (expired {date})"
        )
        return [
            _why(source, person=person, certificate=cert.type, date=cert.expires.isoformat())
            for person in dict.fromkeys((*p.workers, p.guardian))
            for cert in expired_certificates(self.site.workers[self.site.worker_index[person]], today)
        ]

    @staticmethod
    def _state(s: PermitStatus) -> Words:
        return _why(_STATE_WORDS[s.state])

    @staticmethod
    def _action(action: PermitAction) -> Words:
        return _why(_ACTION_WORDS[action])


class PermitBook:
    """The permits of one site with their live state; every change goes through the transition table."""

    def __init__(
        self,
        site: Site,
        *,
        guardian_radius_m: float = GUARDIAN_RADIUS_M,
        gas_test_max_age_s: float = GAS_TEST_MAX_AGE_S,
        adjacent_m: float = DEFAULT_ADJACENT_M,
        tz: tzinfo = UTC,
    ) -> None:
        self.site = site
        self.tz = tz
        self.adjacent_m = adjacent_m
        self.checks = PermitChecks(site, gas_test_max_age_s, tz)  # what refuses a command, in words
        self.watch = PermitWatch(site, guardian_radius_m=guardian_radius_m, tz=tz)
        self._gaps = ZoneGaps(site.zones)
        self._status: dict[str, PermitStatus] = {}
        for permit in site.permits:
            self.add(permit)

    # -- reading --------------------------------------------------------------------------------------

    def status(self, permit_id: str) -> PermitStatus:
        return self._status[permit_id]

    def statuses(self) -> tuple[PermitStatus, ...]:
        return tuple(self._status.values())

    def in_state(self, *states: PermitState) -> tuple[PermitStatus, ...]:
        return tuple(s for s in self._status.values() if s.state in states)

    def with_states(self) -> tuple[tuple[Permit, PermitState], ...]:
        """Every permit with its state now: what the worker rules and the SIMOPS check judge."""
        return tuple((s.permit, s.state) for s in self._status.values())

    def simops(self) -> list[SimopsFlag]:
        """GB 30871 SIMOPS: dangerous pairs among the live permits, each with its explanation."""
        return simops_flags(self.with_states(), self._gaps, self.adjacent_m)

    def overdue_approvals(self, now: float, after_s: float = APPROVAL_ESCALATE_S) -> list[OverdueApproval]:
        """GB 30871 approval routing: permits whose approvers have not answered within `after_s`."""
        out = []
        for s in self.in_state(PermitState.PENDING_APPROVAL):
            waited = now - (s.submitted_at if s.submitted_at is not None else s.since)
            if waited >= after_s:
                out.append(OverdueApproval(s.id, tuple(step.name for step in s.pending_steps), waited))
        return out

    # -- permits in and out ---------------------------------------------------------------------------

    def add(self, permit: Permit) -> PermitStatus:
        """Register a permit in the state its record says (a new one is a draft).

        Raises ValueError for a duplicate id or a zone or person the site lacks: that is a programming or
        data error, not an operator's mistake.
        """
        if permit.id in self._status:
            raise ValueError(f"permit {permit.id!r} is already in the book")
        if permit.zone not in self.site.zone_index:
            raise ValueError(f"permit {permit.id!r}: unknown zone {permit.zone!r}")
        for person in (*permit.workers, permit.guardian, permit.applicant):
            if person not in self.site.worker_index:
                raise ValueError(f"permit {permit.id!r}: unknown worker {person!r}")
        state = PermitState(permit.state)
        end, route = _validity(permit)
        restored = state not in (PermitState.DRAFT, PermitState.PENDING_APPROVAL)
        status = PermitStatus(permit, state, permit.valid_from.timestamp(), end, route, restored=restored)
        self._status[permit.id] = status
        return status

    def restore(
        self,
        permit_id: str,
        state: PermitState,
        since: float,
        reason: str,
        approvals: tuple[Approval, ...] = (),
    ) -> bool:
        """Put a permit back in the state and with the signatures the journal last recorded (after a
        restart, even `kill -9`).

        False for a permit the site file no longer has (the journal keeps its history all the same).
        """
        s = self._status.get(permit_id)
        if s is None:
            return False
        signed = state not in (PermitState.DRAFT, PermitState.PENDING_APPROVAL)
        self._status[permit_id] = replace(
            s,
            state=state,
            since=since,
            reason=reason,
            approvals=approvals or s.approvals,
            restored=signed and (s.restored or not approvals),
        )
        return True

    def restore_check_in(self, permit_id: str, check_in: GuardianCheckIn) -> None:
        """The guardian's latest accepted check-in, as journaled."""
        if permit_id in self._status:
            self._status[permit_id] = replace(self._status[permit_id], check_in=check_in)

    # -- operator commands ----------------------------------------------------------------------------

    def submit(self, permit_id: str, actor: str, now: float) -> Outcome:
        """Send a draft for approval once it is complete enough to be signed."""
        s = self._allowed(permit_id, PermitAction.SUBMIT, now)
        if isinstance(s, PermitRefusal):
            return s
        return self._move(s, PermitAction.SUBMIT, actor, "", now, approvals=(), submitted_at=now)

    def approve(
        self,
        permit_id: str,
        approver: str,
        role: str,
        now: float,
        where: str = "",
        signer: str = "",
        meaning: str = "",
    ) -> Outcome:
        """Sign one approval step as `role`; the last missing signature approves the permit.

        GB 30871 approval: the approver may be neither a worker on the permit nor its guardian, and one
        person signs one step only (two signatures must be two people). The caller has checked that the
        approver holds `role`.
        """
        s = self._allowed(permit_id, PermitAction.SIGN, now)
        if isinstance(s, PermitRefusal):
            return s
        p = s.permit
        if approver in p.workers or approver == p.guardian:
            return PermitRefusal(
                permit_id,
                PermitAction.APPROVE,
                f"{approver} works on or guards {p.id} and may not approve it",
            )
        if any(a.approver == approver for a in s.approvals):
            return PermitRefusal(permit_id, PermitAction.APPROVE, f"{approver} has already signed {p.id}")
        step = next((st for st in s.pending_steps if role in st.roles), None)
        if step is None:
            needed = ", ".join(sorted(r for st in s.pending_steps for r in st.roles)) or "nobody"
            return PermitRefusal(
                permit_id,
                PermitAction.APPROVE,
                f"no signature of a {role} is needed (still needed: {needed})",
            )
        approval = Approval(step.name, role, approver, now, where, signer, meaning)
        approvals = (*s.approvals, approval)
        remaining = [st.name for st in s.route if st.name not in {a.step for a in approvals}]
        action = PermitAction.SIGN if remaining else PermitAction.APPROVE
        reason = f"signed as {role}" + (f"; still needed: {', '.join(remaining)}" if remaining else "")
        return self._move(s, action, approver, reason, now, approval=approval, approvals=approvals)

    def reject(self, permit_id: str, approver: str, reason: str, now: float) -> Outcome:
        """Send the permit back to its applicant as a draft; its signatures so far are void."""
        s = self._allowed(permit_id, PermitAction.REJECT, now)
        if isinstance(s, PermitRefusal):
            return s
        if not reason.strip():
            return PermitRefusal(permit_id, PermitAction.REJECT, "a rejection needs a reason")
        return self._move(s, PermitAction.REJECT, approver, reason.strip(), now, approvals=())

    def record_gas_test(self, permit_id: str, test: GasTest) -> GasVerdict | PermitRefusal:
        """Judge a gas test against the permit's limits and keep it if it is the latest one."""
        s = self._status.get(permit_id)
        if s is None:
            return PermitRefusal(permit_id, "gas_test", f"no permit {permit_id}")
        refusal = self.checks.gas_test(s)
        if refusal:
            return PermitRefusal(permit_id, "gas_test", joined(refusal))
        verdict = judge(test, gas_limits(s.permit))
        if s.gas_verdict is None or test.taken_at >= s.gas_verdict.test.taken_at:
            self._status[permit_id] = replace(s, gas_verdict=verdict)
        return verdict

    def stop_for_failed_test(self, permit_id: str, verdict: GasVerdict, now: float) -> PermitChange | None:
        """GB 30871 gas analysis: a failed analysis stops the work. Running work is suspended by rule (actor
        `system`, as a detector over its limit does), the failed readings and their limits as the reason;
        None when the test passed or no work runs under the permit."""
        s = self._status.get(permit_id)
        if verdict.passed or s is None or s.state is not PermitState.ACTIVE:
            return None
        reason = "gas test failed: " + "; ".join(verdict.failures)
        return self._move(s, PermitAction.SUSPEND, SYSTEM, reason, now)

    def check_in_guardian(
        self, permit_id: str, worker: str, x: float, y: float, now: float
    ) -> GuardianCheckIn | PermitRefusal:
        """GB 30871 guardian check-in: only the permit's guardian, only within the radius of its zone."""
        s = self._status.get(permit_id)
        if s is None:
            return PermitRefusal(permit_id, "check_in", f"no permit {permit_id}")
        if worker != s.permit.guardian:
            return PermitRefusal(permit_id, "check_in", f"{worker} is not the guardian of {permit_id}")
        refusal = self.checks.check_in(s)
        if refusal:
            return PermitRefusal(permit_id, "check_in", joined(refusal))
        distance = self.watch.distance_to_zone(s.permit.zone, x, y)
        radius = self.watch.guardian_radius_m
        if math.isnan(distance):
            why = f"no position of guardian {worker} is known: their wearable has not been heard"
            return PermitRefusal(permit_id, "check_in", why)
        if not distance <= radius:
            zone = self.site.zone_name(s.permit.zone)
            return PermitRefusal(
                permit_id,
                "check_in",
                f"guardian is {distance:.0f} m from {zone} (must be within {radius:g} m)",
            )
        check_in = GuardianCheckIn(worker, x, y, distance, now)
        self._status[permit_id] = replace(s, check_in=check_in)
        return check_in

    def activate(self, permit_id: str, actor: str, now: float, reason: str = "") -> Outcome:
        """Start work: approved, inside its window, a fresh passing gas test, the guardian checked in.
        `reason` goes with the change (an override of live tier-1 alarms says which, and why)."""
        s = self._allowed(permit_id, PermitAction.ACTIVATE, now)
        if isinstance(s, PermitRefusal):
            return s
        return self._move(s, PermitAction.ACTIVATE, actor, reason, now)

    def suspend(self, permit_id: str, actor: str, reason: str, now: float) -> Outcome:
        """Stop the work; an operator must say why (DOMAIN: every suspension has a reason)."""
        s = self._allowed(permit_id, PermitAction.SUSPEND, now)
        if isinstance(s, PermitRefusal):
            return s
        if not reason.strip():
            return PermitRefusal(permit_id, PermitAction.SUSPEND, "a suspension needs a reason")
        return self._move(s, PermitAction.SUSPEND, actor, reason.strip(), now)

    def resume(self, permit_id: str, actor: str, now: float, reason: str = "") -> Outcome:
        """Restart suspended work: a new passing gas test and a new guardian check-in, both after the stop.
        `reason` goes with the change, as for `activate`."""
        s = self._allowed(permit_id, PermitAction.RESUME, now)
        if isinstance(s, PermitRefusal):
            return s
        return self._move(s, PermitAction.RESUME, actor, reason, now)

    def close(self, permit_id: str, actor: str, now: float, reason: str = "") -> Outcome:
        """The work is finished and the site handed back."""
        s = self._allowed(permit_id, PermitAction.CLOSE, now)
        if isinstance(s, PermitRefusal):
            return s
        return self._move(s, PermitAction.CLOSE, actor, reason.strip(), now)

    def cancel(self, permit_id: str, actor: str, now: float, reason: str = "") -> Outcome:
        """Withdraw a permit whose work will not (or no longer) take place."""
        s = self._allowed(permit_id, PermitAction.CANCEL, now)
        if isinstance(s, PermitRefusal):
            return s
        return self._move(s, PermitAction.CANCEL, actor, reason.strip(), now)

    # -- rules ----------------------------------------------------------------------------------------

    def evaluate(
        self, now: float, positions: Positions, readings: Readings, tier1_zones: Collection[str]
    ) -> list[PermitChange]:
        """Apply the rules to every permit: expiry at the end of validity, then automatic suspension.

        GB 30871 validity ends every unfinished permit; an active one is suspended (actor `system`) when
        any suspension rule of `PermitWatch` holds, with all the reasons that hold in one record.
        """
        changes = []
        for s in list(self._status.values()):
            if s.state not in TERMINAL and now >= s.end:
                changes.append(
                    self._move(s, PermitAction.EXPIRE, SYSTEM, f"validity ended at {utc_minute(s.end)}", now)
                )
        active = self.in_state(PermitState.ACTIVE)
        reasons = self.watch.reasons([s.permit for s in active], now, positions, readings, tier1_zones)
        for s, found in zip(active, reasons, strict=True):
            if found:
                changes.append(self._move(s, PermitAction.SUSPEND, SYSTEM, "; ".join(found), now))
        return changes

    # -- inside ---------------------------------------------------------------------------------------

    def _allowed(self, permit_id: str, action: PermitAction, now: float) -> PermitStatus | PermitRefusal:
        """The permit's status if `action` may be done to it now (`PermitChecks.why_not`: the lifecycle table
        and what the action needs), else the refusal to return."""
        s = self._status.get(permit_id)
        if s is None:
            return PermitRefusal(permit_id, action, f"no permit {permit_id}")
        why = self.checks.why_not(s, action, now)
        return PermitRefusal(permit_id, action, joined(why)) if why else s

    def _move(
        self,
        s: PermitStatus,
        action: PermitAction,
        actor: str,
        reason: str,
        now: float,
        approval: Approval | None = None,
        **updates: object,
    ) -> PermitChange:
        """The one place a permit changes state, through the transition table."""
        target = next_state(s.state, action)
        if target is None:  # every caller asked `_allowed` first: reaching this is a bug here
            raise AssertionError(f"{action.value} not allowed in {s.state.value}")
        since = (
            s.since if target is s.state else now
        )  # a signature leaves the permit pending since submission
        self._status[s.id] = replace(s, state=target, since=since, reason=reason, **updates)  # type: ignore[arg-type]
        return PermitChange(s.id, s.state, target, action, actor, reason, now, approval)
