"""The muster board as the emergency coordinator reads it: counts at a glance, who is missing and where they
were last seen, and the head-count and show-on-map intents."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alarms.definitions import Tier
from plant_maps.muster import MissingWorker, Muster, MusterCounts
from plant_maps.site import Site
from tests.widgets.support import colour_count, double_click_row, pixels, themed, worker_table
from widgets.common.theme import PALETTE
from widgets.workers.muster_panel import COUNT_FONT_PX, FIX_AGE, MusterPanel

NOW = 1_790_000_000.0
START = NOW - 250.0


@pytest.fixture()
def panel(qtbot: QtBot, site: Site) -> MusterPanel:
    panel = MusterPanel(site, lambda: NOW)
    qtbot.addWidget(panel)
    themed(panel)
    panel.resize(760, 520)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def mustered(site: Site, at_points: int) -> tuple[Muster, list[MissingWorker]]:
    """A muster started at START, the first `at_points` workers seen at a muster point since; W21 never
    located, W19 last seen 3 min ago in the tank farm."""
    point = site.muster_points[0]
    fixes = {w.id: (point.x, point.y, 5.0) for w in site.workers[:at_points]}
    fixes |= {"W21": (0.0, 0.0, math.inf), "W19": (80.0, 190.0, 180.0)}
    table = worker_table(site, NOW, fixes=fixes)
    muster = Muster(site)
    muster.start(START)
    muster.update(table)
    return muster, muster.missing(NOW, table)


def test_no_muster_shows_no_numbers(panel: MusterPanel) -> None:
    assert panel.status_label.text() == "No muster in progress"
    assert panel.counts_text() == ("—", "—", "—")
    assert not panel.missing_marked()
    assert panel.missing_rows() == []


def test_counts_are_large_and_the_missing_are_marked_tier_1(panel: MusterPanel, site: Site) -> None:
    muster, missing = mustered(site, 15)
    panel.set_muster(muster.counts(), missing, muster.started_at)
    assert panel.counts_text() == ("22", "15", "7")
    assert panel.missing.number.font().pixelSize() == COUNT_FONT_PX
    assert panel.missing_marked()
    assert panel.status_label.text().startswith("Muster in progress since ")
    assert panel.status_label.text().endswith("(4 min)")
    point = site.muster_points[0]
    assert f"{point.name} 15" in panel.by_point_label.text()


def test_the_missing_list_says_where_each_was_last_seen_longest_unseen_first(
    panel: MusterPanel, site: Site
) -> None:
    muster, missing = mustered(site, 15)
    panel.set_muster(muster.counts(), missing, muster.started_at)
    rows = panel.missing_rows()
    assert [r[0] for r in rows] == [m.worker for m in missing]
    assert rows[0] == (
        "W21",
        site.workers[site.worker_index["W21"]].name,
        "—",
        "—",
        "never located",
    )
    assert rows[1] == (
        "W19",
        site.workers[site.worker_index["W19"]].name,
        "Tank farm",
        "(80, 190) m",
        "3 min ago",
    )
    [w19] = [r for r in panel.proxy.rows() if r.key == "W19"]
    assert w19.marks == ((FIX_AGE, Tier.HIGH),)  # unseen 3 min while missing: overdue, a warning


def test_everyone_accounted_for_is_calm(panel: MusterPanel, site: Site, tmp_path: Path) -> None:
    counts = MusterCounts(22, 22, 0, {site.muster_points[0].id: 22})
    panel.set_muster(counts, [], START)
    assert panel.counts_text() == ("22", "22", "0")
    assert not panel.missing_marked()
    assert panel.missing.caption.text() == "Missing: all accounted for"
    shown = pixels(panel, tmp_path / "muster_calm.png")
    saturation = shown.max(axis=2).astype(int) - shown.min(axis=2)
    assert saturation.max() <= 24


def test_missing_people_show_red_only_at_the_count_and_at_the_critically_overdue(
    panel: MusterPanel, site: Site, tmp_path: Path
) -> None:
    muster, missing = mustered(site, 15)
    panel.set_muster(muster.counts(), missing, muster.started_at)
    shown = pixels(panel, tmp_path / "muster_missing.png")
    tile = panel.missing.geometry()
    table = panel.table
    ages = table.viewport().geometry().translated(table.geometry().topLeft())
    ages.setLeft(ages.left() + table.columnViewportPosition(FIX_AGE))
    ages.setWidth(table.columnWidth(FIX_AGE))
    assert colour_count(shown, PALETTE.alarm_1, tile) >= 40
    assert colour_count(shown, PALETTE.alarm_1, ages) >= 20  # never located: critically overdue
    red = colour_count(shown, PALETTE.alarm_1)
    assert red == colour_count(shown, PALETTE.alarm_1, tile) + colour_count(shown, PALETTE.alarm_1, ages)


def test_double_click_shows_on_map_and_head_count_accounts(
    qtbot: QtBot, panel: MusterPanel, site: Site
) -> None:
    muster, missing = mustered(site, 15)
    panel.set_muster(muster.counts(), missing, muster.started_at)
    assert not panel.account_button.isEnabled()  # nobody chosen yet
    with qtbot.waitSignal(panel.worker_activated, timeout=1000) as shown:
        double_click_row(qtbot, panel.table, 1)
    assert shown.args == ["W19"]
    assert panel.account_button.isEnabled()
    with qtbot.waitSignal(panel.account_requested, timeout=1000) as counted:
        qtbot.mouseClick(panel.account_button, Qt.MouseButton.LeftButton)
    assert counted.args == ["W19"]
    # The warden's count comes back as one fewer missing; the list keeps its order and drops the row.
    muster.account("W19", "warden", NOW)
    panel.set_muster(muster.counts(), [m for m in missing if m.worker != "W19"], muster.started_at)
    assert "W19" not in [r[0] for r in panel.missing_rows()]
    assert panel.counts_text()[2] == str(muster.counts().missing) == "6"
