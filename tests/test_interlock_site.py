"""The site file's interlock settings and rules: defaults, the demo's, and a wrong one refused naming the
file, the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from plant_maps.site import INTERLOCK_ROLES, InterlockRule, RuleCondition
from plant_maps.site_file import load_site
from plant_maps.toml_reader import ConfigError
from tests.conftest import DEMO_SITE
from tests.support import edited_copy

TRIP_BLOCK = 'feedback_tag = "opcua://ns=2;s=IL-CH-TRIP.FB"\ntimeout_s = 5\n'
RULE_BLOCK = (
    '[[interlock_rules]]\ninterlock = "IL-CH-TRIP"\nwhen = "worker_alarm"\nrule = "no_permit_entry"\n'
)


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    return edited_copy(DEMO_SITE, tmp_path, old, new)


def test_the_demo_interlocks_say_what_they_do_and_who_may_act() -> None:
    site = load_site(DEMO_SITE)
    trip, valve, vent = site.interlocks
    assert trip.does == "trips compressors K-301/K-302; compressor house power off"
    assert trip.roles == INTERLOCK_ROLES == {"operator", "shift_lead", "emergency_coordinator"}
    assert (trip.two_person, trip.select_timeout_s) == (False, 30.0)
    assert valve.two_person and vent.does
    assert site.interlock_rules == (
        InterlockRule("IL-CH-TRIP", RuleCondition.WORKER_ALARM, "compressor_house", "no_permit_entry"),
    )


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ('roles = ["operator", "janitor"]\n', r"interlocks\[0\]\.roles: unknown roles janitor"),
        ("roles = []\n", r"interlocks\[0\]\.roles: list at least one role"),
        ("two_persons = true\n", r"interlocks\[0\]\.two_persons: unknown key"),
        ("select_timeout_s = 0\n", r"interlocks\[0\]\.select_timeout_s: expected a number > 0"),
    ],
)
def test_a_wrong_interlock_setting_is_refused_by_name(tmp_path: Path, extra: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_site(_edited(tmp_path, TRIP_BLOCK, TRIP_BLOCK + extra))


def test_an_interlock_may_name_its_own_roles_and_timeouts(tmp_path: Path) -> None:
    extra = 'roles = ["shift_lead"]\ntwo_person = true\nselect_timeout_s = 10\n'
    trip = load_site(_edited(tmp_path, TRIP_BLOCK, TRIP_BLOCK + extra)).interlocks[0]
    assert (trip.roles, trip.two_person, trip.select_timeout_s) == (frozenset({"shift_lead"}), True, 10.0)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (
            'interlock = "IL-NOPE"\nwhen = "gas_tier1"\n',
            r"interlock_rules\[0\]\.interlock: unknown id 'IL-NOPE'",
        ),
        ('interlock = "IL-CH-TRIP"\nwhen = "smoke"\n', r"interlock_rules\[0\]\.when: 'smoke' is not one of"),
        (
            'interlock = "IL-CH-TRIP"\nwhen = "worker_alarm"\nrule = "sleeping"\n',
            r"\.rule: 'sleeping' is not",
        ),
        (
            'interlock = "IL-CH-TRIP"\nwhen = "vision"\n',
            r"interlock_rules\[0\]\.class: required key is missing",
        ),
        (
            'interlock = "IL-CH-TRIP"\nwhen = "vision"\nclass = "no_harness"\nmin_confidence = 1.5\n',
            r"\.min_confidence: expected 0 to 1",
        ),
        (
            'interlock = "IL-CH-TRIP"\nwhen = "gas_tier1"\nrule = "no_permit_entry"\n',
            r"\.rule: only a worker_alarm",
        ),
        ('interlock = "IL-CH-TRIP"\nwhen = "gas_tier1"\nzone = "moon"\n', r"\.zone: unknown id 'moon'"),
        ('interlock = "IL-CH-TRIP"\nwhen = "gas_tier1"\nautomatic = true\n', r"\.automatic: unknown key"),
    ],
)
def test_a_wrong_interlock_rule_is_refused_by_name(tmp_path: Path, rule: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_site(_edited(tmp_path, RULE_BLOCK, "[[interlock_rules]]\n" + rule))


def test_a_gas_rule_defaults_to_the_interlocks_zone_and_a_vision_rule_keeps_its_class(tmp_path: Path) -> None:
    rules = (
        '[[interlock_rules]]\ninterlock = "IL-TF-ESDV"\nwhen = "gas_tier1"\nauto = true\n\n'
        '[[interlock_rules]]\ninterlock = "IL-CH-TRIP"\nwhen = "vision"\nclass = "no_harness"\n'
        "min_confidence = 0.7\n"
    )
    site = load_site(_edited(tmp_path, RULE_BLOCK, rules))
    gas, vision = site.interlock_rules
    assert (gas.when, gas.zone, gas.auto) == (RuleCondition.GAS_TIER1, "tank_farm", True)
    assert (vision.vision_class, vision.min_confidence, vision.auto) == ("no_harness", 0.7, False)
