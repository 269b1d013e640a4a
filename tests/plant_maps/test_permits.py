"""The permit book as the control room sees it: what may be signed, started, stopped and when it ends."""

from __future__ import annotations

import pytest

from alarms.records import SYSTEM
from plant_maps.gas_tests import GasTest
from plant_maps.permit_grades import approval_route, max_validity_s, night_or_holiday_grade
from plant_maps.permit_lifecycle import PermitAction, PermitRefusal, PermitState
from plant_maps.permits import PermitBook
from plant_maps.site import GasTestRequirement
from tests.plant_maps.builders import (
    HOUR,
    MIN,
    T0,
    activate,
    clean_air,
    ok,
    permit,
    positions,
    readings,
    refused,
    site_with,
)

CLEAN = {"lel": 0.0, "o2": 20.9, "h2s": 0.0, "co": 0.0}


def _book(*permits) -> PermitBook:  # type: ignore[no-untyped-def]
    return PermitBook(site_with(*(permits or (permit(),))))


def _approved(book: PermitBook, pid: str = "P1", now: float = T0) -> None:
    ok(book.submit(pid, "W10", now))
    for i, step in enumerate(book.status(pid).route):
        ok(book.approve(pid, f"A{i}", sorted(step.roles)[0], now))
    assert book.status(pid).state is PermitState.APPROVED


# -- grades, validity and approval routing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "grade", "hours"),
    [("hot_work", "special", 8), ("hot_work", "1", 8), ("hot_work", "2", 72), ("lifting", "1", None)],
)
def test_validity_limits_follow_the_grade(category: str, grade: str, hours: float | None) -> None:
    assert max_validity_s(category, grade) == (None if hours is None else hours * HOUR)


def test_hot_work_goes_up_one_grade_at_night() -> None:
    assert night_or_holiday_grade("hot_work", "2") == "1"
    assert night_or_holiday_grade("hot_work", "1") == "special"
    assert night_or_holiday_grade("hot_work", "special") == "special"
    assert night_or_holiday_grade("lifting", "2") == "2"


@pytest.mark.parametrize(
    ("category", "grade", "steps"),
    [
        ("hot_work", "2", ["unit"]),
        ("hot_work", "1", ["safety_department", "production_manager"]),
        ("hot_work", "special", ["responsible_executive"]),
        ("work_at_height", "IV", ["plant_manager_or_chief_engineer"]),
        ("work_at_height", "II", ["unit"]),
        ("lifting", "1", ["plant_manager_or_chief_engineer"]),
        ("excavation", "-", ["unit", "utilities", "fire", "safety_department"]),
        ("road_closure", "-", ["unit", "utilities", "fire", "safety_department"]),
    ],
)
def test_approval_is_routed_by_grade(category: str, grade: str, steps: list[str]) -> None:
    assert [s.name for s in approval_route(category, grade)] == steps


def test_a_draft_that_asks_too_long_a_window_or_lacks_a_jsa_is_not_submitted() -> None:
    book = _book(permit("P1", grade="1", hours=9, attachments=("drawing",)))
    reason = refused(book.submit("P1", "W10", T0))
    assert "at most 8 h" in reason and "asks for 9 h" in reason and "no JSA" in reason
    assert book.status("P1").state is PermitState.DRAFT


def test_a_grade_the_standard_lacks_is_refused_naming_the_allowed_ones() -> None:
    book = _book(permit("P1", grade="3"))
    assert "special, 1, 2" in refused(book.submit("P1", "W10", T0))


def test_a_guardian_who_also_works_or_a_worker_with_an_expired_certificate_blocks_submission() -> None:
    book = _book(permit("P1", workers=("W3", "W8"), guardian="W3"))
    reason = refused(book.submit("P1", "W10", T0))
    assert "guardian W3 is also assigned as a worker" in reason
    assert "W8 holds an expired trade certificate" in reason


def test_a_certificate_expiring_today_already_blocks_assignment() -> None:
    book = _book(permit("P1", workers=("W5",)))
    assert "W5 holds an expired trade certificate" in refused(book.submit("P1", "W10", T0))


