"""The main window's lists at the two sizes a control room has, as an operator reads them: nothing flush with
the window's edge, no list scrolling sideways to hide a column that matters."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from plant_maps.site import Site
from tests.widgets.test_main_window_layout import shown_window

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
