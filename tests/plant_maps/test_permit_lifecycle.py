"""No sequence of commands, gas tests, check-ins, clock moves and rule evaluations reaches an invalid permit.

Hypothesis drives one grade-1 hot-work permit through random events and checks after every step that the
permit moved only along the transition table, never left a terminal state, and is active only when it
was approved, inside its window, started on a fresh passing gas test with its guardian checked in, and
not beyond its validity or in breach of a suspension rule at the last evaluation.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from plant_maps.gas_tests import GAS_TEST_MAX_AGE_S, GasTest
from plant_maps.permit_lifecycle import (
    TERMINAL,
    TRANSITIONS,
    PermitAction,
    PermitChange,
    PermitRefusal,
    PermitState,
)
from plant_maps.permits import PermitBook
from plant_maps.site import PERMIT_STATES
from tests.plant_maps.builders import MIN, T0, permit, positions, readings, site_with

SITE = site_with(permit("P1", grade="1", hours=8))
PEOPLE = ("W1", "W3", "W4", "W9", "A1", "A2")
ROLES = ("safety_department", "production_manager", "unit")
_RARE = 5
_STAGES = (
    PermitState.DRAFT,
    PermitState.PENDING_APPROVAL,
    PermitState.APPROVED,
    PermitState.ACTIVE,
    PermitState.SUSPENDED,
)


def test_the_table_and_the_site_file_name_the_same_states() -> None:
    assert {s.value for s in PermitState} == set(PERMIT_STATES)
    assert not any(state in TERMINAL for (state, _) in TRANSITIONS)
    assert all(
        target is not PermitState.DRAFT or action is PermitAction.REJECT
        for (_, action), target in TRANSITIONS.items()
    )


class PermitMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.book = PermitBook(SITE)
        self.now = T0 - 30 * MIN
        self.state = PermitState.DRAFT
        self.stopped_at = float("nan")

    @initialize(stage=st.sampled_from(list(_STAGES)))
    def start_at(self, stage: PermitState) -> None:
        """Begin some runs further along, reached by the normal procedure, so every state gets explored."""
        self.now = T0
        for target in _STAGES[: _STAGES.index(stage) + 1][1:]:
            if target is PermitState.PENDING_APPROVAL:
                self.submit()
            elif target is PermitState.APPROVED:
                self.approve_next_step("A1")
                self.approve_next_step("A2")
            elif target is PermitState.ACTIVE:
                self.crew_ready_then_start(resume=False)
            else:
                self.suspend("crane overhead")
        assert self.state is stage

    @property
    def status(self):  # type: ignore[no-untyped-def]
        return self.book.status("P1")

    def _apply(self, outcome: PermitChange | PermitRefusal | list[PermitChange]) -> None:
        changes = outcome if isinstance(outcome, list) else [outcome]
        for change in changes:
            if isinstance(change, PermitRefusal):
                assert self.status.state is self.state, "a refusal changed the permit"
                continue
            assert change.from_state is self.state
            assert TRANSITIONS[(change.from_state, change.action)] is change.to_state
            assert self.state not in TERMINAL
            if change.action is PermitAction.SUSPEND:
                assert change.reason.strip(), "a suspension without a reason"
            if change.action in (PermitAction.ACTIVATE, PermitAction.RESUME):
                self._check_start(change)
            self.state = change.to_state
            if self.state is PermitState.SUSPENDED:
                self.stopped_at = change.ts
        assert self.status.state is self.state

    def _check_start(self, change: PermitChange) -> None:
        s = self.status
        assert s.approved
        assert s.permit.valid_from.timestamp() <= change.ts < s.end
        verdict = s.gas_verdict
        assert verdict is not None and verdict.passed
        assert 0 <= change.ts - verdict.test.taken_at <= GAS_TEST_MAX_AGE_S
        assert s.check_in is not None and s.check_in.distance_m <= 50
        if change.action is PermitAction.RESUME:
            assert verdict.test.taken_at > self.stopped_at and s.check_in.ts > self.stopped_at

    # -- events ----------------------------------------------------------------------------------

    @rule(minutes=st.sampled_from([0, 1, 5, 20, 45, 120, 300]))
    def clock(self, minutes: int) -> None:
        self.now += minutes * MIN

    @rule()
    def submit(self) -> None:
        self._apply(self.book.submit("P1", "W10", self.now))

    @rule(who=st.sampled_from(PEOPLE), role=st.sampled_from(ROLES))
    def approve(self, who: str, role: str) -> None:
        self._apply(self.book.approve("P1", who, role, self.now))

    @rule(who=st.sampled_from(PEOPLE))
    def approve_next_step(self, who: str) -> None:
        pending = self.status.pending_steps
        role = sorted(pending[0].roles)[0] if pending else "unit"
        self._apply(self.book.approve("P1", who, role, self.now))

    # Withdrawals are drawn rarely (1 in `_RARE`) so that most runs get as far as active work.
    @rule(reason=st.sampled_from(["", "JSA incomplete"]), draw=st.integers(0, _RARE))
    def reject(self, reason: str, draw: int) -> None:
        if draw:
            return
        self._apply(self.book.reject("P1", "A1", reason, self.now))

    @rule(lel=st.sampled_from([0.0, 5.0, 10.0, 15.0, math.nan]), age=st.integers(0, 60))
    def gas_test(self, lel: float, age: int) -> None:
        self.book.record_gas_test("P1", GasTest(self.now - age * MIN, {"lel": lel}))
        assert self.status.state is self.state

    @rule(who=st.sampled_from(["W3", "W1"]), x=st.sampled_from([50.0, 140.0, 160.0]))
    def check_in(self, who: str, x: float) -> None:
        self.book.check_in_guardian("P1", who, x, 50.0, self.now)
        assert self.status.state is self.state

    @rule(resume=st.booleans())
    def crew_ready_then_start(self, resume: bool) -> None:
        """The usual procedure in one step: a clean gas test, the guardian on post, then start or resume."""
        self.book.record_gas_test("P1", GasTest(self.now, {"lel": 0.0}))
        self.book.check_in_guardian("P1", "W3", 50.0, 50.0, self.now)
        start = self.book.resume if resume else self.book.activate
        self._apply(start("P1", "op", self.now))

    @rule()
    def activate(self) -> None:
        self._apply(self.book.activate("P1", "W10", self.now))

    @rule(reason=st.sampled_from(["", "  ", "crane overhead"]))
    def suspend(self, reason: str) -> None:
        self._apply(self.book.suspend("P1", "op", reason, self.now))

    @rule()
    def resume(self) -> None:
        self._apply(self.book.resume("P1", "op", self.now))

    @rule(draw=st.integers(0, _RARE))
    def close(self, draw: int) -> None:
        if draw:
            return
        self._apply(self.book.close("P1", "W10", self.now))

    @rule(draw=st.integers(0, _RARE))
    def cancel(self, draw: int) -> None:
        if draw:
            return
        self._apply(self.book.cancel("P1", "W10", self.now))

    @rule(
        guardian_x=st.sampled_from([50.0, 149.0, 200.0]),
        lel=st.sampled_from([0.0, 9.0, 10.0, 40.0]),
        tier1=st.booleans(),
    )
    def evaluate(self, guardian_x: float, lel: float, tier1: bool) -> None:
        where = positions(SITE, self.now, W3=(guardian_x, 50.0))
        self._apply(self.book.evaluate(self.now, where, readings(SITE, LEL_A=lel), {"A"} if tier1 else ()))
        if self.now >= self.status.end:
            assert self.state in TERMINAL, "a permit outlived its validity"
        breach = guardian_x > 150.0 or lel >= 10.0 or tier1
        if breach:
            assert self.state is not PermitState.ACTIVE, "a permit stayed active through a suspension rule"

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def state_is_known(self) -> None:
        assert isinstance(self.status.state, PermitState)

    @invariant()
    def active_means_approved_and_in_window(self) -> None:
        s = self.status
        if s.state is PermitState.ACTIVE:
            assert s.approved and s.since < s.end
            assert {a.approver for a in s.approvals}.isdisjoint({*s.permit.workers, s.permit.guardian})
            assert len({a.approver for a in s.approvals}) == len(s.approvals)

    @invariant()
    def pending_means_submitted(self) -> None:
        if self.status.state is PermitState.PENDING_APPROVAL:
            assert self.status.submitted_at is not None


def test_every_sequence_of_permit_commands_keeps_the_lifecycle_rules() -> None:
    # a factory function, not the class: hypothesis keys its database by the source of what it is given,
    # and reading a class's source parses the whole module with `ast`, which on CPython 3.11.7 can fail
    # with "AST constructor recursion depth mismatch" when another thread of the run compiles at that moment
    run_state_machine_as_test(
        lambda: PermitMachine(),
        settings=settings(
            max_examples=300,
            stateful_step_count=80,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