def test_grade_1_hot_work_needs_two_different_signatures_and_neither_from_its_people() -> None:
    book = _book()
    ok(book.submit("P1", "W10", T0))
    assert "works on or guards" in refused(book.approve("P1", "W3", "safety_department", T0))
    assert "no signature of a unit is needed" in refused(book.approve("P1", "A1", "unit", T0))
    first = ok(book.approve("P1", "A1", "safety_department", T0, where="console 2"))
    assert first.action is PermitAction.SIGN and first.to_state is PermitState.PENDING_APPROVAL
    assert first.approval is not None and first.approval.where == "console 2"
    assert "already signed" in refused(book.approve("P1", "A1", "production_manager", T0))
    last = ok(book.approve("P1", "A2", "production_manager", T0 + MIN))
    assert (last.action, last.to_state, last.actor) == (PermitAction.APPROVE, PermitState.APPROVED, "A2")


def test_a_rejected_permit_goes_back_to_draft_and_loses_its_signatures() -> None:
    book = _book()
    ok(book.submit("P1", "W10", T0))
    ok(book.approve("P1", "A1", "safety_department", T0))
    assert "needs a reason" in refused(book.reject("P1", "A2", " ", T0))
    change = ok(book.reject("P1", "A2", "JSA incomplete", T0))
    assert change.to_state is PermitState.DRAFT and book.status("P1").approvals == ()


def test_an_approver_who_has_not_answered_in_2_hours_is_escalated() -> None:
    book = _book()
    ok(book.submit("P1", "W10", T0))
    ok(book.approve("P1", "A1", "safety_department", T0 + HOUR))
    assert book.overdue_approvals(T0 + 2 * HOUR - 1) == []
    [overdue] = book.overdue_approvals(T0 + 2 * HOUR)
    assert overdue.permit == "P1" and overdue.waiting_for == ("production_manager",)


# -- activation ------------------------------------------------------------------------------------


def _ready(book: PermitBook, test_at: float, readings_: dict[str, float] | None = None) -> None:
    _approved(book)
    book.record_gas_test("P1", GasTest(test_at, readings_ or CLEAN, tester="W4"))
    ok_check_in = book.check_in_guardian("P1", "W3", 90, 50, T0)
    assert not hasattr(ok_check_in, "reason"), ok_check_in


def test_activation_with_a_fresh_passing_gas_test_and_the_guardian_on_post() -> None:
    book = _book()
    _ready(book, test_at=T0)
    change = ok(book.activate("P1", "W10", T0 + 30 * MIN))
    assert (change.from_state, change.to_state, change.actor) == (
        PermitState.APPROVED,
        PermitState.ACTIVE,
        "W10",
    )


def test_a_gas_test_older_than_30_minutes_does_not_start_work() -> None:
    book = _book()
    _ready(book, test_at=T0)
    assert "gas test is 31 min old" in refused(book.activate("P1", "W10", T0 + 31 * MIN))
    assert book.status("P1").state is PermitState.APPROVED


def test_a_failing_gas_test_says_which_measure_failed() -> None:
    book = _book(permit("P1", category="confined_space", grade="-"))
    _ready(book, test_at=T0, readings_={"lel": 2.0, "o2": 19.0, "h2s": 0.0, "co": 0.0})
    verdict = book.status("P1").gas_verdict
    assert verdict is not None and not verdict.passed
    reason = refused(book.activate("P1", "W10", T0))
    assert "O2 19 %vol below 19.5 %vol (GB 30871 confined-space oxygen)" in reason


def test_a_permit_s_own_gas_limit_wins_over_the_category_default() -> None:
    book = _book(permit("P1", gas_tests=(GasTestRequirement("lel", max=5.0),)))
    _ready(book, test_at=T0, readings_={"lel": 7.0})
    assert "LEL 7 %LEL above 5 %LEL (permit)" in refused(book.activate("P1", "W10", T0))


def test_a_required_measure_missing_from_the_test_fails_it() -> None:
    book = _book(permit("P1", category="confined_space", grade="-"))
    _ready(book, test_at=T0, readings_={"o2": 20.9, "lel": 0.0})
    assert "H2S not measured (needs <= 7 ppm)" in refused(book.activate("P1", "W10", T0))


def test_no_gas_test_at_all_does_not_start_hot_work() -> None:
    book = _book()
    _approved(book)
    book.check_in_guardian("P1", "W3", 50, 50, T0)
    assert "no gas test" in refused(book.activate("P1", "W10", T0))


def test_work_without_gas_requirements_starts_without_a_gas_test() -> None:
    book = _book(permit("P1", category="work_at_height", grade="II"))
    _approved(book)
    book.check_in_guardian("P1", "W3", 50, 50, T0)
    ok(book.activate("P1", "W10", T0))


