"""The KPI page's periods come from the plant's shift pattern, and its heat map's hours from the plant's clock
(the report itself, computed on a worker thread, is read in the window: tests/e2e/test_kpi_window.py)."""

from __future__ import annotations

from datetime import time

from pytestqt.qtbot import QtBot

from console.window.kpi_feed import KpiFeed, utc_offset_s
from integrations.storage import Store
from plant_maps.shifts import Period, ShiftPattern
from tests.test_alarm_kpis import END, T0
from widgets.kpis.kpi_view import CUSTOM, KpiView

SHANGHAI = ShiftPattern((time(8, 0), time(20, 0)), "Asia/Shanghai", operator_positions=2)


def test_the_heat_map_hours_are_the_plants() -> None:
    assert utc_offset_s(SHANGHAI, T0) == 8 * 3600
    assert utc_offset_s(ShiftPattern(timezone="UTC"), T0) == 0


def test_last_shift_is_the_one_before_this_one(qtbot: QtBot, store: Store) -> None:
    view = KpiView([])
    qtbot.addWidget(view)
    now = T0 + 3 * 3600  # 19:00 in Shanghai: the day shift began at 08:00 (00:00 UTC)
    feed = KpiFeed(store, view, SHANGHAI, lambda: now)
    this_start = T0 - 8 * 3600
    assert feed.period(Period.THIS_SHIFT.value, 0, 0) == (this_start, now)
    assert feed.period(Period.LAST_SHIFT.value, 0, 0) == (this_start - 12 * 3600, this_start)
    assert feed.period(CUSTOM, T0, END) == (T0, END)
