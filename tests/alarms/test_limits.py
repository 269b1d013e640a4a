"""Limit rules: deadband hysteresis, on/off delays, and bad data raising the communication alarm instead."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from alarms.definitions import CommRule, Definitions, LimitRule
from alarms.samples import Quality
from alarms.states import State
from tests.alarms.builders import batch, feed, limit, make, moves, spec

TAGS = ("GD-01", "O2-01", "GD-02")


def gas(**kw: float) -> Definitions:
    return Definitions(
        tags=TAGS,
        limits=(
            LimitRule("GD-01", "zone", hh=limit(25), h=limit(10), deadband=1.0, **kw),
            LimitRule("O2-01", "zone", low=limit(19.5), ll=limit(18.0), deadband=0.5),
        ),
        comms=(
            CommRule(spec("GD-01.COMM", "GD-01"), ("GD-01",)),
            CommRule(spec("SRC.COMM", "plc-1"), ("O2-01", "GD-02")),  # a whole source
        ),
    )


def test_high_limits_activate_at_the_limit_and_clear_beyond_the_deadband() -> None:
    engine, clock = make(gas())
    assert moves(feed(engine, clock, 0, [9.99, 10.0], 1)) == [("GD-01.H", "activate", "unack")]
    assert feed(engine, clock, 0, [9.5, 9.01, 10.5], 1) == []  # inside the deadband: still active
    assert moves(feed(engine, clock, 0, [25.0, 24.5, 23.9], 1)) == [
        ("GD-01.HH", "activate", "unack"),
        ("GD-01.HH", "clear", "rtn_unack"),
    ]
    assert moves(feed(engine, clock, 0, [8.99], 1)) == [("GD-01.H", "clear", "rtn_unack")]


def test_low_limits_mirror_the_high_ones() -> None:
    engine, clock = make(gas())
    assert moves(feed(engine, clock, 1, [19.6, 19.5, 18.0], 1)) == [
        ("O2-01.L", "activate", "unack"),
        ("O2-01.LL", "activate", "unack"),
    ]
    assert moves(feed(engine, clock, 1, [18.4, 18.6, 19.9, 20.1], 1)) == [
        ("O2-01.LL", "clear", "rtn_unack"),
        ("O2-01.L", "clear", "rtn_unack"),
    ]


def test_on_delay_needs_the_condition_to_hold() -> None:
    engine, clock = make(gas(on_delay_s=5.0))
    assert feed(engine, clock, 0, [12.0], 1) == []
    clock.advance(4.9)
    assert engine.tick() == []
    assert feed(engine, clock, 0, [8.0, 12.0], 0.05) == []  # dipped below: the delay starts again
    clock.advance(4.9)
    assert engine.tick() == []
    clock.advance(0.1)
    assert moves(engine.tick()) == [("GD-01.H", "activate", "unack")]


def test_off_delay_needs_the_return_to_hold() -> None:
    engine, clock = make(gas(off_delay_s=10.0))
    feed(engine, clock, 0, [12.0], 1)
    assert feed(engine, clock, 0, [5.0], 1) == []
    clock.advance(9)
    assert feed(engine, clock, 0, [12.0, 5.0], 0.5) == []  # came back: the off-delay starts again
    clock.advance(9.5)
    assert engine.tick() == []
    clock.advance(0.5)
    assert moves(engine.tick()) == [("GD-01.H", "clear", "rtn_unack")]


def test_nan_or_bad_quality_raises_the_communication_alarm_and_no_limit_alarm() -> None:
    engine, clock = make(gas())
    clock.advance(1)
    assert moves(engine.process(batch(clock, {0: math.nan}))) == [("GD-01.COMM", "activate", "unack")]
    clock.advance(1)
    assert engine.process(batch(clock, {0: 99.0}, Quality.BAD)) == []  # no limit alarm on a bad value
    clock.advance(1)
    assert moves(engine.process(batch(clock, {0: 5.0}))) == [("GD-01.COMM", "clear", "rtn_unack")]


def test_bad_data_freezes_an_active_limit_alarm() -> None:
    engine, clock = make(gas())
    feed(engine, clock, 0, [30.0], 1)
    clock.advance(1)
    assert moves(engine.process(batch(clock, {0: 0.0}, Quality.STALE))) == [
        ("GD-01.COMM", "activate", "unack")
    ]
    assert engine.view("GD-01.HH").active  # neither cleared by a stale zero


def test_a_source_alarm_needs_every_tag_of_the_source_unusable() -> None:
    engine, clock = make(gas())
    clock.advance(1)
    assert engine.process(batch(clock, {1: 20.9, 2: 0.0})) == []
    assert engine.process(batch(clock, {1: 20.9}, Quality.STALE)) == []
    assert moves(engine.process(batch(clock, {2: 0.0}, Quality.STALE))) == [("SRC.COMM", "activate", "unack")]
    assert moves(engine.process(batch(clock, {1: 20.9}))) == [("SRC.COMM", "clear", "rtn_unack")]


def test_full_arrays_give_the_same_alarms_as_batches() -> None:
    engine, _ = make(gas())
    transitions = engine.process_arrays(np.array([26.0, 17.0, np.nan]), np.zeros(3, dtype=np.int8))
    assert sorted(t.alarm_id for t in transitions) == ["GD-01.H", "GD-01.HH", "O2-01.L", "O2-01.LL"]


@given(st.lists(st.floats(0.0, 40.0, allow_nan=False), max_size=30))
def test_vectorised_hysteresis_matches_a_scalar_reference(values: list[float]) -> None:
    engine, clock = make(gas())
    active = {"GD-01.H": False, "GD-01.HH": False}
    setpoint = {"GD-01.H": 10.0, "GD-01.HH": 25.0}
    for v in values:
        clock.advance(1)
        engine.process(batch(clock, {0: v}))
        for alarm_id, was in active.items():
            active[alarm_id] = v >= setpoint[alarm_id] or (was and v >= setpoint[alarm_id] - 1.0)
            assert engine.view(alarm_id).active == active[alarm_id]
            assert engine.view(alarm_id).state in (State.NORMAL, State.UNACK, State.RTN_UNACK)


def _source_with_tag_rules() -> Definitions:
    """SRC.COMM over O2-01 and GD-02, each with its own rule grouped under it, as every site gets them."""
    return Definitions(
        tags=TAGS,
        comms=(
            CommRule(spec("SRC.COMM", "plc-1"), ("O2-01", "GD-02")),
            CommRule(spec("O2-01.COMM", "O2-01"), ("O2-01",), "SRC.COMM"),
            CommRule(spec("GD-02.COMM", "GD-02"), ("GD-02",), "SRC.COMM"),
        ),
    )


def test_a_lost_source_is_one_alarm_and_its_tags_raise_none_of_their_own() -> None:
    engine, clock = make(_source_with_tag_rules())
    clock.advance(1)
    assert engine.process(batch(clock, {1: 20.9, 2: 0.0})) == []
    clock.advance(1)
    lost = engine.process(batch(clock, {1: 0.0, 2: 0.0}, Quality.STALE))
    assert moves(lost) == [("SRC.COMM", "activate", "unack")]
    clock.advance(1)
    assert moves(engine.process(batch(clock, {1: 20.9, 2: 0.0}))) == [("SRC.COMM", "clear", "rtn_unack")]


def test_a_tag_bad_while_its_source_is_lost_raises_its_own_alarm_once_the_source_is_back() -> None:
    engine, clock = make(_source_with_tag_rules())
    clock.advance(1)
    engine.process(batch(clock, {1: 20.9, 2: 0.0}))
    assert moves(engine.process(batch(clock, {2: 0.0}, Quality.BAD))) == [("GD-02.COMM", "activate", "unack")]
    clock.advance(1)
    assert moves(engine.process(batch(clock, {1: 0.0}, Quality.STALE))) == [("SRC.COMM", "activate", "unack")]
    assert engine.view("GD-02.COMM").active  # held through the loss: no clear, no second raise
    clock.advance(1)
    back = engine.process(batch(clock, {1: 20.9}))  # O2-01 is back, GD-02 still refused
    assert moves(back) == [("SRC.COMM", "clear", "rtn_unack")]
    assert engine.view("GD-02.COMM").active and not engine.view("O2-01.COMM").active
