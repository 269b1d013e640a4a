"""Fixtures of the widget tests."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.widgets.alarms.test_alarm_table import AREAS, MAX_SHELVE_S
from widgets.alarms.alarm_table import AlarmTable


@pytest.fixture()
def table(qtbot: QtBot) -> AlarmTable:
    table = AlarmTable(max_shelve_s=MAX_SHELVE_S)
    qtbot.addWidget(table)
    table.set_areas(AREAS)
    table.resize(1600, 500)
    table.move(100, 100)  # away from where the offscreen pointer rests (10, 10): the order is not held
    table.show()
    qtbot.waitExposed(table)
    return table
