"""The zones the alarm engine reports a tier-1 alarm in (what suspends permits and flags workers there), and
the tier-1 alarms active in given zones (what a reset or a resume there overrides)."""

from __future__ import annotations

import numpy as np

from alarms.clock import ManualClock
from alarms.engine import AlarmEngine
from alarms.samples import Quality
from alarms.states import State
from plant_maps.alarm_zones import tier1_hazards, tier1_zones
from plant_maps.state import TagTable
from tests.plant_maps.builders import T0, make_site

SITE = make_site()


def _engine_with(**values: float) -> AlarmEngine:
    engine = AlarmEngine(SITE.alarms.definitions, ManualClock(T0))
    value = np.array([values.get(s.id.replace("-", "_"), s.normal) for s in SITE.sensors])
    engine.process_arrays(value, np.full(value.size, int(Quality.GOOD), dtype=np.int8))
    return engine


def test_a_gas_high_high_is_a_tier_1_alarm_in_its_zone() -> None:
    engine = _engine_with(LEL_A=30.0)
    assert tier1_zones(engine.active()) == {"A"}
    assert tier1_zones(engine.active(), sources={"LEL-C"}) == frozenset()


def test_a_gas_high_alone_is_not_tier_1() -> None:
    assert tier1_zones(_engine_with(LEL_A=12.0).active()) == frozenset()


def test_the_tier_1_alarms_of_a_zone_are_those_active_whatever_the_operator_did_with_them() -> None:
    """What a reset or a resume there overrides: acknowledged and shelved alike, with the reading now; not
    one that returned, not a tier-2 one, not another zone's."""
    engine = _engine_with(LEL_A=30.0, LEL_C=40.0)
    [hh] = [v for v in engine.active() if v.id == "LEL-A.HH"]
    engine.shelve("LEL-A.HH", "op", "desk", "detector being calibrated", 600)
    readings = TagTable(len(SITE.sensors))
    readings.value[:] = 0.0
    readings.quality[:] = int(Quality.GOOD)
    readings.value[SITE.tag_index["LEL-A"]] = 31.25
    [hazard] = tier1_hazards(engine.active(), {"A"}, SITE, readings)
    assert (hazard.alarm_id, hazard.source, hazard.zone, hazard.state) == (
        "LEL-A.HH",
        "LEL-A",
        "A",
        State.SHELVED,
    )
    assert (hazard.value, hazard.unit, hazard.since) == (31.25, "%LEL", hh.active_ts)
    assert hazard.text() == f"LEL-A.HH ({hh.message}; now 31.25 %LEL; shelved)"
    assert hazard.record()["state"] == "shelved"
    readings.quality[SITE.tag_index["LEL-A"]] = int(Quality.STALE)  # no reading now: the alarm's own value
    [stale] = tier1_hazards(engine.active(), {"A"}, SITE, readings)
    assert (stale.value, stale.unit) == (30.0, None) and "now" not in stale.text()
    assert tier1_hazards(engine.active(), {"B"}, SITE, readings) == ()
    engine.process_arrays(np.array([s.normal for s in SITE.sensors]), np.zeros_like(readings.quality))
    assert tier1_hazards(engine.active(), {"A", "C"}, SITE) == ()  # returned: nothing left to override
