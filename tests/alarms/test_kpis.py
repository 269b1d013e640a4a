"""The traffic-light rule of every KPI target (Qt-free, no database)."""

from __future__ import annotations

import pytest

from alarms.kpis import LABELS, TARGETS, Bound, Group, Light, Target, make_kpi, number_text


@pytest.mark.parametrize(
    ("value", "light"),
    [
        (None, Light.NONE),
        (0.0, Light.OK),
        (1.0, Light.OK),
        (1.5, Light.WARN),
        (2.0, Light.WARN),
        (2.01, Light.BAD),
    ],
)
def test_at_most_is_green_within_amber_up_to_twice_red_beyond(value: float | None, light: Light) -> None:
    assert Target(Bound.AT_MOST, 1, "/ 10 min").light(value) is light


@pytest.mark.parametrize(
    ("value", "light"), [(0.99, Light.OK), (1.0, Light.WARN), (1.99, Light.WARN), (2.0, Light.BAD)]
)
def test_below_is_strict(value: float, light: Light) -> None:
    assert Target(Bound.BELOW, 1, "%").light(value) is light


@pytest.mark.parametrize(("value", "light"), [(0, Light.OK), (1, Light.BAD)])
def test_a_target_of_zero_has_no_amber(value: float, light: Light) -> None:
    assert TARGETS["chattering_alarms"].light(value) is light


@pytest.mark.parametrize(
    ("value", "light"), [(95.0, Light.OK), (90.0, Light.OK), (80.0, Light.WARN), (79.9, Light.BAD)]
)
def test_at_least_weighs_the_shortfall(value: float, light: Light) -> None:
    assert Target(Bound.AT_LEAST, 90, "%").light(value) is light


def test_the_targets_of_the_standards_and_the_seeds() -> None:
    assert TARGETS["alarms_per_10min_avg"].text == "<= 1 / 10 min"
    assert TARGETS["flood_time_pct"].text == "< 1 %"
    assert TARGETS["priority_urgent_pct"].text == "< 1 %"
    assert TARGETS["response_p90_s"].text == "<= 90 s"
    assert TARGETS["permit_timeout_pct"].text == "<= 5 %"
    assert TARGETS["vision_false_pct"].text == "<= 3.5 %"
    assert set(TARGETS) <= set(LABELS)


def test_a_kpi_without_a_target_has_no_light() -> None:
    k = make_kpi("standing_alarms", Group.STANDING, 3, number_text(3))
    assert (k.target, k.light, k.text, k.group) == ("", Light.NONE, "3", "standing")


def test_number_texts() -> None:
    assert number_text(None, "%") == "—"
    assert number_text(12.0, "%") == "12 %"
    assert number_text(0.5833, "/ 10 min", 2) == "0.58 / 10 min"
    assert number_text(176.04, "s") == "176 s"  # whole at one decimal
    assert number_text(32.5, "s") == "32.5 s"
