"""The alarm history view: what it asks for (period from the shift pattern, filters, pages) and how an
occurrence reads in its row; a row opens its trend only where the alarm's source has one."""

from __future__ import annotations

import time
from datetime import datetime
from datetime import time as day_time

import pytest
from PySide6.QtCore import QDateTime, Qt
from pytestqt.qtbot import QtBot

from alarms.definitions import Priority, Tier
from alarms.history import Action, Hidden, HistoryFilter, HistoryPage, HistoryState, Occurrence
from alarms.states import State
from plant_maps.shifts import Period, ShiftPattern
from tests.widgets.support import Clock
from widgets.history.alarm_history_view import CUSTOM, AlarmHistoryView

UTC_SHIFTS = ShiftPattern((day_time(6, 0), day_time(18, 0)), "UTC")
NOW = datetime.fromisoformat("2026-12-07T09:30:00+00:00").timestamp()  # 3.5 h into the day shift
AREAS = [("compressor_house", "Compressor house"), ("tank_farm", "Tank farm")]


def _occurrence(key: int, **facts: object) -> Occurrence:
    base = dict(
        key=key,
        alarm_id="GD-CH-01.HH",
        source="GD-CH-01",
        area="compressor_house",
        tier=Tier.LIFE,
        priority=Priority.URGENT,
        message="Compressor house LEL high",
        value=41.5,
        unit="%LEL",
        raised=NOW - 3600,
        acknowledged=None,
        acked_by_unshelve=False,
        cleared=None,
        shelved=None,
        suppressed=None,
        out_of_service=None,
        first_response_s=None,
        state=State.UNACK,
        active=True,
        acked=False,
    )
    return Occurrence(**{**base, **facts})  # type: ignore[arg-type]


@pytest.fixture()
def view(qtbot: QtBot) -> AlarmHistoryView:
    v = AlarmHistoryView(UTC_SHIFTS, AREAS, Clock(NOW), trendable={"GD-CH-01"})
    qtbot.addWidget(v)
    v.resize(1366, 300)
    v.show()
    return v


def test_the_last_shift_is_asked_for_with_the_filters_chosen(view: AlarmHistoryView, qtbot: QtBot) -> None:
    view.area_combo.setCurrentIndex(view.area_combo.findData("tank_farm"))
    view.tier_combo.setCurrentIndex(view.tier_combo.findData(Tier.HIGH))
    view.state_combo.setCurrentIndex(view.state_combo.findData(HistoryState.SHELVED))
    view.tag_edit.setText(" gd-tf ")
    with qtbot.waitSignal(view.query_requested) as asked:
        view.show_period(Period.LAST_SHIFT)
    since, until = UTC_SHIFTS.period(Period.LAST_SHIFT, NOW)
    expected = HistoryFilter(since, until, "tank_farm", Tier.HIGH, "gd-tf", HistoryState.SHELVED)
    assert asked.args == [expected, 0]
    assert type(asked.args[0].tier) is Tier and type(asked.args[0].state) is HistoryState


def test_pages_turn_on_the_same_period_and_say_where_they_are(view: AlarmHistoryView, qtbot: QtBot) -> None:
    view.show_period(Period.LAST_7_D)
    asked_filter = view.filter
    view.set_page(HistoryPage(tuple(_occurrence(k) for k in range(200)), 450, 0, 200))
    assert view.page_label.text() == "1–200 of 450 occurrences"
    assert not view.previous_button.isEnabled() and view.next_button.isEnabled()
    with qtbot.waitSignal(view.query_requested) as asked:
        qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert asked.args == [asked_filter, 1]
    view.set_page(HistoryPage(tuple(_occurrence(k) for k in range(400, 450)), 450, 2, 200))
    assert view.page_label.text() == "401–450 of 450 occurrences"
    assert view.previous_button.isEnabled() and not view.next_button.isEnabled()
    with qtbot.waitSignal(view.query_requested) as asked:
        view.refresh()  # back from a trend: the same page, the period as it stands now
    assert asked.args == [asked_filter, 2]


def test_a_custom_period_asks_for_the_dates_picked(view: AlarmHistoryView, qtbot: QtBot) -> None:
    view.period_combo.setCurrentIndex(view.period_combo.findData(CUSTOM))
    assert view.since_edit.isVisible() and view.until_edit.isVisible()
    since = datetime.fromisoformat("2026-12-01T06:00:00+00:00").timestamp()
    view.since_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(since)))
    view.until_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(since) + 86_400))
    with qtbot.waitSignal(view.query_requested) as asked:
        qtbot.mouseClick(view.show_button, Qt.MouseButton.LeftButton)
    assert (asked.args[0].since, asked.args[0].until) == (since, since + 86_400)


def test_a_row_tells_who_acknowledged_how_fast_and_what_hid_it(view: AlarmHistoryView) -> None:
    shelved = _occurrence(
        7,
        acknowledged=Action(NOW - 3000, "anna", ""),
        acked_by_unshelve=True,
        cleared=NOW - 3300,
        shelved=Hidden(NOW - 3540, "anna", "Sensor fault, WO-17", NOW, NOW - 3000, "anna"),
        first_response_s=60.0,
        state=State.NORMAL,
        active=False,
        acked=True,
    )
    view.set_page(HistoryPage((shelved,), 1, 0, 200))
    row = view.model.row_at(0)
    assert row.texts[1:] == (
        "T1 Urgent",
        "GD-CH-01.HH",
        "Compressor house",
        "Compressor house LEL high — 41.5 %LEL",
        "anna +10 min (by unshelve)",
        time.strftime("%H:%M", time.localtime(NOW - 3300)),
        "Shelved anna 9 min",
        "1 min",
        "Normal",
    )
    assert "Reason: Sensor fault, WO-17" in row.tooltips[7] and "(anna)" in row.tooltips[7]


def test_enter_on_a_row_opens_its_trend_only_where_the_source_has_one(
    view: AlarmHistoryView, qtbot: QtBot
) -> None:
    worker_alarm = _occurrence(2, alarm_id="W01.SOS", source="W01", raised=NOW - 100)
    view.set_page(HistoryPage((worker_alarm, _occurrence(1)), 2, 0, 200))
    assert view.selected() == worker_alarm  # the newest is selected when a page comes
    assert not view.trend_button.isEnabled() and view.map_button.isEnabled()
    view.select(1)
    assert view.trend_button.isEnabled()
    view.table.setFocus()
    with qtbot.waitSignal(view.trend_requested) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == ["GD-CH-01", NOW - 3600]
    with qtbot.waitSignal(view.map_requested) as shown:
        qtbot.mouseClick(view.map_button, Qt.MouseButton.LeftButton)
    assert shown.args == ["GD-CH-01"]
