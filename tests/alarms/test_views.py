"""The alarm list's snapshot: rebuilt only where something changed, yet always what a fresh look would show."""

from hypothesis import given, settings
from hypothesis import strategies as st

from alarms.definitions import Definitions, LimitRule
from alarms.states import State
from tests.alarms.builders import batch, event, limit, make

TAGS = ("GD-01", "GD-02")
IDS = ("GD-01.HH", "GD-01.H", "GD-02.HH", "GD-02.H")


def _definitions() -> Definitions:
    return Definitions(
        tags=TAGS,
        limits=tuple(
            LimitRule(tag, "zone", hh=limit(25), h=limit(10, cause=f"{tag}.HH"), deadband=1.0) for tag in TAGS
        ),
    )


_STEPS = st.one_of(
    st.tuples(st.just("value"), st.integers(0, 1), st.sampled_from([0.0, 12.0, 30.0])),
    st.tuples(st.just("wait"), st.sampled_from([1.0, 30.0, 61.0])),
    st.tuples(st.just("ack"), st.sampled_from(IDS)),
    st.tuples(st.just("shelve"), st.sampled_from(IDS)),
    st.tuples(st.just("unshelve"), st.sampled_from(IDS)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_STEPS, max_size=40))
def test_the_kept_snapshot_equals_a_fresh_one_after_any_sequence(steps: list[tuple]) -> None:
    engine, clock = make(_definitions())
    for step in steps:
        match step:
            case ("value", row, value):
                engine.process(batch(clock, {row: value}))
            case ("wait", seconds):
                clock.advance(seconds)
                engine.tick()
            case ("ack", alarm_id):
                engine.acknowledge(alarm_id, engine.view(alarm_id).seq, "op", "c1")
            case ("shelve", alarm_id):
                engine.shelve(alarm_id, "op", "c1", "test", 20.0)
            case ("unshelve", alarm_id):
                engine.unshelve(alarm_id, "op", "c1")
        listed = (v for v in map(engine.view, IDS) if v.seq and (v.state is not State.NORMAL or v.chattering))
        fresh = sorted(listed, key=lambda v: v.seq)
        assert engine.active() == fresh


def test_an_unchanged_alarm_comes_back_as_the_same_view() -> None:
    engine, clock = make(_definitions())
    engine.process(batch(clock, {0: 30.0, 1: 30.0}))
    first = {v.id: v for v in engine.active()}
    engine.acknowledge("GD-02.HH", first["GD-02.HH"].seq, "op", "c1")
    second = {v.id: v for v in engine.active()}
    assert second["GD-01.HH"] is first["GD-01.HH"]
    assert second["GD-02.HH"].state is State.ACKED


def test_a_discrete_alarm_raised_in_a_zone_shows_there_but_a_suppressed_site_area_is_not_its_own() -> None:
    engine, _ = make(Definitions(tags=(), events=(event("W01.SOS", area="site", latched=True),)))
    engine.suppress_area("compressor_house", True)  # maintenance isolation of the zone the wearer is in
    [raised] = engine.raise_event("W01.SOS", area="compressor_house")
    assert (raised.area, raised.to_state) == ("compressor_house", State.UNACK)  # never silenced by it
    ack = engine.acknowledge("W01.SOS", raised.seq, "op", "c1")
    assert ack.area == "compressor_house" and engine.view("W01.SOS").area == "compressor_house"
    engine.clear_event("W01.SOS")
    engine.reset("W01.SOS", "op", "c1")
    [again] = engine.raise_event("W01.SOS")  # a new occurrence without a known place: the alarm's own area
    assert again.area == "site"
