"""The worker list as the operator uses it: who is where, how fresh, what is wrong, filters, double-click."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from alarms.definitions import Tier
from plant_maps.site import Site
from tests.widgets.support import choose, colour_count, double_click_row, pixels, themed, worker_table
from widgets.common.theme import PALETTE
from widgets.workers.worker_panel import ALERTS, BATTERY, HEART_RATE, LAST_FIX, ZONE, WorkerPanel

NOW = 1_790_000_000.0


@pytest.fixture()
def panel(qtbot: QtBot, site: Site) -> WorkerPanel:
    panel = WorkerPanel(site, lambda: NOW)
    qtbot.addWidget(panel)
    themed(panel)
    panel.resize(1100, 420)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_cells_tell_zone_fix_age_battery_heart_rate_and_alert(panel: WorkerPanel, site: Site) -> None:
    table = worker_table(
        site,
        NOW,
        fixes={
            "W01": (330.0, 180.0, 2.0),
            "W04": (69.0, 62.0, 75.0),
            "W16": (395.0, 5.0, 4.0),
            "W21": (0.0, 0.0, math.inf),
        },
        vitals={"W05": (76.0, 36.2, 7.0), "W07": (164.0, 36.9, 62.0)},
    )
    panel.update_workers(table, {"W07": "MAN DOWN"})
    assert panel.cell_text("W01", ZONE) == "Compressor house"
    assert panel.cell_text("W01", LAST_FIX) == "2 s ago"
    assert panel.cell_text("W04", LAST_FIX) == "1 min ago (stale)"
    assert panel.cell_text("W16", ZONE) == "outside zones"
    assert (panel.cell_text("W21", ZONE), panel.cell_text("W21", LAST_FIX)) == ("never located", "never")
    assert panel.cell_text("W05", BATTERY) == "7 %"
    assert panel.cell_marked("W05", BATTERY) is Tier.LOW  # low battery is advisory (tier 3)
    assert panel.cell_marked("W01", BATTERY) is None
    assert panel.cell_text("W07", HEART_RATE) == "164 bpm"
    assert panel.cell_marked("W07", HEART_RATE) is Tier.HIGH
    assert panel.cell_text("W07", ALERTS) == "MAN DOWN"
    assert panel.cell_marked("W07", ALERTS) is Tier.LIFE
    assert panel.visible_workers()[0] == "W07"  # in alert: first


def test_filters_by_zone_state_and_text(panel: WorkerPanel, site: Site) -> None:
    table = worker_table(
        site,
        NOW,
        fixes={"W01": (330.0, 180.0, 2.0), "W04": (69.0, 62.0, 75.0)},
        vitals={"W05": (76.0, 36.2, 7.0)},
    )
    panel.update_workers(table, {"W01": "SOS"})
    house = site.zone_index["compressor_house"]
    choose(panel.zone_filter, "Compressor house")
    in_house = sorted(w.id for i, w in enumerate(site.workers) if table.zone[i] == house)
    assert "W01" in in_house and sorted(panel.visible_workers()) == in_house
    choose(panel.zone_filter, "All zones")
    choose(panel.show_filter, "In alert")
    assert panel.visible_workers() == ["W01"]
    choose(panel.show_filter, "Low battery")
    assert panel.visible_workers() == ["W05"]
    choose(panel.show_filter, "No recent fix")
    assert panel.visible_workers() == ["W04"]
    choose(panel.show_filter, "All workers")
    panel.text_filter.setText("Guardian")  # by role, any case
    guardians = sorted(w.id for w in site.workers if w.role == "guardian")
    assert guardians and sorted(panel.visible_workers()) == guardians
    panel.text_filter.setText(site.workers[1].name.lower())
    assert panel.visible_workers() == [site.workers[1].id]
    assert panel.count_label.text() == "1 of 22 workers"


def test_a_refresh_keeps_the_selection_and_ages_the_fixes(panel: WorkerPanel, site: Site) -> None:
    panel.update_workers(worker_table(site, NOW))
    assert panel.select_worker("W09")
    panel.update_workers(worker_table(site, NOW, fixes={"W09": (75.0, 181.0, 30.0)}))
    assert panel.selected_worker() == "W09"
    assert panel.cell_text("W09", LAST_FIX) == "30 s ago (stale)"


def test_double_click_opens_the_worker(qtbot: QtBot, panel: WorkerPanel, site: Site) -> None:
    panel.update_workers(worker_table(site, NOW))
    with qtbot.waitSignal(panel.worker_activated, timeout=1000) as activated:
        double_click_row(qtbot, panel.table, panel.visible_workers().index("W12"))
    assert activated.args == ["W12"]


def test_calm_workers_are_grey_and_an_sos_is_red(panel: WorkerPanel, site: Site, tmp_path: Path) -> None:
    panel.update_workers(worker_table(site, NOW))
    shown = pixels(panel, tmp_path / "worker_panel.png")
    saturation = shown.max(axis=2).astype(int) - shown.min(axis=2)
    assert saturation.max() <= 24
    panel.update_workers(worker_table(site, NOW), {"W01": "SOS"})
    assert colour_count(pixels(panel, tmp_path / "worker_panel_sos.png"), PALETTE.alarm_1) >= 20
