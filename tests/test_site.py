"""The site file: the demo plant is complete, and a wrong file fails with file, key and problem."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from plant_maps.site import PERMIT_CATEGORIES
from plant_maps.site_file import load_site
from plant_maps.toml_reader import ConfigError
from tests.conftest import DEMO_SITE

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_demo_plant_has_what_the_console_is_demonstrated_with() -> None:
    site = load_site(DEMO_SITE, now=NOW)
    names = {z.name for z in site.zones}
    assert {
        "Tank farm",
        "Reactor unit",
        "Compressor house",
        "Loading bay",
        "Workshop",
        "Control building",
    } <= names
    gas = [s for s in site.sensors if s.is_gas]
    assert len(gas) >= 30 and {s.measure for s in gas} == {"lel", "h2s", "co", "o2"}
    assert len([s for s in site.sensors if not s.is_gas]) >= 20
    assert len(site.workers) >= 20
    expired = [w.id for w in site.workers if any(c.expires < NOW.date() for c in w.certificates)]
    assert len(expired) == 1
    soon = [
        w.id for w in site.workers if any(0 <= (c.expires - NOW.date()).days <= 90 for c in w.certificates)
    ]
    assert len(soon) >= 2
    assert len(site.permits) >= 6 and len({p.category for p in site.permits}) >= 6
    assert {p.category for p in site.permits} <= set(PERMIT_CATEGORIES)
    assert len(site.muster_points) == 2 and len(site.interlocks) >= 3 and site.pa_zones
    assert all(p.valid_from <= NOW <= p.valid_to for p in site.permits), "demo permits are current"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(DEMO_SITE.read_text() + text)
    return path


@pytest.mark.parametrize(
    ("extra", "key", "problem"),
    [
        (
            '[[sensors]]\nid = "X1"\nmeasure = "lel"\nzone = "nowhere"\nx = 1\ny = 1\nrange = [0, 100]\n',
            "sensors[61].zone",
            "unknown id 'nowhere'",
        ),
        (
            '[[sensors]]\nid = "X1"\nmeasure = "radon"\nzone = "workshop"\nx = 1\ny = 1\nrange = [0, 100]\n',
            "sensors[61].unit",
            "measure 'radon' is not one of lel, h2s",
        ),
        (
            '[[sensors]]\nid = "X1"\nmeasure = "lel"\nunit = "ppm"\nzone = "workshop"\nx = 1\ny = 1\nrange = [0, 100]\n',
            "sensors[61].unit",
            "lel is read in %LEL (the gas rules use it), not 'ppm'",
        ),
        (
            '[[sensors]]\nid = "X1"\nmeasure = "lel"\nzone = "workshop"\nx = nan\ny = 1\nrange = [0, 100]\n',
            "sensors[61].x",
            "finite number",
        ),
        (
            '[[sensors]]\nid = "X1"\nmeasure = "lel"\nzone = "workshop"\nx = 1\ny = 1\nrange = [0, 100]\nlimits = { h = 30, hh = 20 }\n',
            "sensors[61].limits",
            "ordered",
        ),
        (
            '[[sensors]]\nid = "GD-TF-01"\nmeasure = "lel"\nzone = "workshop"\nx = 1\ny = 1\nrange = [0, 100]\n',
            "sensors[61].id",
            "duplicate id",
        ),
        (
            '[[sensors]]\nid = "X1"\nmeasure = "lel"\nzone = "workshop"\nx = 1\ny = 1\nrange = [0, 100]\naddress = "modbus://1"\n',
            "sensors[61].address",
            "scheme",
        ),
        (
            '[[sensors]]\nid = "X1"\nmeasure = "lel"\nzone = "workshop"\nx = 1\ny = 1\nrange = [0, 100]\nlimts = {}\n',
            "sensors[61].limts",
            "unknown key",
        ),
        (
            '[hazard_override]\nsecond_person = "yes"\n',
            "hazard_override.second_person",
            "expected true or false",
        ),
        (
            "[hazard_override]\nsecond = true\n",
            "hazard_override.second",
            "unknown key (allowed: second_person)",
        ),
    ],
)
def test_a_wrong_site_file_names_file_key_and_problem(
    tmp_path: Path, extra: str, key: str, problem: str
) -> None:
    path = _write(tmp_path, "\n" + extra)
    with pytest.raises(ConfigError) as info:
        load_site(path, now=NOW)
    assert info.value.file == str(path)
    assert info.value.key == key
    assert problem in info.value.problem
    assert str(path) in str(info.value) and key in str(info.value)


def test_a_site_may_ask_for_a_second_person_to_override_live_tier_1_alarms(tmp_path: Path) -> None:
    assert not load_site(DEMO_SITE, now=NOW).hazard_second_person  # the demo: a reason is enough
    site = load_site(_write(tmp_path, "\n[hazard_override]\nsecond_person = true\n"), now=NOW)
    assert site.hazard_second_person


def test_a_sensor_may_measure_anything_in_its_own_unit(tmp_path: Path) -> None:
    flow = '[[sensors]]\nid = "FT-101"\nmeasure = "flow"\nunit = "m³/h"\nzone = "workshop"\nx = 1\ny = 1\nrange = [0, 500]\nlimits = { h = 400 }\n'
    nh3 = '[[sensors]]\nid = "GD-NH3"\nmeasure = "nh3"\nunit = "ppm"\nzone = "workshop"\nx = 2\ny = 1\nrange = [0, 100]\n'
    site = load_site(_write(tmp_path, "\n" + flow + "\n" + nh3), now=NOW)
    ft, nh = site.sensor("FT-101"), site.sensor("GD-NH3")
    assert (ft.measure, ft.unit, ft.is_gas) == ("flow", "m³/h", False)
    assert (nh.measure, nh.unit, nh.is_gas) == ("nh3", "ppm", False)  # not one the gas-test rules judge
    assert "m³/h" in site.alarms.definitions.limits[site.tag_index["FT-101"]].message


def test_permit_naming_an_unknown_worker_is_refused(tmp_path: Path) -> None:
    text = DEMO_SITE.read_text().replace('workers = ["W01", "W16"]', 'workers = ["W01", "W99"]', 1)
    text = text.replace('workers = ["W01"', 'workers = ["W99"', 1)
    path = tmp_path / "site.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"permits\[0\]\.workers\[0\]: unknown worker 'W99'"):
        load_site(path, now=NOW)


def test_missing_and_broken_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="site file not found"):
        load_site(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[site\nid=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_site(broken)


def test_optional_texts_may_be_left_out_but_not_given_empty(tmp_path: Path) -> None:
    worker = '[[workers]]\nid = "W99"\nname = "Visitor"\nrole = "visitor"\nhome = [330, 70]\n'
    site = load_site(_write(tmp_path, "\n" + worker), now=NOW)
    visitor = site.workers[site.worker_index["W99"]]
    assert (visitor.company, visitor.wearable) == ("", "")
    with pytest.raises(ConfigError, match="non-empty string"):
        load_site(
            _write(tmp_path, "\n" + worker.replace('role = "visitor"', 'role = "visitor"\ncompany = " "')),
            now=NOW,
        )
