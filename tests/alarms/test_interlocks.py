"""Interlock feedback mismatch timing (DOMAIN `PLC interlock`), on a ManualClock and through the engine."""

from __future__ import annotations

import math

import pytest

from alarms.clock import ManualClock
from alarms.definitions import AlarmSpec, Definitions, EventKind, EventRule, Priority, Tier
from alarms.interlocks import InterlockWatch, MismatchEdge
from alarms.records import Transition
from alarms.samples import InterlockSample
from alarms.states import State
from tests.alarms.builders import make, moves

IL = "IL-CH-TRIP"
TIMEOUT_S = 5.0


def _watch() -> tuple[InterlockWatch, ManualClock]:
    return InterlockWatch({IL: TIMEOUT_S, "IL-OTHER": 2.0}), ManualClock()


def _sample(clock: ManualClock, command: bool | None, feedback: bool | None) -> InterlockSample:
    return InterlockSample(IL, command, feedback, clock.now())


def test_no_mismatch_before_the_timeout_and_one_after_it() -> None:
    watch, clock = _watch()
    assert watch.apply([_sample(clock, False, False)]) == []
    clock.advance(1.0)
    commanded_at = clock.now()
    assert watch.apply([_sample(clock, True, False)]) == []
    clock.advance(TIMEOUT_S)
    assert watch.due(clock.now()) == []  # exactly the timeout: the feedback may still come
    clock.advance(0.25)
    (edge,) = watch.due(clock.now())
    assert edge == MismatchEdge(IL, True, clock.now() - commanded_at, True, False, clock.now())
    clock.advance(0.25)
    assert watch.due(clock.now()) == []  # reported once


def test_a_feedback_that_follows_in_time_raises_nothing() -> None:
    watch, clock = _watch()
    watch.apply([_sample(clock, True, False)])
    clock.advance(TIMEOUT_S - 1.0)
    assert watch.apply([_sample(clock, True, True)]) == []
    clock.advance(60.0)
    assert watch.due(clock.now()) == []


def test_the_mismatch_clears_when_the_feedback_follows() -> None:
    watch, clock = _watch()
    start = clock.now()
    watch.apply([_sample(clock, True, False)])
    clock.advance(6.0)
    assert [e.active for e in watch.due(clock.now())] == [True]
    clock.advance(4.0)
    (edge,) = watch.apply([_sample(clock, True, True)])
    assert edge == MismatchEdge(IL, False, clock.now() - start, True, True, clock.now())
    clock.advance(60.0)
    assert watch.due(clock.now()) == []


def test_a_new_mismatch_is_timed_from_its_own_start() -> None:
    watch, clock = _watch()
    watch.apply([_sample(clock, True, False)])
    clock.advance(6.0)
    watch.due(clock.now())
    watch.apply([_sample(clock, True, True)])
    clock.advance(1.0)
    watch.apply([_sample(clock, False, True)])  # the reset command: feedback must follow it too
    clock.advance(TIMEOUT_S - 0.5)
    assert watch.due(clock.now()) == []
    clock.advance(1.0)
    (edge,) = watch.due(clock.now())
    assert (edge.command, edge.feedback, edge.seconds) == (False, True, TIMEOUT_S + 0.5)


@pytest.mark.parametrize(("command", "feedback"), [(None, False), (True, None), (None, None)])
def test_an_unknown_or_stale_value_raises_no_mismatch(command: bool | None, feedback: bool | None) -> None:
    watch, clock = _watch()
    watch.apply([_sample(clock, command, feedback)])
    clock.advance(60.0)
    assert watch.due(clock.now()) == []


def test_staleness_restarts_the_timer_of_a_pending_mismatch_and_holds_an_active_one() -> None:
    watch, clock = _watch()
    watch.apply([_sample(clock, True, False)])
    clock.advance(4.0)
    watch.apply([_sample(clock, None, None)])  # the source dropped: nothing is known of the gap
    clock.advance(4.0)
    watch.apply([_sample(clock, True, False)])
    clock.advance(4.0)
    assert watch.due(clock.now()) == []  # 4 s of known mismatch, not 12
    clock.advance(1.5)
    assert [e.active for e in watch.due(clock.now())] == [True]
    watch.apply([_sample(clock, None, None)])
    clock.advance(60.0)
    assert watch.due(clock.now()) == [] and watch.apply([_sample(clock, None, False)]) == []
    assert [e.active for e in watch.apply([_sample(clock, True, True)])] == [False]


def test_each_interlock_has_its_own_timeout() -> None:
    watch, clock = _watch()
    watch.apply([_sample(clock, True, False), InterlockSample("IL-OTHER", True, False, clock.now())])
    clock.advance(3.0)
    assert [e.interlock_id for e in watch.due(clock.now())] == ["IL-OTHER"]
    assert watch.latest("IL-OTHER") == InterlockSample("IL-OTHER", True, False, clock.now() - 3.0)
    assert watch.latest(IL) is not None and watch.latest(IL).command is True


def test_a_mismatch_restored_from_the_journal_clears_without_a_known_duration() -> None:
    watch, clock = _watch()
    watch.force(IL, True)
    watch.apply([_sample(clock, True, False)])
    clock.advance(60.0)
    assert watch.due(clock.now()) == []  # still the restored occurrence
    (edge,) = watch.apply([_sample(clock, True, True)])
    assert not edge.active and math.isnan(edge.seconds)


def test_unknown_interlocks_and_bad_timeouts_are_refused() -> None:
    watch, clock = _watch()
    with pytest.raises(KeyError):
        watch.apply([InterlockSample("IL-NOPE", True, True, clock.now())])
    with pytest.raises(ValueError, match="IL-X"):
        InterlockWatch({"IL-X": 0.0})


def test_through_the_engine_a_mismatch_is_an_unlatched_event_alarm_with_its_own_text() -> None:
    spec = AlarmSpec(
        f"{IL}.MISMATCH", IL, Tier.LIFE, Priority.URGENT, "zone", "feedback does not follow for {value:.0f} s"
    )
    engine, clock = make(Definitions(tags=(), events=(EventRule(spec, EventKind.INTERLOCK_MISMATCH),)))
    watch = InterlockWatch({IL: TIMEOUT_S})
    watch.apply([_sample(clock, True, False)])
    clock.advance(5.5)
    (edge,) = watch.due(clock.now())
    raised = engine.raise_event(spec.id, edge.seconds, edge.ts, "feedback OFF does not follow command ON")
    assert moves(raised) == [(spec.id, "activate", "unack")]
    assert (raised[0].value, raised[0].message, raised[0].annunciate) == (
        5.5,
        "feedback OFF does not follow command ON",
        True,
    )
    acked = engine.acknowledge(spec.id, raised[0].seq, "op", "desk")
    assert isinstance(acked, Transition) and acked.message == "feedback OFF does not follow command ON"
    clock.advance(1.0)
    (cleared,) = watch.apply([_sample(clock, True, True)])
    out = engine.clear_event(spec.id, cleared.ts, cleared.seconds)
    assert moves(out) == [(spec.id, "clear", "normal")]  # acknowledged and clear: not latched
    assert out[0].message == "feedback does not follow for 6 s"  # no text given: the template
    assert engine.view(spec.id).state is State.NORMAL
