"""A generated plant (`controlroom simulate --scale N --workers M`): a valid site file of N tags and M workers
that the console reads as it reads any other, whose tags stay quiet on their own, and of which only the
asked share changes each second. No network: the served plant is tests/test_scale_plant.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from integrations.simulator.change_share import ChangeShare
from integrations.simulator.dynamics import PlantDynamics
from integrations.simulator.plant_generator import ZONE_TAGS, generate_site
from plant_maps.geometry import zone_of_points
from plant_maps.site import Site
from plant_maps.site_file import load_site


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Site:
    path = tmp_path_factory.mktemp("scale") / "scale.toml"
    path.write_text(generate_site(1050, 37), encoding="utf-8")
    return load_site(path)


def test_the_site_has_the_asked_tags_and_workers_each_inside_its_zone(plant: Site) -> None:
    assert len(plant.sensors) == 1050 and len(plant.workers) == 37
    assert len(plant.zones) == 6  # 1050 / 200 per zone, rounded up
    assert all(s.scheme == "opcua" and s.address == f"opcua://ns=2;s={s.id}" for s in plant.sensors)
    assert len({s.address for s in plant.sensors}) == 1050
    polygons = [np.array(z.polygon, dtype=float) for z in plant.zones]
    x, y = np.array([s.x for s in plant.sensors]), np.array([s.y for s in plant.sensors])
    zone_ids = [z.id for z in plant.zones]
    assert [zone_ids[z] for z in zone_of_points(x, y, polygons)] == [s.zone for s in plant.sensors]
    assert max(sum(s.zone == z for s in plant.sensors) for z in zone_ids) == ZONE_TAGS
    homes = np.array([w.home for w in plant.workers])
    assert (zone_of_points(homes[:, 0], homes[:, 1], polygons) >= 0).all()
    assert len(plant.alarms.definitions.limits) == 1050  # every tag is alarmed, as on a real plant


def test_the_same_numbers_give_the_same_file() -> None:
    assert generate_site(500, 20) == generate_site(500, 20)
    assert generate_site(500, 20) != generate_site(500, 21)


def test_an_empty_plant_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 tag"):
        generate_site(0, 5)


def test_ten_minutes_of_the_generated_plant_raise_no_alarm_on_their_own(plant: Site) -> None:
    dynamics = PlantDynamics(plant, seed=1)
    low = np.array(
        [min(v for v in (s.limits.low, s.limits.ll, -np.inf) if v is not None) for s in plant.sensors]
    )
    high = np.array(
        [min(v for v in (s.limits.h, s.limits.hh, np.inf) if v is not None) for s in plant.sensors]
    )
    for t in range(1, 601):
        dynamics.advance(float(t))
        assert (dynamics.values < high).all() and (dynamics.values > low).all(), t


def test_a_share_of_the_tags_changes_each_tick_beyond_its_deadband_and_every_tag_in_turn() -> None:
    n, share, deadband = 1000, 0.05, 0.5
    held = ChangeShare(n, share, deadband=np.full(n, deadband))
    rng = np.random.default_rng(0)
    served = held.apply(rng.normal(scale=0.3, size=n)).copy()
    changed_ever = np.zeros(n, dtype=bool)
    for _ in range(20):
        now = held.apply(rng.normal(scale=0.3, size=n)).copy()
        moved = np.abs(now - served)
        assert (moved > 0).sum() == 50 and (moved[moved > 0] > deadband).all()
        changed_ever |= moved > 0
        served = now
    assert changed_ever.all()  # 20 ticks of 5 %: every tag once


def test_a_share_outside_0_to_1_is_refused() -> None:
    with pytest.raises(ValueError, match=r"0\.\.1"):
        ChangeShare(10, 1.5)


def test_the_written_file_is_what_a_console_loads(tmp_path: Path) -> None:
    path = tmp_path / "plant.toml"
    path.write_text(generate_site(3, 1), encoding="utf-8")
    site = load_site(path)
    assert [s.id for s in site.sensors] == ["TT-001-001", "PT-001-002", "LT-001-003"]
    assert site.opcua_namespace == "urn:controlroom:scale3"
