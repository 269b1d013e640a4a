"""Definitions fail at construction with the alarm id and the problem, never mid-shift."""

import pytest

from alarms.definitions import (
    CommRule,
    CompositeRule,
    Condition,
    Definitions,
    LimitKind,
    LimitRule,
    Op,
    RateRule,
    eta_text,
    split_limit_id,
)
from tests.alarms.builders import limit, spec


def test_limit_alarm_ids_name_the_tag_and_the_limit() -> None:
    rule = LimitRule("GD-CH-01", "compressor_house", hh=limit(25), h=limit(10))
    assert rule.alarm_id(LimitKind.HH) == "GD-CH-01.HH"
    assert rule.spec(LimitKind.L) is None
    assert split_limit_id("GD-CH-01.HH") == ("GD-CH-01", LimitKind.HH)
    assert split_limit_id("GD-CH-01.COMM") is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limits": (LimitRule("NOPE", "z", h=limit(1)),)}, "unknown tag 'NOPE'"),
        ({"rates": (RateRule(spec("R"), "NOPE", 5.0),)}, "names unknown tag 'NOPE'"),
        ({"comms": (CommRule(spec("A.H"), ("A",)),), "limits": (LimitRule("A", "z", h=limit(1)),)}, "twice"),
        ({"comms": (CommRule(spec("C", cause="A.HH"), ("A",)),)}, "unknown cause 'A.HH'"),
        ({"comms": (CommRule(spec("C"), ()),)}, "names no tag"),
        ({"composites": (CompositeRule(spec("X"), (Condition("A", Op.ABOVE, 1, 0.0),)),)}, "must be > 0"),
        ({"limits": (LimitRule("A", "z", h=limit(1), deadband=-1),)}, "must be >= 0"),
        ({"limits": (LimitRule("A", "z", h=limit(1), message="{nope}"),)}, "bad message template"),
    ],
)
def test_bad_definitions_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Definitions(tags=("A", "B"), **kwargs)


def test_a_cause_may_be_a_limit_alarm() -> None:
    Definitions(
        tags=("A", "B"),
        limits=(LimitRule("A", "z", hh=limit(25)), LimitRule("B", "z", h=limit(5, cause="A.HH"))),
    )


def test_a_time_to_threshold_reads_as_time_ahead_never_as_minus_zero() -> None:
    """Seed case: 19 min of warning on a reactor temperature rise reads in minutes; a value already there
    reads "now" rather than "in -0 s", and one that turned away says so."""
    assert eta_text(42.4) == "reached in 42 s at the current rate"
    assert eta_text(19 * 60.0) == "reached in 19 min at the current rate"
    assert eta_text(0.4) == "reached in under 1 s at the current rate"
    assert eta_text(0.0) == eta_text(-0.2) == "reached now"
    assert eta_text(float("nan")) == "not approaching any more at the current rate"
