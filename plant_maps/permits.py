"""The permit book: the live state of every GB 30871 permit of a site, and the only place it changes.

Operator commands (submit, approve, activate, suspend, resume, close, cancel) and the rules (`evaluate`:
expiry and automatic suspension) all move permits through `permit_lifecycle.TRANSITIONS` and hand back a
`PermitChange` to journal, or a `PermitRefusal` saying why not; nothing raises at the operator. Time is
always the caller's `now` (epoch seconds from the console clock), so tests and replays drive expiry.
Runs on the core's loop thread; not thread-safe.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo

from alarms.records import SYSTEM
from plant_maps.certificates import expired_certificates, site_day
from plant_maps.gas_tests import GAS_TEST_MAX_AGE_S, GasTest, GasVerdict, fresh_enough, gas_limits, judge
from plant_maps.permit_grades import (
    UNGRADED,
    ApprovalStep,
    approval_route,
    max_validity_s,
    normalise_grade,
)
from plant_maps.permit_lifecycle import (
    TERMINAL,
    Approval,
    PermitAction,
    PermitChange,
    PermitRefusal,
    PermitState,
    allowed_actions,
    next_state,
)
from plant_maps.permit_watch import GUARDIAN_RADIUS_M, PermitWatch, Positions, Readings
from plant_maps.simops import DEFAULT_ADJACENT_M, SimopsFlag, ZoneGaps, simops_flags
from plant_maps.site import Permit, Site

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


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


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
        self.gas_test_max_age_s = gas_test_max_age_s
        self.adjacent_m = adjacent_m
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

    def active_permits(self) -> tuple[Permit, ...]:
        """The permits whose work is running: what the worker rules judge zone entry against."""
        return tuple(s.permit for s in self._status.values() if s.state is PermitState.ACTIVE)

    def simops(self) -> list[SimopsFlag]:
        """GB 30871 SIMOPS: dangerous pairs among the live permits, each with its explanation."""
        return simops_flags(((s.permit, s.state) for s in self._status.values()), self._gaps, self.adjacent_m)

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
        s = self._allowed(permit_id, PermitAction.SUBMIT)
        if isinstance(s, PermitRefusal):
            return s
        problems = self._draft_problems(s, now)
        if problems:
            return PermitRefusal(permit_id, PermitAction.SUBMIT, "; ".join(problems))
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
        s = self._allowed(permit_id, PermitAction.SIGN)
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
        s = self._allowed(permit_id, PermitAction.REJECT)
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
        if s.state in TERMINAL:
            return PermitRefusal(permit_id, "gas_test", f"{permit_id} is {s.state.value}")
        verdict = judge(test, gas_limits(s.permit))
        if s.gas_verdict is None or test.taken_at >= s.gas_verdict.test.taken_at:
            self._status[permit_id] = replace(s, gas_verdict=verdict)
        return verdict

    def check_in_guardian(
        self, permit_id: str, worker: str, x: float, y: float, now: float
    ) -> GuardianCheckIn | PermitRefusal:
        """GB 30871 guardian check-in: only the permit's guardian, only within the radius of its zone."""
        s = self._status.get(permit_id)
        if s is None:
            return PermitRefusal(permit_id, "check_in", f"no permit {permit_id}")
        if worker != s.permit.guardian:
            return PermitRefusal(permit_id, "check_in", f"{worker} is not the guardian of {permit_id}")
        if s.state not in (PermitState.APPROVED, PermitState.ACTIVE, PermitState.SUSPENDED):
            return PermitRefusal(permit_id, "check_in", f"{permit_id} is {s.state.value}")
        distance = self.watch.distance_to_zone(s.permit.zone, x, y)
        radius = self.watch.guardian_radius_m
        if not distance <= radius:
            return PermitRefusal(
                permit_id,
                "check_in",
                f"guardian is {distance:.0f} m from {s.permit.zone} (must be within {radius:g} m)",
            )
        check_in = GuardianCheckIn(worker, x, y, distance, now)
        self._status[permit_id] = replace(s, check_in=check_in)
        return check_in

    def activate(self, permit_id: str, actor: str, now: float, reason: str = "") -> Outcome:
        """Start work: approved, inside its window, a fresh passing gas test, the guardian checked in.
        `reason` goes with the change (an override of live tier-1 alarms says which, and why)."""
        s = self._allowed(permit_id, PermitAction.ACTIVATE)
        if isinstance(s, PermitRefusal):
            return s
        problems = []
        if not s.approved:
            problems.append("still needs: " + ", ".join(st.name for st in s.pending_steps))
        if now < s.permit.valid_from.timestamp():
            problems.append(f"valid only from {_iso(s.permit.valid_from.timestamp())}")
        problems += self._start_problems(s, now, since=None)
        if problems:
            return PermitRefusal(permit_id, PermitAction.ACTIVATE, "; ".join(problems))
        return self._move(s, PermitAction.ACTIVATE, actor, reason, now)

    def suspend(self, permit_id: str, actor: str, reason: str, now: float) -> Outcome:
        """Stop the work; an operator must say why (DOMAIN: every suspension has a reason)."""
        s = self._allowed(permit_id, PermitAction.SUSPEND)
        if isinstance(s, PermitRefusal):
            return s
        if not reason.strip():
            return PermitRefusal(permit_id, PermitAction.SUSPEND, "a suspension needs a reason")
        return self._move(s, PermitAction.SUSPEND, actor, reason.strip(), now)

    def resume(self, permit_id: str, actor: str, now: float, reason: str = "") -> Outcome:
        """Restart suspended work: a new passing gas test and a new guardian check-in, both after the stop.
        `reason` goes with the change, as for `activate`."""
        s = self._allowed(permit_id, PermitAction.RESUME)
        if isinstance(s, PermitRefusal):
            return s
        problems = self._start_problems(s, now, since=s.since)
        if problems:
            return PermitRefusal(permit_id, PermitAction.RESUME, "; ".join(problems))
        return self._move(s, PermitAction.RESUME, actor, reason, now)

    def close(self, permit_id: str, actor: str, now: float, reason: str = "") -> Outcome:
        """The work is finished and the site handed back."""
        s = self._allowed(permit_id, PermitAction.CLOSE)
        if isinstance(s, PermitRefusal):
            return s
        return self._move(s, PermitAction.CLOSE, actor, reason.strip(), now)

    def cancel(self, permit_id: str, actor: str, now: float, reason: str = "") -> Outcome:
        """Withdraw a permit whose work will not (or no longer) take place."""
        s = self._allowed(permit_id, PermitAction.CANCEL)
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
                    self._move(s, PermitAction.EXPIRE, SYSTEM, f"validity ended at {_iso(s.end)}", now)
                )
        active = self.in_state(PermitState.ACTIVE)
        reasons = self.watch.reasons([s.permit for s in active], now, positions, readings, tier1_zones)
        for s, found in zip(active, reasons, strict=True):
            if found:
                changes.append(self._move(s, PermitAction.SUSPEND, SYSTEM, "; ".join(found), now))
        return changes

    # -- inside ---------------------------------------------------------------------------------------

    def _allowed(self, permit_id: str, action: PermitAction) -> PermitStatus | PermitRefusal:
        """The permit's status if the table allows `action` in its state, else the refusal to return."""
        s = self._status.get(permit_id)
        if s is None:
            return PermitRefusal(permit_id, action, f"no permit {permit_id}")
        if next_state(s.state, action) is None:
            allowed = ", ".join(a.value for a in allowed_actions(s.state)) or "nothing"
            return PermitRefusal(
                permit_id,
                action,
                f"cannot {action.value} a permit that is {s.state.value} (allowed: {allowed})",
            )
        return s

    def _draft_problems(self, s: PermitStatus, now: float) -> list[str]:
        p = s.permit
        try:
            grade = normalise_grade(p.category, p.grade)
        except ValueError as exc:
            return [str(exc)]
        problems = []
        window = p.valid_to.timestamp() - p.valid_from.timestamp()
        longest = max_validity_s(p.category, grade)
        if longest is not None and window > longest:
            problems.append(
                f"{p.category} grade {grade} may be valid for at most {longest / 3600:g} h, "
                f"this permit asks for {window / 3600:g} h"
            )
        if p.valid_to.timestamp() <= now:
            problems.append(f"its window ended at {_iso(p.valid_to.timestamp())}")
        if not any(a.upper().startswith("JSA") for a in p.attachments):
            problems.append("no JSA (job safety analysis) attached")
        if not p.workers:
            problems.append("no workers assigned")
        if p.guardian in p.workers:
            problems.append(
                f"guardian {p.guardian} is also assigned as a worker (a guardian does no other work)"
            )
        problems += self._expired(p, now)
        return problems

    def _start_problems(self, s: PermitStatus, now: float, since: float | None) -> list[str]:
        """What blocks work from starting (`since` None) or restarting after a stop at `since`.

        A test or check-in made at the very second of the stop does not count as made after it.
        GB 30871 gas analysis (fresh, passing, and on resumption new), guardian check-in, qualifications.
        """
        after = float("-inf") if since is None else since
        problems = []
        if now >= s.end:
            problems.append(f"validity ended at {_iso(s.end)}")
        if gas_limits(s.permit):
            verdict = s.gas_verdict
            if verdict is None or verdict.test.taken_at <= after:
                problems.append("no gas test" + ("" if since is None else " taken since the suspension"))
            elif not verdict.passed:
                problems.append("gas test failed: " + "; ".join(verdict.failures))
            elif not fresh_enough(verdict.test, now, self.gas_test_max_age_s):
                age = (now - verdict.test.taken_at) / 60
                problems.append(
                    f"gas test is {age:.0f} min old (at most {self.gas_test_max_age_s / 60:g} min before work)"
                )
        if s.check_in is None or s.check_in.ts <= after:
            again = "" if since is None else " again since the suspension"
            problems.append(f"guardian {s.permit.guardian} has not checked in at {s.permit.zone}{again}")
        problems += self._expired(s.permit, now)
        return problems

    def _expired(self, p: Permit, now: float) -> list[str]:
        today = site_day(now, self.tz)
        out = []
        for person in dict.fromkeys((*p.workers, p.guardian)):
            worker = self.site.workers[self.site.worker_index[person]]
            for cert in expired_certificates(worker, today):
                out.append(
                    f"{person} holds an expired {cert.type} certificate (expired {cert.expires.isoformat()})"
                )
        return out

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
