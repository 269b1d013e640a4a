"""The main window's default layout at the two sizes a control room has: nothing grows the window past the
screen, the alarm list keeps rows and its message, the permit card gets room, nothing overlaps."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QDockWidget, QWidget
from pytestqt.qtbot import QtBot

from console.window.main_window import MainWindow
from plant_maps.site import Site
from widgets.alarm_table import MESSAGE, MESSAGE_MIN_PX


def _on_screen(widget: QWidget, window: MainWindow) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_the_default_layout_fits_and_keeps_what_the_operator_needs(
    qtbot: QtBot, site: Site, width: int, height: int, tmp_path: Path
) -> None:
    window = MainWindow(site, "operator", "console-1")
    window.show_user("operator", "", None, "control-room-east-console-12", demo=False)  # the longest it says
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    window.default_layout()
    table = window.alarm_table.table
    qtbot.waitUntil(lambda: table.viewport().height() // table.verticalHeader().defaultSectionSize() >= 5)
    assert (window.width(), window.height()) == (width, height)  # no minimum grows it past the screen
    assert table.columnWidth(MESSAGE) >= MESSAGE_MIN_PX
    assert window.plant_map.height() >= 300 and window.plant_map.width() >= 700
    window.show_permit("PTW-HW-001")  # on a short window the card's tab comes forward
    qtbot.waitUntil(lambda: window.permit_card.isVisible() and window.permit_card.height() >= 280)
    shown = [d for d in window.findChildren(QDockWidget) if d.isVisible() and not d.visibleRegion().isEmpty()]
    areas = [_on_screen(w, window) for w in (*shown, window.plant_map)]
    overlaps = [
        (a, b)
        for i, a in enumerate(areas)
        for b in areas[i + 1 :]
        if a.intersected(b).height() > 1 and a.intersected(b).width() > 1
    ]
    assert overlaps == []
    assert window.grab().save(str(tmp_path / f"window-{width}x{height}.png"))
