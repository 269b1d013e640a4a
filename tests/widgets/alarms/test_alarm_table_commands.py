"""The alarm list's commands as an operator reaches them: a right-click menu that greys what cannot succeed
and says why, acknowledgement with a comment (required for tier 1 where the site says so), unshelve, reset,
the next unacknowledged alarm, an order that holds still under the pointer, and columns that fit."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QApplication, QLabel, QMenu
from pytestqt.qtbot import QtBot

from alarms.definitions import Tier
from alarms.noise import FloodState
from alarms.states import State
from tests.widgets.alarms.test_alarm_table import T0, alarm, click_row, ids
from widgets.alarms.alarm_actions import AlarmAction
from widgets.alarms.alarm_table import FLAGS, MESSAGE, MESSAGE_MIN_PX, AlarmTable


def _menu_entries(table: AlarmTable, alarm_id: str) -> dict[str, tuple[bool, str]]:
    """Right-click the alarm's row: each menu entry's text -> (enabled, tooltip)."""
    row = ids(table.visible_alarms()).index(alarm_id)
    pos = table.table.visualRect(table.proxy.index(row, 0)).center()
    table.table.customContextMenuRequested.emit(pos)  # what a right-click on the viewport sends
    menu = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible())
    entries = {a.text(): (a.isEnabled(), a.toolTip()) for a in menu.actions() if a.isVisible()}
    menu.close()
    return entries


def test_the_right_click_menu_offers_what_can_succeed_and_says_why_not(
    qtbot: QtBot, table: AlarmTable
) -> None:
    table.set_alarms([alarm("SOS-W01", Tier.LIFE, latched=True), alarm("GD-TF-01.H", state=State.SHELVED)])
    sos = _menu_entries(table, "SOS-W01")
    assert sos["Acknowledge"][0] and sos["Acknowledge with comment…"][0] and sos["Show on map"][0]
    enabled, why = sos["Shelve…"]
    assert not enabled and "latched alarm stays until it is reset" in why
    assert not sos["Unshelve"][0] and "not shelved" in sos["Unshelve"][1]
    assert "Out of service…" not in sos  # not a privileged console
    assert table.selected_alarms()[0].id == "SOS-W01"  # the right-clicked row is the one acted on
    shelved = _menu_entries(table, "GD-TF-01.H")
    assert shelved["Unshelve"][0] and not shelved["Acknowledge"][0]
    with qtbot.waitSignal(table.unshelve_requested) as sent:
        qtbot.mouseClick(table.buttons[AlarmAction.UNSHELVE], Qt.MouseButton.LeftButton)
    assert sent.args == ["GD-TF-01.H"]


def test_acknowledge_with_a_comment_sends_the_comment(qtbot: QtBot, table: AlarmTable) -> None:
    table.set_alarms([alarm("GD-TF-01.HH", seq=7)])
    click_row(qtbot, table, "GD-TF-01.HH")
    table.actions[AlarmAction.ACKNOWLEDGE_WITH_COMMENT].trigger()
    dialog = table.text_dialog
    assert dialog is not None and dialog.ok_button.isEnabled()  # optional for this site
    with qtbot.waitSignal(table.acknowledge_requested) as sent:
        qtbot.keyClicks(dialog.edit, "<b>field operator</b> on the way")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert sent.args == [[("GD-TF-01.HH", 7)], "<b>field operator</b> on the way"]
    assert dialog.edit.maxLength() == 200


def test_a_site_rule_makes_acknowledge_ask_for_a_comment_on_tier_1(qtbot: QtBot, table: AlarmTable) -> None:
    table.set_comment_required({Tier.LIFE})
    table.set_alarms([alarm("GD-CH-01.HH", Tier.LIFE, seq=3), alarm("GD-CH-01.H", seq=4)])
    click_row(qtbot, table, "GD-CH-01.H")
    with qtbot.waitSignal(table.acknowledge_requested) as sent:  # tier 2: no question asked
        qtbot.keyClick(table.table, Qt.Key.Key_F8)
    assert sent.args == [[("GD-CH-01.H", 4)], ""]
    click_row(qtbot, table, "GD-CH-01.HH")
    with qtbot.assertNotEmitted(table.acknowledge_requested):
        qtbot.keyClick(table.table, Qt.Key.Key_F8)
    dialog = table.text_dialog
    assert dialog is not None and not dialog.ok_button.isEnabled()
    assert "requires a comment" in dialog.findChild(QLabel).text()
    with qtbot.waitSignal(table.acknowledge_requested) as sent:
        qtbot.keyClicks(dialog.edit, "gas team sent")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert sent.args == [[("GD-CH-01.HH", 3)], "gas team sent"]


def test_reset_is_offered_for_a_latched_alarm_waiting_for_it(qtbot: QtBot, table: AlarmTable) -> None:
    table.set_alarms([alarm("SOS-W07", Tier.LIFE, state=State.LATCHED, latched=True)])
    click_row(qtbot, table, "SOS-W07")
    with qtbot.waitSignal(table.reset_requested) as sent:
        qtbot.mouseClick(table.buttons[AlarmAction.RESET], Qt.MouseButton.LeftButton)
    assert sent.args == ["SOS-W07"]


def test_next_unacknowledged_walks_the_unacknowledged_rows(qtbot: QtBot, table: AlarmTable) -> None:
    table.set_alarms([alarm("A", ts=T0 + 3), alarm("B", state=State.ACKED), alarm("C", ts=T0 + 1)])
    assert table.select_next_unacknowledged() and ids(table.selected_alarms()) == ["A"]
    assert table.select_next_unacknowledged() and ids(table.selected_alarms()) == ["C"]
    assert table.select_next_unacknowledged() and ids(table.selected_alarms()) == ["A"]  # wraps
    table.set_alarms([alarm("B", state=State.ACKED)])
    assert not table.select_next_unacknowledged()
    assert table.status_label.text() == "No unacknowledged alarm"


def test_the_order_holds_while_the_pointer_is_on_the_list(qtbot: QtBot, table: AlarmTable) -> None:
    table.set_alarms([alarm("A", ts=T0 + 2, seq=1), alarm("B", ts=T0 + 1, seq=2)])
    assert ids(table.visible_alarms()) == ["A", "B"]  # unacknowledged, newest first
    QApplication.sendEvent(table, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
    assert "order held" in table.count_label.text()
    # A is acknowledged (from another console): sorted, it would drop below B, under the pointer
    table.set_alarms([alarm("A", ts=T0 + 3, seq=3, state=State.ACKED), alarm("B", ts=T0 + 1, seq=2)])
    assert ids(table.visible_alarms()) == ["A", "B"]
    table.set_alarms([*table.visible_alarms(), alarm("N", ts=T0 + 4, seq=4)])
    assert ids(table.visible_alarms()) == ["A", "B", "N"]  # a new alarm comes in at the end meanwhile
    QApplication.sendEvent(table, QEvent(QEvent.Type.Leave))
    assert ids(table.visible_alarms()) == ["N", "B", "A"]
    assert "order held" not in table.count_label.text()


def test_message_takes_the_slack_and_flags_only_what_it_shows(qtbot: QtBot, table: AlarmTable) -> None:
    table.resize(1366, 300)
    table.set_alarms([alarm("A")])
    qtbot.waitUntil(lambda: table.table.columnWidth(MESSAGE) > 300)
    empty_flags = table.table.columnWidth(FLAGS)
    assert empty_flags < 80  # just its header while no alarm has a flag
    table.set_alarms([alarm("A", chattering=True, suggest_shelve=True)])
    assert table.table.columnWidth(FLAGS) > empty_flags + 60
    header = table.table.horizontalHeader()
    assert header.sectionPosition(FLAGS) + header.sectionSize(FLAGS) <= table.table.viewport().width()
    table.resize(700, 300)  # far too narrow: the message keeps its minimum and the list scrolls
    qtbot.waitUntil(lambda: table.table.columnWidth(MESSAGE) == MESSAGE_MIN_PX)


def test_cause_first_the_people_in_a_gas_zone_are_listed_under_its_gas_alarm(table: AlarmTable) -> None:
    gas = alarm("GD-CH-01.HH", Tier.LIFE, ts=T0, area="compressor_house")
    people = [
        alarm(f"W0{i}.GAS_ALARM_ZONE", Tier.LIFE, ts=T0 + i, group="GD-CH-01.HH", area="compressor_house")
        for i in (1, 2)
    ]
    newer = alarm("SOS-W09", Tier.LIFE, ts=T0 + 5)
    table.set_alarms([*people, newer, gas], [FloodState("site", False, 2, None, None, "W01.GAS_ALARM_ZONE")])
    assert ids(table.visible_alarms()) == [
        "SOS-W09",
        "GD-CH-01.HH",
        "W02.GAS_ALARM_ZONE",
        "W01.GAS_ALARM_ZONE",
    ]
    flags = table.model.index(table.model.row_of("W01.GAS_ALARM_ZONE"), FLAGS).data()
    assert flags == "grouped under GD-CH-01.HH"  # a consequence is never marked first out
