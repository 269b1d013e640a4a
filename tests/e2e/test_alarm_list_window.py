"""The alarm list as an operator uses it in the running console, with the mouse: an alarm unshelved by hand
says who acknowledged it and when; the order holds while the pointer is on the list or its menu is open,
so a command acts on the alarm the operator pointed at, and the hold ends when the list's tab is left."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QEnterEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QTabBar, QWidget
from pytestqt.qtbot import QtBot

from alarms.states import Event, State
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.e2e.conftest import until
from widgets.alarms.alarm_actions import AlarmAction
from widgets.alarms.alarm_table import ACK_AT, FLAGS, STATE, AlarmTable
from widgets.common.time_text import clock_text

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


def _force_alarms(simulator: SimulatorThread, tags: tuple[str, ...]) -> None:
    for tag in tags:
        simulator.force(tag, 30.0)  # past hh = 25 %LEL: a tier-1 HH and its tier-2 H


def _listed(table: AlarmTable, *alarm_ids: str) -> bool:
    return all(table.model.row_of(a) is not None for a in alarm_ids)


async def _mouse(action: Callable[..., object], *args: object, **kwargs: object) -> None:
    """Run a mouse action from a plain callback of the loop, outside this test's task: QTest processes Qt
    events, and qasync would otherwise step the console's own tasks inside ours ("Cannot enter into task")."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def run() -> None:
        try:
            action(*args, **kwargs)
        except BaseException as exc:  # handed to the awaiting test
            done.set_exception(exc)
        else:
            done.set_result(None)

    loop.call_soon(run)
    await done


async def _right_click(qtbot: QtBot, viewport: QWidget, pos: QPoint) -> None:
    """A right-click as X11 delivers it: the press (which selects the row), the release, the menu event."""
    await _mouse(qtbot.mouseClick, viewport, Qt.MouseButton.RightButton, pos=pos)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos))
    QApplication.sendEvent(viewport, event)


def _enter(*widgets: QWidget) -> None:
    """Enter events as Qt dispatches them when the pointer comes onto the innermost of `widgets`."""
    for widget in widgets:
        QApplication.sendEvent(widget, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))


async def _choose(qtbot: QtBot, menu: QMenu, text: str) -> None:
    """Click a menu entry: the menu closes, then the entry acts."""
    action = next(a for a in menu.actions() if a.text() == text)
    await _mouse(qtbot.mouseClick, menu, LEFT, pos=menu.actionGeometry(action).center())


def _open_menu() -> QMenu | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()), None)


def _dock_tabs(console: WindowedConsole) -> QTabBar:
    """The tab bar of the alarm list's dock (Alarms, Trends)."""
    return next(
        bar
        for bar in console.window.findChildren(QTabBar)
        if {bar.tabText(i) for i in range(bar.count())} >= {"Alarms", "Trends"}
    )


async def _click_tab(qtbot: QtBot, bar: QTabBar, text: str) -> None:
    index = next(i for i in range(bar.count()) if bar.tabText(i) == text)
    await _mouse(QTest.mouseMove, bar, bar.tabRect(index).center())
    await _mouse(qtbot.mouseClick, bar, LEFT, pos=bar.tabRect(index).center())


def test_acknowledge_page_acknowledges_the_page_the_operator_read_even_when_alarms_arrive_meanwhile(
    run_console, simulator: SimulatorThread, qtbot: QtBot
) -> None:
    """The pointer goes from the rows to the button: the rows must not re-sort on the way, or the new alarm
    sorted to the top is acknowledged unseen."""

    async def scenario(console: WindowedConsole) -> None:
        table = console.window.alarm_table
        await until(lambda: not console.window.alarm_banner.waiting, 20, "the first values")
        first = ("GD-TF-01", "GD-TF-02", "GD-TF-03", "GD-TF-04", "GD-LB-01", "GD-LB-02")
        _force_alarms(simulator, first)
        await until(lambda: _listed(table, *(f"{t}.HH" for t in first)), 20, "the first alarms listed")
        await _mouse(
            QTest.mouseMove, table.table.viewport(), _row_centre(table, table.visible_alarms()[0].id)
        )
        await until(lambda: table.held, 5, "the order held under the pointer")
        read = {v.id for v in table.page_alarms()}
        assert len(read) < table.proxy.rowCount()  # the list is longer than its page

        _force_alarms(simulator, ("GD-CH-01",))  # a newer tier-1 alarm arrives while the operator reads
        await until(lambda: _listed(table, "GD-CH-01.HH"), 20, "the new alarm listed")
        await _mouse(
            QTest.mouseMove, table.acknowledge_page_button, table.acknowledge_page_button.rect().center()
        )
        qtbot.mouseClick(table.acknowledge_page_button, LEFT)
        await until(lambda: table.status_label.text().startswith("acknowledge:"), 10, "the acknowledgement")
        await console.runner.wait_idle()
        engine = console.app.core.alarms.engine
        acknowledged = {v.id for v in engine.active() if v.state is State.ACKED}
        assert acknowledged == read
        assert engine.view("GD-CH-01.HH").state is State.UNACK  # never on the page the operator read

    run_console(scenario)


