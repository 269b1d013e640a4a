"""The audit trail tab is fresh whenever it is opened: an entry written while another tab was in front is
there when the shift lead clicks the Audit trail tab again (it showed the entries of its first opening)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar
from pytestqt.qtbot import QtBot

from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from tests.e2e.conftest import until
from tests.keyboard import press, type_text


def _click_tab(qtbot: QtBot, console: WindowedConsole, title: str) -> None:
    """Click the tab `title` among the window's dock tabs."""
    for bar in console.window.findChildren(QTabBar):
        for i in range(bar.count()):
            if bar.tabText(i) == title and bar.isVisible():
                qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
                return
    raise AssertionError(f"no tab {title!r}")


def test_the_audit_tab_shows_an_entry_written_while_another_tab_was_in_front(
    run_console, simulator: SimulatorThread, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, view = console.window, console.window.audit_view
        window.audit_action.trigger()  # the toolbar's Audit trail
        await until(lambda: view.rows_shown(), 10, "the trail's entries")
        _click_tab(qtbot, console, "Alarms")
        await until(lambda: view.visibleRegion().isEmpty(), 5, "the alarm list in front")
        window.note_action.trigger()  # Shift log note…, typed and saved with Enter
        note = await until(lambda: window.note_dialog, 5, "the note dialog")
        type_text(note, "pump P-101 swapped")
        press(note, Qt.Key.Key_Return)
        await until(lambda: window.statusBar().currentMessage() == "note saved", 10, "the note saved")
        _click_tab(qtbot, console, "Audit trail")
        await until(lambda: view.rows_shown()[0][4] == "operator_note", 10, "the note's entry on top")

    run_console(scenario)
