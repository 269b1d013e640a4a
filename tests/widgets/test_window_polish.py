"""The main window's lists at the two sizes a control room has, as an operator reads them: nothing flush with
the window's edge, no list scrolling sideways to hide a column that matters."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from plant_maps.permit_lifecycle import PermitState
from plant_maps.site import Site
from tests.widgets.support import statuses
from tests.widgets.test_main_window_layout import shown_window
from widgets.permits.permit_panel import FLAGS, STATE, ZONE
from widgets.shell.status_bar import LinkFacts

SIZES = [(1366, 768), (1920, 1080)]


def _label(panel: QWidget, text: str) -> QLabel:
    [label] = [w for w in panel.findChildren(QLabel) if w.text() == text]
    return label


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_alarm_lists_filter_row_keeps_a_margin_from_the_windows_edge(
    qtbot: QtBot, site: Site, width: int, height: int, tmp_path: Path
) -> None:
    window = shown_window(qtbot, site, width, height)
    area = _label(window.alarm_table, "Area")
    qtbot.waitUntil(area.isVisible)
    left = area.mapTo(window, QPoint(0, 0)).x()
    assert left >= 4, f"'Area' starts {left} px from the window's left edge"
    button = window.alarm_table.acknowledge_button
    assert button.mapTo(window, QPoint(0, 0)).x() >= 4
    assert window.grab().save(str(tmp_path / f"window-{width}x{height}.png"))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_permit_list_fits_its_dock_with_the_state_whole_and_the_long_texts_elided(
    qtbot: QtBot, site: Site, width: int, height: int, tmp_path: Path
) -> None:
    """It scrolled sideways and cut its State column at 1366x768: now every column is in view, the state
    (the longest, bold and marked) whole, and a text that had to give way whole in its tooltip."""
    window = shown_window(qtbot, site, width, height)
    panel, table = window.permit_panel, window.permit_panel.table
    panel.set_permits(
        statuses(
            site,
            **{
                "PTW-HW-001": (PermitState.SUSPENDED, "tier-1 alarm active in Compressor house"),
                "PTW-HW-009": (PermitState.PENDING_APPROVAL, ""),
            },
        )
    )
    qtbot.waitUntil(lambda: table.isVisible() and table.viewport().width() > 300)
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0)
    right = table.columnViewportPosition(FLAGS) + table.columnWidth(FLAGS)
    assert right <= table.viewport().width()
    assert table.columnWidth(STATE) >= table.sizeHintForColumn(STATE)  # "Pending approval", "◆ Suspended"
    assert panel.cell_text("PTW-HW-001", STATE) == "Suspended"
    row = table.model().index(panel.visible_permits().index("PTW-HW-001"), ZONE)
    assert table.columnWidth(ZONE) < table.fontMetrics().horizontalAdvance("Compressor house")  # elided
    assert "Compressor house" in row.data(Qt.ItemDataRole.ToolTipRole)  # whole in the tooltip
    assert window.grab().save(str(tmp_path / f"permits-{width}x{height}.png"))


RESOLVED = (
    "W01.SOS resolved (actual incident): latched, normal; signed by operator (operator) at 2026-12-07 "
    "15:51:30: SOS closed by responder lead"
)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_commands_outcome_in_the_status_bar_gets_the_room_the_bar_has_elided_whole_in_its_tooltip(
    qtbot: QtBot, site: Site, width: int, height: int, tmp_path: Path
) -> None:
    """The outcome at the bottom left got about 120 px beside the connection sections and was cut without
    a sign: now it takes up to half the bar (the sections keep their name and state), ends in "…" where it
    must, is whole in its tooltip, and never widens the window."""
    window = shown_window(qtbot, site, width, height)
    bar = window.status_bar
    bar.show_connection("OPC UA", "connected", 6570, 0, "", LinkFacts("no security, anonymous", tags=57))
    bar.show_connection("MQTT", "connected", 839, 0, "", LinkFacts("no TLS, anonymous", tags=4))
    window.chain_label.setText("audit verified up to #2")
    window.statusBar().showMessage(RESOLVED, 1500)
    qtbot.waitUntil(lambda: bar.message_width() >= min(width // 2 - 40, 800))
    shown = bar.message_shown()
    assert shown.startswith("W01.SOS resolved (actual incident): latched, normal; signed by operator")
    assert shown == RESOLVED or shown.endswith("…")
    assert window.statusBar().currentMessage() == RESOLVED  # whole: the label's tooltip shows it
    for name in ("OPC UA", "MQTT"):  # each section keeps its name and state
        text = bar.connection_section(name).text
        qtbot.waitUntil(lambda text=text, name=name: text.shown_lines()[0].startswith(f"{name}: connected"))
    hint = window.minimumSizeHint()
    assert hint.width() <= width and (window.width(), window.height()) == (width, height)
    assert window.grab().save(str(tmp_path / f"status-{width}x{height}.png"))
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "", timeout=5000)  # after its time
    qtbot.waitUntil(lambda: bar.connection_section("OPC UA").text.shown_lines()[0].endswith("0 errors"))
