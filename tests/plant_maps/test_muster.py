"""Mustering: who reached a muster point after the alarm, who is missing, and where they were last seen."""

from __future__ import annotations

import math

from plant_maps.muster import Muster
from plant_maps.state import WorkerTable
from tests.plant_maps.builders import T0, make_site

SITE = make_site()


def _place(table: WorkerTable, worker: str, x: float, y: float, ts: float) -> None:
    row = SITE.worker_index[worker]
    table.x[row], table.y[row], table.fix_ts[row] = x, y, ts


def _evacuation() -> tuple[Muster, WorkerTable]:
    muster = Muster(SITE)
    t = WorkerTable(SITE)
    _place(t, "W2", -50, 50, T0 - 5)  # at the west gate, but seen there before the alarm
    _place(t, "W3", 300, 291, T0 + 10)  # 11 m from the north gate: not there yet
    _place(t, "W9", 60, 60, T0 - 120)  # last seen in zone A two minutes before the alarm
    muster.start(T0)
    _place(t, "W1", 305, 280, T0 + 10)  # at the north gate
    _place(t, "W4", -52, 52, T0 + 20)  # at the west gate
    return muster, t


def test_workers_seen_at_a_muster_point_after_the_alarm_are_accounted_for() -> None:
    muster, t = _evacuation()
    new = muster.update(t)
    assert [(a.worker, a.point) for a in new] == [("W1", "M1"), ("W4", "M2")]
    counts = muster.counts()
    assert (counts.expected, counts.accounted, counts.missing) == (10, 2, 8)
    assert counts.by_point == {"M1": 1, "M2": 1}


def test_accounted_for_stays_accounted_for_and_is_reported_once() -> None:
    muster, t = _evacuation()
    muster.update(t)
    _place(t, "W1", 50, 50, T0 + 60)  # walks back in (to help, or by mistake)
    assert muster.update(t) == []
    assert muster.counts().accounted == 2


def test_a_warden_may_account_for_someone_by_head_count() -> None:
    muster, t = _evacuation()
    muster.update(t)
    muster.account("W10", by="warden1", now=T0 + 90)
    counts = muster.counts()
    assert counts.accounted == 3 and counts.by_point["headcount"] == 1


def test_missing_workers_show_last_position_and_age_of_fix_longest_unseen_first() -> None:
    muster, t = _evacuation()
    muster.update(t)
    missing = muster.missing(T0 + 60, t)
    assert [m.worker for m in missing] == ["W5", "W6", "W7", "W8", "W10", "W9", "W2", "W3"]
    never = missing[0]
    assert math.isnan(never.x) and never.fix_age_s is None and never.zone is None
    w9 = missing[5]
    assert (w9.x, w9.y, w9.zone, w9.fix_age_s) == (60.0, 60.0, "A", 180.0)
    w3 = missing[-1]
    assert (w3.zone, w3.fix_age_s) == (None, 50.0)


def test_the_worker_calling_for_help_comes_first_then_those_last_seen_in_an_alarmed_zone() -> None:
    muster, t = _evacuation()
    muster.update(t)
    missing = muster.missing(T0 + 60, t, calling={"W3"}, alarmed={"A"})
    assert [m.worker for m in missing] == ["W3", "W9", "W5", "W6", "W7", "W8", "W10", "W2"]


def test_only_the_expected_workers_are_counted() -> None:
    muster = Muster(SITE)
    t = WorkerTable(SITE)
    muster.start(T0, expected=["W1", "W2"])
    _place(t, "W1", 300, 280, T0 + 1)
    _place(t, "W3", 300, 280, T0 + 1)  # not on the list (a visitor badge, say)
    assert [a.worker for a in muster.update(t)] == ["W1"]
    assert [m.worker for m in muster.missing(T0 + 2, t)] == ["W2"]
    assert (muster.counts().expected, muster.counts().missing) == (2, 1)


def test_nothing_is_counted_before_mustering_starts() -> None:
    muster = Muster(SITE)
    t = WorkerTable(SITE)
    _place(t, "W1", 300, 280, T0)
    assert not muster.active and muster.update(t) == []
