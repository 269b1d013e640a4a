"""The zones the alarm engine reports a tier-1 alarm in: what suspends permits and flags workers there."""

from __future__ import annotations

import numpy as np

from alarms.clock import ManualClock
from alarms.engine import AlarmEngine
from alarms.samples import Quality
from plant_maps.alarm_zones import tier1_zones
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