def test_a_guardian_more_than_50_m_away_cannot_check_in_and_work_does_not_start() -> None:
    book = _book()
    _approved(book)
    book.record_gas_test("P1", GasTest(T0, CLEAN))
    assert "51 m from Zone A" in refused(book.check_in_guardian("P1", "W3", 151, 50, T0))
    assert "is not the guardian" in refused(book.check_in_guardian("P1", "W1", 50, 50, T0))
    assert "has not checked in" in refused(book.activate("P1", "W10", T0))
    book.check_in_guardian("P1", "W3", 150, 50, T0)  # exactly 50 m from the zone edge
    ok(book.activate("P1", "W10", T0))


def test_work_does_not_start_before_its_window() -> None:
    book = _book(permit("P1", start=T0 + HOUR))
    _ready(book, test_at=T0)
    assert "valid only from" in refused(book.activate("P1", "W10", T0))


# -- expiry ----------------------------------------------------------------------------------------


def test_grade_1_hot_work_expires_by_itself_after_8_hours() -> None:
    book = _book()
    activate(book, "P1", T0)
    site = book.site
    where, air = positions(site, T0, W3=(50, 50)), clean_air(site)
    assert book.evaluate(T0 + 8 * HOUR - 1, where, air, ()) == []
    [change] = book.evaluate(T0 + 8 * HOUR, where, air, ())
    assert (change.action, change.to_state, change.actor) == (
        PermitAction.EXPIRE,
        PermitState.EXPIRED,
        SYSTEM,
    )
    assert "validity ended at 2026-11-24 16:00 UTC" in change.reason
    assert book.evaluate(T0 + 9 * HOUR, where, air, []) == []  # once only


def test_a_longer_window_from_the_site_file_is_cut_to_the_grade_s_validity() -> None:
    book = _book(permit("P1", grade="1", hours=12, state="active"))
    assert book.status("P1").end == T0 + 8 * HOUR


def test_grade_2_hot_work_runs_up_to_72_hours() -> None:
    book = _book(permit("P1", grade="2", hours=72))
    activate(book, "P1", T0)
    where, air = positions(book.site, T0, W3=(50, 50)), clean_air(book.site)
    assert book.evaluate(T0 + 71 * HOUR, where, air, ()) == []
    assert [c.to_state for c in book.evaluate(T0 + 72 * HOUR, where, air, ())] == [PermitState.EXPIRED]


def test_permits_not_yet_started_expire_too_and_the_people_to_tell_are_listed() -> None:
    book = _book(permit("P1"), permit("P2", zone="C"))
    _approved(book, "P2")
    changes = book.evaluate(T0 + 8 * HOUR, positions(book.site, T0), clean_air(book.site), ())
    assert {(c.permit, c.from_state) for c in changes} == {
        ("P1", PermitState.DRAFT),
        ("P2", PermitState.APPROVED),
    }
    assert book.status("P2").people == ("W1", "W2", "W3", "W10")


# -- automatic suspension --------------------------------------------------------------------------


def _suspension_reason(book: PermitBook, **kwargs) -> str:  # type: ignore[no-untyped-def]
    [change] = book.evaluate(T0 + MIN, **kwargs)
    assert (change.action, change.actor, change.to_state) == (
        PermitAction.SUSPEND,
        SYSTEM,
        PermitState.SUSPENDED,
    )
    return change.reason


def test_nothing_wrong_nothing_changes() -> None:
    book = _book()
    activate(book, "P1", T0)
    site = book.site
    assert book.evaluate(T0 + MIN, positions(site, T0, W3=(50, 50)), clean_air(site), {"C"}) == []


def test_a_gas_detector_in_the_zone_over_its_limit_suspends_the_permit() -> None:
    book = _book()
    activate(book, "P1", T0)
    site = book.site
    reason = _suspension_reason(
        book,
        positions=positions(site, T0, W3=(50, 50)),
        readings=readings(site, LEL_A=12.0, O2_A=20.9),
        tier1_zones=(),
    )
    assert reason == "gas: LEL-A reads 12.0 %LEL, at or above 10 %LEL"


def test_low_oxygen_suspends_confined_space_entry() -> None:
    book = _book(permit("P1", category="confined_space", grade="-"))
    activate(book, "P1", T0)
    site = book.site
    reason = _suspension_reason(
        book, positions=positions(site, T0, W3=(50, 50)), readings=readings(site, O2_A=19.0), tier1_zones=()
    )
    assert reason == "gas: O2-A reads 19.0 %vol, at or below 19.5 %vol"


