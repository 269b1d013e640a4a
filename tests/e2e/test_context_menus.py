"""Right-click menus in the running console, as an operator uses them: a zone on the map offers isolation,
a permit row offers the card's commands (as enabled as the card's buttons), a detector finds its alarms,
an alarm row offers acknowledge with comment, and the keyboard acknowledges and silences."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from alarms.states import Event, State
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.e2e.conftest import until


def _right_click_map(console: WindowedConsole, scene: QPointF) -> QMenu:
    view = console.window.plant_map
    pos = view.mapFromScene(scene)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    menu = console.menus.menu
    assert menu is not None and menu.isVisible()
    return menu


def _entries(menu: QMenu) -> dict[str, bool]:
    return {a.text(): a.isEnabled() for a in menu.actions() if a.text()}


def test_right_click_menus_reach_the_commands(
    run_console, simulator: SimulatorThread, qtbot: QtBot, database_url: str
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, site = console.window, console.app.site
        await until(lambda: window.alarm_banner.waiting is False, 20, "the first values")
        zone = site.zone("compressor_house")
        middle = QPointF(sum(x for x, _ in zone.polygon) / len(zone.polygon), zone.polygon[0][1] + 3.0)
        menu = _right_click_map(console, middle)
        assert _entries(menu)["Isolate zone…"]
        next(a for a in menu.actions() if a.text() == "Isolate zone…").trigger()
        await until(lambda: console.isolation.dialog is not None, 5, "the isolation dialog")
        console.isolation.dialog.reject()
        menu.close()

        detector = site.sensor("GD-CH-01")
        menu = _right_click_map(console, QPointF(detector.x, detector.y))
        next(a for a in menu.actions() if a.text() == "Show its alarms in the list").trigger()
        assert window.alarm_table.text_filter.text() == "GD-CH-01"
        window.alarm_table.text_filter.clear()
        menu.close()

        panel = window.permit_panel
        row = [r.key for r in panel.proxy.rows()].index("PTW-HW-001")
        rect = panel.table.visualRect(panel.proxy.index(row, 0))
        panel.table.customContextMenuRequested.emit(rect.center())
        menu = console.menus.menu
        await until(lambda: window.permit_card.permit_id == "PTW-HW-001", 5, "the card follows the row")
        entries = _entries(menu)
        card = window.permit_card
        assert entries["Suspend…"] == card.suspend_button.isEnabled() is True  # the work is active
        assert entries["Resume"] == card.resume_button.isEnabled() is False
        next(a for a in menu.actions() if a.text() == "Suspend…").trigger()
        assert card.suspend_dialog is not None  # the same dialog as the card's button, reason required
        card.suspend_dialog.reject()
        menu.close()

        simulator.force("GD-TF-03", 30.0)  # a tier-1 alarm acknowledged with a comment from its row's menu
        table = window.alarm_table
        await until(lambda: table.select_alarm("GD-TF-03.HH"), 20, "the alarm listed")
        row = [v.id for v in table.visible_alarms()].index("GD-TF-03.HH")
        table.table.customContextMenuRequested.emit(
            table.table.visualRect(table.proxy.index(row, 0)).center()
        )
        menu = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible())
        next(a for a in menu.actions() if a.text() == "Acknowledge with comment…").trigger()
        menu.close()
        dialog = table.text_dialog
        assert dialog is not None
        qtbot.keyClicks(dialog.edit, "fire team on the way")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        engine = console.app.core.alarms.engine
        await until(
            lambda: engine.view("GD-TF-03.HH").state is State.ACKED, 10, "acknowledged with a comment"
        )
        await asyncio.to_thread(console.app.writer.flush, 5)
        acks = Store(database_url).alarm_transitions(alarm_ids=["GD-TF-03.HH"])
        assert [(t.actor, t.comment) for t in acks if t.event is Event.ACKNOWLEDGE] == [
            ("tester", "fire team on the way")
        ]

        simulator.force("GD-TF-02", 30.0)  # past hh: a tier-1 alarm to acknowledge from the keyboard
        await until(lambda: table.select_alarm("GD-TF-02.HH"), 20, "the alarm listed")
        await until(lambda: console.annunciator.tone == 1, 5, "the tier-1 tone")
        window.activateWindow()
        await until(window.isActiveWindow, 5, "the console's window active")
        qtbot.keyClick(window.plant_map, Qt.Key.Key_F9)  # silence, wherever the focus is
        assert console.annunciator.silenced and "silenced" in window.alarm_banner.sound_label.toolTip()
        qtbot.keyClick(window.plant_map, Qt.Key.Key_F8)  # acknowledge the selection, wherever the focus is
        await until(lambda: engine.view("GD-TF-02.HH").state is State.ACKED, 10, "acknowledged by F8")
        qtbot.keyClick(window.plant_map, Qt.Key.Key_F7)  # the next unacknowledged alarm, if any, is selected
        selected = table.selected_alarms()
        assert not selected or selected[0].state in (State.UNACK, State.RTN_UNACK)

    run_console(scenario)
