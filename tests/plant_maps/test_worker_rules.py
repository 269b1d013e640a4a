"""Worker rules on a handful of placed workers, exact; and the vectorised rules against a plain per-worker loop."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from plant_maps.certificates import expiry_warnings, site_day
from plant_maps.geometry import points_in_polygon
from plant_maps.permit_lifecycle import PermitState
from plant_maps.site import Permit, Site
from plant_maps.state import WorkerTable
from plant_maps.worker_rule_kinds import WorkerRule, worker_alarm
from plant_maps.worker_rules import RULES, WorkerFinding, WorkerRules, WorkerRuleSettings
from tests.plant_maps.builders import T0, make_site, permit

R = WorkerRule
SITE = make_site()
HOT_WORK_IN_A = permit("P1", zone="A", workers=("W1", "W2"), guardian="W3", state="active")


def _states(*permits: Permit) -> list[tuple[Permit, PermitState]]:
    """Each permit in the state its record gives, as the permit book hands them to the rules."""
    return [(p, PermitState(p.state)) for p in permits]


def _table(site: Site = SITE) -> WorkerTable:
    return WorkerTable(site)


def _place(table: WorkerTable, worker: str, x: float, y: float, ts: float = T0) -> None:
    row = SITE.worker_index[worker]
    table.x[row], table.y[row], table.fix_ts[row] = x, y, ts


def _vitals(table: WorkerTable, worker: str, battery: float = 80.0, heart_rate: float = 80.0) -> None:
    row = SITE.worker_index[worker]
    table.battery[row], table.heart_rate[row] = battery, heart_rate


def _scene() -> WorkerTable:
    t = _table()
    _place(t, "W1", 50, 50)  # on the permit, in its zone: nothing
    _place(t, "W2", 40, 40, ts=T0 - 61)  # on the permit, quiet for 61 s: lost signal
    _place(t, "W3", 120, 50)  # guardian, in zone B
    _place(t, "W4", 60, 60)  # not on the permit, inside its zone
    _place(t, "W5", 150, 50)  # certificate expires today, but zone B has no permit
    _place(t, "W8", 70, 70)  # expired certificate, inside the permit zone, not on the permit
    _place(t, "W9", 450, 50)  # zone C has a tier-1 gas alarm
    for w in ("W1", "W2", "W3", "W4", "W5", "W8", "W9"):
        _vitals(t, w)
    _vitals(t, "W6", battery=9.0)  # never located, but its band reports
    _vitals(t, "W7", battery=10.0, heart_rate=150.0)  # at the thresholds: fine
    _vitals(t, "W10", heart_rate=160.0)
    _vitals(t, "W3", heart_rate=39.0)
    return t


def test_each_rule_fires_for_exactly_the_workers_it_should() -> None:
    rules = WorkerRules(SITE)
    found = rules.evaluate(T0, _scene(), _states(HOT_WORK_IN_A), {"C"})
    assert {(f.worker, f.rule) for f in found} == {
        ("W4", R.NO_PERMIT_ENTRY),
        ("W8", R.NO_PERMIT_ENTRY),
        ("W8", R.EXPIRED_CERTIFICATE),
        ("W9", R.GAS_ALARM_ZONE),
        ("W2", R.LOST_SIGNAL),
        ("W6", R.LOW_BATTERY),
        ("W10", R.HEART_RATE),
        ("W3", R.HEART_RATE),
    }
    assert all(f.active for f in found)
    detail = {(f.worker, f.rule): f.detail for f in found}
    assert detail["W4", R.NO_PERMIT_ENTRY] == "in Zone A without being on permit P1"
    assert (
        detail["W8", R.EXPIRED_CERTIFICATE]
        == "in Zone A (permit P1) with expired certificate trade (expired 2026-11-23)"
    )
    assert detail["W9", R.GAS_ALARM_ZONE] == "in Zone C, which has an active tier-1 gas alarm"
    assert detail["W2", R.LOST_SIGNAL] == "no position for 61 s (limit 60 s)"
    assert detail["W6", R.LOW_BATTERY] == "battery 9 % (below 10 %)"
    assert detail["W3", R.HEART_RATE] == "heart rate 39 bpm (outside 40-150 bpm)"


def test_only_changes_are_reported_after_the_first_call() -> None:
    rules = WorkerRules(SITE)
    scene = _scene()
    rules.evaluate(T0, scene, _states(HOT_WORK_IN_A), {"C"})
    assert rules.evaluate(T0, scene, _states(HOT_WORK_IN_A), {"C"}) == []
    _place(scene, "W4", 300, 300)  # leaves the permit zone
    assert rules.evaluate(T0, scene, _states(HOT_WORK_IN_A), {"C"}) == [
        WorkerFinding("W4", R.NO_PERMIT_ENTRY, False, "cleared")
    ]


def test_closing_the_permit_clears_its_zone_rules() -> None:
    rules = WorkerRules(SITE)
    scene = _scene()
    rules.evaluate(T0, scene, _states(HOT_WORK_IN_A), {"C"})
    cleared = {(f.worker, f.rule) for f in rules.evaluate(T0, scene, [], {"C"}) if not f.active}
    assert cleared == {("W4", R.NO_PERMIT_ENTRY), ("W8", R.NO_PERMIT_ENTRY), ("W8", R.EXPIRED_CERTIFICATE)}


def test_a_suspension_makes_no_intruders_of_its_own_people_while_another_permits_work_runs_there() -> None:
    """EEMUA 191 (no fleeting alarms), GB 30871: suspending a permit (an SOS, a failed gas test, an operator)
    tells its people to stop and leave; it must not flash them as intruders of another permit whose work
    runs in the same zone. A stranger there still is one."""
    t = _table()
    _place(t, "W1", 50, 50)  # on the hot work P1, which runs on
    _place(t, "W4", 60, 60)  # on P2 in the same zone
    _place(t, "W7", 62, 62)  # P2's guardian
    _place(t, "W6", 66, 66)  # on no permit
    p2 = permit("P2", category="confined_space", zone="A", workers=("W4",), guardian="W7")
    rules = WorkerRules(SITE)
    first = rules.evaluate(T0, t, [(HOT_WORK_IN_A, PermitState.ACTIVE), (p2, PermitState.ACTIVE)], ())
    assert {(f.worker, f.rule) for f in first} == {("W6", R.NO_PERMIT_ENTRY)}
    assert rules.evaluate(T0, t, [(HOT_WORK_IN_A, PermitState.ACTIVE), (p2, PermitState.SUSPENDED)], ()) == []


def test_only_the_people_of_a_live_permit_of_the_zone_are_not_intruders() -> None:
    """Approved (its people prepare the start: the guardian checks in at the work location), active or
    suspended: its people belong in its zone. Not yet authorised, or no longer: they are intruders of the work
    running there. A permit that is not running makes no permit zone on its own."""
    t = _table()
    _place(t, "W4", 60, 60)
    _place(t, "W7", 62, 62)
    p2 = permit("P2", category="confined_space", zone="A", workers=("W4",), guardian="W7")
    for state in PermitState:
        found = WorkerRules(SITE).evaluate(T0, t, [(HOT_WORK_IN_A, PermitState.ACTIVE), (p2, state)], ())
        intruders = {f.worker for f in found if f.rule is R.NO_PERMIT_ENTRY}
        live = state in (PermitState.APPROVED, PermitState.ACTIVE, PermitState.SUSPENDED)
        assert intruders == (set() if live else {"W4", "W7"}), state
        assert WorkerRules(SITE).evaluate(T0, t, [(p2, state)], ()) == [], state  # its own people alone


def test_a_certificate_expiring_tomorrow_starts_counting_at_midnight() -> None:
    rules = WorkerRules(SITE)
    t = _table()
    _place(t, "W1", 50, 50)
    w6 = permit("P1", zone="A", workers=("W1",), guardian="W3", state="active")
    _place(t, "W6", 55, 55)  # expires in 20 days; not on the permit
    day = 24 * 3600.0
    before = rules.conditions(T0 + 19 * day, t, _states(w6), ())[0]
    after = rules.conditions(T0 + 20 * day, t, _states(w6), ())[0]
    col = RULES.index(R.EXPIRED_CERTIFICATE)
    row = SITE.worker_index["W6"]
    assert (bool(before[row, col]), bool(after[row, col])) == (False, True)


def test_thresholds_are_configurable() -> None:
    rules = WorkerRules(SITE, WorkerRuleSettings(lost_after_s=30, low_battery_pct=20, heart_rate_max=120))
    t = _table()
    _place(t, "W1", 500, 500, ts=T0 - 31)
    _vitals(t, "W1", battery=15, heart_rate=130)
    found = {f.rule for f in rules.evaluate(T0, t, [], ())}
    assert found == {R.LOST_SIGNAL, R.LOW_BATTERY, R.HEART_RATE}


def test_worker_alarm_ids_sit_beside_the_wearable_ones() -> None:
    assert worker_alarm("W1", R.NO_PERMIT_ENTRY) == "W1.NO_PERMIT_ENTRY"


def test_certificate_warnings_at_90_and_30_days_and_expired_first() -> None:
    today = site_day(T0)
    assert today == date(2026, 11, 24)
    warnings = [(w.worker, w.days_left, w.level) for w in expiry_warnings(SITE.workers, today)]
    assert warnings == [("W8", -1, 0), ("W5", 0, 0), ("W6", 20, 30), ("W7", 60, 90)]


# -- the vectorised rules against a plain loop -----------------------------------------------------

_coord = st.one_of(st.floats(-20, 520, allow_nan=False), st.just(float("nan")))


@settings(max_examples=60, deadline=None)
@given(
    xs=st.lists(_coord, min_size=10, max_size=10),
    ys=st.lists(st.floats(-20, 240, allow_nan=False), min_size=10, max_size=10),
    ages=st.lists(st.sampled_from([0.0, 30.0, 60.0, 61.0, None]), min_size=10, max_size=10),
    battery=st.lists(st.sampled_from([float("nan"), 5.0, 10.0, 50.0]), min_size=10, max_size=10),
    gas=st.sets(st.sampled_from(["A", "B", "C", "D"])),
    states=st.lists(st.sampled_from(PermitState), min_size=3, max_size=3),
)
def test_vectorised_rules_match_a_per_worker_loop(
    xs: list[float],
    ys: list[float],
    ages: list[float | None],
    battery: list[float],
    gas: set[str],
    states: list[PermitState],
) -> None:
    t = _table()
    for i, worker in enumerate(SITE.workers):
        if ages[i] is not None:
            _place(t, worker.id, xs[i], ys[i], ts=T0 - ages[i])
        t.battery[i] = battery[i]
    permits = [
        HOT_WORK_IN_A,
        permit("P2", zone="C", workers=("W9",), guardian="W10"),
        permit("P3", category="confined_space", zone="A", workers=("W4",), guardian="W5"),
    ]
    matrix, _ = WorkerRules(SITE).conditions(T0, t, list(zip(permits, states, strict=True)), gas)
    polygons = {z.id: np.asarray(z.polygon, dtype=float) for z in SITE.zones}
    for i, worker in enumerate(SITE.workers):
        zone = next(
            (
                zid
                for zid, poly in polygons.items()
                if points_in_polygon(t.x[i : i + 1], t.y[i : i + 1], poly)[0]
            ),
            None,
        )
        here = [(p, state) for p, state in zip(permits, states, strict=True) if p.zone == zone]
        running = any(state is PermitState.ACTIVE for _, state in here)
        live = (PermitState.APPROVED, PermitState.ACTIVE, PermitState.SUSPENDED)
        on_it = any(worker.id in (*p.workers, p.guardian) for p, state in here if state in live)
        expired = any(c.expires <= date(2026, 11, 24) for c in worker.certificates)
        expect = {
            R.NO_PERMIT_ENTRY: running and not on_it,
            R.GAS_ALARM_ZONE: zone in gas,
            R.EXPIRED_CERTIFICATE: running and expired,
            R.LOST_SIGNAL: ages[i] is not None and ages[i] > 60,
            R.LOW_BATTERY: bool(battery[i] < 10),
            R.HEART_RATE: False,
        }
        assert {r: bool(matrix[i, RULES.index(r)]) for r in RULES} == expect, worker.id