def test_a_right_click_menu_acts_on_the_alarm_under_the_pointer_while_new_alarms_arrive(
    run_console, simulator: SimulatorThread, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        table = console.window.alarm_table
        await until(lambda: not console.window.alarm_banner.waiting, 20, "the first values")
        _force_alarms(simulator, ("GD-TF-01", "GD-TF-02"))
        await until(lambda: _listed(table, "GD-TF-01.HH", "GD-TF-02.HH"), 20, "the alarms listed")
        target = table.visible_alarms()[-1].id  # the bottom row: new alarms sorted in would move it
        viewport, pointer = table.table.viewport(), _row_centre(table, target)
        await _mouse(QTest.mouseMove, viewport, pointer)
        await _right_click(qtbot, viewport, pointer)
        menu = await until(
            lambda: next(
                (w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()), None
            ),
            5,
            "the alarm's menu",
        )
        _force_alarms(simulator, ("GD-LB-01", "GD-CH-01"))  # newer tier-1 alarms arrive while it is open
        await until(lambda: _listed(table, "GD-LB-01.HH", "GD-CH-01.HH"), 20, "the new alarms listed")
        assert table.held and "order held" in table.count_label.text()
        under = table.visible_alarms()[table.table.indexAt(pointer).row()]
        assert under.id == target  # the row under the pointer did not move
        await _choose(qtbot, menu, "Shelve…")
        dialog = await until(lambda: table.shelve_dialog, 5, "the shelve dialog")
        assert dialog.view.id == target
        dialog.reject()

    run_console(scenario)


def test_order_held_ends_when_the_alarm_list_tab_is_switched_away(
    run_console, simulator: SimulatorThread, qtbot: QtBot
) -> None:
    """A trend opened from an alarm's menu raises the Trends tab where the pointer rests: the list, out of
    sight, must not stay held (new alarms appended unsorted, "order held" still shown on return)."""

    async def scenario(console: WindowedConsole) -> None:
        table = console.window.alarm_table
        await until(lambda: not console.window.alarm_banner.waiting, 20, "the first values")
        _force_alarms(simulator, ("GD-TF-01",))
        await until(lambda: _listed(table, "GD-TF-01.HH"), 20, "the alarm listed")
        viewport, pointer = table.table.viewport(), _row_centre(table, "GD-TF-01.HH")
        await _mouse(QTest.mouseMove, viewport, pointer)
        await until(lambda: "order held" in table.count_label.text(), 5, "the order held")
        await _right_click(qtbot, viewport, pointer)
        menu = await until(_open_menu, 5, "the alarm's menu")
        # X11 closes a popup before its entry acts, and sends Enter to the widgets under the pointer then:
        # the list (the offscreen platform does not, so the test does it as the X server would)
        menu.aboutToHide.connect(lambda: _enter(table, table.table, viewport))
        await _choose(qtbot, menu, "Trend")
        tabs = _dock_tabs(console)
        await until(lambda: tabs.tabText(tabs.currentIndex()) == "Trends", 5, "the trend raised")
        await until(lambda: not table.held, 5, "the hold released")
        await _click_tab(qtbot, tabs, "Alarms")
        await until(lambda: tabs.tabText(tabs.currentIndex()) == "Alarms", 5, "the alarms raised again")
        assert "order held" not in table.count_label.text()
        _force_alarms(simulator, ("GD-CH-01",))  # sorted in, not appended at the end
        await until(lambda: _listed(table, "GD-CH-01.HH"), 20, "the new alarm listed")
        assert table.visible_alarms()[0].id == "GD-CH-01.HH"

    run_console(scenario)
