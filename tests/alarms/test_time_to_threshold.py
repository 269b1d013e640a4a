"""Time to threshold (trend-based early warning): the time left is never negative, "now" once the tag is
there; a rising and a falling threshold are told apart."""

from alarms.definitions import AlarmSpec, Definitions, Priority, Tier, TimeToThresholdRule
from alarms.states import Event
from tests.alarms.builders import feed, make, moves

TAGS = ("GD-01", "O2-01")


def _rule(tag: str, threshold: float, rising: bool = True) -> TimeToThresholdRule:
    alarm = AlarmSpec(f"{tag}.ETA", tag, Tier.HIGH, Priority.MEDIUM, "zone", "{source}: {eta}")
    return TimeToThresholdRule(alarm, tag, threshold, horizon_s=600.0, window_s=20.0, rising=rising)


def _definitions() -> Definitions:
    return Definitions(tags=TAGS, time_to_threshold=(_rule("GD-01", 25.0), _rule("O2-01", 19.5, False)))


def test_a_rising_gas_warns_ahead_and_reads_now_when_it_gets_there_never_a_negative_time() -> None:
    engine, clock = make(_definitions())
    out = feed(engine, clock, 0, [0.0] * 25 + [float(v) for v in range(1, 31)], 1.0)
    assert moves(out) == [("GD-01.ETA", "activate", "unack"), ("GD-01.ETA", "clear", "rtn_unack")]
    raised, reached = out
    assert 0 < raised.value <= 600 and raised.message.startswith("GD-01: reached in ")
    assert (reached.value, reached.message) == (0.0, "GD-01: reached now")
    assert engine.view("GD-01.ETA").value == 0.0


def test_a_falling_oxygen_is_approached_from_above() -> None:
    engine, clock = make(_definitions())
    out = feed(engine, clock, 1, [20.9] * 25 + [20.9 - 0.1 * i for i in range(1, 20)], 1.0)
    assert [(t.event, t.value > 0) for t in out] == [(Event.ACTIVATE, True), (Event.CLEAR, False)]
    assert out[-1].message == "O2-01: reached now"


def test_a_gas_that_turns_back_clears_ahead_and_a_falling_one_never_warns_of_a_rising_limit() -> None:
    engine, clock = make(_definitions())
    rise = [0.0] * 25 + [float(v) for v in range(1, 13)]
    out = feed(engine, clock, 0, rise + [max(12.0 - i, 0.0) for i in range(1, 25)], 1.0)
    assert [t.event for t in out] == [Event.ACTIVATE, Event.CLEAR]
    left = out[-1].value  # slowing down past the horizon, or heading away: never a time behind
    assert left > 600
    assert out[-1].message == "GD-01: reached in 37 min at the current rate"
    # from above, coming down towards 25 %LEL: good news, not an early warning of reaching it
    assert feed(engine, clock, 0, [40.0] * 25 + [40.0 - i for i in range(1, 14)], 1.0) == []
