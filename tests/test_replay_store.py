"""The map replay's reads: the map at a moment, and the next frame laid over the one before (SQLite and,
when configured, PostgreSQL)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alarms.samples import Quality, TagBatch
from alarms.states import State
from console.server.permit_service import JOURNAL_KIND
from integrations.replay_store import PERMIT_KIND, ReplayStore
from integrations.storage import Store, StoreWriter
from plant_maps.replay_frame import WORKER_CUT_S, ReplayFrame
from plant_maps.site import Site
from tests.journal_builder import JournalBuilder
from tests.test_position_history import fixes

T0 = 1_800_000_000.0
G, B = int(Quality.GOOD), int(Quality.BAD)


@pytest.fixture()
def replay(store: Store, site: Site) -> ReplayStore:
    """A minute of plant: W01 walks east 2 m/s for 60 s, W02 stands and leaves after 10 s; GD-TF-01 rises
    from 1 to 30 at T0+30 and goes bad at T0+50; an alarm raised at T0+30 and acknowledged at T0+40 clears
    at T0+55; AA.H and ZZ.H are raised at T0+5, clear at T0+15 and are acknowledged at T0+16; the hot-work
    permit is suspended at T0+20 and resumed at T0+45."""
    writer = StoreWriter(store, site)
    try:
        for s in range(61):
            writer.record_positions(
                fixes([(0, 2.0 * s, 5.0, T0 + s)] + ([(1, 9.0, 9.0, T0 + s)] if s <= 10 else []))
            )
        tag = site.tag_index["GD-TF-01"]
        for ts, value, quality in ((T0, 1.0, G), (T0 + 30, 30.0, G), (T0 + 50, math.nan, B)):
            writer.record_history(TagBatch.from_lists([tag], [value], [quality], [ts], ts))
        assert writer.flush(timeout=10)
    finally:
        writer.close()
    j = JournalBuilder()
    j.alarm("GD-TF-01.HH", "TF")
    j.raise_("GD-TF-01.HH", T0 + 30)
    j.ack("GD-TF-01.HH", T0 + 40)
    j.clear("GD-TF-01.HH", T0 + 55)
    for alarm in ("AA.H", "ZZ.H"):  # alarm ids either side of it: raised at T0+5, cleared, then acknowledged
        j.alarm(alarm, "TF")
        j.raise_(alarm, T0 + 5)
        j.clear(alarm, T0 + 15)
        j.ack(alarm, T0 + 16)
    j.permit("PTW-HW-001", T0 + 20, "suspend", "active", "suspended", "gas")
    j.permit("PTW-HW-001", T0 + 45, "resume", "suspended", "active")
    j.write(store)
    return ReplayStore(store, site)


def test_the_permit_kind_is_the_one_the_permit_service_journals() -> None:
    assert PERMIT_KIND == JOURNAL_KIND


def test_a_seek_shows_the_map_as_it_was(replay: ReplayStore, site: Site) -> None:
    frame = replay.frame(T0 + 42.5)
    x, y = frame.worker_positions()
    assert (x[0], y[0]) == (84.0, 5.0)  # the fix stored at T0 + 42 (every fix of a walk is kept)
    assert frame.fix_age()[0] == pytest.approx(0.5)
    assert (x[1], y[1]) == (9.0, 9.0)  # standing since T0 + 10: their last stored fix, 32.5 s old
    assert frame.fix_age()[1] == pytest.approx(32.5)
    assert np.isnan(x[2:]).all()  # the others were never seen
    tag = site.tag_index["GD-TF-01"]
    assert (frame.value[tag], frame.quality[tag], frame.value_ts[tag]) == (30.0, G, T0 + 30)
    assert frame.detector_quality()[tag] == G
    assert frame.detector_quality()[site.tag_index["GD-TF-02"]] == int(Quality.STALE)  # nothing stored
    [alarm] = frame.alarms.values()
    assert (alarm.id, alarm.state, alarm.active, alarm.acked) == ("GD-TF-01.HH", State.ACKED, True, True)
    assert frame.permits["PTW-HW-001"].state == "suspended"
    assert frame.permits["PTW-HW-001"].reason == "gas"
    assert frame.permits["PTW-CS-003"].state == "active"  # never changed: as the site file has it
    assert math.isnan(frame.permits["PTW-CS-003"].since)


def test_every_alarm_standing_then_is_in_the_frame(replay: ReplayStore) -> None:
    assert set(replay.frame(T0 + 10).alarms) == {"AA.H", "ZZ.H"}
    assert replay.frame(T0 + 15).alarms["ZZ.H"].state is State.RTN_UNACK  # returned, not yet acknowledged
    assert set(replay.frame(T0 + 35).alarms) == {"GD-TF-01.HH"}


def test_before_anything_was_stored_the_map_is_empty(replay: ReplayStore) -> None:
    frame = replay.frame(T0 - 1)
    assert np.isnan(frame.worker_positions()[0]).all()
    assert (frame.detector_quality() == int(Quality.STALE)).all()
    assert frame.alarms == {}
    assert frame.permits["PTW-HW-001"].state == "active"


def test_a_worker_gone_longer_than_the_cut_is_not_drawn(replay: ReplayStore) -> None:
    frame = replay.frame(T0 + 10 + WORKER_CUT_S + 1)
    assert math.isnan(frame.worker_positions()[0][1])
    assert frame.fix_age()[1] == pytest.approx(WORKER_CUT_S + 1)  # known, but too old to place


def test_a_cleared_alarm_and_a_resumed_permit_are_back_to_normal(replay: ReplayStore, site: Site) -> None:
    frame = replay.frame(T0 + 56)
    assert frame.alarms == {}
    assert frame.permits["PTW-HW-001"].state == "active"
    assert frame.quality[site.tag_index["GD-TF-01"]] == B
    assert math.isnan(frame.value[site.tag_index["GD-TF-01"]])


def test_playing_second_by_second_gives_the_frames_a_seek_gives(replay: ReplayStore) -> None:
    frame = replay.frame(T0 - 5)
    for s in range(-4, 70):
        frame = replay.step(frame, T0 + s)
        assert_same(frame, replay.frame(T0 + s))


def test_a_step_back_or_a_long_jump_is_a_seek(replay: ReplayStore) -> None:
    frame = replay.frame(T0 + 50)
    assert_same(replay.step(frame, T0 + 5), replay.frame(T0 + 5))
    assert_same(replay.step(replay.frame(T0 - 100), T0 + 42), replay.frame(T0 + 42))


def assert_same(a: ReplayFrame, b: ReplayFrame) -> None:
    assert a.ts == b.ts
    for field in ("worker_x", "worker_y", "worker_floor", "fix_ts", "value", "quality", "value_ts"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=f"{field} at {a.ts - T0}")
    assert a.alarms == b.alarms
    assert a.permits == b.permits
