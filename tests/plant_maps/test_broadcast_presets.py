"""Broadcast presets in the site file: the demo's, the one a suspension offers, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from plant_maps.broadcast_presets import suspend_preset
from plant_maps.site_file import load_site
from plant_maps.toml_reader import ConfigError
from tests.conftest import DEMO_SITE

GOOD = """
[[broadcast_presets]]
id = "STOP-HOT-WORK"
priority = "warning"
text_zh = "动火作业立即停止。"
text_en = "Stop hot work now."
on_suspend = true
categories = ["hot_work"]
"""


def _site_with(tmp_path: Path, presets: str) -> Path:
    """The demo site with its presets replaced by `presets`."""
    demo = DEMO_SITE.read_text(encoding="utf-8")
    before, alarms = demo.split("[[broadcast_presets]]")[0], demo.split("\n[alarms]\n", 1)[1]
    path = tmp_path / "site.toml"
    path.write_text(f"{before}{presets}\n[alarms]\n{alarms}", encoding="utf-8")
    return path


def test_the_demo_offers_stop_hot_work_for_hot_work_and_stop_work_for_the_rest() -> None:
    site = load_site(DEMO_SITE)
    presets = site.broadcast_presets
    assert {p.id for p in presets} >= {"EVACUATE-EAST", "GAS-SHELTER", "STOP-HOT-WORK", "ALL-CLEAR"}
    assert all(p.text_zh and p.text_en for p in presets)
    assert suspend_preset(presets, "hot_work").id == "STOP-HOT-WORK"
    assert suspend_preset(presets, "lifting").id == "STOP-WORK"
    assert site.pa_zones_covering("compressor_house") == ("PA-COMP",)
    assert site.pa_zones_covering("site") == tuple(p.id for p in site.pa_zones)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (('"warning"', '"loud"'), r"broadcast_presets\[0\]\.priority: 'loud' is not one of emergency"),
        (
            ('text_en = "Stop hot work now."\n', ""),
            r"broadcast_presets\[0\]\.text_en: required key is missing",
        ),
        (('"Stop hot work now."', '"' + "x" * 301 + '"'), r"text_en: 301 characters: at most 300"),
        (('["hot_work"]', '["welding"]'), r"categories\[0\]: 'welding' is not one of hot_work"),
        (("on_suspend = true\n", ""), r"categories: categories say when a preset is offered"),
    ],
)
def test_a_wrong_preset_names_its_key(tmp_path: Path, change: tuple[str, str], error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        load_site(_site_with(tmp_path, GOOD.replace(*change)))


def test_two_presets_offered_for_one_category_are_refused(tmp_path: Path) -> None:
    second = GOOD.replace("STOP-HOT-WORK", "HOT-WORK-2")
    with pytest.raises(
        ConfigError, match=r"broadcast_presets\[1\]\.on_suspend: STOP-HOT-WORK is already offered"
    ):
        load_site(_site_with(tmp_path, GOOD + second))
