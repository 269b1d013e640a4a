"""The site file's [alarms] section: what it declares, what every site gets, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from alarms.definitions import EventKind, LimitKind, Tier
from plant_maps.alarm_rules import source_comm_alarm, wearable_alarm
from plant_maps.site import Site
from plant_maps.site_file import load_site
from plant_maps.toml_reader import ConfigError
from tests.conftest import DEMO_SITE


def _limit_rule(site: Site, tag: str):
    return next(rule for rule in site.alarms.definitions.limits if rule.tag == tag)


def test_limits_take_their_tier_from_the_measure_and_the_lower_limit_is_grouped_under_the_higher(
    site: Site,
) -> None:
    lel = _limit_rule(site, "GD-CH-01")
    assert (lel.hh.setpoint, lel.hh.tier) == (25.0, Tier.LIFE)
    assert (lel.h.setpoint, lel.h.tier, lel.h.cause) == (10.0, Tier.HIGH, "GD-CH-01.HH")
    assert lel.deadband == 1.0 and lel.on_delay_s == 0.0  # gas: no on-delay
    temperature = _limit_rule(site, "TT-R201")
    assert temperature.hh.tier is Tier.HIGH and temperature.on_delay_s == 2.0
    assert temperature.spec(LimitKind.H).render(97.5) == "Reactor R-201 temperature 97.5 °C (limit 95)"


def test_the_seeds_composite_rule_and_the_early_warning_are_declared(site: Site) -> None:
    d = site.alarms.definitions
    (runaway,) = d.composites
    assert runaway.alarm.tier is Tier.LIFE and runaway.alarm.area == "reactor_unit"
    assert [(c.tag, c.op.value, c.threshold, c.rate_window_s) for c in runaway.all_of] == [
        ("TT-R201", ">", 60.0, None),
        ("GD-RX-05", ">", 5.0, 60.0),
    ]
    (eta,) = d.time_to_threshold
    assert (eta.tag, eta.threshold, eta.horizon_s) == ("GD-CH-01", 25.0, 600.0)


def test_every_site_gets_communication_and_wearable_alarms(site: Site) -> None:
    d = site.alarms.definitions
    comms = {rule.alarm.id: rule for rule in d.comms}
    opcua = comms[source_comm_alarm("opcua")]
    assert len(opcua.tags) == 57 and comms["GD-CH-01.COMM"].alarm.cause == opcua.alarm.id
    events = {rule.alarm.id: rule for rule in d.events}
    sos = events[wearable_alarm("W01", EventKind.SOS)]
    assert sos.alarm.tier is Tier.LIFE and sos.alarm.latched and sos.kind is EventKind.SOS
    assert site.alarms.vision_alarm("tank_farm", "no_harness") == "VISION.tank_farm.no_harness"
    assert site.alarms.vision_alarm("tank_farm", "smoke") == "VISION.tank_farm.OTHER"
    assert events["VISION.tank_farm.OTHER"].alarm.tier is Tier.LOW
    assert events["VISION.tank_farm.no_harness"].alarm.message == "Video AI in Tank farm: no harness"


def test_every_alarm_carries_the_unit_of_its_value(site: Site, tmp_path: Path) -> None:
    """Set where the definitions are built, so the list and the journal never guess it (a time to threshold
    read as %LEL beside the gas alarms)."""
    d = site.alarms.definitions
    units = {rule.alarm.id: rule.alarm.unit for rule in d.rules()}
    units |= {spec.id: spec.unit for rule in d.limits for kind in LimitKind if (spec := rule.spec(kind))}
    assert {
        alarm_id: units[alarm_id]
        for alarm_id in (
            "GD-CH-01.HH",  # a limit: its sensor's
            "GD-RX-08.LL",
            "GD-RX-05.ROC",  # a rate: per minute
            "RX-R201.RUNAWAY",  # a composite: its first condition's, TT-R201 > 60 °C
            "GD-CH-01.ETA",  # a time to threshold: the time left
            "IL-CH-TRIP.MISMATCH",  # how long the feedback has not followed
            "GD-CH-01.COMM",  # the tag's value again once it returns
            "W01.SOS",
            "W01.NO_PERMIT_ENTRY",
            "VISION.tank_farm.no_harness",
        )
    } == {
        "GD-CH-01.HH": "%LEL",
        "GD-RX-08.LL": "%vol",
        "GD-RX-05.ROC": "ppm/min",
        "RX-R201.RUNAWAY": "°C",
        "GD-CH-01.ETA": "s",
        "IL-CH-TRIP.MISMATCH": "s",
        "GD-CH-01.COMM": "%LEL",
        "W01.SOS": "",
        "W01.NO_PERMIT_ENTRY": "",
        "VISION.tank_farm.no_harness": "confidence",
    }
    rate_first = """[[alarms.composite]]
id = "CH.GAS_RISING_HOT"
area = "compressor_house"
tier = 2
all_of = [{ tag = "GD-CH-01", rate_above = 2 }, { tag = "GD-CH-02", above = 5 }]
"""
    composites = load_site(_site_with(tmp_path, rate_first)).alarms.definitions.composites
    assert {c.alarm.id: c.alarm.unit for c in composites}["CH.GAS_RISING_HOT"] == "%LEL/min"


def _site_with(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(DEMO_SITE.read_text() + "\n" + extra)
    return path


@pytest.mark.parametrize(
    ("extra", "key", "problem"),
    [
        (
            '[[alarms.rate]]\nid = "X"\ntag = "NOPE"\nper_minute = 5\ntier = 2\n',
            "alarms.rate[1].tag",
            "unknown id",
        ),
        (
            '[[alarms.rate]]\nid = "X"\ntag = "GD-CH-01"\nper_minute = 5\ntier = 4\n',
            "alarms.rate[1].tier",
            "tier must be",
        ),
        (
            '[[alarms.group]]\ncause = "GD-CH-01.HH"\nalarms = ["GD-CH-99.H"]\n',
            "alarms.group[0].alarms",
            "unknown alarm 'GD-CH-99.H'",
        ),
        (
            '[[alarms.rate]]\nid = "GD-CH-01.HH"\ntag = "GD-CH-01"\nper_minute = 5\ntier = 2\n',
            "alarms",
            "defined twice",
        ),
        (
            '[[alarms.rate]]\nid = "X"\ntag = "GD-CH-01"\nper_minute = 5\ntier = 2\nmessage = "{nope}"\n',
            "alarms.rate[1].message",
            "bad template",
        ),
    ],
)
def test_a_wrong_alarm_section_names_the_key(tmp_path: Path, extra: str, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_site(_site_with(tmp_path, extra))
    assert info.value.key == key
    assert problem in info.value.problem


def test_a_group_makes_alarms_consequential_to_their_cause(tmp_path: Path) -> None:
    site = load_site(
        _site_with(
            tmp_path, '[[alarms.group]]\ncause = "GD-CH-01.HH"\nalarms = ["GD-CH-02.HH", "GD-CH-02.COMM"]\n'
        )
    )
    assert _limit_rule(site, "GD-CH-02").hh.cause == "GD-CH-01.HH"
    comm = next(rule for rule in site.alarms.definitions.comms if rule.alarm.id == "GD-CH-02.COMM")
    assert comm.alarm.cause == "GD-CH-01.HH"