def test_hot_work_stops_at_its_own_lower_lel_limit_and_bad_quality_values_are_ignored() -> None:
    book = _book(permit("P1", gas_tests=(GasTestRequirement("lel", max=5.0),)))
    activate(book, "P1", T0)
    site = book.site
    bad = readings(site, LEL_A=50.0)
    bad.quality[site.tag_index["LEL-A"]] = 2  # bad quality: not a reading to act on
    assert book.evaluate(T0 + MIN, positions(site, T0, W3=(50, 50)), bad, ()) == []
    reason = _suspension_reason(
        book, positions=positions(site, T0, W3=(50, 50)), readings=readings(site, LEL_A=6.0), tier1_zones=()
    )
    assert "at or above 5 %LEL" in reason


def test_a_gas_detector_in_another_zone_does_not_suspend() -> None:
    book = _book()
    activate(book, "P1", T0)
    site = book.site
    assert book.evaluate(T0 + MIN, positions(site, T0, W3=(50, 50)), readings(site, LEL_C=80.0), ()) == []


def test_a_tier_1_alarm_in_the_zone_suspends_the_permit() -> None:
    book = _book()
    activate(book, "P1", T0)
    site = book.site
    reason = _suspension_reason(
        book, positions=positions(site, T0, W3=(50, 50)), readings=clean_air(site), tier1_zones={"A"}
    )
    assert reason == "tier-1 alarm active in Zone A"


def test_the_guardian_leaving_suspends_the_permit() -> None:
    book = _book()
    activate(book, "P1", T0)
    site = book.site
    assert book.evaluate(T0 + MIN, positions(site, T0, W3=(140, 50)), clean_air(site), ()) == []
    reason = _suspension_reason(
        book, positions=positions(site, T0, W3=(160, 50)), readings=clean_air(site), tier1_zones=()
    )
    assert reason == "guardian Worker 3 (W3) is 60 m from Zone A (more than 50 m)"


def test_a_guardian_never_located_is_not_taken_for_gone() -> None:
    book = _book()
    activate(book, "P1", T0)
    assert book.evaluate(T0 + MIN, positions(book.site, T0), clean_air(book.site), ()) == []


def test_a_worker_whose_certificate_expires_during_the_work_suspends_the_permit() -> None:
    book = _book(permit("P1", category="work_at_height", grade="II", workers=("W6",), hours=30 * 24))
    activate(book, "P1", T0)
    site = book.site
    where, air = positions(site, T0, W3=(50, 50)), clean_air(site)
    assert book.evaluate(T0 + 19 * 24 * HOUR, where, air, ()) == []
    [change] = book.evaluate(T0 + 20 * 24 * HOUR, where, air, ())
    assert change.reason == "Worker 6 (W6) holds an expired trade certificate T-6 (expired 2026-12-14)"


def test_every_reason_that_holds_is_given_in_one_suspension() -> None:
    book = _book()
    activate(book, "P1", T0)
    site = book.site
    reason = _suspension_reason(
        book,
        positions=positions(site, T0, W3=(300, 50)),
        readings=readings(site, LEL_A=30.0),
        tier1_zones={"A"},
    )
    assert reason.count("; ") == 2 and "gas" in reason and "tier-1" in reason and "guardian" in reason


# -- operator suspension and resumption ------------------------------------------------------------


def test_an_operator_suspension_needs_a_reason() -> None:
    book = _book()
    activate(book, "P1", T0)
    assert "needs a reason" in refused(book.suspend("P1", "op1", "  ", T0 + MIN))
    change = ok(book.suspend("P1", "op1", "crane moving overhead", T0 + MIN))
    assert (change.actor, change.reason) == ("op1", "crane moving overhead")
    assert book.status("P1").reason == "crane moving overhead"


def test_resumption_needs_a_new_passing_gas_test_and_a_new_check_in() -> None:
    book = _book()
    activate(book, "P1", T0)
    ok(book.suspend("P1", "op1", "gas alarm nearby", T0 + 10 * MIN))
    reason = refused(book.resume("P1", "op1", T0 + 20 * MIN))
    assert "no gas test taken since the suspension" in reason and "checked in at Zone A again" in reason
    book.record_gas_test("P1", GasTest(T0 + 15 * MIN, {"lel": 14.0}))
    book.check_in_guardian("P1", "W3", 50, 50, T0 + 15 * MIN)
    assert "gas test failed: LEL 14 %LEL above 10 %LEL" in refused(book.resume("P1", "op1", T0 + 20 * MIN))
    book.record_gas_test("P1", GasTest(T0 + 18 * MIN, {"lel": 1.0}))
    change = ok(book.resume("P1", "op1", T0 + 20 * MIN))
    assert (change.action, change.to_state) == (PermitAction.RESUME, PermitState.ACTIVE)


