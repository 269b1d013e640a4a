"""The event log: newest on top, bounded, one model change per batch, severity in words and shape."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alarms.definitions import Tier
from tests.widgets.support import Clock
from widgets.common.tiers import TierMarkers
from widgets.records.event_log import EventLogView

T0 = 1_700_000_000.0


@pytest.fixture()
def clock() -> Clock:
    return Clock(T0 + 100)


@pytest.fixture()
def log(qtbot: QtBot, clock: Clock) -> EventLogView:
    view = EventLogView(max_rows=100, now=clock)
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    return view


def _entries(first: int, count: int) -> list[tuple[float, str, str, str]]:
    return [(T0 + i, "info", "core", f"event {i}") for i in range(first, first + count)]


def test_newest_entries_are_on_top_with_local_time(log: EventLogView) -> None:
    log.append([(T0, "info", "opcua", "connected"), (T0 + 61, "error", "mqtt", "connection lost")])
    log.append([(T0 + 62, "warning", "mqtt", "reconnecting")])
    clock = time.strftime("%H:%M:%S", time.localtime(T0 + 62))
    assert log.visible_rows() == [
        (clock, "warning", "mqtt", "reconnecting"),
        (time.strftime("%H:%M:%S", time.localtime(T0 + 61)), "error", "mqtt", "connection lost"),
        (time.strftime("%H:%M:%S", time.localtime(T0)), "info", "opcua", "connected"),
    ]


def test_the_log_is_bounded_and_drops_the_oldest(log: EventLogView) -> None:
    for first in range(0, 250, 50):
        log.append(_entries(first, 50))
    rows = log.visible_rows()
    assert len(rows) == 100
    assert rows[0][3] == "event 249" and rows[-1][3] == "event 150"
    log.append(_entries(1000, 300))  # one batch larger than the log keeps its newest
    rows = log.visible_rows()
    assert len(rows) == 100 and rows[0][3] == "event 1299" and rows[-1][3] == "event 1200"


def test_a_batch_is_one_model_change_not_one_per_entry(log: EventLogView) -> None:
    model = log.model
    inserted, removed = [], []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.rowsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))
    log.append(_entries(0, 80))
    assert inserted == [(0, 79)] and removed == []
    log.append(_entries(80, 50))  # full: the 30 oldest (the bottom rows) leave in one removal
    assert inserted == [(0, 79), (0, 49)] and removed == [(50, 79)]


def test_errors_and_warnings_carry_a_marker_and_info_none(log: EventLogView) -> None:
    log.append([(T0, "info", "core", "a"), (T0, "warning", "core", "b"), (T0, "error", "core", "c")])
    model = log.model
    icons = [model.index(row, 1).data(Qt.ItemDataRole.DecorationRole) for row in range(3)]
    assert icons[0] is not None and icons[1] is not None and icons[2] is None
    assert model.index(0, 1).data(Qt.ItemDataRole.FontRole).bold()  # the error row


def test_the_filter_box_narrows_the_rows(qtbot: QtBot, log: EventLogView) -> None:
    log.append([(T0, "info", "opcua", "connected"), (T0 + 1, "error", "mqtt", "connection lost")])
    qtbot.keyClicks(log.filter_box, "MQTT")
    assert [row[2] for row in log.visible_rows()] == ["mqtt"]
    log.append([(T0 + 2, "info", "opcua", "subscribed"), (T0 + 3, "info", "mqtt", "subscribed")])
    assert [row[3] for row in log.visible_rows()] == ["subscribed", "connection lost"]
    log.filter_box.clear()
    assert len(log.visible_rows()) == 4


def test_an_alarm_line_carries_its_tier_symbol_and_faults_take_no_tier_shape(log: EventLogView) -> None:
    """One symbol language: the tier-1 red inverted triangle is the same pixels as in the alarm list."""
    log.append(
        [
            (T0, "tier1", "alarm", "T1 GD-CH-01.HH: Combustible gas 30 %LEL"),
            (T0 + 1, "error", "OPC UA", "connection lost"),
            (T0 + 2, "action", "li.wei", "acknowledged GD-CH-01.HH"),
        ]
    )
    model = log.model
    severity = [model.index(row, 1) for row in range(3)]  # newest first
    assert [i.data() for i in severity] == ["action", "error", "T1 alarm"]
    tier1 = severity[2].data(Qt.ItemDataRole.DecorationRole).pixmap(11).toImage()
    assert tier1 == TierMarkers().icon(Tier.LIFE, 11).pixmap(11).toImage()
    fault = severity[1].data(Qt.ItemDataRole.DecorationRole).pixmap(11).toImage()
    assert all(fault != TierMarkers().icon(t, 11).pixmap(11).toImage() for t in Tier)
    assert severity[0].data(Qt.ItemDataRole.DecorationRole) is None  # an operator's action: no symbol


def test_a_time_carries_its_date_when_it_is_not_of_today(
    qtbot: QtBot, log: EventLogView, clock: Clock
) -> None:
    """A line of yesterday evening must not read as this evening's: its date is shown, and after midnight
    today's lines get theirs too. The column fits a dated time in view, and is narrow while none shows (the
    text keeps the room); the tooltip always has the date."""
    metrics = log.table.fontMetrics()
    log.append([(T0, "info", "core", "today")])
    qtbot.waitUntil(lambda: log.table.columnWidth(0) >= metrics.horizontalAdvance("00:00:00"))
    assert log.table.columnWidth(0) < metrics.horizontalAdvance("2023-11-14 00:00:00")
    yesterday = T0 - 86_400
    log.append([(yesterday, "warning", "op", "gas test for PTW-CS-003 FAILED"), (T0, "info", "core", "now")])
    assert [row[0] for row in log.visible_rows()] == [
        time.strftime("%H:%M:%S", time.localtime(T0)),
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(yesterday)),
        time.strftime("%H:%M:%S", time.localtime(T0)),
    ]
    clock.now = T0 + 86_400  # the next day: the same lines, now both of another day
    assert [row[0] for row in log.visible_rows()] == [
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(T0)),
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(yesterday)),
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(T0)),
    ]
    dated = log.visible_rows()[0][0]
    log.append([(T0 + 86_400, "info", "core", "today")])  # (the view sizes the column on a change)
    needed = log.table.sizeHintForColumn(0)  # what the rows in view need, the dated ones among them
    assert needed > metrics.horizontalAdvance(dated)
    qtbot.waitUntil(lambda: log.table.columnWidth(0) >= needed)  # not cut
    tooltip = log.model.index(2, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(yesterday))
