"""The shift lead, in the real window at 1366x768, opens the alarm history for the last shift, filters it by
area, opens one alarm's trend at the time it was raised (Enter on its row), and shows it on the map."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox
from pytestqt.qtbot import QtBot

from alarms.definitions import Priority, Tier
from alarms.states import Event
from console.config import AppConfig
from console.window.gui import WindowedConsole
from integrations.storage import Store
from plant_maps.shifts import Period, ShiftPattern
from tests.e2e.conftest import until
from tests.journal_play import Alarm, Journal

SHOTS = Path(tempfile.gettempdir()) / "controlroom-history-shots"  # to look at
COMPRESSOR = Alarm(
    "GD-CH-01.HH", "GD-CH-01", "compressor_house", Tier.LIFE, Priority.URGENT, "GD-CH-01 LEL high", "%LEL"
)
TANKS = Alarm("GD-TF-02.H", "GD-TF-02", "tank_farm", Tier.HIGH, Priority.HIGH, "GD-TF-02 LEL high", "%LEL")


def _last_and_this_shift(since: float, until_ts: float, now: float) -> Journal:
    """Three occurrences in the last shift (one in the compressor house, one shelved), one in this shift; all
    cleared."""
    j = Journal()
    for alarm, at in ((TANKS, since + 600), (COMPRESSOR, since + 1800)):
        j.play(at, alarm, Event.ACTIVATE, value=26.5)
        j.play(at + 40, alarm, Event.ACKNOWLEDGE, actor="li.wei", comment="gas team sent", response_s=40)
        j.play(at + 300, alarm, Event.CLEAR, value=4)
    shelved = since + 3600
    j.play(shelved, TANKS, Event.ACTIVATE, value=21)
    j.play(
        shelved + 75,
        TANKS,
        Event.SHELVE,
        actor="zhao.min",
        comment="recalibration",
        shelve_until=shelved + 7275,
    )
    j.play(shelved + 900, TANKS, Event.CLEAR, value=2)
    j.play(shelved + 1800, TANKS, Event.UNSHELVE_MANUAL, actor="zhao.min")
    this_shift = (until_ts + now) / 2
    j.play(this_shift, COMPRESSOR, Event.ACTIVATE, value=30)
    j.play(this_shift + 0.5, COMPRESSOR, Event.ACKNOWLEDGE, actor="zhao.min")
    j.play(this_shift + 1, COMPRESSOR, Event.CLEAR, value=3)
    return j


def _choose(qtbot: QtBot, combo: QComboBox, data: object) -> None:
    """Pick the item holding `data` with the arrow keys, as an operator does without a mouse."""
    combo.setFocus()
    target = combo.findData(data)
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, key)


def test_the_shift_lead_reviews_the_last_shift_then_opens_an_alarms_trend_and_its_place(
    run_console, config: AppConfig, qtbot: QtBot
) -> None:
    now = time.time()
    since, until_ts = ShiftPattern().period(Period.LAST_SHIFT, now)
    store = Store(config.database_url)
    store.write([], [], _last_and_this_shift(since, until_ts, now).rows)
    store.close()
    raised = since + 1800

    async def scenario(console: WindowedConsole) -> None:
        window = console.window
        view = window.history_view
        window.resize(1366, 768)
        await until(lambda: window.width() == 1366, what="the window at 1366x768")
        window.default_layout()  # as a console started on that screen lays itself out
        window.history_action.trigger()
        await until(lambda: view.page is not None, what="the history read when opened")

        _choose(qtbot, view.period_combo, Period.LAST_SHIFT)
        await until(
            lambda: view.page.total == 3 and view.filter.since == since, what="the last shift's three"
        )
        assert [o.alarm_id for o in view.page.rows] == [TANKS.alarm_id, COMPRESSOR.alarm_id, TANKS.alarm_id]
        assert window.minimumSizeHint().width() <= 1366 and window.width() == 1366  # nothing widened it
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / "history-last-shift-1366x768.png"))

        _choose(qtbot, view.area_combo, "compressor_house")
        shown = view.area_combo.currentText()
        room = view.area_combo.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox,
            _combo_option(view.area_combo),
            QStyle.SubControl.SC_ComboBoxEditField,
        )
        assert view.area_combo.fontMetrics().horizontalAdvance(shown) <= room.width(), (
            "the area's name cut off"
        )
        await until(lambda: view.page.total == 1, what="only the compressor house's occurrence")
        [row] = view.page.rows
        assert (row.alarm_id, row.raised, row.acknowledged.actor) == (COMPRESSOR.alarm_id, raised, "li.wei")
        assert view.model.row_at(0).texts[5] == "li.wei +40 s"
        window.grab().save(str(SHOTS / "history-1366x768.png"))

        table = view.table
        qtbot.mouseClick(
            table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(view.proxy.index(0, 2)).center()
        )
        qtbot.keyClick(table, Qt.Key.Key_Return)
        trend = window.trend_view
        await until(
            lambda: window.trend_dock.isVisible() and trend.tags() == [COMPRESSOR.source], what="its trend"
        )
        start, end = trend.visible_range()
        assert start < raised < end and not trend.live
        window.grab().save(str(SHOTS / "history-trend-1366x768.png"))

        window.open_history()
        await until(
            lambda: view.isVisible() and view.selected() is not None, what="the history back in front"
        )
        qtbot.mouseClick(view.map_button, Qt.MouseButton.LeftButton)
        plant_map = window.plant_map
        detector = plant_map.site.sensor(COMPRESSOR.source)
        centre = plant_map.mapToScene(plant_map.viewport().rect().center())
        assert abs(centre.x() - detector.x) < 2 and abs(centre.y() - detector.y) < 2

        window.resize(1920, 1080)
        await until(lambda: window.width() == 1920, what="the window at 1920x1080")
        window.default_layout()
        window.open_history()
        await until(lambda: view.page_label.text().startswith("1–1 of 1"), what="the page read again")
        window.grab().save(str(SHOTS / "history-1920x1080.png"))

    run_console(scenario)


def _combo_option(combo: QComboBox) -> QStyleOptionComboBox:
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    return option