def test_an_older_gas_test_entered_late_does_not_replace_the_latest() -> None:
    book = _book()
    activate(book, "P1", T0)
    book.record_gas_test("P1", GasTest(T0 - 10 * MIN, {"lel": 50.0}))
    verdict = book.status("P1").gas_verdict
    assert verdict is not None and verdict.passed


def test_a_closed_permit_takes_no_more_commands() -> None:
    book = _book()
    activate(book, "P1", T0)
    ok(book.close("P1", "W10", T0 + HOUR))
    assert refused(book.suspend("P1", "op1", "x", T0 + HOUR)) == "cannot suspend a permit that is closed"
    assert "closed" in refused(book.record_gas_test("P1", GasTest(T0, CLEAN)))
    assert "no permit P9" in refused(book.activate("P9", "W10", T0))


def test_an_active_permit_is_closed_not_cancelled() -> None:
    book = _book()
    activate(book, "P1", T0)
    assert refused(book.cancel("P1", "W10", T0)) == "cannot cancel a permit that is active"


def test_the_demo_plant_loads_into_the_book_as_its_file_says(site) -> None:  # type: ignore[no-untyped-def]
    book = PermitBook(site)
    states = {s.id: s.state for s in book.statuses()}
    assert states["PTW-HW-001"] is PermitState.ACTIVE and states["PTW-LB-002"] is PermitState.APPROVED
    assert all(s.approved for s in book.statuses() if s.state is not PermitState.DRAFT)
    draft = book.status("PTW-HW-009")  # hot work grade 2: the unit signs
    assert draft.state is PermitState.DRAFT and [st.name for st in draft.pending_steps] == ["unit"]


def test_a_failed_gas_test_stops_running_work_by_rule_and_nothing_else() -> None:
    """GB 30871 gas analysis: a failed analysis stops the work; before work starts it only blocks the start."""
    book = _book()
    _ready(book, test_at=T0)
    failing = book.record_gas_test("P1", GasTest(T0 + MIN, {"lel": 14.0}))
    assert not isinstance(failing, PermitRefusal)
    assert book.stop_for_failed_test("P1", failing, T0 + MIN) is None  # approved: nobody works yet
    passing = book.record_gas_test("P1", GasTest(T0 + 2 * MIN, CLEAN))
    assert not isinstance(passing, PermitRefusal)
    assert book.stop_for_failed_test("P1", passing, T0 + 2 * MIN) is None
    ok(book.activate("P1", "W10", T0 + 3 * MIN))
    failing = book.record_gas_test("P1", GasTest(T0 + 4 * MIN, {"lel": 14.0}))
    assert not isinstance(failing, PermitRefusal)
    change = book.stop_for_failed_test("P1", failing, T0 + 4 * MIN)
    assert change is not None
    assert (change.actor, change.action, change.to_state) == (
        SYSTEM,
        PermitAction.SUSPEND,
        PermitState.SUSPENDED,
    )
    assert change.reason == "gas test failed: LEL 14 %LEL above 10 %LEL (GB 30871 hot-work gas analysis)"


def test_the_checks_give_the_books_own_reasons_before_the_command_is_sent() -> None:
    """What the permit card greys a command with is what the book refuses it with: one rule, one wording."""
    book = _book()
    activate(book, "P1", T0)
    ok(book.suspend("P1", "op1", "crane overhead", T0 + MIN))
    status = book.status("P1")
    why = book.checks.why_not(status, PermitAction.RESUME, T0 + 2 * MIN)
    assert [str(w) for w in why] == [
        "no gas test taken since the suspension",
        "guardian W3 has not checked in at Zone A again since the suspension",
    ]
    assert refused(book.resume("P1", "op1", T0 + 2 * MIN)) == "; ".join(str(w) for w in why)
    assert book.checks.why_not(status, PermitAction.CLOSE, T0 + 2 * MIN) == []
    draft = _book().status("P1")
    assert [str(w) for w in book.checks.gas_test(draft)] == [
        "P1 is draft: a gas test is taken once it is approved"
    ]
    assert [str(w) for w in book.checks.check_in(draft)] == [
        "P1 is draft: the guardian checks in once it is approved"
    ]
    assert "P1 is draft" in refused(_book().record_gas_test("P1", GasTest(T0, CLEAN)))
