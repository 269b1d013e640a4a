"""The main window's default layout at the two sizes a control room has: nothing grows the window past the
screen, the alarm list keeps rows and its message, the permit card gets room, nothing overlaps."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QRect, Qt
from PySide6.QtWidgets import QDockWidget, QWidget
from pytestqt.qtbot import QtBot

from console.window.main_window import MainWindow
from plant_maps.site import Site
from widgets.alarms.alarm_table import MESSAGE, MESSAGE_MIN_PX
from widgets.interlocks.interlock_requests import RequestNotice
from widgets.isolation.isolation_banner import IsolationNotice
from widgets.shell.status_bar import LinkFacts


def _on_screen(widget: QWidget, window: MainWindow) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def shown_window(qtbot: QtBot, site: Site, width: int = 1366, height: int = 768) -> MainWindow:
    """The main window on a screen of this size, in the default layout a console of that size starts with."""
    window = MainWindow(site, "operator", "console-1")
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    window.default_layout()
    return window


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_the_default_layout_fits_and_keeps_what_the_operator_needs(
    qtbot: QtBot, site: Site, width: int, height: int, tmp_path: Path
) -> None:
    window = shown_window(qtbot, site, width, height)
    window.show_user("operator", "", None, "control-room-east-console-12", demo=False)  # the longest it says
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


LONG_TEXTS = {
    "words": "resolved as an actual incident, the notes as typed: " + "burn on the left hand, " * 60,
    "one word": "x" * 600,  # no wrap can split it
}


@pytest.mark.parametrize("kind", LONG_TEXTS)
def test_no_text_the_window_shows_widens_it_past_1366x768(qtbot: QtBot, site: Site, kind: str) -> None:
    """Every label whose text comes from data (outcomes quoting what was typed, reasons, the links' state,
    the audit chain, the user) given a text far too long for it: the window stays at the screen's size and
    asks for no more; the text is whole in the label (and its tooltip)."""
    text = LONG_TEXTS[kind]
    window = shown_window(qtbot, site)
    window.show_permit("PTW-HW-001")
    window.show_user(text, text, ["operator"], "console-1", demo=False)
    window.alarm_table.set_status(text, refused=True)
    window.permit_card.set_status(text)
    window.worker_details.set_worker("W01")
    window.worker_details.set_response_status(text)
    link = LinkFacts(security=text, tags=10**6, tags_in_error=10**5, skewed=("W01",) * 50)
    for name in ("OPC UA", "MQTT"):
        window.status_bar.show_connection(name, "reconnecting", 10**12, 10**9, text, link)
    window.chain_label.setText(text)
    window.isolation_strip.set_isolations([IsolationNotice("tank_farm", "Tank farm", 2e9, text, text, 3, 1)])
    window.interlock_requests.set_requests([RequestNotice("IL-CH-TRIP", text, 2e9, auto=False)])
    window.interlock_panel.show_outcome(text)
    window.audit_view.set_chain(text, broken=True)
    window.alarm_banner.set_sound_state(text)
    window.alarm_banner.set_speech_status(text)
    window.trend_view.status.setText(text)
    for _ in range(4):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    assert (window.width(), window.height()) == (1366, 768)
    qtbot.waitUntil(lambda: window.alarm_table.status_label.shown_lines()[0].endswith("…"))
    assert window.alarm_table.status_label.text() == text  # kept whole: the tooltip and `text()` have it


def test_a_trend_in_front_of_a_short_window_gets_a_usable_plot_and_gives_the_height_back(
    qtbot: QtBot, site: Site, tmp_path: Path
) -> None:
    window = shown_window(qtbot, site)
    qtbot.waitUntil(lambda: window.alarm_dock.height() > 200)
    alarms_before, map_before = window.alarm_dock.height(), window.plant_map.height()
    window.open_trend("GD-CH-01")  # as the alarm list's Trend or a detector's double-click does
    qtbot.waitUntil(lambda: window.trend_view.plot.height() >= 250)  # it was a 147-pixel strip
    assert window.plant_map.height() >= 200 and (window.width(), window.height()) == (1366, 768)
    assert window.grab().save(str(tmp_path / "trend-1366x768.png"))
    window.alarm_dock.raise_()  # the alarm list back in front: its height back
    qtbot.waitUntil(lambda: window.alarm_dock.height() == alarms_before)
    assert window.plant_map.height() == map_before


def test_who_works_here_stays_whole_at_1366_beside_the_shift_menu(qtbot: QtBot, site: Site) -> None:
    window = shown_window(qtbot, site)
    window.show_user("operator", "", ("operator",), "console-1", demo=True)
    qtbot.waitUntil(lambda: window.user_label.shown_lines() != [])
    # the shift lead's five views share one menu: a toolbar button each left "DEMO — operator@console-1, ever…"
    assert window.user_label.shown_lines() == ["DEMO — operator@console-1, every role"]
    assert window.width() == 1366


@pytest.mark.parametrize(
    ("keys", "dock"), [("Ctrl+Shift+H", "history_dock"), ("Ctrl+Shift+K", "kpi_dock"), ("Ctrl+Shift+N", None)]
)
def test_the_shift_menu_shortcuts_open_the_shift_leads_views(
    qtbot: QtBot, site: Site, keys: str, dock: str | None
) -> None:
    window = shown_window(qtbot, site)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window, keys.split("+")[-1], Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    if dock is None:
        qtbot.waitUntil(lambda: window.note_dialog is not None and window.note_dialog.isVisible())
        window.note_dialog.reject()
    else:
        opened = getattr(window, dock)
        qtbot.waitUntil(lambda: opened.isVisible() and not opened.visibleRegion().isEmpty())
