"""Named trend sets in the site file: the demo's, vitals allowed as pens, and a wrong set refused naming the
file, the key, the set and the tag."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from plant_maps.site_file import load_site
from plant_maps.toml_reader import ConfigError
from tests.conftest import DEMO_SITE

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _with(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(DEMO_SITE.read_text() + "\n" + extra)
    return path


def test_the_demo_has_named_sets_and_a_set_may_trend_vitals(tmp_path: Path) -> None:
    site = load_site(
        _with(
            tmp_path, '[[trend_sets]]\nname = "W01 vitals"\npens = ["W01.heart_rate", "W01.skin_temp_c"]\n'
        ),
        now=NOW,
    )
    names = [s.name for s in site.trend_sets]
    assert names[0] == "Compressor house gases" and len(names) == 4
    assert site.trend_sets[0].span_s == 900 and site.trend_sets[0].pens[0] == "GD-CH-01"
    assert (
        site.trend_sets[3].pens == ("W01.heart_rate", "W01.skin_temp_c") and site.trend_sets[3].span_s == 900
    )


@pytest.mark.parametrize(
    ("extra", "key", "problem"),
    [
        (
            'name = "Gases"\npens = ["GD-CH-01", "GD-XX-99"]',
            "trend_sets[3].pens[1]",
            "trend set 'Gases': unknown tag 'GD-XX-99'",
        ),
        ('name = "Gases"\npens = []', "trend_sets[3].pens", "needs 1 to 8 pens"),
        (
            'name = "Compressor house gases"\npens = ["GD-CH-01"]',
            "trend_sets[3].name",
            "duplicate trend set name",
        ),
        ('name = "Gases"\npens = ["GD-CH-01"]\nspan_s = 172800', "trend_sets[3].span_s", "at most 86400 s"),
        ('name = "Gases"\npens = ["GD-CH-01"]\nspan = 60', "trend_sets[3].span", "unknown key"),
        ('pens = ["GD-CH-01"]', "trend_sets[3].name", "missing"),
    ],
)
def test_a_wrong_trend_set_is_refused_naming_the_set_and_tag(
    tmp_path: Path, extra: str, key: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_site(_with(tmp_path, "[[trend_sets]]\n" + extra + "\n"), now=NOW)
    assert info.value.key == key and problem in info.value.problem
