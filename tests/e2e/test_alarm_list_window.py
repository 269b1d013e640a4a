"""The alarm list as an operator uses it in the running console, with the mouse: an alarm unshelved by hand
says who acknowledged it and when; the order holds while the pointer is on the list or its menu is open,
so a command acts on the alarm the operator pointed at, and the hold ends when the list's tab is left."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from alarms.states import Event, State
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.e2e.conftest import until
from widgets.alarm_actions import AlarmAction
from widgets.alarm_style import clock_text
from widgets.alarm_table import ACK_AT, FLAGS, STATE, AlarmTable

LEFT = Qt.MouseButton.LeftButton
ALARM = "GD-LB-01.HH"  # tier 1, hh = 25 %LEL
ACK_BY_UNSHELVE = "acknowledged by unshelve"


def _cell(table: AlarmTable, alarm_id: str, column: int) -> str:
    row = table.model.row_of(alarm_id)
    assert row is not None, f"{alarm_id} is not listed"
    return table.model.index(row, column).data()


def _row_centre(table: AlarmTable, alarm_id: str) -> QPoint:
    row = [v.id for v in table.visible_alarms()].index(alarm_id)
    return table.table.visualRect(table.proxy.index(row, 0)).center()


def _click_row(qtbot: QtBot, table: AlarmTable, alarm_id: str) -> None:
    qtbot.mouseClick(table.table.viewport(), LEFT, pos=_row_centre(table, alarm_id))
    assert [v.id for v in table.selected_alarms()] == [alarm_id]


def test_an_alarm_unshelved_by_hand_shows_who_acknowledged_it_when_in_the_list_and_the_journal(
    run_console, simulator: SimulatorThread, qtbot: QtBot, database_url: str
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        table = console.window.alarm_table
        await until(lambda: not console.window.alarm_banner.waiting, 20, "the first values")
        simulator.force("GD-LB-01", 30.0)
        await until(lambda: table.model.row_of(ALARM) is not None, 20, "the alarm listed")
        _click_row(qtbot, table, ALARM)
        qtbot.mouseClick(table.shelve_button, LEFT)
        dialog = table.shelve_dialog
        assert dialog is not None
        dialog.reason_edit.setText("detector being calibrated")
        qtbot.mouseClick(dialog.ok_button, LEFT)
        await until(lambda: _cell(table, ALARM, STATE).startswith("Shelved"), 10, "shelved")
        assert _cell(table, ALARM, ACK_AT) == ""  # nobody acknowledged it

        _click_row(qtbot, table, ALARM)
        qtbot.mouseClick(table.buttons[AlarmAction.UNSHELVE], LEFT)
        await until(lambda: _cell(table, ALARM, STATE) == "Active, acknowledged", 10, "back, acknowledged")
        view = console.app.core.alarms.engine.view(ALARM)
        assert view.ack_ts is not None
        assert _cell(table, ALARM, ACK_AT) == clock_text(view.ack_ts)
        assert "acknowledged by unshelve (tester)" in _cell(table, ALARM, FLAGS)
        row = table.model.row_of(ALARM)
        tip = table.model.index(row, ACK_AT).data(Qt.ItemDataRole.ToolTipRole)
        assert tip == f"tester unshelved it at {clock_text(view.ack_ts)}: acknowledged by unshelve"
        line = f"unshelved {ALARM} ({ACK_BY_UNSHELVE})"
        log = console.window.event_log
        await until(lambda: any(line in row[-1] for row in log.visible_rows()), 5, "the event log line")
        store = Store(database_url)
        [back] = [t for t in store.alarm_transitions(alarm_ids=[ALARM]) if t.event is Event.UNSHELVE_MANUAL]
        assert (back.actor, back.to_state, back.comment, back.ts) == (
            "tester",
            State.ACKED,
            ACK_BY_UNSHELVE,
            view.ack_ts,
        )

    run_console(scenario)
