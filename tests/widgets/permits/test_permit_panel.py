"""The permit list as the operator uses it: what needs attention first, filters, refreshes that keep the
selection, and a double-click that opens the permit."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from plant_maps.permit_lifecycle import PermitState
from plant_maps.permits import PermitBook
from plant_maps.site import Site
from tests.widgets.support import choose, colour_count, double_click_row, pixels, statuses, themed
from widgets.common.theme import PALETTE
from widgets.permits.permit_panel import CATEGORY, FLAGS, PEOPLE, STATE, VALID_TO, ZONE, PermitPanel

SUSPENDED = {"PTW-WH-004": (PermitState.SUSPENDED, "harness not tied off")}
ENDED = {"PTW-TE-006": (PermitState.CLOSED, ""), "PTW-EX-007": (PermitState.EXPIRED, "validity ended")}


@pytest.fixture()
def panel(qtbot: QtBot, site: Site) -> PermitPanel:
    now = PermitBook(site).status("PTW-HW-001").since + 3600
    panel = PermitPanel(site, lambda: now)
    qtbot.addWidget(panel)
    themed(panel)
    panel.resize(1300, 360)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_open_permits_are_listed_suspended_first(panel: PermitPanel, site: Site) -> None:
    panel.set_permits(statuses(site, **SUSPENDED, **ENDED), PermitBook(site).simops())
    listed = panel.visible_permits()
    assert listed[0] == "PTW-WH-004"
    assert listed[-2:] == ["PTW-LB-002", "PTW-HW-009"]  # approved, then the draft: after the running ones
    assert set(listed) == {p.id for p in site.permits} - {"PTW-TE-006", "PTW-EX-007"}
    assert panel.count_label.text() == "7 of 9 permits"
    assert panel.cell_text("PTW-WH-004", STATE) == "Suspended"
    assert panel.cell_text("PTW-HW-001", STATE) == "Active"
    assert panel.cell_text("PTW-HW-001", VALID_TO).endswith("· 7 h left")
    assert panel.cell_text("PTW-EX-007", PEOPLE) == "4"  # three workers and the guardian
    assert panel.cell_text("PTW-LF-005", FLAGS) == "SIMOPS: PTW-RC-008"
    assert panel.cell_text("PTW-HW-001", FLAGS) == "SIMOPS: PTW-LB-002"
    assert panel.cell_text("PTW-CS-003", FLAGS) == ""


def test_filters_by_state_zone_category_and_text(panel: PermitPanel, site: Site) -> None:
    panel.set_permits(statuses(site, **SUSPENDED, **ENDED))
    choose(panel.state_filter, "Suspended")
    assert panel.visible_permits() == ["PTW-WH-004"]
    choose(panel.state_filter, "Ended (closed, expired, cancelled)")
    assert sorted(panel.visible_permits()) == ["PTW-EX-007", "PTW-TE-006"]
    choose(panel.state_filter, "All states")
    assert len(panel.visible_permits()) == 9
    choose(panel.zone_filter, "Compressor house")
    assert sorted(panel.visible_permits()) == ["PTW-HW-001", "PTW-LB-002"]
    choose(panel.category_filter, "BL Line blinding")
    assert panel.visible_permits() == ["PTW-LB-002"]
    choose(panel.zone_filter, "All zones")
    choose(panel.category_filter, "All categories")
    panel.text_filter.setText("zhang min")  # the guardian by name
    assert sorted(panel.visible_permits()) == ["PTW-HW-001", "PTW-LB-002"]
    panel.text_filter.setText("W19")  # a worker by id
    assert panel.visible_permits() == ["PTW-EX-007"]
    panel.text_filter.setText("pump skid")  # the title
    assert panel.visible_permits() == ["PTW-LF-005"]
    assert panel.count_label.text() == "1 of 9 permits"


def test_a_refresh_keeps_the_selection_and_moves_a_newly_suspended_permit_up(
    panel: PermitPanel, site: Site
) -> None:
    panel.set_permits(statuses(site))
    assert panel.select_permit("PTW-EX-007")
    panel.set_permits(statuses(site, **{"PTW-EX-007": (PermitState.SUSPENDED, "trench wall slipping")}))
    assert panel.selected_permit() == "PTW-EX-007"
    assert panel.visible_permits()[0] == "PTW-EX-007"
    assert panel.model.index(0, 0).isValid()
    panel.set_permits([s for s in statuses(site) if s.id != "PTW-EX-007"])  # gone from the book
    assert "PTW-EX-007" not in panel.visible_permits()
    assert not panel.select_permit("PTW-EX-007")


def test_double_click_opens_the_permit(qtbot: QtBot, panel: PermitPanel, site: Site) -> None:
    panel.set_permits(statuses(site))
    with qtbot.waitSignal(panel.permit_activated, timeout=1000) as activated:
        double_click_row(qtbot, panel.table, panel.visible_permits().index("PTW-LF-005"))
    assert activated.args == ["PTW-LF-005"]


def test_only_a_suspended_permit_takes_colour(panel: PermitPanel, site: Site, tmp_path: Path) -> None:
    panel.set_permits(statuses(site))
    shown = pixels(panel, tmp_path / "permit_panel.png")
    saturation = shown.max(axis=2).astype(int) - shown.min(axis=2)
    assert saturation.max() <= 24
    panel.set_permits(statuses(site, **SUSPENDED))
    assert colour_count(pixels(panel, tmp_path / "permit_panel_suspended.png"), PALETTE.alarm_2) >= 20


def test_a_failed_gas_test_is_flagged(panel: PermitPanel, site: Site) -> None:
    from plant_maps.gas_tests import GasTest, GasVerdict

    [hot] = [s for s in statuses(site) if s.id == "PTW-HW-001"]
    failed = replace(hot, gas_verdict=GasVerdict(GasTest(0.0, {"lel": 14.0}), ("lel 14 %LEL outside <= 10",)))
    panel.set_permits([failed])
    assert panel.cell_text("PTW-HW-001", FLAGS) == "gas test failed"


def test_in_a_narrow_dock_a_column_the_operator_widens_keeps_its_width_and_the_others_make_room(
    qtbot: QtBot, panel: PermitPanel, site: Site
) -> None:
    panel.set_permits(statuses(site))
    table = panel.table
    panel.resize(580, 360)
    qtbot.waitUntil(lambda: table.columnWidth(ZONE) < 80)  # elided to fit
    table.horizontalHeader().resizeSection(ZONE, 150)  # as a drag on its edge does
    panel.resize(600, 360)
    qtbot.waitUntil(lambda: table.viewport().width() > 540)
    assert table.columnWidth(ZONE) == 150
    assert table.columnWidth(STATE) >= table.sizeHintForColumn(STATE)
    assert table.columnWidth(CATEGORY) < 80  # gave way instead
    panel.resize(1300, 360)  # wide again: the others back to their whole width
    qtbot.waitUntil(lambda: table.columnWidth(CATEGORY) > 150)
    assert table.columnWidth(ZONE) == 150
